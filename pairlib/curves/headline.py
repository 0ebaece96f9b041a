"""The book at a glance: ours against published, the scorecard, the headline figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from pairlib.curves.theme import OURS, PUBLISHED, TICK_SIZE
from pairlib.stats import half_width


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


VERDICT_COLOURS = {
    "reproduced": "#029e73",
    "ours lower": "#0173b2",
    "ours higher": "#d55e00",
    "no spread published": "#949494",
}
"""The scorecard's verdicts in every figure: colour-blind green, blue and vermilion."""


def scorecard_figure(scorecard: pd.DataFrame) -> Any:
    """Published against ours for every figure of the reproduction scorecard
    (:func:`pairlib.page.reproduction_scorecard`): mean ± std both ways, coloured by verdict,
    with the diagonal where a reproduction would sit. Every figure not reproduced is labelled
    with its report and model, so that the outliers can be found in the table."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.6, 5.2))
    highest = max(
        (scorecard["published_mean"] + scorecard["published_std"].fillna(0)).max(),
        (scorecard["mean"] + scorecard["std"].fillna(0)).max(),
    )
    # A book built from a few chapters may have no scorecard row yet: an empty, labelled frame.
    top = 1.08 * float(highest) if pd.notna(highest) else 1.0
    ax.plot([0, top], [0, top], color="0.6", lw=0.8, zorder=0)
    for verdict, colour in VERDICT_COLOURS.items():
        rows = scorecard[scorecard["verdict"] == verdict]
        if len(rows):
            ax.errorbar(
                rows["published_mean"],
                rows["mean"],
                xerr=rows["published_std"].fillna(0),
                yerr=rows["std"],
                ls="none",
                marker="o",
                ms=4,
                capsize=2,
                color=colour,
                label=f"{verdict} ({len(rows)})",
            )
    for (x, y), (tx, ty), text, align in _scorecard_labels(scorecard, top):
        # Each label sits clear of its point's error bars, away from the diagonal, on a white
        # ground so that a bar it crosses never runs through its letters; a thin line leads
        # back to the point.
        ax.annotate(
            text,
            (x, y),
            xytext=(tx, ty),
            textcoords="data",
            ha=align,
            va="center",
            fontsize=6,
            color="0.2",
            bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
            arrowprops={"arrowstyle": "-", "color": "0.55", "lw": 0.5, "shrinkA": 0, "shrinkB": 2},
            zorder=5,
        )
    ax.set(xlim=(0, top), ylim=(0, top), xlabel="published test error (%)", ylabel="our test error (%)")
    ax.set_aspect("equal")
    if len(scorecard):
        ax.legend(fontsize=TICK_SIZE, loc="upper left")
    return fig


def _scorecard_labels(
    scorecard: pd.DataFrame, top: float
) -> list[tuple[tuple[float, float], tuple[float, float], str, str]]:
    """Where the labels of the figures not reproduced go: ((x, y) of the point, (x, y) of the
    label, text, horizontal alignment). Points that coincide (the same runs, compared with two
    published figures) share one label. A label is set off its point perpendicular to the
    diagonal, beyond the point's error bars: up and left above the diagonal, down and right
    below it (straight up or down where the text would leave the axes); labels on one side that
    would overlap are moved apart vertically."""
    groups: list[tuple[float, float, float, list[str]]] = []
    for row in scorecard[scorecard["verdict"] != "reproduced"].itertuples():
        text = f"{row.report}/{row.published_model_id}"
        reach = max(float(np.nan_to_num(row.published_std)), float(np.nan_to_num(row.std)))
        for k, (x, y, r, texts) in enumerate(groups):
            if abs(x - row.published_mean) < 0.01 * top and abs(y - row.mean) < 0.01 * top:
                groups[k] = (x, y, max(r, reach), [*texts, text])
                break
        else:
            groups.append((row.published_mean, row.mean, reach, [text]))
    gap, char = 0.032 * top, 0.013 * top  # a line of 6-point text, and a character's width
    labels = []
    for above in (True, False):
        side = sorted((g for g in groups if (g[1] >= g[0]) == above), key=lambda g: -g[1])
        placed: list[float] = []
        for x, y, reach, texts in side:
            text = " & ".join(texts)
            off = reach + 0.025 * top
            width = char * len(text)
            if above and x - off - width >= 0:
                tx, ty, align = x - off, y + off, "right"
            elif above:
                tx, ty, align = x, y + off + gap / 2, "center"
            elif x + off + width <= top:
                tx, ty, align = x + off, y - off, "left"
            else:
                tx, ty, align = x, y - off - gap / 2, "center"
            for py in placed:  # below every label already placed that it would touch
                if abs(ty - py) < gap:
                    ty = py - gap
            placed.append(ty)
            labels.append(((x, y), (tx, ty), text, align))
    return labels


def _interval(row: Any) -> tuple[float, float]:
    """A results-table row's mean and the half-width of its 95% confidence interval (t)."""
    n = int(row["rounds"])
    half = half_width(float(row["test_error_std_pct"]), n) if n > 1 else 0.0
    return float(row["test_error_mean_pct"]), half


def headline_figure(steps: Sequence[tuple[str, Any, float | None]]) -> Any:
    """The book in one picture: test error, mean and 95% CI over our rounds, for each step of
    ``steps`` (label, results-table row, published mean or None), top to bottom, with the
    published mean marked where there is one."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 0.42 * len(steps) + 1.0))
    for k, (_label, row, published) in enumerate(steps):
        mean, half = _interval(row)
        ax.errorbar(
            mean,
            -k,
            xerr=half,
            ls="none",
            ms=5,
            capsize=3,
            **OURS,
            label="ours: mean, 95% CI" if k == 0 else None,
        )
        ax.annotate(
            f"{mean:.1f}",
            (mean, -k),
            textcoords="offset points",
            xytext=(0, 5),
            ha="center",
            va="bottom",
            fontsize=7,
        )  # va bottom: the number's baseline clears the interval's caps
        if published is not None:
            ax.scatter(published, -k, s=36, zorder=4, **PUBLISHED, label="published mean" if k == 0 else None)
    ax.set_yticks([-k for k in range(len(steps))], [label for label, _, _ in steps], fontsize=TICK_SIZE)
    ax.set_xlabel("test error (%)")
    ax.set_xlim(left=0)
    ax.grid(axis="y", visible=False)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=TICK_SIZE)
    return fig


def sharing_aux_figure(cells: Mapping[tuple[bool, bool], tuple[Any, float | None]], title: str) -> Any:
    """The course's question at a glance: one network with and without weight sharing (x) and
    with and without an auxiliary loss (line), test error with its 95% CI over our rounds and
    the published mean marked. ``cells`` maps (shared, auxiliary) to (results-table row,
    published mean or None)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    for aux, colour, label in ((False, "0.45", "no auxiliary loss"), (True, OURS["color"], "auxiliary loss")):
        xs, means, halves = [], [], []
        for shared in (False, True):
            mean, half = _interval(cells[(shared, aux)][0])
            xs.append(int(shared) + (0.04 if aux else -0.04))
            means.append(mean)
            halves.append(half)
            published = cells[(shared, aux)][1]
            if published is not None:
                ax.scatter(xs[-1] + 0.08, published, s=30, zorder=4, **{**PUBLISHED, "color": colour})
        ax.errorbar(xs, means, yerr=halves, marker="o", ms=5, capsize=3, color=colour, label=label)
    ax.scatter([], [], **{**PUBLISHED, "color": "0.3"}, label="published mean")
    ax.set_xticks([0, 1], ["separate weights", "shared weights"])
    ax.set_xlim(-0.4, 1.4)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("test error (%)")
    ax.set_title(title, fontsize=9)
    fig.legend(loc="outside lower center", ncols=3, fontsize=TICK_SIZE)
    return fig
