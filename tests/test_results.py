"""The published per-round data recompute the book's comparisons, independently of pairlib.

results/rounds.csv holds every round behind the chapters' tables; results/comparisons.csv
every paired comparison. This test recomputes each comparison from the rounds with scipy
and a Holm adjustment written here, not pairlib's, as a referee would: mean difference,
paired-t p, Holm-adjusted p within the chapter, and the leave-one-round-out ``fragile`` flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pairlib.paths import RESULTS_DIR

ROUNDS = RESULTS_DIR / "rounds.csv"
COMPARISONS = RESULTS_DIR / "comparisons.csv"


def holm(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(len(p))
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def paired(diff: np.ndarray) -> tuple[float, float, float]:
    if np.std(diff, ddof=1) <= 1e-12 * max(1.0, abs(diff.mean())):
        return diff.mean(), diff.mean(), 1.0 if diff.mean() == 0 else 0.0
    test = stats.ttest_1samp(diff, 0.0)
    ci = test.confidence_interval(0.95)
    return ci.low, ci.high, test.pvalue


@pytest.fixture(scope="module")
def book() -> tuple[pd.DataFrame, pd.DataFrame]:
    if not (ROUNDS.is_file() and COMPARISONS.is_file()):
        pytest.fail("results/rounds.csv and results/comparisons.csv are part of the published record")
    return pd.read_csv(ROUNDS), pd.read_csv(COMPARISONS)


def differences(rounds: pd.DataFrame, row: pd.Series) -> np.ndarray:
    mine = rounds[rounds["chapter"] == row["chapter"]].pivot_table(
        index="seed", columns="model_id", values="test_error"
    )
    both = mine[[row["a"], row["b"]]].dropna()
    return (both[row["b"]] - both[row["a"]]).to_numpy()


def test_every_compared_model_has_its_rounds_in_its_chapter(book):
    rounds, comparisons = book
    known = set(zip(rounds["chapter"], rounds["model_id"], strict=True))
    missing = [
        (row.chapter, name)
        for row in comparisons.itertuples()
        for name in (row.a, row.b)
        if (row.chapter, name) not in known
    ]
    assert missing == []


def test_every_comparison_recomputes_from_the_rounds(book):
    rounds, comparisons = book
    for chapter, family in comparisons.groupby("chapter", sort=False):
        diffs = [differences(rounds, row) for _, row in family.iterrows()]
        assert [len(d) for d in diffs] == family["rounds"].tolist()
        np.testing.assert_allclose([d.mean() for d in diffs], family["mean_difference"], atol=1e-9)
        tests = [paired(d) for d in diffs]
        p = np.array([t[2] for t in tests])
        np.testing.assert_allclose(p, family["p_value"], rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(holm(p), family["p_adjusted"], rtol=1e-6, atol=1e-12)
        clear = (holm(p) < 0.05) & np.array([t[1] < 0 or t[0] > 0 for t in tests])
        assert clear.tolist() == family["clear"].astype(bool).tolist(), chapter
        fragile = []
        for i, d in enumerate(diffs):
            flips = False
            for r in range(len(d)):
                low, high, p_i = paired(np.delete(d, r))
                trial = p.copy()
                trial[i] = p_i
                flips |= bool((holm(trial)[i] < 0.05) and (high < 0 or low > 0)) != bool(clear[i])
            fragile.append(flips and len(d) >= 3)
        assert fragile == family["fragile"].astype(bool).tolist(), chapter


def test_every_row_of_every_chapter_table_has_its_rounds_in_the_rounds_table():
    """rounds.csv holds every round behind every table: a row of a chapter's results table
    with ``rounds`` = n has n rounds under its model id (the mini framework's rows once went
    missing when a frame mixed runs with and without an epoch column)."""
    rounds = pd.read_csv(ROUNDS)
    counts = rounds.groupby(["chapter", "model_id"]).size()
    missing = []
    for chapter in sorted(rounds["chapter"].unique()):
        table = pd.read_csv(RESULTS_DIR / f"{chapter}.csv")
        for _, row in table.iterrows():
            have = int(counts.get((chapter, row["model_id"]), 0))
            if have < int(row["rounds"]):
                missing.append(f"{chapter}: {row['model_id']} has {have} of {int(row['rounds'])} rounds")
    assert not missing, "\n".join(missing)
