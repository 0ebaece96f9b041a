"""The mini-framework chapter: what it trains with the framework (report 004's recipe and one
change per row, the grid search, the disk model chosen on validation, siamese-10 on the digit
pairs), the checks against torch, and what it reads off the runs. The runs themselves, cached,
are :mod:`pairlib.framework_study`'s.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from torch import nn

from pairlib import curves
from pairlib import framework as fw
from pairlib import framework_study as study
from pairlib.framework.disk import CENTER
from pairlib.page import (
    glue_comparison,
    glue_text,
    glue_value,
    mean_std,
    mean_std_column,
    scientific,
    signed,
)
from pairlib.results import framework_results_table, save_comparisons, save_results, save_rounds
from pairlib.runner import Protocol
from pairlib.stats import labelled_comparisons
from pairlib.train import TrainConfig, final_epoch, run_grid

ACTIVATION_CODES = {"tanh": "T", "relu": "R"}
"""One letter per activation, so that a combination reads "TRRT" (Tanh, ReLU, ReLU, Tanh)."""
ACTIVATION_NAMES = {"T": "Tanh", "R": "ReLU"}
"""The letters spelled out, as prose names a combination."""


def activation_code(activations: Sequence[str]) -> str:
    """ "TRRT" for ("tanh", "relu", "relu", "tanh"): the grid search's name for a combination."""
    return "".join(ACTIVATION_CODES[a] for a in activations)


def grid_frame(settings: Mapping[str, Any], runs: Mapping[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """One row per run of a grid search: the setting's name, its activations as a code, learning
    rate and weight decay, and the run's validation error (its ``test_error`` on a validation
    draw). ``settings`` are :class:`pairlib.framework_study.Setting` objects by name."""
    return pd.DataFrame(
        [
            {
                "setting": name,
                "acts": activation_code(setting.activations),
                "lr": setting.lr,
                "wd": setting.weight_decay,
                "val_error": run["test_error"],
            }
            for name, setting in settings.items()
            for run in runs[name]
        ]
    )


def activation_effects(means: pd.Series) -> list[float]:
    """Main effect of each layer's activation in a full 2^k grid of activation codes: the mean
    error with ReLU after layer k minus the mean with Tanh there, averaged over the other
    layers (negative: ReLU does better). ``means`` is indexed by code."""
    layers = len(means.index[0])
    return [
        float(
            means[[code[k] == "R" for code in means.index]].mean()
            - means[[code[k] == "T" for code in means.index]].mean()
        )
        for k in range(layers)
    ]


def time_profile(pair_runs: pd.DataFrame) -> tuple[pd.Series, float]:
    """Where a framework run's training loop spends its time: seconds per stage (the
    ``profile_*`` columns, mean over runs), with what the stages do not cover as "other (batch
    indexing, Python)", largest first; and the whole loop's seconds."""
    profile = pair_runs.filter(like="profile_").mean().rename(lambda c: c.removeprefix("profile_"))
    loop = float(profile.pop("training loop"))
    profile["other (batch indexing, Python)"] = loop - profile.sum()
    return profile.sort_values(ascending=False), loop


def settings_display(summary: pd.DataFrame, published: pd.Series, published_label: str) -> pd.DataFrame:
    """A :func:`pairlib.framework_study.summary_table` as the page shows it, the published row
    (a row of ``published.csv``, one run: no spread, no worst round) first, so that every row
    of ours reads against it."""
    ours = pd.DataFrame(
        {
            "setting": summary.setting,
            "train error (%)": mean_std_column(summary.train_mean, summary.train_std),
            "test error (%)": mean_std_column(summary.test_mean, summary.test_std),
            "worst test error (%)": summary.test_worst.map(lambda v: f"{v:.1f}"),
        }
    )
    theirs = pd.DataFrame(
        {
            "setting": [published_label],
            "train error (%)": [mean_std(published.train_error_mean_pct, float("nan"))],
            "test error (%)": [mean_std(published.test_error_mean_pct, published.test_error_std_pct)],
            "worst test error (%)": [""],
        }
    )
    return pd.concat([theirs, ours], ignore_index=True)


# --------------------------------------------------------------------------- the chapter's runs

VAL_OFFSET = 10_000
"""Validation draws: seeds far from the test rounds'."""
REPORT_NAME = "report 004's recipe, 1 output"
OURS_NAME = "2 outputs, Adam, cosine decay, cross-entropy"
"""The names of the study's first and last settings, the two that other chapters quote."""
"""The setting that reproduces report 004's published row."""
KEYS = ("report", "course", "course2x", "adam", "cosine", "ce")
"""Glue keys of :func:`settings`, in its order."""
TORCH_NAME, FW_NAME = "torch.nn + autograd", "our framework"
PAIRS_LABEL = "digit pairs: 003/siamese-10 in our framework"
TORCH_PAIRS_LABEL = "digit pairs: 003/siamese-10 in torch.nn + autograd"
"""The digit-pair runs' model ids in the chapter's rounds and comparisons tables."""


def gradient_check(seed: int, n_points: int) -> tuple[float, float]:
    """The framework's gradients of a 2-25-25-25-2 network (nonzero biases, so that their
    gradients are exercised too) against autograd's on a torch twin, in float64: the largest
    difference and the largest gradient entry."""
    g = torch.Generator().manual_seed(seed)
    x, labels = fw.generate_disk_set(n_points, g, dtype=torch.float64)
    target = fw.one_hot(labels, 2, dtype=torch.float64)
    net = fw.mlp([2, 25, 25, 25, 2], ["tanh", "relu", "relu", "tanh"], dtype=torch.float64, generator=g)
    for m in net.modules:
        if isinstance(m, fw.Linear):
            m.bias.normal_(0, 0.1, generator=g)
    twin = study.torch_twin(net)
    criterion = fw.LossMSE()
    criterion.forward(net.forward(x), target)
    net.backward(criterion.backward())
    with torch.enable_grad():
        nn.MSELoss()(twin(x), target).backward()
    diff = max(
        (ours - ref.grad).abs().max().item()
        for (_, ours), ref in zip(net.param(), twin.parameters(), strict=True)
    )
    return diff, max(ref.grad.abs().max().item() for ref in twin.parameters())


def data_figure(p: Mapping[str, Any]) -> Any:
    """Round 0's training points, inside and outside the disk."""
    _, x0, y0, _, _ = study.draw_round(p["seed"], p["n_points"], p["device"])
    return curves.disk_points_figure(x0, y0, fw.RADIUS)


def inside_share(p: Mapping[str, Any]) -> pd.Series:
    """The share (%) of each round's training points inside the disk."""
    return pd.Series(
        [
            100 * study.draw_round(p["seed"] + r, p["n_points"], p["device"])[2].double().mean().item()
            for r in range(p["rounds"])
        ]
    )


def settings() -> dict[str, study.Setting]:
    """The main study: report 004's recipe, then one change per row to the course network,
    Adam, cosine decay and cross-entropy on linear outputs."""
    report = study.Setting()  # 2-25-25-25-1, Tanh/ReLU/ReLU/Tanh, MSE on 0/1, SGD lr 0.005, wd 1e-6
    course = report.replace(outputs=2)
    adam = course.replace(optimizer="adam", lr=1e-2, weight_decay=0.0)
    return {
        REPORT_NAME: report,
        "2 outputs (the course's network)": course,
        "2 outputs, twice the learning rate": course.replace(lr=2 * report.lr),
        f"2 outputs, Adam (learning rate {adam.lr:g})": adam,
        "2 outputs, Adam, cosine decay": adam.replace(cosine=True),
        OURS_NAME: adam.replace(cosine=True, loss="ce", activations=(*report.activations[:3], "none")),
    }


def glue_settings(summary: pd.DataFrame, configs: Mapping[str, study.Setting], published: pd.Series) -> None:
    """Each setting's test and training error, worst round, and the report's figures."""
    rows = summary.set_index("setting")
    for key, name in zip(KEYS, configs, strict=True):
        row = rows.loc[name]
        glue_text(f"fw_{key}_test", mean_std(row.test_mean, row.test_std))
        glue_text(f"fw_{key}_train", mean_std(row.train_mean, row.train_std))
        glue_text(f"fw_{key}_worst", f"{row.test_worst:.1f}")
    report = configs[REPORT_NAME]
    glue_text("fw_adam_lr", f"{configs[OURS_NAME].lr:g}")
    glue_text("fw_decay_per_step", scientific(report.lr * report.weight_decay, 0))
    glue_text("fw_small_disk_pct", f"{100 * math.pi * (fw.RADIUS / 2) ** 2:.1f}")
    glue_text("fw_pub_test", mean_std(published.test_error_mean_pct, published.test_error_std_pct))
    glue_text("fw_pub_train", mean_std(published.train_error_mean_pct, float("nan")))
    glue_value("fw_pub_rounds", int(published.rounds))


@dataclass
class GridSearch:
    """Report 004's grid search rerun on validation draws: activations and (lr, wd)."""

    activations: pd.DataFrame
    by_activations: pd.DataFrame
    lr_wd: pd.DataFrame


def sizes(p: Mapping[str, Any]) -> dict[str, int]:
    """The data sizes of every disk run: points per set, minibatch size."""
    return {"n_points": p["n_points"], "batch_size": p["batch_size"]}


def validation_protocol(p: Mapping[str, Any]) -> Protocol:
    """The grid's rounds, on validation draws far from the test rounds' seeds."""
    return Protocol.of(p, rounds=p["grid_rounds"], seed=p["seed"] + VAL_OFFSET)


def grid_search(report: study.Setting, p: Mapping[str, Any]) -> GridSearch:
    """Every activation combination and six (learning rate, weight decay) pairs of the report's
    network, on validation draws; glues the ranking, the main effects and the lr and wd effects."""
    by_activations = {
        activation_code(acts): report.replace(activations=acts)
        for acts in itertools.product(["tanh", "relu"], repeat=4)
    }
    by_lr_wd = {
        f"lr {lr:g}, wd {wd:g}": report.replace(lr=lr, weight_decay=wd)
        for lr, wd in itertools.product([1e-3, 5e-3, 1e-2], [0.0, 1e-6])
    }
    runs = study.run_settings(
        {**by_activations, **by_lr_wd}, validation_protocol(p), epochs=p["grid_epochs"], **sizes(p)
    )
    act_runs = grid_frame(by_activations, runs)
    by_acts = act_runs.groupby("setting").val_error.agg(["mean", "std"]).sort_values("mean")
    glue_text("fw_grid_best_acts", ", ".join(ACTIVATION_NAMES[c] for c in by_acts.index[0]))
    glue_text("fw_grid_best_error", f"{by_acts['mean'].iloc[0]:.1f}")
    glue_text("fw_grid_report_error", f"{by_acts.loc['TRRT', 'mean']:.1f}")
    glue_value("fw_grid_report_rank", list(by_acts.index).index("TRRT") + 1)
    effects = activation_effects(by_acts["mean"])
    glue_text("fw_grid_effects", ", ".join(signed(e) for e in effects[:3]) + f" and {signed(effects[3])}")
    glue_value("fw_grid_top_layer", int(np.argmax(np.abs(effects))) + 1)
    lr_wd = grid_frame(by_lr_wd, runs).groupby(["lr", "wd"]).val_error.mean().unstack("wd")
    wd_effect = float((lr_wd[1e-6] - lr_wd[0.0]).abs().max())
    glue_text(
        "fw_grid_wd_effect",
        "their mean error rates are the same to two decimals in every row of the table"
        if round(wd_effect, 2) == 0
        else f"their mean error rates differ by at most {wd_effect:.2f} points",
    )
    glue_text("fw_grid_lr_low", f"{lr_wd.loc[1e-3].mean():.1f}")
    glue_text("fw_grid_lr_high", f"{lr_wd.loc[1e-2].mean():.1f}")
    return GridSearch(act_runs, by_acts, lr_wd)


def grid_figure(search: GridSearch, report: study.Setting, grid_epochs: int) -> Any:
    """The grid's validation errors by activation combination, the report's choice marked."""
    recipe = (
        f"SGD, learning rate {report.lr:g}, weight decay {scientific(report.weight_decay, 0)}, "
        f"{grid_epochs} epochs"
    )
    return curves.grid_search_figure(
        search.activations,
        "TRRT",
        "activations after layers 1 to 4 (T = Tanh, R = ReLU)",
        f"{recipe}; orange: the report's choice",
    )


def lr_wd_table(search: GridSearch) -> pd.DataFrame:
    """Validation error by learning rate (rows) and weight decay (columns)."""
    lr_wd = search.lr_wd
    return pd.DataFrame(
        {
            "learning rate": [f"{lr:g}" for lr in lr_wd.index],
            "weight decay 0": lr_wd[0.0].map(lambda v: f"{v:.2f}").values,
            f"weight decay {scientific(1e-6, 0)}": lr_wd[1e-6].map(lambda v: f"{v:.2f}").values,
        }
    )


def boundary_figure(
    configs: Mapping[str, study.Setting], runs: Mapping[str, list[dict[str, Any]]], p: Mapping[str, Any]
) -> Any:
    """The decision regions of report 004's recipe and ours over the unit square, one panel
    each, with the true circle and round 0's misclassified test points; each panel's title
    gives its test error."""
    _, _, _, x_test, y_test = study.draw_round(p["seed"], p["n_points"], p["device"])
    shown = {"report 004's recipe": REPORT_NAME, "Adam, cosine decay, cross-entropy": OURS_NAME}
    models = {
        title: study.restore(configs[name], runs[name][0], p["device"]) for title, name in shown.items()
    }
    resolution = 200
    u = torch.linspace(0, 1, resolution)
    grid = torch.stack(torch.meshgrid(u, u, indexing="xy"), -1).reshape(-1, 2).to(x_test.device)
    fig, axes = plt.subplots(1, len(models), figsize=(3.2 * len(models), 3.3), sharey=True, squeeze=False)
    for ax, (title, model) in zip(axes[0], models.items(), strict=True):
        regions = fw.predict(model, grid).reshape(resolution, resolution).cpu()
        ax.contourf(u, u, regions, levels=[-0.5, 0.5, 1.5], colors=["#f4c7c3", "#c8e6c9"])
        ax.contour(u, u, regions, levels=[0.5], colors="tab:blue", linewidths=1.2)
        ax.add_patch(plt.Circle(CENTER, fw.RADIUS, fill=False, ls="--", lw=1.2, color="k"))
        wrong = fw.predict(model, x_test) != y_test
        bad = x_test[wrong].cpu()
        ax.scatter(bad[:, 0], bad[:, 1], marker="x", s=14, c="k", linewidths=0.8)
        ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", xlabel="$x_1$")
        ax.set_title(f"{title}\n{100 * wrong.double().mean().item():.1f}% test error in round 0", fontsize=8)
    axes[0, 0].set_ylabel("$x_2$")
    handles = [
        plt.Line2D([], [], color="tab:blue", lw=1.2, label="learned boundary"),
        plt.Line2D([], [], color="k", ls="--", lw=1.2, label="true circle"),
        plt.Line2D([], [], color="k", marker="x", ls="", label="misclassified test point"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=7)
    return fig


def loss_figure(runs: Mapping[str, list[dict[str, Any]]], names: Sequence[str]) -> Any:
    """Training loss per epoch of every setting (``names`` in order): MSE ones, then the
    cross-entropy one."""
    names = list(names)
    histories = {name: [o["history"] for o in runs[name]] for name in names}
    panels = [("training loss (MSE)", names[:-1]), ("training loss (cross-entropy)", names[-1:])]
    return curves.loss_curves_figure(histories, panels)


@dataclass
class DiskChoice:
    """The disk model chosen on validation draws (activations, epochs), and its test rounds."""

    scores: pd.DataFrame
    name: str
    epochs: int
    runs: list[dict[str, Any]]
    summary: pd.DataFrame

    @property
    def label(self) -> str:
        return f"disk: {self.name}, cross-entropy, Adam, cosine (chosen on validation)"


def choose_disk_model(ce: study.Setting, p: Mapping[str, Any]) -> DiskChoice:
    """Tanh or ReLU hidden layers, at the chapter's epochs and four times as many, chosen on
    validation draws; the choice then runs on the test rounds. Glues the reading."""
    long = 4 * p["epochs"]
    candidates = {
        "Tanh, ReLU, ReLU": ce,
        "Tanh, Tanh, Tanh": ce.replace(activations=("tanh",) * 3 + ("none",)),
    }
    validation = {
        (name, n_epochs): results
        for n_epochs in (p["epochs"], long)
        for name, results in study.run_settings(
            candidates, validation_protocol(p), epochs=n_epochs, **sizes(p)
        ).items()
    }
    scores = study.summary_table(validation, 1)  # keyed (activations, epochs); times unused
    name, epochs = scores.loc[scores.test_mean.idxmin(), "setting"]
    runs = study.run_settings({name: candidates[name]}, Protocol.of(p), epochs=epochs, **sizes(p))[name]
    choice = DiskChoice(scores, name, epochs, runs, pd.DataFrame())
    choice.summary = study.summary_table({choice.label: runs}, epochs)
    best = choice.summary.iloc[0]
    glue_value("fw_long_epochs", long)
    val = scores.set_index("setting").test_mean
    tanh, relu = "Tanh, Tanh, Tanh", "Tanh, ReLU, ReLU"
    glue_text("fw_val_acts_short", signed(val[tanh, p["epochs"]] - val[relu, p["epochs"]], 2))
    glue_text("fw_val_acts_long", signed(val[tanh, long] - val[relu, long], 2))
    glue_text("fw_val_len_tanh", signed(val[tanh, long] - val[tanh, p["epochs"]], 2))
    glue_text("fw_val_len_relu", signed(val[relu, long] - val[relu, p["epochs"]], 2))
    tanh_wins = val[tanh, p["epochs"]] < val[relu, p["epochs"]] and val[tanh, long] < val[relu, long]
    glue_text("fw_val_acts_reading", "as predicted by" if tanh_wins else "not as predicted by")
    glue_text("fw_best_name", name)
    glue_value("fw_best_epochs", epochs)
    glue_text("fw_best_val", f"{scores.test_mean.min():.2f}")
    glue_text("fw_best_test", f"{best.test_mean:.2f}")
    glue_text("fw_best_std", f"{best.test_std:.2f}")
    glue_text("fw_best_ci", f"[{best.test_ci_low:.2f}, {best.test_ci_high:.2f}]")
    glue_text("fw_best_worst", f"{best.test_worst:.1f}")
    if best.test_ci_high < 1:
        verdict_text = "its whole 95% confidence interval lies below 1%"
    elif best.test_mean < 1:
        verdict_text = "its mean is below 1%, though the 95% confidence interval reaches above it"
    else:
        verdict_text = "it does not get below 1%"
    glue_text("fw_best_verdict", verdict_text)
    return choice


def validation_table(choice: DiskChoice) -> pd.DataFrame:
    """The disk candidates' validation errors, by hidden activations and epochs."""
    scores = choice.scores
    return pd.DataFrame(
        {
            "hidden activations": [name for name, _ in scores.setting],
            "epochs": [n for _, n in scores.setting],
            "validation error (%)": mean_std_column(scores.test_mean, scores.test_std, digits=2),
        }
    )


TOLERANCE = 1e-3
"""Relative: the framework and torch.nn may differ by float32 rounding, orders of magnitude below."""


def race_facts(raced: Mapping[str, Any], epochs: int) -> dict[str, float]:
    """The framework against its torch.nn twin, epoch by epoch: the largest loss difference
    (absolute and relative) and the median time per epoch of each. Glues them; raises if the
    two diverged beyond :data:`TOLERANCE`."""
    ours, theirs = np.array(raced["ours"]), np.array(raced["theirs"])
    gap = np.abs(ours - theirs)
    facts = {
        "gap": float(gap.max()),
        "relative": float(np.max(gap / theirs)),
        "ms_ours": 1000 * float(np.median(raced["ours_seconds"])),
        "ms_torch": 1000 * float(np.median(raced["theirs_seconds"])),
    }
    glue_text("fw_twin_gap", scientific(facts["gap"]))
    glue_text("fw_twin_rel_gap", scientific(facts["relative"]))
    glue_text("fw_twin_first_diff", f"{int(np.argmax(gap > 0)) + 1 if gap.any() else epochs}")
    glue_text("fw_ms_ours", f"{facts['ms_ours']:.1f}")
    glue_text("fw_ms_torch", f"{facts['ms_torch']:.1f}")
    glue_text("fw_speed_ratio", f"{facts['ms_torch'] / facts['ms_ours']:.1f}")
    if facts["relative"] >= TOLERANCE:
        raise RuntimeError("the framework and torch.nn diverged")
    glue_text("fw_twin_tolerance", scientific(TOLERANCE, 0))
    return facts


@dataclass
class PairsRace:
    """Report 003's siamese-10 trained in torch and in the framework on the same rounds."""

    torch_runs: pd.DataFrame
    framework_runs: pd.DataFrame
    table: pd.DataFrame
    profile: pd.Series
    loop: float


def run_pairs(s10: TrainConfig, p: Mapping[str, Any]) -> PairsRace:
    """Both trainings of siamese-10, their paired comparison and the framework's time profile;
    glues the comparison, the digit errors, the first losses and the times."""
    protocol = Protocol.of(p)
    torch_runs = run_grid({TORCH_NAME: s10}, protocol, record="final")
    fw_runs = study.run_pairs({FW_NAME: s10}, protocol)
    both = pd.concat(
        [torch_runs.assign(name=TORCH_PAIRS_LABEL), fw_runs.assign(name=PAIRS_LABEL)], ignore_index=True
    )
    table = labelled_comparisons(both, [("framework against torch", TORCH_PAIRS_LABEL, PAIRS_LABEL)])
    row = table.set_index("comparison").loc["framework against torch"]
    glue_comparison("fw_s10", row)
    glue_text("fw_s10_within", "within" if abs(row["difference"]) < 0.5 else "not within")
    glue_text("fw_s10_digits_fw", f"{fw_runs.test_digit_error.mean():.1f}")
    glue_text("fw_s10_digits_torch", f"{final_epoch(torch_runs).test_digit_error.mean():.1f}")
    first_loss = torch_runs[torch_runs.epoch == 1].set_index("round").loss
    gap = (fw_runs.set_index("round").first_loss / first_loss - 1).abs().max()
    glue_text("fw_s10_first_loss_gap", scientific(gap, 0))
    fw_seconds = fw_runs.seconds.mean()
    torch_seconds = final_epoch(torch_runs).seconds.mean()
    glue_text("fw_s10_fw_seconds", f"{fw_seconds:.1f}")
    glue_text("fw_s10_torch_seconds", f"{torch_seconds:.1f}")
    glue_text("fw_s10_slowdown", f"{fw_seconds / torch_seconds:.1f}")
    profile, loop = time_profile(fw_runs)
    glue_text("fw_s10_top_stage", str(profile.index[0]))
    glue_text("fw_s10_top_share", f"{100 * profile.iloc[0] / loop:.0f}")
    glue_text("fw_s10_second_stage", str(profile.index[1]))
    glue_text("fw_s10_second_share", f"{100 * profile.iloc[1] / loop:.0f}")
    glue_text("fw_s10_loop_share", f"{100 * loop / fw_seconds:.0f}")
    return PairsRace(torch_runs, fw_runs, table, profile, loop)


def profile_table(race: PairsRace) -> pd.DataFrame:
    """Where a framework run's training time goes, stage by stage."""
    profile, loop = race.profile, race.loop
    return pd.DataFrame(
        {
            "stage": profile.index,
            "seconds per run": profile.map("{:.2f}".format).values,
            "share of the training loop (%)": (100 * profile / loop).map("{:.0f}".format).values,
        }
    )


def record(
    summary: pd.DataFrame,
    runs: Mapping[str, list[dict[str, Any]]],
    choice: DiskChoice,
    race: PairsRace,
    p: Mapping[str, Any],
) -> None:
    """The chapter's results (the report's row, the chosen disk model as its headline, the
    digit pairs) and every round behind them."""
    pairs_summary = study.summary_table({PAIRS_LABEL: race.framework_runs.to_dict("records")}, 1)
    save_rounds(
        pd.concat(
            [
                study.rounds_frame(runs),
                study.rounds_frame({choice.label: choice.runs}),
                race.framework_runs.assign(name=PAIRS_LABEL),
                race.torch_runs.assign(name=TORCH_PAIRS_LABEL),
            ],
            ignore_index=True,
        ),
        "mini_framework",
    )
    # The chapter's one paired comparison, in the book's comparisons table like every other.
    save_comparisons("mini_framework", {"digit pairs": race.table})
    save_results(
        pd.concat(
            [
                framework_results_table(
                    summary,
                    p["rounds"],
                    p["epochs"],
                    {REPORT_NAME: ("004_94dde16c460842e8", "mini-framework")},
                ),
                framework_results_table(choice.summary, p["rounds"], choice.epochs, headline=True),
                framework_results_table(pairs_summary, p["rounds"], p["pair_epochs"]),
            ],
            ignore_index=True,
        ),
        "mini_framework",
    )
