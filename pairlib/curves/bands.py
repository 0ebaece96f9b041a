"""Training curves: a per-epoch (or per-step) metric over the rounds, drawn as a line and a band.

Every learning curve of the book is the same picture: one line per configuration, the mean
over rounds of a per-epoch column of a :func:`pairlib.train.run_grid` frame, and a band one
standard deviation either side, because a single round's curve says little about the next
one's (report 000's Figs. 2-4 draw them this way).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd


def epoch_band(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean and std of ``column`` over the rounds, per epoch (index: epoch; columns: mean, std).

    Rows whose value is missing (a test error recorded only at the last epoch) are left out,
    so a column recorded at every epoch and one recorded once can share a plot.
    """
    values = df.dropna(subset=[column])
    return values.groupby("epoch")[column].agg(["mean", "std"]).fillna({"std": 0.0})


def plot_band(
    ax: Any, df: pd.DataFrame, column: str, label: str, colour: str, alpha: float = 0.2, **line: Any
) -> pd.DataFrame:
    """Draw :func:`epoch_band` of ``column`` on ``ax`` (line and shaded band); return the band."""
    band = epoch_band(df, column)
    ax.plot(band.index, band["mean"], color=colour, label=label, **line)
    ax.fill_between(
        band.index, band["mean"] - band["std"], band["mean"] + band["std"], color=colour, alpha=alpha, lw=0
    )
    return band


def bands_figure(
    panels: Sequence[tuple[str, str, str]],
    runs: Mapping[str, tuple[pd.DataFrame, str, str]],
    alpha: float = 0.2,
    height: float = 2.8,
    sharey: bool = False,
) -> Any:
    """Learning curves side by side: one panel per (column, y label, title) of ``panels``, one
    :func:`plot_band` per entry of ``runs`` (frame, label, colour) in every panel, so the
    training and test curves of the same rounds can be read across (report 000's Fig. 2)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(6.4, height), sharey=sharey, squeeze=False)
    for ax, (column, ylabel, title) in zip(axes[0], panels, strict=True):
        for frame, label, colour in runs.values():
            plot_band(ax, frame, column, label, colour, alpha=alpha)
        ax.set(xlabel="epoch", ylabel=ylabel, title=title)
    return fig


def runs_figure(
    df: pd.DataFrame,
    panels: Mapping[str, Mapping[str, str]],
    column: str,
    ylabel: str,
) -> Any:
    """One panel per entry of ``panels`` (title -> {legend label: run name}), each drawing the
    per-epoch band of ``column`` (mean ± std over rounds) of its runs in ``df``: a report's
    curves figure, rerun."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(6.4, 2.8), sharey=True, squeeze=False)
    for ax, (title, runs) in zip(axes[0], panels.items(), strict=True):
        for k, (label, name) in enumerate(runs.items()):
            plot_band(ax, df[df["name"] == name], column, label, f"C{k}")
        ax.set(title=title, xlabel="epoch")
    axes[0, 0].set_ylabel(ylabel)
    axes[0, 0].legend(fontsize=8)
    return fig


def loss_terms_figure(without: pd.DataFrame, with_aux: pd.DataFrame) -> Any:
    """Report 000's Fig. 3 layout for per-epoch runs of one model without and with the
    auxiliary loss: left, the training losses (with it, the minimised sum and its target and
    class terms; log scale); right, running training error (solid) and test error (dashed)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(6.4, 2.9))
    plot_band(axes[0], with_aux, "loss", "with aux: sum", "tab:red")
    plot_band(axes[0], with_aux, "target_term", "with aux: target", "tab:orange")
    plot_band(axes[0], with_aux, "digit_loss", "with aux: classes", "tab:green")
    plot_band(axes[0], without, "target_term", "without: target", "tab:blue")
    axes[0].set(xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log")
    axes[0].legend(fontsize=7)
    for runs, label, colour in ((without, "without", "tab:blue"), (with_aux, "with aux", "tab:red")):
        plot_band(axes[1], runs, "running_train_error", f"{label}: train", colour)
        plot_band(axes[1], runs, "test_error", f"{label}: test", colour, ls="--")
    axes[1].set(xlabel="epoch", ylabel="error (%)", ylim=(0, 50))
    axes[1].legend(fontsize=7)
    return fig


def loss_curves_figure(
    histories: Mapping[str, Sequence[Sequence[float]]], panels: Sequence[tuple[str, Sequence[str]]]
) -> Any:
    """Training loss per epoch of several settings, one panel per (y label, settings) of
    ``panels`` (losses on different scales apart): the median over the rounds, shaded from the
    best round to the worst, since a few stuck rounds would drag a mean."""
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(histories)
    fig, axes = plt.subplots(1, len(panels), figsize=(6.4, 3.6), squeeze=False)
    for ax, (ylabel, group) in zip(axes[0], panels, strict=True):
        for name in group:
            curves = np.array(histories[name])
            epochs = np.arange(1, curves.shape[1] + 1)
            colour = f"C{names.index(name)}"
            # An alternative reading "<model> [<what differs>]" is labelled by what differs.
            label = name.partition(" [")[2].removesuffix("]") or name
            ax.plot(epochs, np.median(curves, 0), lw=1.2, color=colour, label=label)
            ax.fill_between(epochs, curves.min(0), curves.max(0), color=colour, alpha=0.2)
        ax.set(yscale="log", xlabel="epoch", ylabel=ylabel)
    fig.legend(loc="outside lower center", ncol=2, fontsize=7)
    return fig


def twin_figure(ours: Sequence[float], theirs: Sequence[float], labels: tuple[str, str]) -> Any:
    """One training run in two implementations: both loss curves (top) and their absolute
    difference (bottom, identical losses drawn at 1e-12 on the log scale)."""
    import matplotlib.pyplot as plt
    import numpy as np

    epochs = np.arange(1, len(ours) + 1)
    gap = np.abs(np.array(ours) - np.array(theirs))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 3.8), sharex=True, height_ratios=[2, 1])
    top.plot(epochs, ours, lw=2.5, alpha=0.5, label=labels[0])
    top.plot(epochs, theirs, lw=1, ls="--", color="k", label=labels[1])
    top.set(yscale="log", ylabel="training loss (MSE)")
    top.legend(fontsize=7)
    bottom.plot(epochs, np.maximum(gap, 1e-12), color="tab:red", lw=1)
    bottom.set(yscale="log", xlabel="epoch", ylabel="|difference|")
    return fig


GRADIENT_FLOOR = 1e-6
"""Zero gradients are drawn at this height on the log scale of :func:`gradient_figure`."""

LAYER_COLOURS = {
    "conv1": "tab:blue",
    "conv2": "tab:orange",
    "fc1": "tab:green",
    "fc2": "tab:red",
    "comparator fc1": "tab:purple",
}
"""The weight layers of report 003's ConvNets (:func:`pairlib.diagnostics.weight_layers`), one colour each."""

DIVERGED_NORM = 1e30
"""A diverged round's gradient norm in the figure: above every axis, and finite."""


def gradient_figure(
    grads: pd.DataFrame, titles: Mapping[tuple[str, bool], str], colours: Mapping[str, str] = LAYER_COLOURS
) -> Any:
    """Per-layer gradient norms over the first minibatches (report 003's Fig. 2): one panel per
    (model, batch norm) of ``titles`` (rows: models; columns: with, without), median over the
    rounds with the quartiles as a band. A diverged round (inf or NaN) counts as above all,
    so it lifts the quartiles rather than vanishing from them (as a huge finite value: the
    quantiles interpolate, and inf - inf would be NaN)."""
    import matplotlib.pyplot as plt

    models = list(dict.fromkeys(model for model, _ in titles))
    fig, axes = plt.subplots(2, 2, figsize=(6.4, 4.6), sharex=True, sharey=True)
    for (model, batch_norm), title in titles.items():
        ax = axes[models.index(model), 0 if batch_norm else 1]
        sub = grads[(grads["model"] == model) & (grads["batch_norm"] == batch_norm)]
        for layer, colour in colours.items():
            layer_rows = sub[sub["layer"] == layer]
            if layer_rows.empty:
                continue
            values = layer_rows.pivot(index="step", columns="round", values="grad_norm")
            values = values.fillna(DIVERGED_NORM).clip(lower=GRADIENT_FLOOR, upper=DIVERGED_NORM)
            q = values.quantile([0.25, 0.5, 0.75], axis=1).T
            ax.plot(q.index, q[0.5], color=colour, label=layer, lw=1.2)
            ax.fill_between(q.index, q[0.25], q[0.75].clip(upper=1e4), color=colour, alpha=0.15, lw=0)
        ax.set_yscale("log")
        ax.set_ylim(GRADIENT_FLOOR / 2, 1e3)
        ax.set_title(title, fontsize=9)
    for ax in axes[1]:
        ax.set_xlabel("minibatch")
    for ax in axes[:, 0]:
        ax.set_ylabel("gradient norm")
    axes[1, 0].legend(fontsize=7, ncols=2)
    return fig
