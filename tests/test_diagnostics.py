"""Gradient norms per layer: one per weight layer, positive at start, and report 003's Fig. 2."""

from __future__ import annotations

import math

import pytest

from pairlib import diagnostics
from pairlib.configs import REGISTRY
from pairlib.data import generate_pair_sets
from pairlib.diagnostics import gradient_grid, gradient_norms, weight_layers
from pairlib.fitting import TrainConfig
from pairlib.models import ModelSpec, build_model
from pairlib.runner import Protocol, single_thread

SMALL = TrainConfig(
    ModelSpec(channels=(8, 16), hidden=(32,), comparator_hidden=(16,)),
    n_pairs=200,
    batch_size=50,
)


def test_layers_are_named_in_order_per_branch():
    shared = [name for name, _ in weight_layers(build_model(SMALL.model))]
    assert shared == ["conv1", "conv2", "fc1", "fc2", "comparator fc1", "comparator fc2"]
    unshared = [name for name, _ in weight_layers(build_model(SMALL.model.replace(shared=False)))]
    assert unshared[:4] == ["b1 conv1", "b1 conv2", "b1 fc1", "b1 fc2"]
    assert unshared[4:8] == ["b2 conv1", "b2 conv2", "b2 fc1", "b2 fc2"]
    skipping = build_model(SMALL.model.replace(layout="merged", skip=True))
    assert [name for name, _ in weight_layers(skipping)] == ["conv1", "conv2", "skip1", "skip2", "fc1", "fc2"]


def test_one_positive_norm_per_weight_layer_and_step():
    pairs = generate_pair_sets(200, seed=0)
    df = gradient_norms(SMALL, pairs, seed=0, steps=6)
    layers = [name for name, _ in weight_layers(build_model(SMALL.model, SMALL.target_outputs))]
    assert len(df) == 6 * len(layers)
    assert df.groupby("step")["layer"].apply(list).tolist() == [layers] * 6
    assert (df["grad_norm"] > 0).all() and df["grad_norm"].map(math.isfinite).all()
    # Steps go on past the end of an epoch (200 pairs / 50 = 4 minibatches).
    assert df["step"].max() == 6


def test_same_seed_same_norms_and_steps_are_checked():
    pairs = generate_pair_sets(200, seed=1)
    first, second = (gradient_norms(SMALL, pairs, seed=1, steps=3) for _ in range(2))
    assert first.equals(second)
    with pytest.raises(ValueError, match="steps"):
        gradient_norms(SMALL, pairs, seed=1, steps=0)


@pytest.mark.slow
def test_gradient_grid_is_gradient_norms_per_round_and_is_cached(private_cache, monkeypatch):
    configs = {"shared": SMALL, "separate": SMALL.replace(model__shared=False)}
    grid = gradient_grid(
        configs, Protocol(rounds=2, seed=5, device="cpu", workers=2, progress=False), steps=3
    )
    for (name, r), rows in grid.groupby(["name", "round"]):
        with single_thread():  # how every CPU round is computed, whatever the worker count
            alone = gradient_norms(configs[name], generate_pair_sets(200, seed=5 + r), seed=5 + r, steps=3)
        assert rows.drop(columns=["name", "round"]).reset_index(drop=True).equals(alone)
    monkeypatch.setattr(
        diagnostics, "gradient_norms", lambda *a, **k: pytest.fail("recomputed a cached round")
    )
    again = gradient_grid(
        configs, Protocol(rounds=2, seed=5, device="cpu", workers=1, progress=False), steps=3
    )
    assert again.equals(grid)


@pytest.mark.slow
def test_without_batch_norm_the_pair_convnet_dies_at_lr_1_and_with_it_lives():
    # Report 003's Fig. 2, on its pair ConvNet at its learning rate of 1: without batch norm
    # the conv layers' gradients are 0 (dead ReLUs) or not finite (diverged) after ~20
    # minibatches in most rounds (9 of 10 seeds when measured); with it, never.
    collapsed, alive = 0, 0
    for seed in range(5):
        pairs = generate_pair_sets(1000, seed=seed)
        for batch_norm in (False, True):
            config = REGISTRY["003/pair"].replace(model__batch_norm=batch_norm)
            df = gradient_norms(config, pairs, seed=seed, steps=25)
            late = df[df["layer"].str.startswith("conv") & (df["step"] > 20)]["grad_norm"]
            if batch_norm:
                alive += bool(late.map(lambda v: math.isfinite(v) and v > 0.01).all())
            else:
                collapsed += bool(late.map(lambda v: v == 0 or not math.isfinite(v)).all())
    assert alive == 5
    assert collapsed >= 3
