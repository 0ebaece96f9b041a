"""Errors across the settings of a search: ablations, grid searches, the λ and power sweeps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pairlib.curves.theme import _text_colour


def settings_figure(
    summary: pd.DataFrame, cells: Mapping[str, Sequence[str]], colours: Mapping[str, str]
) -> Any:
    """Ablations of several models: one line per setting (the first on top), each model's mean
    ± std over the rounds as a point, offset so they do not overlap. ``cells`` maps a setting
    to the run names of the models, in the order of ``colours``; a run with diverged rounds
    (no mean) is written "diverged" at the right edge rather than drawn."""
    import matplotlib.pyplot as plt

    settings = list(cells)[::-1]
    offsets = [0.3 * (k - (len(colours) - 1) / 2) for k in range(len(colours))]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for k, (model, colour) in enumerate(colours.items()):
        for y, setting in enumerate(settings):
            name = cells[setting][k]
            if summary.loc[name, "diverged"]:
                ax.text(
                    0.99,
                    y + offsets[k],
                    "diverged",
                    transform=ax.get_yaxis_transform(),
                    ha="right",
                    va="center",
                    fontsize=7,
                    color=colour,
                )
                continue
            ax.errorbar(
                summary.loc[name, "mean"],
                y + offsets[k],
                xerr=summary.loc[name, "std"],
                fmt="o",
                ms=4,
                color=colour,
                capsize=2,
                label=model if y == 0 else None,
            )
    ax.set_yticks(range(len(settings)), settings, fontsize=8)
    ax.set_xlabel("test error (%), mean ± std")
    ax.grid(axis="x", alpha=0.3)
    fig.legend(fontsize=8, loc="outside lower center", ncols=len(colours))  # never over a point
    return fig


def grid_search_figure(runs: pd.DataFrame, highlight: str, xlabel: str, title: str) -> Any:
    """A grid search's settings, best first: the mean validation error as a bar and every run
    as a dot, the setting ``highlight`` (a report's choice) in another colour. ``runs`` has one
    row per run, with columns ``setting`` and ``val_error``."""
    import matplotlib.pyplot as plt

    means = runs.groupby("setting")["val_error"].mean().sort_values()
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    colours = ["tab:orange" if s == highlight else "tab:blue" for s in means.index]
    ax.bar(means.index, means, color=colours, label="mean")
    ax.scatter(runs["setting"], runs["val_error"], s=10, c="k", zorder=3, label="one run")
    ax.legend(fontsize=7, loc="upper left")
    ax.set(xlabel=xlabel, ylabel="validation error (%)", title=title)
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    return fig


def weight_sweep_figure(
    cells: pd.DataFrame, lr: float, lrs: Sequence[float], heat_weights: Sequence[float]
) -> Any:
    """Validation error of an auxiliary-weight sweep: left, against λ at learning rate ``lr``
    (band ± std, λ = 0 as a dashed line and grey band); right, the ``lrs`` x ``heat_weights``
    grid as a heat map with its values written in. ``cells`` has columns lr, lambda, mean,
    std (:func:`pairlib.auxiliary.sweep_cells`)."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(6.4, 2.9), gridspec_kw={"width_ratios": [1.1, 1]})
    ax = axes[0]
    at_lr = cells[cells["lr"] == lr].set_index("lambda")
    positive = at_lr[at_lr.index > 0]
    ax.plot(positive.index, positive["mean"], "o-", color="tab:blue", label="λ > 0")
    ax.fill_between(
        positive.index,
        positive["mean"] - positive["std"],
        positive["mean"] + positive["std"],
        alpha=0.2,
        lw=0,
    )
    zero = at_lr.loc[0.0]
    ax.axhline(zero["mean"], color="tab:grey", ls="--", label="λ = 0 (no aux)")
    ax.axhspan(zero["mean"] - zero["std"], zero["mean"] + zero["std"], color="tab:grey", alpha=0.12, lw=0)
    ax.set(xscale="log", xlabel=f"auxiliary weight λ (learning rate {lr:g})", ylabel="validation error (%)")
    # Above the panel: inside, the legend would cover the bands it explains.
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    ax = axes[1]
    heat = cells[cells["lambda"].isin(heat_weights) & cells["lr"].isin(lrs)]
    matrix = heat.pivot_table(index="lr", columns="lambda", values="mean").loc[list(lrs), list(heat_weights)]
    values = matrix.to_numpy()
    image = ax.imshow(values, cmap="viridis_r", aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=8, color=_text_colour(image, value))
    ax.grid(False)  # the theme's grid would strike through the numbers
    ax.set_xticks(range(len(heat_weights)), [f"{w:g}" for w in heat_weights])
    ax.set_yticks(range(len(lrs)), [f"{x:g}" for x in lrs])
    ax.set(xlabel="auxiliary weight λ", ylabel="Adam learning rate")
    fig.colorbar(image, ax=ax, label="validation error (%)", shrink=0.9)
    return fig


def power_figure(curves: Mapping[str, pd.DataFrame]) -> Any:
    """Test error against the power p of report 000's comparator (mean ± std per power, from
    :func:`pairlib.chapters.comparator_tables.power_curves`): left, the models trained on the classes read
    with every p, their exact (dashed) and argmax (dotted) readouts as lines; right, Model B
    trained on the targets, one training per p."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(6.4, 2.8), sharey=False)
    classes = [label for label in curves if label != "targets"]
    for label, colour in zip(classes, ("tab:blue", "tab:orange"), strict=True):
        frame = curves[label]
        axes[0].errorbar(
            frame.index,
            frame["mean"],
            yerr=frame["std"],
            color=colour,
            marker="o",
            ms=3,
            capsize=2,
            label=label,
        )
        axes[0].axhline(frame.attrs["exact"], color=colour, ls="--", lw=1)
        axes[0].axhline(frame.attrs["argmax"], color=colour, ls=":", lw=1)
    axes[0].plot([], [], color="grey", ls="--", lw=1, label="exact")
    axes[0].plot([], [], color="grey", ls=":", lw=1, label="argmax")
    axes[0].set(
        xscale="log", xlabel="power p (readout)", ylabel="test error (%)", title="trained on the classes"
    )
    axes[0].legend(fontsize=7)
    targets = curves["targets"]
    axes[1].errorbar(
        targets.index, targets["mean"], yerr=targets["std"], color="tab:red", marker="o", ms=3, capsize=2
    )
    axes[1].set(xscale="log", xlabel="power p (trained with it)", title="trained on the targets (MSE)")
    for ax, ticks in zip(axes, ([1, 2, 4, 6, 12, 32], list(targets.index)), strict=True):
        ax.set_xticks(ticks)
        ax.xaxis.set_major_formatter(plt.ScalarFormatter())
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
        ax.grid(alpha=0.3)
    return fig
