"""The mini-framework chapter's readings of its runs: grid slices, main effects, time profile."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pairlib.chapters.mini_framework import (
    activation_code,
    activation_effects,
    grid_frame,
    settings_display,
    time_profile,
)
from pairlib.curves import grid_search_figure, loss_curves_figure, twin_figure


def test_activation_code_is_one_letter_per_layer():
    assert activation_code(("tanh", "relu", "relu", "tanh")) == "TRRT"


def test_grid_frame_has_one_row_per_run_with_its_setting():
    settings = {"TR": SimpleNamespace(activations=("tanh", "relu"), lr=0.01, weight_decay=0.0)}
    frame = grid_frame(settings, {"TR": [{"test_error": 3.0}, {"test_error": 5.0}]})
    assert frame.to_dict("records") == [
        {"setting": "TR", "acts": "TR", "lr": 0.01, "wd": 0.0, "val_error": 3.0},
        {"setting": "TR", "acts": "TR", "lr": 0.01, "wd": 0.0, "val_error": 5.0},
    ]


def test_activation_effects_recover_additive_layer_effects():
    # error = 10 + 2 (ReLU after layer 1) - 1 (ReLU after layer 2): the main effects are +2 and -1
    codes = ["".join(c) for c in itertools.product("TR", repeat=2)]
    means = pd.Series([10 + 2 * (c[0] == "R") - (c[1] == "R") for c in codes], index=codes, dtype=float)
    assert activation_effects(means) == pytest.approx([2.0, -1.0])


def test_time_profile_accounts_for_the_whole_loop_largest_first():
    runs = pd.DataFrame(
        {"profile_training loop": [10.0, 12.0], "profile_Conv2d": [6.0, 8.0], "profile_SGD": [1.0, 1.0]}
    )
    profile, loop = time_profile(runs)
    assert loop == 11.0
    assert list(profile.index) == ["Conv2d", "other (batch indexing, Python)", "SGD"]
    assert profile.sum() == pytest.approx(loop)


def test_settings_display_puts_the_published_row_first():
    summary = pd.DataFrame(
        {
            "setting": ["a"],
            "train_mean": [1.0],
            "train_std": [0.5],
            "test_mean": [2.0],
            "test_std": [0.25],
            "test_worst": [3.0],
        }
    )
    pub = pd.Series(
        {"train_error_mean_pct": 4.0, "test_error_mean_pct": 5.0, "test_error_std_pct": float("nan")}
    )
    table = settings_display(summary, pub, "published")
    assert table["setting"].tolist() == ["published", "a"]
    assert table["test error (%)"].tolist() == ["5.0", "2.0 ± 0.2"]
    assert table["worst test error (%)"].tolist() == ["", "3.0"]


def test_framework_figures_draw_what_they_are_given():
    runs = pd.DataFrame({"setting": ["TT", "TT", "RT", "RT"], "val_error": [4.0, 6.0, 1.0, 3.0]})
    fig = grid_search_figure(runs, "TT", "activations", "title")
    bars = fig.axes[0].patches
    assert [b.get_height() for b in bars] == [2.0, 5.0]  # best first
    plt.close(fig)
    fig = loss_curves_figure(
        {"a": [[3.0, 2.0], [5.0, 1.0]], "b": [[1.0, 0.5]]}, [("MSE", ["a"]), ("CE", ["b"])]
    )
    assert np.allclose(fig.axes[0].get_lines()[0].get_ydata(), [4.0, 1.5])  # the median over rounds
    plt.close(fig)
    fig = twin_figure([1.0, 0.5], [1.0, 0.25], ("ours", "theirs"))
    assert np.allclose(fig.axes[1].get_lines()[0].get_ydata(), [1e-12, 0.25])  # equal losses at the floor
    plt.close(fig)
