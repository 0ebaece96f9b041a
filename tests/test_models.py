"""Models: every registered architecture builds and has the right shapes; comparators are exact."""

from __future__ import annotations

import itertools

import pytest
import torch

from pairlib.configs import PUBLISHED_ROW, REGISTRY, get_config
from pairlib.models import (
    ArgmaxComparator,
    ExactComparator,
    ModelSpec,
    PowerComparator,
    build_model,
    count_parameters,
    match_parameters,
    power_probabilities,
    probability_first_le_second,
)
from pairlib.published import load_published


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_registered_model_has_the_right_output_shapes(name):
    config = REGISTRY[name]
    torch.manual_seed(0)
    model = build_model(config.model, config.target_outputs).eval()
    out = model(torch.randn(7, 2, 14, 14))
    assert out.target.shape == (7, config.target_outputs)
    if config.model.layout == "siamese":
        assert out.digits.shape == (7, 2, 10)
    else:
        assert out.digits is None
    assert count_parameters(model) == config.parameter_count() > 1000


def test_registry_rows_exist_in_the_published_table():
    published = load_published()
    for key, (report, model_id) in PUBLISHED_ROW.items():
        assert key in REGISTRY
        rows = published[published["report"].str.startswith(report) & (published["model_id"] == model_id)]
        assert len(rows) == 1, (key, report, model_id)


def test_get_config_names_the_known_configurations():
    with pytest.raises(KeyError, match="002/AL4"):
        get_config("002/AL5")


def test_sharing_drops_exactly_one_branch_of_parameters():
    shared, separate = build_model(ModelSpec(shared=True)), build_model(ModelSpec(shared=False))
    branch = count_parameters(shared.branches[0])
    assert count_parameters(separate) - count_parameters(shared) == branch
    assert 1.9 < count_parameters(separate) / count_parameters(shared) < 2.0


def test_shared_branch_gives_both_digits_the_same_function():
    torch.manual_seed(0)
    model = build_model(ModelSpec(shared=True, comparator="exact"), 1).eval()
    pair = torch.randn(4, 2, 14, 14)
    swapped = pair.flip(1)
    assert torch.allclose(model(pair).digits, model(swapped).digits.flip(1), atol=1e-5)


def one_hot(digits):
    return torch.nn.functional.one_hot(torch.tensor(digits), 10).float()


def test_exact_probability_on_one_hot_digits_is_the_truth():
    pairs = list(itertools.product(range(10), repeat=2))
    p1, p2 = one_hot([a for a, _ in pairs]), one_hot([b for _, b in pairs])
    q_le, q_gt = probability_first_le_second(p1, p2)
    truth = torch.tensor([float(a <= b) for a, b in pairs])
    assert torch.equal(q_le, truth) and torch.equal(q_gt, 1 - truth)


def test_exact_probability_of_uniform_digits_is_55_percent():
    uniform = torch.full((1, 10), 0.1)
    q_le, q_gt = probability_first_le_second(uniform, uniform)
    assert q_le.item() == pytest.approx(0.55) and (q_le + q_gt).item() == pytest.approx(1.0)


@pytest.mark.parametrize("comparator", [ExactComparator(), PowerComparator(6.0)])
def test_engineered_comparators_give_probabilities_that_sum_to_one(comparator):
    torch.manual_seed(1)
    digits = torch.randn(50, 2, 10) * 3
    q = torch.sigmoid(comparator(digits)[:, 0])
    assert ((q >= 0) & (q <= 1)).all()
    if isinstance(comparator, PowerComparator):
        p = power_probabilities(digits, comparator.power)
        assert torch.allclose(p.sum(-1), torch.ones(50, 2))
        assert (p.argmax(-1) == digits.argmax(-1)).all()  # the power keeps the ranking


def test_engineered_comparators_are_right_on_confident_digits():
    a, b = torch.randint(0, 10, (100,)), torch.randint(0, 10, (100,))
    digits = torch.stack([one_hot(a.tolist()), one_hot(b.tolist())], 1) * 30
    truth = a <= b
    for comparator in (ExactComparator(), PowerComparator(6.0), ArgmaxComparator()):
        assert torch.equal(comparator(digits)[:, 0] > 0, truth)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"dropout": 1.0}, "dropout"),
        ({"comparator": "median"}, "comparator"),
        ({"kernels": (3,)}, "kernels"),
        ({"kernels": (9, 9), "pools": (2, 2)}, "shrink"),
        ({"layout": "merged", "comparator": "exact"}, "merged"),
        ({"comparator": "power", "power": 0.0}, "power"),
    ],
)
def test_bad_specs_are_clear_errors(changes, field):
    with pytest.raises(ValueError, match=field):
        ModelSpec(**changes)


def test_match_parameters_reaches_the_budget():
    spec = ModelSpec(shared=True)
    budget = count_parameters(ModelSpec(shared=False))
    matched = match_parameters(spec, budget)
    assert abs(count_parameters(matched) - budget) / budget < 0.05
    assert matched.channels[0] > spec.channels[0]
