"""The learning-curve bands average the rounds epoch by epoch and draw exactly that."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pairlib import curves
from pairlib.curves import epoch_band, plot_band


def frame() -> pd.DataFrame:
    # Two rounds of three epochs; the test error only at the last epoch, as record="final" does.
    return pd.DataFrame(
        {
            "round": [0, 0, 0, 1, 1, 1],
            "epoch": [1, 2, 3, 1, 2, 3],
            "loss": [2.0, 1.0, 0.5, 4.0, 3.0, 0.5],
            "test_error": [math.nan, math.nan, 10.0, math.nan, math.nan, 20.0],
        }
    )


def test_band_is_the_mean_and_std_over_rounds_per_epoch():
    band = epoch_band(frame(), "loss")
    assert band.index.tolist() == [1, 2, 3]
    assert band["mean"].tolist() == [3.0, 2.0, 0.5]
    assert band["std"].iloc[0] == np.std([2.0, 4.0], ddof=1)
    assert band["std"].iloc[2] == 0.0


def test_missing_epochs_are_left_out_not_averaged_as_zero():
    band = epoch_band(frame(), "test_error")
    assert band.index.tolist() == [3] and band["mean"].iloc[0] == 15.0


def test_plot_band_draws_the_mean_and_a_band_around_it():
    fig, ax = plt.subplots()
    band = plot_band(ax, frame(), "loss", "model", "tab:blue")
    (line,) = ax.get_lines()
    assert line.get_label() == "model"
    assert np.allclose(line.get_ydata(), band["mean"])
    (poly,) = ax.collections
    lower, upper = poly.get_paths()[0].vertices[:, 1].min(), poly.get_paths()[0].vertices[:, 1].max()
    assert np.isclose(lower, (band["mean"] - band["std"]).min())
    assert np.isclose(upper, (band["mean"] + band["std"]).max())
    plt.close(fig)


def test_paired_differences_figure_draws_every_round_of_every_comparison():
    import matplotlib

    matplotlib.use("Agg")
    from pairlib.curves import paired_differences_figure
    from pairlib.stats import labelled_comparisons

    rows = [
        {"name": name, "round": r, "seed": r, "epoch": 1, "test_error": 20.0 - shift + (r % 3)}
        for name, shift in (("a", 0.0), ("b", 2.0), ("c", -1.0))
        for r in range(6)
    ]
    df = pd.DataFrame(rows)
    tables = {
        "x": labelled_comparisons(df, [("a to b", "a", "b")]),
        "y": labelled_comparisons(df, [("a to c", "a", "c")]),
    }
    fig = paired_differences_figure(df, tables, {"x": "tab:green", "y": "tab:orange"})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a to b", "a to c"]
    assert ax.yaxis_inverted()  # seaborn's categorical axis: the first comparison on top
    dots = [c.get_offsets() for c in ax.collections if len(c.get_offsets()) == 6]
    assert sorted(round(float(d[:, 0].mean()), 6) for d in dots) == [-2.0, 1.0]


def test_round_errors_figure_shows_each_round_mean_and_published_figure():
    from pairlib.configs import published_means
    from pairlib.curves import round_errors_figure

    df = pd.DataFrame(
        [
            {"name": name, "round": r, "seed": r, "epoch": 1, "test_error": base + r}
            for name, base in (("004/WS", 10.0), ("ours", 20.0))
            for r in range(4)
        ]
    )
    published = published_means(["004/WS", "ours"])
    assert published == {"004/WS": 12.3}  # only names that reproduce a report's row
    fig = round_errors_figure(df, ["004/WS", "ours"], {"004/WS": "tab:blue", "ours": "tab:green"}, published)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["004/WS", "ours"] and ax.yaxis_inverted()
    rounds = [c.get_offsets() for c in ax.collections if len(c.get_offsets()) == 4]
    assert [sorted(r[:, 0].tolist()) for r in rounds] == [[10, 11, 12, 13], [20, 21, 22, 23]]
    assert ax.get_lines()[0].get_xdata().tolist() == [11.5, 21.5]  # seaborn's means
    crosses = [c.get_offsets() for c in ax.collections if len(c.get_offsets()) == 1]
    assert [tuple(c[0]) for c in crosses] == [(12.3, 0.0)]
    # the same figure twice: seeded jitter, identical dots
    colours = {"004/WS": "tab:blue", "ours": "tab:green"}
    again = round_errors_figure(df, ["004/WS", "ours"], colours, published)
    assert (again.axes[0].collections[0].get_offsets() == ax.collections[0].get_offsets()).all()


def test_runs_figure_draws_each_panels_own_runs():
    import pandas as pd

    from pairlib.curves import runs_figure

    df = pd.DataFrame(
        {
            "name": ["a", "a", "b", "b"],
            "round": [0, 0, 0, 0],
            "epoch": [1, 2, 1, 2],
            "loss": [1.0, 0.5, 2.0, 1.0],
        }
    )
    fig = runs_figure(df, {"left": {"A": "a"}, "right": {"B": "b", "A": "a"}}, "loss", "loss")
    left, right = fig.axes
    assert [line.get_label() for line in left.lines] == ["A"]
    assert [line.get_label() for line in right.lines] == ["B", "A"]
    assert list(right.lines[0].get_ydata()) == [2.0, 1.0]


def test_the_scorecard_figure_of_a_book_with_no_reproduced_figure_yet_is_empty_not_an_error():
    # A fork that builds only some chapters has an empty scorecard: the summary must still run.
    from pairlib.page import reproduction_scorecard

    empty = reproduction_scorecard({}, pd.DataFrame(columns=["report", "model_id", "test_error_mean_pct"]))
    fig = curves.scorecard_figure(empty)
    assert fig.axes[0].get_xlim() == (0.0, 1.0)
