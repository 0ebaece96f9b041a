"""What the networks are given: sample digit pairs, the data's balance, the disk's points."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd


def sample_pairs_figure(pairs: Any, shown: int = 8) -> Any:
    """The first ``shown`` training pairs of a draw (:class:`pairlib.data.PairSets`), one
    column each: its two channels, the two digits and the target, so a reader sees exactly
    what a network is given."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, shown, figsize=(6.4, 2.3))
    for k in range(shown):
        d1, d2 = pairs.train_classes[k].tolist()
        for row in range(2):
            axes[row, k].imshow(pairs.train_input[k, row], cmap="gray_r", vmin=0, vmax=255)
            axes[row, k].set_xticks([])
            axes[row, k].set_yticks([])
        axes[0, k].set_title(f"{d1} ≤ {d2}?\ntarget {pairs.train_target[k].item()}", fontsize=9)
    axes[0, 0].set_ylabel("first", fontsize=9)
    axes[1, 0].set_ylabel("second", fontsize=9)
    return fig


def balance_figure(freq: Sequence[float], balance: pd.DataFrame, expected: float) -> Any:
    """Left, each digit's share of the images against uniform; right, each draw's positive
    fraction against ``expected``: how far the data are from balanced, and by how much one
    draw moves (``balance`` from :func:`pairlib.balance.target_balance`)."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (ax_digits, ax_targets) = plt.subplots(1, 2, figsize=(6.4, 2.6))
    ax_digits.bar(range(10), 100 * np.asarray(freq), color="tab:blue")
    ax_digits.axhline(10, color="black", lw=0.8, ls="--", label="uniform")
    ax_digits.set_xticks(range(10))
    ax_digits.set(xlabel="digit", ylabel="share of images (%)", ylim=(0, 14))
    ax_digits.legend(loc="upper right", fontsize=8)
    for split, marker in (("train", "o"), ("test", "s")):
        sub = balance[balance["split"] == split]
        ax_targets.plot(sub["seed"], sub["positive_fraction"], marker=marker, ls="", label=split)
    ax_targets.axhline(expected, color="black", lw=0.8, ls="--", label="expected")
    ax_targets.set(xlabel="seed", ylabel="positive fraction", ylim=(0.45, 0.65))
    ax_targets.legend(fontsize=8, ncols=3, loc="upper center")
    return fig


def disk_points_figure(x: Any, labels: Any, radius: float, centre: tuple[float, float] = (0.5, 0.5)) -> Any:
    """The disk problem's points coloured by label, with the true circle: what the mini
    framework's network must learn, drawn from one round's training set."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.2, 4.6))
    for label, colour, name in ((1, "tab:green", "inside (label 1)"), (0, "tab:red", "outside (label 0)")):
        pts = x[labels == label].cpu()
        ax.scatter(pts[:, 0], pts[:, 1], s=6, c=colour, label=name)
    ax.add_patch(plt.Circle(centre, radius, fill=False, lw=1.5, color="k", label="true boundary"))
    ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", xlabel="$x_1$", ylabel="$x_2$")
    fig.legend(loc="outside lower center", ncol=3, fontsize=7)
    return fig
