"""The mini-framework chapter's runs: reproducible, cached honestly, the same in a worker."""

from __future__ import annotations

import pathlib
import re

import pandas as pd
import pytest
import torch

from pairlib import cache, framework_study
from pairlib import framework as fw
from pairlib.configs import get_config
from pairlib.framework_study import Setting, restore, run_pairs, run_settings, train_pairs, train_setting
from pairlib.models import build_model
from pairlib.results import framework_results_table
from pairlib.runner import Protocol
from pairlib.stats import paired_comparison

QUICK = {"epochs": 3, "n_points": 200, "batch_size": 50}


def strip_time(results):
    return {
        name: [{k: v for k, v in o.items() if k != "seconds"} for o in runs] for name, runs in results.items()
    }


def test_a_run_is_reproducible_and_its_weights_restore_the_trained_network():
    setting = Setting(outputs=2, optimizer="adam", lr=1e-2, weight_decay=0.0)
    first = train_setting(setting, seed=3, **QUICK)
    again = train_setting(setting, seed=3, **QUICK)
    assert first["history"] == again["history"] and first["weights"] == again["weights"]
    assert train_setting(setting, seed=4, **QUICK)["weights"] != first["weights"]
    model = restore(setting, first)
    _, x, y, x_test, y_test = framework_study.draw_round(3, QUICK["n_points"])
    assert 100 * fw.error_rate(model, x_test, y_test) == first["test_error"]
    assert 100 * fw.error_rate(model, x, y) == first["train_error"]


def test_a_setting_is_a_clear_error_when_it_cannot_be_trained():
    with pytest.raises(ValueError, match="activations"):
        Setting(activations=("relu",))
    with pytest.raises(ValueError, match="loss"):
        Setting(loss="ce", outputs=1)
    with pytest.raises(ValueError, match="lr"):
        Setting(lr=0.0)


def test_runs_are_cached_and_a_changed_setting_or_code_misses(private_cache, monkeypatch):
    settings = {"sgd": Setting(), "twice": Setting(lr=1e-2)}
    first = run_settings(settings, Protocol(rounds=2, device="cpu", workers=1, progress=False), **QUICK)
    assert len(list(private_cache.rglob("*.json"))) == 4
    monkeypatch.setattr(
        framework_study, "train_setting", lambda *a, **k: pytest.fail("retrained a cached run")
    )
    assert strip_time(
        run_settings(settings, Protocol(rounds=2, device="cpu", workers=1, progress=False), **QUICK)
    ) == strip_time(first)
    monkeypatch.undo()
    monkeypatch.setenv("PAIRLIB_CACHE_DIR", str(private_cache))
    run_settings(
        {"other": Setting(lr=2e-3)}, Protocol(rounds=1, device="cpu", workers=1, progress=False), **QUICK
    )
    assert len(list(private_cache.rglob("*.json"))) == 5
    monkeypatch.setitem(cache.NUMERICS_VERSIONS, "framework", cache.NUMERICS_VERSIONS["framework"] + 1)
    run_settings({"sgd": Setting()}, Protocol(rounds=1, device="cpu", workers=1, progress=False), **QUICK)
    assert len(list(private_cache.rglob("*.json"))) == 6


def test_one_setting_under_two_names_trains_once(monkeypatch):
    monkeypatch.setenv("PAIRLIB_CACHE_DIR", "off")
    calls = []
    real = framework_study.train_setting
    monkeypatch.setattr(framework_study, "train_setting", lambda *a, **k: calls.append(a) or real(*a, **k))
    results = run_settings(
        {"a": Setting(), "b": Setting()}, Protocol(rounds=2, device="cpu", workers=1, progress=False), **QUICK
    )
    assert len(calls) == 2 and results["a"] == results["b"]


def test_runs_in_worker_processes_equal_runs_in_process(monkeypatch):
    monkeypatch.setenv("PAIRLIB_CACHE_DIR", "off")
    settings = {
        "report": Setting(),
        "ce": Setting(outputs=2, loss="ce", activations=("relu",) * 3 + ("none",)),
    }
    alone = run_settings(settings, Protocol(rounds=2, device="cpu", workers=1, progress=False), **QUICK)
    spread = run_settings(settings, Protocol(rounds=2, device="cpu", workers=2, progress=False), **QUICK)
    assert strip_time(alone) == strip_time(spread)


def test_a_diverging_run_is_a_clear_error_naming_its_setting():
    exploding = Setting(activations=("tanh", "tanh", "tanh", "none"), lr=10.0)  # MSE on a linear output
    with pytest.raises(FloatingPointError, match=r"diverged \(seed 0\): lower the learning rate"):
        train_setting(exploding, seed=0, **QUICK)


# ------------------------------------------------------------------------ digit pairs

SIAMESE_10 = get_config("003/siamese-10")
TINY = SIAMESE_10.replace(epochs=1, n_pairs=60, batch_size=20)


def test_the_framework_branch_starts_as_the_torch_branch():
    """Same layers, same initial weights and running statistics: same outputs, in both modes."""
    torch.manual_seed(3)
    twin = build_model(SIAMESE_10.model, SIAMESE_10.target_outputs)
    model = fw.Siamese(framework_study.framework_branch(SIAMESE_10.model, 10))
    framework_study.copy_torch_state(model.branch, twin.branches[0])
    pairs = torch.randn(8, 2, 14, 14, generator=torch.Generator().manual_seed(0))
    for mode in (True, False):
        twin.train(mode)
        model.train(mode)
        with torch.no_grad():
            expected = twin(pairs).digits
        torch.testing.assert_close(model.forward(pairs), expected, rtol=1e-4, atol=1e-5)


def test_a_pair_config_the_framework_cannot_train_is_a_clear_error():
    with pytest.raises(ValueError, match=r"model.comparator 'argmax'.*optimizer 'sgd'"):
        framework_study.check_pair_config(get_config("003/siamese-2").replace(optimizer="adam"))
    framework_study.check_pair_config(SIAMESE_10)


def test_pair_runs_are_reproducible_cached_and_pair_with_run_grid(private_cache, monkeypatch):
    first = run_pairs({"fw": TINY}, Protocol(rounds=2, workers=1, progress=False, device="cpu"))
    assert list(first["round"]) == [0, 1] and list(first["seed"]) == [0, 1]
    assert {"test_error", "test_digit_error", "train_error", "seconds", "profile_Conv2d"} <= set(first)
    assert (first["profile_training loop"] >= first["profile_Conv2d"]).all()
    again = train_pairs(TINY, seed=1)
    assert again["history"] == framework_study.train_pairs(TINY, seed=1)["history"]
    assert again["test_error"] == first["test_error"].iloc[1]
    monkeypatch.setattr(framework_study, "train_pairs", lambda *a, **k: pytest.fail("retrained a cached run"))
    cached = run_pairs({"fw": TINY}, Protocol(rounds=2, workers=1, progress=False, device="cpu"))
    pd.testing.assert_frame_equal(cached, first)
    torch_side = first.assign(name="torch", test_error=first["test_error"] + 1.0)
    comparison = paired_comparison(pd.concat([first, torch_side]), "torch", "fw")
    assert comparison["difference"] == pytest.approx(-1.0) and comparison["rounds"] == 2


def test_race_starts_both_implementations_alike_and_the_summary_ci_is_a_t_interval():
    raced = framework_study.race(Setting(), seed=2, epochs=3, n_points=200)
    assert raced["ours"][0] == pytest.approx(raced["theirs"][0], rel=1e-5)
    assert len(raced["ours_seconds"]) == len(raced["theirs_seconds"]) == 3
    with pytest.raises(ValueError, match="MSE"):
        framework_study.race(Setting(outputs=2, loss="ce", activations=("relu",) * 3 + ("none",)), 0, 1)
    runs = {"a": [{"test_error": e, "train_error": 0.5, "seconds": 1.0} for e in (1.0, 2.0, 3.0)]}
    row = framework_study.summary_table(runs, 1).iloc[0]
    mean, low, high = row["test_mean"], row["test_ci_low"], row["test_ci_high"]
    assert mean - low == pytest.approx(high - mean)
    assert mean == 2.0 and high - mean == pytest.approx(4.302653 / 3**0.5, rel=1e-6)  # t(0.975, 2) sd/sqrt(n)
    table = framework_study.summary_table(
        {"a": [{"test_error": 1.0, "train_error": 0.5, "seconds": 2.0}] * 2}, 4
    )
    assert table.loc[0, "ms_per_epoch"] == 500.0 and table.loc[0, "test_std"] == 0.0


def test_results_rows_keep_the_published_link_and_the_headline_mark():
    summary = framework_study.summary_table(
        {
            "a": [{"test_error": 1.0, "train_error": 0.5, "seconds": 1.0}] * 2,
            "b": [{"test_error": 2.0, "train_error": 1.0, "seconds": 1.0}] * 2,
        },
        1,
    )
    rows = framework_results_table(summary, 2, 10, {"a": ("004", "mini-framework")}, headline=True)
    assert list(rows.report) == ["004", ""] and list(rows.published_model_id) == ["mini-framework", ""]
    assert rows.headline.all() and list(rows.test_error_mean_pct) == [1.0, 2.0]


@pytest.mark.slow
def test_the_api_pages_example_runs():
    """The example on book/framework_api.md is code a reader will paste: it must run (one epoch here)."""
    page = (pathlib.Path(__file__).parents[1] / "book" / "framework_api.md").read_text()
    code = re.search(r"```python\n(.*?)```", page, re.S).group(1)
    assert "range(25)" in code
    namespace: dict = {}
    try:
        exec(code.replace("range(25)", "range(1)"), namespace)
    finally:
        torch.set_grad_enabled(True)
    assert namespace["predicted"].shape == (1000,)
    assert (namespace["predicted"] != namespace["target_test"]).double().mean() < 0.5  # learned something
