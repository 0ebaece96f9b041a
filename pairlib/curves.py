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
    fig.legend(handles=handles, fontsize=TICK_SIZE, loc="outside lower center", ncols=len(handles))
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


VERDICT_COLOURS = {
    "reproduced": "#029e73",
    "we are better": "#0173b2",
    "we are worse": "#d55e00",
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
    for row in scorecard[scorecard["verdict"] != "reproduced"].itertuples():
        above = row.mean >= row.published_mean  # labels away from the diagonal, on the point's side
        ax.annotate(
            f"{row.report}/{row.published_model_id}",
            (row.published_mean, row.mean),
            textcoords="offset points",
            xytext=(-4, 5) if above else (5, -9),
            ha="right" if above else "left",
            fontsize=6,
            color="0.25",
        )
    ax.set(xlim=(0, top), ylim=(0, top), xlabel="published test error (%)", ylabel="our test error (%)")
    ax.set_aspect("equal")
    if len(scorecard):
        ax.legend(fontsize=TICK_SIZE, loc="upper left")
    return fig


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


def _text_colour(image: Any, value: float) -> str:
    """Black or white, whichever reads on the colour ``image`` gives ``value`` (its luminance)."""
    red, green, blue, _ = image.cmap(image.norm(value))
    return "white" if 0.299 * red + 0.587 * green + 0.114 * blue < 0.5 else "black"


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
    ax.set(xscale="log", xlabel="auxiliary weight λ", ylabel="validation error (%)", title=f"lr {lr:g}")
    ax.legend(fontsize=7)
    ax = axes[1]
    heat = cells[cells["lambda"].isin(heat_weights) & cells["lr"].isin(lrs)]
    matrix = heat.pivot_table(index="lr", columns="lambda", values="mean").loc[list(lrs), list(heat_weights)]
    values = matrix.to_numpy()
    image = ax.imshow(values, cmap="viridis_r", aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=8, color=_text_colour(image, value))
    ax.set_xticks(range(len(heat_weights)), [f"{w:g}" for w in heat_weights])
    ax.set_yticks(range(len(lrs)), [f"{x:g}" for x in lrs])
    ax.set(xlabel="auxiliary weight λ", ylabel="Adam learning rate")
    fig.colorbar(image, ax=ax, label="validation error (%)", shrink=0.9)
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


def power_figure(curves: Mapping[str, pd.DataFrame]) -> Any:
    """Test error against the power p of report 000's comparator (mean ± std per power, from
    :func:`pairlib.comparator_page.power_curves`): left, the models trained on the classes read
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
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    image = ax.imshow(off, cmap="Reds")
    for i in range(10):
        for j in range(10):
            if i != j and counts[i, j]:
                colour = _text_colour(image, float(counts[i, j]))
                ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=6.5, color=colour)
    ax.set(xticks=range(10), yticks=range(10), xlabel="read as", ylabel="true digit")
    fig.colorbar(image, ax=ax, shrink=0.8, label="misread images")
    return fig


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
        axes[0, k].set_title(f"P={row['p_true']:.2f}", fontsize=7)
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


def _interval(row: Any) -> tuple[float, float]:
    """A results-table row's mean and the half-width of its 95% confidence interval (t)."""
    from scipy import stats

    n = int(row["rounds"])
    half = stats.t.ppf(0.975, n - 1) * float(row["test_error_std_pct"]) / n**0.5 if n > 1 else 0.0
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
            f"{mean:.1f}", (mean, -k), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7
        )
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
