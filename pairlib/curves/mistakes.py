"""Where a model goes wrong: errors by digit gap, misread digits, the worst test pairs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pairlib.curves.theme import _text_colour
from pairlib.formats import scientific


def gap_figure(gaps: Mapping[str, pd.DataFrame], colours: Sequence[str] = ("tab:grey", "tab:blue")) -> Any:
    """Errors by the gap |d1 − d2| for two models (``gaps``: label -> ``errors_by_gap`` table, the
    model of interest last): left, the error rate within each gap; right, each gap's share of
    the errors (bars) against its share of the pairs (dots, the last model's test pairs)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(6.4, 2.7))
    width = 0.4
    for offset, (label, table), colour in zip((-width / 2, width / 2), gaps.items(), colours, strict=True):
        axes[0].bar(table["gap"] + offset, table["error_pct"], width, color=colour, label=label)
        axes[1].bar(table["gap"] + offset, table["share_of_errors_pct"], width, color=colour, label=label)
    last = list(gaps.values())[-1]
    axes[1].plot(last["gap"], last["share_of_pairs_pct"], "k.--", lw=0.8, label="share of pairs")
    axes[0].set(xlabel="digit gap |d1 − d2|", ylabel="pair error within the gap (%)")
    axes[1].set(xlabel="digit gap |d1 − d2|", ylabel="share (%)")
    axes[0].legend(fontsize=7)
    axes[1].legend(fontsize=7, title="share of errors", title_fontsize=7)
    for ax in axes:
        ax.set_xticks(range(10))
    return fig


def confusion_figure(counts: Any) -> Any:
    """A branch's misread digits: how often each digit (row) was read as each other (column),
    the diagonal (the images read right) left out so that the errors set the colour scale."""
    import matplotlib.pyplot as plt
    import numpy as np

    off = counts.astype(float)
    np.fill_diagonal(off, np.nan)
    off[off == 0] = np.nan  # no error: a white cell, never a faint tint that reads as one
    fig, ax = plt.subplots(figsize=(4.6, 3.9))
    colours = plt.get_cmap("Reds").with_extremes(bad="white")
    image = ax.imshow(off, cmap=colours, vmin=0)
    for i in range(10):
        for j in range(10):
            if i != j and counts[i, j]:
                colour = _text_colour(image, float(counts[i, j]))
                ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=8, color=colour)
    ax.grid(False)  # the theme's grid would strike through the numbers
    ax.set(xticks=range(10), yticks=range(10), xlabel="read as", ylabel="true digit")
    fig.colorbar(image, ax=ax, shrink=0.8, label="misread images")
    return fig


def probability_text(p: float) -> str:
    """A probability in two significant digits ("0.31", "0.20", "0.0042", "3×10⁻⁷"), trailing
    zero kept so that neighbours print alike: the worst pairs' probabilities are tiny, and two
    decimals would print them all as 0.00."""
    return f"{p:#.2g}" if p >= 1e-4 or p == 0 else scientific(p, 0)


def worst_pairs_figure(worst: pd.DataFrame, images: Sequence[Any]) -> Any:
    """A model's worst test pairs (``worst``: ``pairlib.analysis.worst_pairs``; ``images``: each
    pair's two 14×14 images), one column each: the true digit, the digit read when it differs
    (red), and the probability the model gave the true answer."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(worst), figsize=(6.4, 2.3), squeeze=False)
    for k, ((_, row), pair) in enumerate(zip(worst.iterrows(), images, strict=True)):
        for i in range(2):
            ax = axes[i, k]
            ax.imshow(pair[i].numpy(), cmap="gray_r")
            ax.set_xticks([])
            ax.set_yticks([])
            truth, read = int(row[f"d{i + 1}"]), int(row[f"p{i + 1}"])
            ax.set_xlabel(
                f"{truth}→{read}" if truth != read else f"{truth}",
                fontsize=7,
                color=("tab:red" if truth != read else "black"),
            )
        axes[0, k].set_title(f"P = {probability_text(row['p_true'])}", fontsize=7)
    return fig
