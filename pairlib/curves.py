"""Curves over epochs drawn as a mean line and a mean ± std band over the rounds.

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


def paired_differences_figure(
    df: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    colours: Mapping[str, str],
    metric: str = "test_error",
    height: float = 4.4,
    seed: int = 0,
) -> Any:
    """The picture of paired comparisons: per-round differences b − a (dots, coloured by
    table) and their mean with its 95% CI (black), one line per comparison, top to bottom.

    ``tables`` are :func:`pairlib.stats.labelled_comparisons` tables keyed by a kind that
    ``colours`` maps to a colour; ``df`` is the run_grid frame they were computed from.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from pairlib.train import final_epoch

    rows = pd.concat([t.assign(kind=kind) for kind, t in tables.items()], ignore_index=True)
    per_round = final_epoch(df).pivot_table(index="seed", columns="name", values=metric)
    jitter = np.random.default_rng(seed)
    fig, ax = plt.subplots(figsize=(6.4, height))
    for y, (_, row) in enumerate(rows.iloc[::-1].iterrows()):
        diffs = (per_round[row["b"]] - per_round[row["a"]]).dropna().to_numpy()
        ax.scatter(
            diffs,
            y + jitter.uniform(-0.15, 0.15, len(diffs)),
            s=8,
            color=colours[row["kind"]],
            alpha=0.5,
            lw=0,
        )
        low, high = row["difference"] - row["ci_low"], row["ci_high"] - row["difference"]
        ax.errorbar(row["difference"], y, xerr=[[low], [high]], fmt="o", color="black", ms=4, capsize=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(rows)), rows["comparison"].iloc[::-1], fontsize=7.5)
    ax.set_xlabel(f"{metric.replace('_', ' ')} of b − that of a (percentage points)")
    ax.grid(axis="x", alpha=0.3)
    return fig


def round_errors_figure(
    df: pd.DataFrame,
    names: Sequence[str],
    colours: Mapping[str, str],
    published: Mapping[str, float] | None = None,
    metric: str = "test_error",
    height: float = 6.2,
    seed: int = 0,
) -> Any:
    """Every round's final error (dots, coloured per configuration by ``colours``), the mean
    (black bar) and the published mean where known (red cross), one line per name, the first
    name on top: the distribution behind each mean ± std of a results table."""
    import matplotlib.pyplot as plt
    import numpy as np

    from pairlib.train import final_epoch

    finals = final_epoch(df)
    published = published or {}
    jitter = np.random.default_rng(seed)
    fig, ax = plt.subplots(figsize=(6.4, height))
    order = list(names)[::-1]
    for y, name in enumerate(order):
        errors = finals.loc[finals["name"] == name, metric].dropna().to_numpy()
        ax.scatter(errors, y + jitter.uniform(-0.18, 0.18, len(errors)), s=9, color=colours[name], lw=0)
        if len(errors):
            ax.plot([errors.mean()] * 2, [y - 0.32, y + 0.32], color="black", lw=1.6)
        if name in published:
            ax.scatter(published[name], y, marker="x", s=36, color="tab:red", zorder=3)
    ax.set_yticks(range(len(order)), order, fontsize=7.5)
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.set_xlabel(f"{metric.replace('_', ' ')} (%)")
    ax.grid(axis="x", alpha=0.3)
    ax.scatter([], [], s=9, color="grey", label="one round")
    ax.plot([], [], color="black", lw=1.6, label="mean")
    if published:
        ax.scatter([], [], marker="x", color="tab:red", label="published mean")
    ax.legend(fontsize=7.5, loc="lower right")
    return fig
