"""The training loop: it learns, it is deterministic, it refuses bad input, it caches honestly."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from pairlib import cache, fitting, losses, runner, train
from pairlib.data import generate_pair_sets
from pairlib.fitting import DivergenceError, TrainConfig, train_run
from pairlib.models import ModelSpec
from pairlib.results import results_table
from pairlib.runner import Protocol
from pairlib.stats import summarise
from pairlib.train import final_epoch, run_grid, run_rounds

SMALL = TrainConfig(
    ModelSpec(channels=(8, 16), hidden=(32,), comparator="exact"),
    target_weight=0.0,
    aux_weight=1.0,
    epochs=4,
    n_pairs=300,
    lr=0.1,
)


@pytest.mark.slow
def test_short_training_beats_chance_by_a_wide_margin():
    quick = SMALL.replace(epochs=8, batch_size=20, optimizer="adam", lr=3e-3)
    rows = train_run(quick, generate_pair_sets(300, seed=0), seed=0, device="cpu")
    assert rows[-1]["test_error"] < 0.2  # chance (always answer 1) is about 0.45
    assert rows[-1]["test_digit_error"] < 0.3
    assert rows[-1]["loss"] < rows[0]["loss"]


def test_same_seed_gives_identical_figures(private_cache):
    config = SMALL.replace(model__dropout=0.1, model__batch_norm=True)
    pairs = generate_pair_sets(300, seed=4)
    first, second = (train_run(config, pairs, seed=4, device="cpu") for _ in range(2))
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in first] == [
        {k: v for k, v in r.items() if k != "seconds"} for r in second
    ]


@pytest.mark.slow
def test_run_rounds_is_tidy_and_in_percent(private_cache):
    df = run_rounds(SMALL, Protocol(rounds=2, progress=False), name="small")
    assert len(df) == 2 * SMALL.epochs
    assert set(df["round"]) == {0, 1} and set(df["seed"]) == {0, 1}
    for column in (
        "loss",
        "target_term",
        "digit_loss",
        "running_train_error",
        "test_error",
        "test_digit_error",
        "train_error",
        "seconds",
        "params",
        "lr",
        "model_channels",
    ):
        assert column in df
    final = final_epoch(df)
    assert len(final) == 2 and final["test_error"].between(0, 100).all() and final["test_error"].max() > 1
    assert df["test_error"].notna().all()  # record='epoch': a test error for every epoch
    # Recorded loss terms are numbers, never overwritten by the config field of a similar name.
    assert df["target_term"].dtype.kind == "f" and (df["digit_loss"] > 0).all()
    assert (df["target_loss"] == SMALL.target_loss).all()


def test_record_final_evaluates_only_the_last_epoch(private_cache):
    df = run_rounds(SMALL, Protocol(rounds=1, progress=False), record="final")
    assert df["test_error"].isna().sum() == SMALL.epochs - 1


def test_cache_is_read_instead_of_retraining(private_cache, monkeypatch):
    first = run_rounds(SMALL, Protocol(rounds=2, progress=False))
    monkeypatch.setattr(fitting, "_train_member", lambda *a, **k: pytest.fail("retrained a cached run"))
    second = run_rounds(SMALL, Protocol(rounds=2, progress=False))
    assert first.drop(columns="seconds").equals(second.drop(columns="seconds"))


def test_changed_configuration_misses_the_cache(private_cache):
    run_rounds(SMALL, Protocol(rounds=1, progress=False))
    run_rounds(SMALL.replace(lr=0.05), Protocol(rounds=1, progress=False))
    assert len(list(private_cache.rglob("*.json"))) == 2


def test_a_bumped_numerics_version_misses_the_cache(private_cache, monkeypatch):
    run_rounds(SMALL, Protocol(rounds=1, progress=False))
    monkeypatch.setitem(cache.NUMERICS_VERSIONS, "train", cache.NUMERICS_VERSIONS["train"] + 1)
    run_rounds(SMALL, Protocol(rounds=1, progress=False))
    assert len(list(private_cache.rglob("*.json"))) == 2


def test_corrupt_cache_entry_is_recomputed_not_trusted(private_cache):
    first = run_rounds(SMALL, Protocol(rounds=1, progress=False))
    (entry,) = private_cache.rglob("*.json")
    data = json.loads(entry.read_text())
    data["rows"][0][-1]["test_error"] = 0.0  # a tampered figure: the checksum no longer matches
    entry.write_text(json.dumps(data))
    with pytest.warns(UserWarning, match="corrupt cache entry"):
        second = run_rounds(SMALL, Protocol(rounds=1, progress=False))
    assert first.drop(columns="seconds").equals(second.drop(columns="seconds"))
    entry.write_text("{truncated")
    with pytest.warns(UserWarning, match="corrupt cache entry"):
        run_rounds(SMALL, Protocol(rounds=1, progress=False))


def test_diverging_run_stops_with_the_configuration_named(private_cache):
    wild = SMALL.replace(model__comparator="learned", target_weight=1.0, aux_weight=0.0, lr=1e12)
    with pytest.raises(DivergenceError, match=r"wild.*epoch \d+.*lr=1000000000000.0"):
        run_rounds(wild, Protocol(rounds=1, progress=False), name="wild")
    assert not list(private_cache.rglob("*.json"))  # nothing garbage was cached


def test_a_sweep_can_record_divergence_and_never_averages_it_away(private_cache):
    wild = SMALL.replace(model__comparator="learned", target_weight=1.0, aux_weight=0.0, lr=1e12)
    df = run_grid({"wild": wild, "tame": SMALL}, Protocol(rounds=2, progress=False), diverged="record")
    final = final_epoch(df)
    assert final.loc[final["name"] == "wild", "diverged"].all()
    assert not final.loc[final["name"] == "tame", "diverged"].any()
    assert final.loc[final["name"] == "wild", "test_error"].isna().all()
    summary = summarise(df)
    assert summary.loc["wild", "diverged"] == 2 and math.isnan(summary.loc["wild", "mean"])
    assert summary.loc["tame", "diverged"] == 0 and summary.loc["tame", "mean"] > 0
    table = results_table(df)
    assert table.set_index("model_id").loc["wild", ["rounds", "diverged_rounds"]].tolist() == [2, 2]
    # recorded divergence is an outcome like any other: cached, and read back the same
    again = run_grid({"wild": wild}, Protocol(rounds=2, progress=False), diverged="record")
    assert final_epoch(again)["epoch"].tolist() == final.loc[final["name"] == "wild", "epoch"].tolist()


def test_run_grid_stacks_named_configurations(private_cache):
    df = run_grid({"a": SMALL, "b": SMALL.replace(model__shared=False)}, Protocol(rounds=1, progress=False))
    assert set(df["name"]) == {"a", "b"}
    assert df.groupby("name")["params"].first()["b"] > df.groupby("name")["params"].first()["a"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"target_loss": "hinge"}, "target_loss"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"n_pairs": 6000}, "n_pairs"),
        ({"lr": math.nan}, "lr"),
        ({"aux_weight": -1.0}, "aux_weight"),
        ({"valid_pairs": 300}, "valid_pairs"),
        ({"target_weight": 0.0, "aux_weight": 0.0}, "nothing to learn"),
        ({"model": ModelSpec(layout="merged"), "target_weight": 1.0}, "siamese"),
        ({"model": ModelSpec(comparator="argmax"), "target_weight": 1.0}, "argmax"),
        ({"precision": "float16"}, "precision"),
    ],
)
def test_bad_configurations_are_clear_errors(changes, field):
    with pytest.raises(ValueError, match=field):
        SMALL.replace(**changes)


def test_rounds_must_be_positive():
    with pytest.raises(ValueError, match="rounds"):
        run_rounds(SMALL, Protocol(rounds=0))


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ValueError, match="no CUDA GPU"):
        runner.resolve_device("cuda")


def test_validation_split_holds_out_training_pairs_only():
    pairs = generate_pair_sets(100, seed=0)
    split = fitting.split_validation(pairs, 20)
    assert split.train_input.shape[0] == 80 and split.test_input.shape[0] == 20
    assert torch.equal(split.test_input, pairs.train_input[80:])


def test_losses_agree_between_softmax_and_sigmoid_heads():
    target = torch.tensor([0, 1, 1])
    z = torch.tensor([[0.3], [-1.2], [2.0]])
    two = torch.cat([torch.zeros_like(z), z], 1)  # softmax over (0, z) = sigmoid(z)
    assert torch.allclose(losses.target_loss("ce", z, target), losses.target_loss("ce", two, target))
    assert torch.allclose(losses.target_loss("mse", z, target), losses.target_loss("mse", two, target))
    assert torch.equal(losses.predict_target(z), losses.predict_target(two))


def test_channels_last_agrees_with_the_reference_layout():
    # The fast NHWC path must give the figures of the plain NCHW float32 path, up to rounding.
    config = SMALL.replace(model__comparator="learned", target_weight=1.0, epochs=3)
    pairs = generate_pair_sets(300, seed=1)
    fast = train_run(config, pairs, seed=1, device="cpu", channels_last=True)
    reference = train_run(config, pairs, seed=1, device="cpu", channels_last=False)
    for a, b in zip(fast, reference, strict=True):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-3)
        assert abs(a["test_error"] - b["test_error"]) <= 2 / 300  # at most two pairs flip


def test_bfloat16_is_an_explicit_option_that_changes_the_figures():
    config = SMALL.replace(epochs=2)
    pairs = generate_pair_sets(300, seed=2)
    assert config.precision == "float32"
    exact = train_run(config, pairs, seed=2, device="cpu")
    again = train_run(config.replace(precision="float32"), pairs, seed=2, device="cpu")
    fast = train_run(config.replace(precision="bfloat16"), pairs, seed=2, device="cpu")
    assert [r["loss"] for r in exact] == [r["loss"] for r in again]
    assert fast[-1]["loss"] != exact[-1]["loss"]  # bfloat16 rounding shows in the loss ...
    assert fast[-1]["loss"] == pytest.approx(exact[-1]["loss"], rel=0.1)  # ... and no more
    assert run_rounds(config, Protocol(rounds=1, progress=False))["precision"].eq("float32").all()


def test_code_only_ignores_prose_but_not_code():
    source = 'def f(x):\n    """Why."""\n    return x + 1  # note\n'
    reworded = 'def f(x):\n    """Why, said better."""\n\n    return x + 1\n'
    changed = 'def f(x):\n    """Why."""\n    return x + 2\n'
    assert cache.code_only(source) == cache.code_only(reworded)
    assert cache.code_only(source) != cache.code_only(changed)


KEY_SCRIPT = """
import torch
from pairlib.configs import REGISTRY
from pairlib.train import RoundJob, run_keys
print(run_keys(RoundJob("k", REGISTRY[sorted(REGISTRY)[0]], 0, 0), torch.device("cpu"), "final")[0])
"""


def _key_with(package: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(package.parent)}
    done = subprocess.run([sys.executable, "-c", KEY_SCRIPT], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_docstring_edit_of_train_changes_no_cache_key(tmp_path):
    # Keys name numerics versions, not source text: a prose edit of train.py retrains nothing.
    original = Path(train.__file__).parent
    copy = tmp_path / "pairlib"
    shutil.copytree(original, copy, ignore=shutil.ignore_patterns("__pycache__"))
    source = (copy / "train.py").read_text()
    edited = source.replace('"""', '"""Reworded for a test. ', 1)
    assert edited != source
    (copy / "train.py").write_text(edited)
    assert _key_with(copy) == _key_with(original)


def test_rounds_in_worker_processes_equal_rounds_in_process(tmp_path, monkeypatch):
    # Every CPU run uses one thread, so where it runs cannot change its figures.
    monkeypatch.setenv("PAIRLIB_CACHE_DIR", "off")
    grid = {"a": SMALL, "b": SMALL.replace(model__shared=False)}
    alone = run_grid(grid, Protocol(rounds=2, device="cpu", workers=1, progress=False))
    spread = run_grid(grid, Protocol(rounds=2, device="cpu", workers=2, progress=False))
    assert alone.drop(columns="seconds").equals(spread.drop(columns="seconds"))


def test_a_configuration_under_two_names_is_trained_once(monkeypatch):
    calls = []
    original = fitting._train_member
    monkeypatch.setattr(fitting, "_train_member", lambda *a, **k: calls.append(1) or original(*a, **k))
    config = SMALL.replace(epochs=1)
    df = train.run_grid(
        {"first": config, "second": config}, Protocol(rounds=2, workers=1, progress=False), use_cache=False
    )
    assert len(calls) == 2  # two rounds, one name's worth
    final = train.final_epoch(df).set_index(["name", "round"])["test_error"]
    assert final.loc["first"].tolist() == final.loc["second"].tolist()


def test_training_works_with_gradients_turned_off_by_the_caller():
    with torch.no_grad():
        rows = train_run(SMALL.replace(epochs=1), generate_pair_sets(100, seed=0), seed=0, device="cpu")
    assert math.isfinite(rows[-1]["loss"])
