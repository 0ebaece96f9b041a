"""The probes read digits wherever a branch put them, and only there."""

from __future__ import annotations

import math

import pytest
import torch

from pairlib.configs import REGISTRY
from pairlib.probes import (
    PROBES,
    argmax_error,
    best_permutation,
    linear_probe_error,
    permutation_error,
    probe_grid,
)
from pairlib.runner import Protocol


def one_hot_code(classes: torch.Tensor, noise: float = 0.1, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    code = torch.nn.functional.one_hot(classes, 10).float()
    return code + noise * torch.randn(code.shape, generator=generator)


@pytest.fixture
def classes() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    return torch.randint(0, 10, (2000,), generator=generator), torch.randint(
        0, 10, (2000,), generator=generator
    )


def test_a_permuted_code_fools_argmax_but_not_the_probes(classes):
    train, test = classes
    shuffle = torch.tensor([3, 7, 0, 9, 1, 5, 8, 2, 6, 4])  # digit d is written on output shuffle[d]
    train_out, test_out = one_hot_code(shuffle[train]), one_hot_code(shuffle[test], seed=1)
    assert argmax_error(test_out, test) > 0.8
    assert torch.equal(best_permutation(train_out, train)[shuffle], torch.arange(10))
    assert permutation_error(train_out, train, test_out, test) == 0.0
    assert linear_probe_error(train_out, train, test_out, test) == 0.0


def test_a_rotated_code_needs_the_linear_probe(classes):
    # The digits are perfectly encoded, but along rotated directions: no relabelling of the
    # output axes recovers them, a linear read-out does.
    train, test = classes
    rotation, _ = torch.linalg.qr(torch.randn(10, 10, generator=torch.Generator().manual_seed(2)))
    train_out, test_out = one_hot_code(train) @ rotation, one_hot_code(test, seed=1) @ rotation
    assert permutation_error(train_out, train, test_out, test) > 0.3
    assert linear_probe_error(train_out, train, test_out, test) < 0.01


def test_outputs_that_ignore_the_digit_stay_at_chance(classes):
    train, test = classes
    noise = torch.Generator().manual_seed(3)
    train_out, test_out = torch.randn(2000, 10, generator=noise), torch.randn(2000, 10, generator=noise)
    assert linear_probe_error(train_out, train, test_out, test) > 0.8
    assert permutation_error(train_out, train, test_out, test) > 0.8


@pytest.mark.slow
def test_probe_grid_trains_probes_and_caches(private_cache):
    configs = {
        "aux": REGISTRY["002/AL3"].replace(epochs=3),
        "no aux": REGISTRY["002/WS2"].replace(epochs=3),
    }
    first = probe_grid(configs, Protocol(rounds=1, workers=1, progress=False))
    assert list(first["name"]) == ["aux", "no aux"]
    columns = [f"{probe}_digit_error" for probe in PROBES]
    assert all(0 <= v <= 100 and not math.isnan(v) for v in first[columns].to_numpy().ravel())
    aux = first.set_index("name").loc["aux"]
    # Trained on the digits, the outputs are the classes: the probes can only agree or improve.
    assert aux["argmax_digit_error"] < 50
    assert aux["linear_digit_error"] <= aux["argmax_digit_error"] + 2
    again = probe_grid(configs, Protocol(rounds=1, workers=1, progress=False))  # read from the cache
    assert again.equals(first)
    with pytest.raises(ValueError, match="siamese"):
        probe_grid({"merged": REGISTRY["002/FCNN1"]}, Protocol(rounds=1))
