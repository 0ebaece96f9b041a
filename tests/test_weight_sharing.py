"""The weight-sharing chapter's design: each control differs from its model in what it
controls for and nothing else, and the page's words follow the numbers."""

from __future__ import annotations

import dataclasses
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pairlib.chapters import weight_sharing as ws
from pairlib.chapters.weight_sharing import effect_text, layout
from pairlib.curves import bands_figure, gradient_figure, settings_figure


def differences(a, b, prefix: str = "") -> set[str]:
    """The fields (dotted, into the model spec) in which two frozen configurations differ."""
    out = set()
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if dataclasses.is_dataclass(x) and dataclasses.is_dataclass(y):
            out |= differences(x, y, f"{prefix}{field.name}.")
        elif x != y:
            out.add(prefix + field.name)
    return out


@pytest.fixture(scope="module")
def configs():
    return {name: c for group in ws.groups(25, 1000).values() for name, c in group.items()}


def test_every_compared_name_is_a_configuration_of_the_chapter(configs):
    for _, a, b in ws.SHARING + ws.MERGED:
        assert a in configs and b in configs


def test_sharing_controls_change_sharing_and_only_what_their_label_says(configs):
    for label, a, b in ws.SHARING:
        changed = differences(configs[a], configs[b])
        assert "model.shared" in changed and not configs[a].model.shared and configs[b].model.shared
        if label in ws.LR_CONFOUNDED:
            assert changed == {"model.shared", "lr"}, label
        elif "parameter count" in label:
            assert changed == {"model.shared", "model.hidden"}, label
        else:
            assert changed == {"model.shared"}, label


def test_equal_size_controls_are_within_a_few_percent_of_the_shared_count(configs):
    for shared, small in (
        ("004/WS", "004/WS unshared, WS's size"),
        ("002/WS2", "002/FCNN3, WS2's lr and size"),
    ):
        count, matched = configs[shared].parameter_count(), configs[small].parameter_count()
        assert abs(matched - count) / count < 0.05
        assert (
            configs[small].replace(model__shared=True).parameter_count() < matched
        )  # sharing halves the branch


def test_ablations_change_only_the_named_setting_and_reuse_the_base_run(configs):
    cells = ws.ablation_cells({name: configs[name] for name in ws.ABLATION_BASES.values()})
    for (setting, model), (name, config) in cells.items():
        base = configs[ws.ABLATION_BASES[model]]
        if config == base:  # the report's own learning rate is the same run, not a second one
            assert name == ws.ABLATION_BASES[model]
            continue
        assert name == f"{ws.ABLATION_BASES[model]}, {setting}"
        expected = {
            "no batch norm": {"model.batch_norm"},
            "skip connections": {"model.skip"},
            "no batch norm, skip": {"model.batch_norm", "model.skip"},
            "no batch norm, lr 0.1": {"model.batch_norm", "lr"},
        }.get(setting)
        if expected is None:
            expected = (
                {"lr"}
                if setting.startswith("lr ")
                else {"model.channels" if "channels" in setting else "model.hidden"}
            )
        assert differences(base, config) == expected, setting
    assert len({setting for setting, _ in cells}) == len(cells) // 2


def test_gradient_runs_are_both_convnets_with_and_without_batch_norm(configs):
    runs = ws.gradient_runs(configs)
    assert sorted((model, bn) for model, bn, _ in runs.values()) == [
        ("pair", False),
        ("pair", True),
        ("siamese", False),
        ("siamese", True),
    ]
    for model, bn, config in runs.values():
        base = configs[ws.ABLATION_BASES[model]]
        assert differences(base, config) == (set() if bn else {"model.batch_norm"})


def test_dead_rounds_count_rounds_whose_late_conv_gradients_are_all_zero_or_not_finite():
    rows = []
    for rnd, late in enumerate([[0.0, 0.0], [np.nan, np.inf], [0.0, 1e-3]]):
        for step, value in enumerate([1.0, 1.0, *late], start=1):
            rows.append(
                {
                    "model": "pair",
                    "batch_norm": False,
                    "round": rnd,
                    "step": step,
                    "layer": "conv1",
                    "grad_norm": value,
                }
            )
            rows.append(
                {
                    "model": "pair",
                    "batch_norm": False,
                    "round": rnd,
                    "step": step,
                    "layer": "fc1",
                    "grad_norm": 0.0,
                }
            )
    dead = ws.dead_rounds(pd.DataFrame(rows), steps=4)
    assert dead.loc[("pair", False)] == 2  # rounds 0 and 1; round 2's conv still moves


def test_layout_names_what_differs_between_rows(configs):
    assert layout(configs["004/CNN"]) == "2-channel ConvNet"
    assert layout(configs["004/WS"]) == "two ConvNet branches, shared"
    assert layout(configs["002/FCNN3"]) == "two MLP branches, separate"
    assert layout(configs["000/model-B"]).endswith("power-6 comparator")


class FakeStudy:
    """What effect_text reads: the summary and the ablation comparisons."""

    def __init__(self):
        self.final = pd.DataFrame(
            {
                "mean": [10.0, 8.0, math.nan],
                "std": [1.0, 1.0, math.nan],
                "count": [10, 10, 8],
                "diverged": [0, 0, 2],
            },
            index=["base", "better", "unstable"],
        )
        self.family = {
            "ablations": pd.DataFrame(
                [
                    {
                        "a": "base",
                        "b": "better",
                        "difference": -2.0,
                        "ci_low": -3.0,
                        "ci_high": -1.0,
                        "p_adjusted": 0.001,
                        "t_test_p": 0.0001,
                        "clear": True,
                    }
                ]
            )
        }

    def stable(self, *names):
        return not self.final.loc[list(names), "diverged"].any()


def test_effect_text_says_divergence_in_words_and_otherwise_the_paired_effect():
    study = FakeStudy()
    assert effect_text(study, "base", "base") == "is the report's own setting"
    assert effect_text(study, "base", "unstable") == "makes training diverge in 2 of 10 rounds"
    assert effect_text(study, "unstable", "base").startswith("avoids the divergence (diverged in 2 of 10")
    assert effect_text(study, "base", "better").startswith("clearly lowers the error by 2.0 points")


def test_settings_figure_writes_diverged_runs_instead_of_drawing_them():
    summary = pd.DataFrame(
        {"mean": [10.0, 9.0, 12.0, math.nan], "std": [1.0] * 4, "diverged": [0, 0, 0, 3]},
        index=["p0", "s0", "p1", "s1"],
    )
    fig = settings_figure(
        summary, {"base": ["p0", "s0"], "other": ["p1", "s1"]}, {"pair": "grey", "siamese": "blue"}
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["other", "base"]  # the first setting on top
    assert [t.get_text() for t in ax.texts] == ["diverged"]
    assert len(ax.containers) == 3  # one error bar per finished run
    plt.close(fig)


def test_bands_and_gradient_figures_draw_one_line_per_run_and_layer():
    frame = pd.DataFrame({"round": [0, 0, 1, 1], "epoch": [1, 2, 1, 2], "loss": [2.0, 1.0, 3.0, 1.0]})
    fig = bands_figure([("loss", "loss", "")], {"a": (frame, "a", "red"), "b": (frame, "b", "blue")})
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["a", "b"]
    plt.close(fig)
    grads = pd.DataFrame(
        [
            {"model": m, "batch_norm": bn, "round": r, "step": s, "layer": "conv1", "grad_norm": 1.0}
            for m in ("pair", "siamese")
            for bn in (True, False)
            for r in range(2)
            for s in range(3)
        ]
    )
    titles = {(m, bn): f"{m} {bn}" for m in ("pair", "siamese") for bn in (True, False)}
    fig = gradient_figure(grads, titles)
    assert [ax.get_title() for ax in fig.axes] == ["pair True", "pair False", "siamese True", "siamese False"]
    assert all(len(ax.get_lines()) == 1 for ax in fig.axes)
    plt.close(fig)
