"""The book's statistical figures, in one theme (``pairlib.page.setup_figures``).

Every learning curve of the book is the same picture: one line per configuration, the mean
over rounds of a per-epoch column of a :func:`pairlib.train.run_grid` frame, and a band one
standard deviation either side, because a single round's curve says little about the next
one's (report 000's Figs. 2-4 draw them this way). Final errors are drawn by seaborn: every
round as a point, the mean with its 95% confidence interval. "Ours" and "published" keep one
colour and one marker in every figure (``OURS``, ``PUBLISHED``), so a reader learns them once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pairlib.train import final_epoch

OURS: dict[str, Any] = {"color": "#0173b2", "marker": "o"}
"""Our result (a mean, or one round) in every figure: seaborn's colour-blind blue, a dot."""

PUBLISHED: dict[str, Any] = {"color": "#d55e00", "marker": "X"}
"""A report's published figure in every figure: seaborn's colour-blind vermilion, a cross."""

TICK_SIZE = 8.5
"""The smallest text of a figure: model names on an axis stay readable at print size."""


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


def _round_points(
    ax: Any, frame: pd.DataFrame, x: str, y: str, order: Sequence[str], hue: str, palette: Any, seed: int
) -> None:
    # Every round as a dot (jittered across its line), coloured per ``hue``. seaborn jitters
    # with NumPy's global generator: seeded here and restored, so a figure is the same on
    # every execution and nothing else's random stream moves.
    import numpy as np
    import seaborn as sns

    state = np.random.get_state()
    np.random.seed(seed)
    try:
        sns.stripplot(
            data=frame,
            x=x,
            y=y,
            order=list(order),
            hue=hue,
            palette=palette,
            jitter=0.18,
            size=3.5,
            alpha=0.7,
            linewidth=0,
            legend=False,
            ax=ax,
        )
    finally:
        np.random.set_state(state)


def paired_differences_figure(
    df: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    colours: Mapping[str, str],
    metric: str = "test_error",
    height: float = 4.4,
    seed: int = 0,
) -> Any:
    """The picture of paired comparisons: per-round differences b − a (dots, coloured by
    table) and their mean with its 95% CI (black), one line per comparison, the first on top.

    ``tables`` are :func:`pairlib.stats.labelled_comparisons` tables keyed by a kind that
    ``colours`` maps to a colour; ``df`` is the run_grid frame they were computed from. The
    CI is the table's (a paired t interval), so figure and table never disagree.
    """
    import matplotlib.pyplot as plt

    rows = pd.concat([t.assign(kind=kind) for kind, t in tables.items()], ignore_index=True)
    per_round = final_epoch(df).pivot_table(index="seed", columns="name", values=metric)
    points = pd.concat(
        [
            pd.DataFrame(
                {
                    "comparison": row["comparison"],
                    "kind": row["kind"],
                    "difference": (per_round[row["b"]] - per_round[row["a"]]).dropna().to_numpy(),
                }
            )
            for _, row in rows.iterrows()
        ],
        ignore_index=True,
    )
    order = rows["comparison"].tolist()
    fig, ax = plt.subplots(figsize=(6.4, height))
    _round_points(ax, points, "difference", "comparison", order, "kind", dict(colours), seed)
    for y, (_, row) in enumerate(rows.iterrows()):
        low, high = row["difference"] - row["ci_low"], row["ci_high"] - row["difference"]
        ax.errorbar(
            row["difference"], y, xerr=[[low], [high]], fmt="o", color="black", ms=4, capsize=3, zorder=3
        )
    ax.axvline(0, color="black", lw=0.8)
    ax.tick_params(axis="y", labelsize=TICK_SIZE)
    ax.set_ylabel("")
    ax.set_xlabel(f"{metric.replace('_', ' ')} of b − that of a (percentage points)")
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
    with its 95% CI over rounds (black, seaborn's bootstrap) and the published mean where
    known (``PUBLISHED``), one line per name, the first name on top: the distribution behind
    each mean ± std of a results table."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    finals = final_epoch(df)
    finals = finals[finals["name"].isin(list(names))].dropna(subset=[metric])
    published = published or {}
    fig, ax = plt.subplots(figsize=(6.4, height))
    _round_points(ax, finals, metric, "name", list(names), "name", dict(colours), seed)
    sns.pointplot(
        data=finals,
        x=metric,
        y="name",
        order=list(names),
        errorbar=("ci", 95),
        seed=seed,
        color="black",
        markers="|",
        markersize=10,
        linestyle="none",
        err_kws={"linewidth": 1.2},
        capsize=0.2,
        ax=ax,
    )
    for y, name in enumerate(names):
        if name in published:
            ax.scatter(published[name], y, s=40, zorder=4, **PUBLISHED)
    ax.tick_params(axis="y", labelsize=TICK_SIZE)
    ax.set_ylabel("")
    ax.set_xlabel(f"{metric.replace('_', ' ')} (%)")
    handles = [
        plt.Line2D([], [], ls="", marker="o", color="grey", ms=4, label="one round (ours)"),
        plt.Line2D([], [], color="black", marker="|", ms=8, label="mean, 95% CI (ours)"),
    ]
    if published:
        handles.append(plt.Line2D([], [], ls="", ms=6, label="published mean", **PUBLISHED))
    ax.legend(handles=handles, fontsize=TICK_SIZE, loc="lower right")
    return fig


def ours_published_figure(published: pd.DataFrame, results: Mapping[str, pd.DataFrame]) -> Any:
    """Every published model of ``published`` (rows of ``results/published.csv``), mean ± std
    over its rounds, with our rerun's mean ± std beside it where a results table links one:
    the whole reproduction in one picture, highest published error on top."""
    import matplotlib.pyplot as plt

    ours = {
        (row.report, row.published_model_id): row
        for table in results.values()
        if {"report", "published_model_id", "test_error_mean_pct"} <= set(table.columns)
        for row in table.itertuples()
    }
    rows = published.sort_values("test_error_mean_pct", ascending=False).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(6.4, 0.22 * len(rows) + 1.0))
    y = [-k for k in range(len(rows))]
    ax.errorbar(
        rows["test_error_mean_pct"],
        y,
        xerr=rows["test_error_std_pct"].fillna(0),
        ls="none",
        ms=5,
        capsize=2,
        label="published",
        **PUBLISHED,
    )
    matched = [
        (k, ours[(r.report, r.model_id)]) for k, r in rows.iterrows() if (r.report, r.model_id) in ours
    ]
    if matched:
        ax.errorbar(
            [m.test_error_mean_pct for _, m in matched],
            [-k - 0.3 for k, _ in matched],
            xerr=[m.test_error_std_pct for _, m in matched],
            ls="none",
            ms=4,
            capsize=2,
            label="ours (rerun)",
            **OURS,
        )
    ax.set_yticks(
        y, [f"{r.report.split('_')[0]}/{r.model_id}" for r in rows.itertuples()], fontsize=TICK_SIZE
    )
    ax.set_xlabel("test error (%)")
    ax.set_xlim(left=0)
    ax.grid(axis="y", visible=False)
    ax.legend(fontsize=TICK_SIZE, loc="lower right")
    return fig
