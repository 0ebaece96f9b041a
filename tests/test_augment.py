"""Augmentation moves pixels and labels consistently; ensembles average probabilities."""

from __future__ import annotations

import pytest
import torch
from digit_configs import digits_only

from pairlib.augment import ERASE_SIZE, erase_images, shift_images, swap_pairs, warp_images
from pairlib.data import generate_pair_sets
from pairlib.fitting import TrainConfig, fit
from pairlib.models import Ensemble, ModelSpec, build_model


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
    config = digits_only(
        (8, 16),
        (32,),
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
        ({"augment_rotate": 90.0}, "augment_rotate"),
        ({"augment_scale": -0.1}, "augment_scale"),
        ({"augment_erase": 1.5}, "augment_erase"),
        ({"ema": 1.0}, "ema"),
    ],
)
def test_bad_training_options_are_clear_errors(changes, field):
    with pytest.raises(ValueError, match=field):
        TrainConfig(**changes)


def test_warp_is_reproducible_and_moves_each_digit_differently():
    images = generate_pair_sets(50, seed=0).train_input[:8] / 255.0
    a = warp_images(images, 15.0, 0.1, 0.0, torch.Generator().manual_seed(4))
    b = warp_images(images, 15.0, 0.1, 0.0, torch.Generator().manual_seed(4))
    c = warp_images(images, 15.0, 0.1, 0.0, torch.Generator().manual_seed(5))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert a.shape == images.shape and not torch.equal(a, images)
    # a warp keeps most of the ink: a small rotation or scaling loses little at the border
    assert torch.allclose(a.sum((2, 3)), images.sum((2, 3)), rtol=0.35)


def test_warp_by_nothing_returns_the_images_and_draws_nothing():
    images = torch.rand(3, 2, 14, 14)
    generator = torch.Generator().manual_seed(0)
    assert warp_images(images, 0.0, 0.0, -1.0, generator) is images
    assert torch.equal(generator.get_state(), torch.Generator().manual_seed(0).get_state())


def test_a_quarter_turn_is_a_rotation_and_the_border_is_the_fill():
    image = torch.zeros(1, 1, 14, 14)
    image[0, 0, 2:12, 6:8] = 1.0  # a vertical bar
    # first draw near 1: the angle is the largest allowed (the scale draw is unused)
    turned = warp_images(image - 1.0, 90.0, 0.0, -1.0, _generator_drawing(0, 1.0, 1e-4)) + 1.0
    assert torch.allclose(turned[0, 0], image[0, 0].T, atol=0.02)  # the bar is now horizontal
    # second draw near 0: the smallest scale, half size, so the corners come from outside
    shrunk = warp_images(torch.ones(1, 1, 14, 14), 0.0, 0.5, -1.0, _generator_drawing(1, 0.0, 0.01))
    assert shrunk[0, 0, 0, 0] == -1.0 and shrunk[0, 0, 7, 7] == 1.0


def _generator_drawing(index: int, value: float, tolerance: float) -> torch.Generator:
    """A generator whose draw number ``index`` of torch.rand(1) is within ``tolerance`` of ``value``."""
    for seed in range(1_000_000):
        draws = torch.rand(index + 1, generator=torch.Generator().manual_seed(seed))
        if abs(draws[index].item() - value) < tolerance:
            return torch.Generator().manual_seed(seed)
    raise AssertionError("no such seed")


def test_erase_blanks_one_square_per_erased_image():
    images = torch.rand(64, 2, 14, 14) + 1.0
    erased = erase_images(images, 0.5, ERASE_SIZE, fill=0.0, generator=torch.Generator().manual_seed(0))
    blanks = (erased == 0.0).sum((2, 3))
    assert set(blanks.unique().tolist()) == {0, ERASE_SIZE**2}
    assert 0.3 < (blanks > 0).float().mean() < 0.7
    assert torch.equal(erased[blanks == 0], images[blanks == 0])
    same = erase_images(images, 0.5, ERASE_SIZE, 0.0, torch.Generator().manual_seed(0))
    assert torch.equal(erased, same)
    assert erase_images(images, 0.0, ERASE_SIZE, 0.0, torch.Generator()) is images


def test_augmentations_keep_channels_last():
    images = torch.rand(4, 2, 14, 14).contiguous(memory_format=torch.channels_last)
    for out in (
        warp_images(images, 10.0, 0.1, 0.0, torch.Generator().manual_seed(0)),
        erase_images(images, 1.0, ERASE_SIZE, 0.0, torch.Generator().manual_seed(0)),
    ):
        assert out.is_contiguous(memory_format=torch.channels_last)


@pytest.mark.slow
def test_recipe_levers_are_deterministic_and_change_the_run():
    config = digits_only(
        (8, 16),
        (32,),
        epochs=3,
        n_pairs=200,
        augment_shift=1,
    )
    levers = config.replace(augment_rotate=10.0, augment_scale=0.1, augment_erase=0.3, ema=0.9)
    pairs = generate_pair_sets(200, seed=0)
    a, b = (fit(levers, pairs, seed=0, device="cpu") for _ in range(2))
    assert [_without_seconds(r) for r in a.rows] == [_without_seconds(r) for r in b.rows]
    plain = fit(config, pairs, seed=0, device="cpu")
    assert a.rows[-1]["loss"] != plain.rows[-1]["loss"]
    # with the EMA alone, the running loss (of the live weights) is the plain run's, but the
    # returned, evaluated model is the average: other weights
    averaged = fit(config.replace(ema=0.9), pairs, seed=0, device="cpu")
    assert averaged.rows[-1]["loss"] == plain.rows[-1]["loss"]
    live, mean = plain.model.state_dict(), averaged.model.state_dict()
    assert live.keys() == mean.keys()
    assert not all(torch.equal(live[k], mean[k]) for k in live)


def _without_seconds(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "seconds"}
