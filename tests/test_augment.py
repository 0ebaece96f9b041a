"""Augmentation moves pixels and labels consistently; ensembles average probabilities."""

from __future__ import annotations

import pytest
import torch

from pairlib.augment import shift_images, swap_pairs
from pairlib.data import generate_pair_sets
from pairlib.models import Ensemble, ModelSpec, build_model
from pairlib.train import TrainConfig, fit


def test_shift_moves_each_image_by_at_most_max_shift_and_fills_the_border():
    torch.manual_seed(0)
    images = torch.rand(6, 2, 14, 14)
    shifted = shift_images(images, 2, fill=-1.0, generator=torch.Generator().manual_seed(0))
    padded = torch.nn.functional.pad(images, (2, 2, 2, 2), value=-1.0)
    for b in range(6):
        for c in range(2):
            matches = [
                (dy, dx)
                for dy in range(5)
                for dx in range(5)
                if torch.equal(shifted[b, c], padded[b, c, dy : dy + 14, dx : dx + 14])
            ]
            assert matches, "every output is a window of the padded input"
    assert not torch.equal(shifted, images)  # something moved
    assert torch.equal(shift_images(images, 0, -1.0, torch.Generator()), images)


def test_shift_is_reproducible_from_its_generator():
    images = torch.rand(4, 2, 14, 14)
    a = shift_images(images, 1, 0.0, torch.Generator().manual_seed(3))
    b = shift_images(images, 1, 0.0, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_swap_keeps_images_classes_and_target_consistent():
    pairs = generate_pair_sets(400, seed=0)
    x, target, classes = swap_pairs(pairs.train_input, pairs.train_classes, torch.Generator().manual_seed(1))
    swapped = (classes != pairs.train_classes).any(1)
    assert 0.35 < swapped.float().mean() < 0.6  # about half (equal digits look unswapped)
    assert torch.equal(target, (classes[:, 0] <= classes[:, 1]).long())
    for i in torch.nonzero(swapped).flatten()[:20]:
        assert torch.equal(x[i, 0], pairs.train_input[i, 1]) and torch.equal(x[i, 1], pairs.train_input[i, 0])


def test_ensemble_of_copies_predicts_like_one_member():
    torch.manual_seed(0)
    member = build_model(ModelSpec(channels=(4, 8), hidden=(16,)), 2).eval()
    ensemble = Ensemble([member, member]).eval()
    pair = torch.randn(5, 2, 14, 14)
    assert torch.allclose(ensemble(pair).target.softmax(-1), member(pair).target.softmax(-1), atol=1e-6)
    assert torch.allclose(ensemble(pair).digits.softmax(-1), member(pair).digits.softmax(-1), atol=1e-6)


@pytest.mark.slow
def test_augmented_cosine_ensemble_run_trains_and_reports_the_ensemble():
    config = TrainConfig(
        ModelSpec(channels=(8, 16), hidden=(32,), comparator="exact"),
        target_weight=0.0,
        aux_weight=1.0,
        optimizer="adam",
        lr=3e-3,
        batch_size=20,
        epochs=8,
        n_pairs=300,
        schedule="cosine",
        augment_shift=1,
        augment_swap=True,
        ensemble=2,
    )
    fitted = fit(config, generate_pair_sets(300, seed=0), seed=0, device="cpu")
    assert isinstance(fitted.model, Ensemble) and len(fitted.model.members) == 2
    assert fitted.rows[-1]["test_error"] < 0.3
    plain = fit(config.replace(schedule="constant", ensemble=1), generate_pair_sets(300, seed=0), 0, "cpu")
    assert plain.rows[0]["loss"] != fitted.rows[-1]["loss"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"augment_shift": 5}, "augment_shift"),
        ({"ensemble": 0}, "ensemble"),
        ({"schedule": "step"}, "schedule"),
    ],
)
def test_bad_training_options_are_clear_errors(changes, field):
    with pytest.raises(ValueError, match=field):
        TrainConfig(**changes)
