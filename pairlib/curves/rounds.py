"""Every round's final error: one dot per round, the mean with its 95% CI, paired differences.

Final errors are drawn by seaborn: every round as a point, the mean with its 95% confidence
interval, the published mean beside it where known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pairlib.curves.theme import PUBLISHED, TICK_SIZE
from pairlib.train import final_epoch


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


def round_errors_figure(
    df: pd.DataFrame,
    names: Sequence[str],
    colours: Mapping[str, str],
    published: Mapping[str, float] | None = None,
    metric: str = "test_error",
    height: float = 6.2,
    seed: int = 0,
    groups: Mapping[str, str] | None = None,
) -> Any:
    """Every round's final error (dots, coloured per configuration by ``colours``; ``groups``
    names the colours in the legend, group by group), the mean
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
    rounds = {"one round (ours)": "grey"} if not groups else {f"one round: {g}": c for g, c in groups.items()}
    handles = [
        plt.Line2D([], [], ls="", marker="o", color=c, ms=4, label=label) for label, c in rounds.items()
    ]
    handles.append(plt.Line2D([], [], color="black", marker="|", ms=8, label="mean, 95% CI (ours)"))
    if published:
        handles.append(plt.Line2D([], [], ls="", ms=6, label="published mean", **PUBLISHED))
    fig.legend(handles=handles, fontsize=TICK_SIZE, loc="outside lower center", ncols=min(len(handles), 4))
    return fig


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
