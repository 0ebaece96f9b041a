"""The best model's recipe levers: label smoothing, and ensemble members trained one at a time."""

from __future__ import annotations

import pytest
import torch
from digit_configs import digits_only

from pairlib.configs import get_config
from pairlib.data import generate_pair_sets
from pairlib.fitting import TrainConfig, fit
from pairlib.losses import digit_loss
from pairlib.models import Ensemble

SMALL = digits_only(epochs=2, n_pairs=100)


def test_label_smoothing_is_cross_entropy_against_smoothed_targets():
    digits, classes = torch.randn(5, 2, 10), torch.randint(0, 10, (5, 2))
    assert torch.equal(digit_loss("ce", digits, classes, smoothing=0.0), digit_loss("ce", digits, classes))
    smoothed = torch.full((10, 10), 0.01) + 0.9 * torch.eye(10)  # 0.1 spread over the 10 classes
    expected = -(smoothed[classes.reshape(-1)] * digits.reshape(-1, 10).log_softmax(-1)).sum(-1).mean()
    assert torch.allclose(digit_loss("ce", digits, classes, smoothing=0.1), expected)


def test_member_k_trained_alone_is_member_k_of_the_ensemble():
    """first_member lets a chapter train an ensemble's members as separate (cached) runs and
    read every prefix of it (1, 2, 5 ... members) without training any member twice."""
    pairs = generate_pair_sets(100, seed=0)
    ensemble = fit(SMALL.replace(ensemble=3), pairs, seed=4, device="cpu").model
    assert isinstance(ensemble, Ensemble)
    for k in range(3):
        alone = fit(SMALL.replace(first_member=k), pairs, seed=4, device="cpu").model
        member = ensemble.members[k].state_dict()
        assert all(torch.equal(v, member[n]) for n, v in alone.state_dict().items())
    second = fit(SMALL.replace(first_member=1, ensemble=2), pairs, seed=4, device="cpu").model
    assert torch.equal(next(second.members[0].parameters()), next(ensemble.members[1].parameters()))


@pytest.mark.parametrize(
    "changes, field",
    [({"label_smoothing": 0.6}, "label_smoothing"), ({"first_member": -1}, "first_member")],
)
def test_bad_recipe_options_are_clear_errors(changes, field):
    with pytest.raises(ValueError, match=field):
        SMALL.replace(**changes)


def test_the_best_model_is_registered_with_its_recipe_and_ensemble():
    best = get_config("best")
    assert isinstance(best, TrainConfig) and best.ensemble == 10
    assert best.model.comparator == "exact" and best.aux_weight > 0 and best.target_weight == 0
    assert best.augment_rotate > 0 and best.augment_scale > 0 and best.augment_shift == 1
    assert best.n_pairs == 1000 and best.valid_pairs == 0  # the protocol: the round's pairs only
