"""Honest comparisons: every configuration sees the same pairs in round r, so compare per round.

Round-to-round variation (which 1000 pairs were drawn) is large next to most differences
between models; pairing the rounds removes it. :func:`paired_comparison` reports the mean
difference with its 95% paired-t confidence interval (the primary figure), the paired t-test
and, as a robustness check that does not assume normal differences, the exact Wilcoxon
signed-rank test. A chapter runs many comparisons, so :func:`adjust_family` corrects their
p-values together (Holm) before anything is called clear.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from pairlib.train import final_epoch

ALPHA = 0.05
"""The level of every test and the complement of every interval's coverage (95%)."""

TEST_NAME = "paired t, Holm within chapter; Wilcoxon exact as check"
"""What ``p_value`` and ``p_adjusted`` of a comparison are, as the comparisons table says it."""


def summarise(df: pd.DataFrame, by: str | list[str] = "name", metric: str = "test_error") -> pd.DataFrame:
    """Mean, std and count of ``metric`` over the rounds' final epochs, per configuration.

    ``count`` is the number of rounds that finished. Rounds that diverged (``run_grid(...,
    diverged="record")``) are counted in ``diverged``, and a configuration with any has no
    mean or std: an average over the rounds that happened to survive would flatter it.
    """
    final = final_epoch(df)
    grouped = final.groupby(by, sort=False)
    out = grouped[metric].agg(["mean", "std", "count"])
    out["diverged"] = grouped["diverged"].sum().astype(int) if "diverged" in final else 0
    out.loc[out["diverged"] > 0, ["mean", "std"]] = math.nan
    for extra in ("train_error", "test_digit_error", "seconds", "params"):
        if extra in final and extra != metric:
            out[extra] = grouped[extra].mean()
    return out


STUCK_TRAIN_ERROR = 40.0
"""A round that finished with a training error (%) at or above this learned nothing: on these
pairs a constant answer errs on 45-50% of them, and every model that learns ends far below."""


def failed_rounds(df: pd.DataFrame, name: str) -> dict[str, float]:
    """How the rounds of configuration ``name`` failed: ``diverged`` (the loss became NaN),
    ``stuck`` (finished, but at a training error of a constant answer), ``rounds`` in all, and
    the mean training error of the stuck ones. A configuration whose rounds did not diverge
    may still have learned nothing: counting divergences alone understates the failure."""
    final = final_epoch(df[df["name"] == name])
    diverged = final["diverged"].astype(bool) if "diverged" in final else pd.Series(False, index=final.index)
    stuck = ~diverged & (final["train_error"] >= STUCK_TRAIN_ERROR)
    return {
        "rounds": len(final),
        "diverged": int(diverged.sum()),
        "stuck": int(stuck.sum()),
        "stuck_train_error": float(final.loc[stuck, "train_error"].mean()) if stuck.any() else math.nan,
    }


def wilcoxon_exact(diff: Sequence[float] | np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p, exact: all 2^n sign flips of the differences enumerated.

    Errors are multiples of 0.1% (1000 test pairs), so tied and zero differences are common;
    scipy's ``method="exact"`` ignores them and its normal approximation is poor at 10 rounds,
    while enumerating the sign flips is exact with them. All differences zero: p = 1.
    """
    diff = np.asarray(diff, dtype=float)
    if not (diff != 0).any():
        return 1.0
    method = stats.PermutationMethod(n_resamples=math.inf)
    return float(stats.wilcoxon(diff, method=method).pvalue)


def wilcoxon_floor(rounds: int) -> float:
    """The smallest two-sided p an exact Wilcoxon test can give on ``rounds`` differences, 2/2^n:
    a p at this floor says only "every round went the same way"."""
    return 2.0 / 2**rounds


def paired_comparison(df: pd.DataFrame, a: str, b: str, metric: str = "test_error") -> dict[str, float]:
    """Compare configuration ``b`` against ``a`` round by round (positive: b has the higher metric).

    The interval and ``t_test_p`` come from scipy's paired t-test; when every round differs by
    the same amount (zero spread) the t statistic is undefined, and the interval is that one
    value, with p = 0 (or 1 when the difference is zero).
    """
    if a == b:
        raise ValueError(f"cannot compare {a!r} with itself")
    final = final_epoch(df).pivot_table(index="seed", columns="name", values=metric)
    both = final[[a, b]].dropna()
    if len(both) < 2:
        raise ValueError(f"need at least 2 rounds common to {a!r} and {b!r}, found {len(both)}")
    diff = both[b] - both[a]
    mean = float(diff.mean())
    low, high, t_p = paired_t(diff.to_numpy())
    return {
        "a": a,
        "b": b,
        "rounds": len(diff),
        "mean_a": float(both[a].mean()),
        "mean_b": float(both[b].mean()),
        "difference": mean,
        "ci_low": low,
        "ci_high": high,
        "t_test_p": t_p,
        "wilcoxon_p": wilcoxon_exact(diff.to_numpy()),
        "b_better_rounds": int((diff < 0).sum()),
        "differences": tuple(float(d) for d in diff),
    }


def paired_t(diff: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """The paired t-test of per-round differences b − a: the 95% interval of their mean and the
    two-sided p (scipy's one-sample t on the differences, which is the paired t). When every
    round differs by the same amount (zero spread) t is undefined: the interval is that value,
    with p = 0 (or 1 when the difference is zero)."""
    diff = np.asarray(diff, dtype=float)
    mean, sd = float(diff.mean()), float(diff.std(ddof=1))
    if sd > 1e-12 * max(1.0, abs(mean)):
        test = stats.ttest_1samp(diff, 0.0)
        interval = test.confidence_interval(1 - ALPHA)
        return float(interval.low), float(interval.high), float(test.pvalue)
    return mean, mean, (1.0 if mean == 0 else 0.0)


def mean_interval(values: Sequence[float] | np.ndarray | pd.Series) -> tuple[float, float, float]:
    """Mean of per-round values with its 95% t interval, for a mean set against a threshold or a
    published figure: the std across rounds describes one round, not how well the mean is known."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = half_width(values.std(ddof=1), len(values))
    return mean, mean - half, mean + half


def half_width(std: float, n: int) -> float:
    """The half-width of the 95% t interval of a mean of ``n`` values whose std is ``std``
    (NaN for fewer than two values): for a table that publishes mean, std and rounds."""
    if n < 2:
        return math.nan
    return float(stats.t.ppf(1 - ALPHA / 2, n - 1) * std / math.sqrt(n))


def reproduction_z(ours: tuple[float, float, int], published: tuple[float, float, int]) -> float:
    """The gap between our mean and a published one in standard errors: (ours − published) /
    sqrt(se_ours² + se_pub²), se = std/sqrt(rounds), each given as (mean, std, rounds).

    NaN when the report gave no std or no rounds: without them the gap has no scale.
    """
    (m1, s1, n1), (m2, s2, n2) = ours, published
    if any(not (isinstance(v, int | float) and math.isfinite(v)) for v in (m1, s1, n1, m2, s2, n2)):
        return math.nan
    if n1 < 1 or n2 < 1:
        return math.nan
    scale = math.sqrt(s1**2 / n1 + s2**2 / n2)
    return (m1 - m2) / scale if scale > 0 else math.nan


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values: reject where adjusted p < alpha, family-wise error <= alpha.

    Chosen over Benjamini-Hochberg because the book reads each "clear" verdict as a claim on its
    own, so every one should hold (family-wise error), not a proportion of them (false discovery
    rate); and because it is valid whatever the dependence between comparisons that share
    configurations. NaN p-values are left NaN and not counted.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, math.nan)
    known = np.flatnonzero(~np.isnan(p))
    order = known[np.argsort(p[known], kind="stable")]
    m = len(order)
    steps = (m - np.arange(m)) * p[order]
    out[order] = np.minimum(1.0, np.maximum.accumulate(steps))
    return out


def _clear(p_adjusted: np.ndarray, low: np.ndarray, high: np.ndarray, alpha: float) -> np.ndarray:
    return (p_adjusted < alpha) & ((high < 0) | (low > 0))


def fragile(table: pd.DataFrame, alpha: float = ALPHA) -> np.ndarray:
    """Per comparison of a family: whether leaving out one of its rounds (any one) flips its
    ``clear``, every other comparison of the family kept as it is (Holm over the same family).

    Why: with ten rounds, one round that failed to train can carry a verdict; a reader must
    know which verdicts rest on single rounds. Needs the ``differences`` column that
    :func:`paired_comparison` keeps (per-round b − a)."""
    p = table["t_test_p"].to_numpy(dtype=float)
    low, high = table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float)
    clear = _clear(holm(p), low, high, alpha)
    out = np.zeros(len(table), dtype=bool)
    for i, diffs in enumerate(table["differences"]):
        diffs = np.asarray(diffs, dtype=float)
        if len(diffs) < 3:  # one round left cannot be tested
            continue
        for r in range(len(diffs)):
            lo, hi, p_i = paired_t(np.delete(diffs, r))
            trial = p.copy()
            trial[i] = p_i
            if bool(_clear(holm(trial)[i : i + 1], np.array([lo]), np.array([hi]), alpha)[0]) != clear[i]:
                out[i] = True
                break
    return out


def _with_verdicts(table: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    # A comparison is clear when the adjusted p is below alpha AND the interval excludes zero.
    table = table.copy()
    table["p_adjusted"] = holm(table["t_test_p"].to_numpy())
    table["clear"] = _clear(
        table["p_adjusted"].to_numpy(), table["ci_low"].to_numpy(), table["ci_high"].to_numpy(), alpha
    )
    if "differences" in table:
        table["fragile"] = fragile(table, alpha)
    table["verdict"] = [verdict(row) for _, row in table.iterrows()]
    return table


def paired_table(
    df: pd.DataFrame, pairs: Iterable[tuple[str, str]], metric: str = "test_error"
) -> pd.DataFrame:
    """:func:`paired_comparison` for several (a, b) pairs, one row each (p-values not adjusted)."""
    return pd.DataFrame([paired_comparison(df, a, b, metric) for a, b in pairs])


def labelled_comparisons(
    df: pd.DataFrame, comparisons: Iterable[tuple[str, str, str]], metric: str = "test_error"
) -> pd.DataFrame:
    """:func:`paired_table` for ``(label, a, b)`` triples, with the label, Holm-adjusted p-values
    and a verdict: the form every chapter's comparison tables and figures start from.

    The adjustment here is within this table alone; a chapter passes all its tables through
    :func:`adjust_family` so that the family is the chapter.
    """
    comparisons = list(comparisons)
    table = paired_table(df, [(a, b) for _, a, b in comparisons], metric)
    table.insert(0, "comparison", [label for label, _, _ in comparisons])
    return _with_verdicts(table)


def adjust_family(tables: Mapping[str, pd.DataFrame], alpha: float = ALPHA) -> dict[str, pd.DataFrame]:
    """Holm-adjust the comparisons of several :func:`labelled_comparisons` tables together.

    A chapter's tables are one family: correcting each table alone would let a chapter that
    splits its tests into small tables call more of them clear. Returns the same tables (same
    keys, order and rows) with ``p_adjusted``, ``clear`` and ``verdict`` recomputed.
    """
    if not tables:
        return {}
    whole = pd.concat(
        [t.assign(_table=key, _row=range(len(t))) for key, t in tables.items()], ignore_index=True
    )
    whole = _with_verdicts(whole, alpha)
    return {
        key: whole[whole["_table"] == key].drop(columns=["_table", "_row"]).reset_index(drop=True)
        for key in tables
    }


def verdict(row: pd.Series | Mapping, alpha: float = ALPHA) -> str:
    """A plain-words reading of one paired comparison: clear only when the (adjusted) p is
    below ``alpha`` and the 95% interval excludes zero.

    Uses ``p_adjusted`` when the row has it (every table from :func:`labelled_comparisons`
    does), else the raw paired-t p of a single comparison.
    """
    p = row["p_adjusted"] if "p_adjusted" in row else row["t_test_p"]
    if p < alpha and row["ci_high"] < 0:
        return f"{row['b']} is better"
    if p < alpha and row["ci_low"] > 0:
        return f"{row['a']} is better"
    return "no clear difference"


def sweep_cells(summary: pd.DataFrame, names: Mapping[tuple[float, float], str]) -> pd.DataFrame:
    """A (learning rate, weight) sweep as one row per cell (lr, lambda, mean, std), from the
    :func:`summarise` of its runs and the name each cell was trained under; the lowest mean
    is the cell a validation search chooses."""
    return pd.DataFrame(
        [
            {"lr": lr, "lambda": w, "mean": summary.loc[name, "mean"], "std": summary.loc[name, "std"]}
            for (lr, w), name in names.items()
        ]
    )


def first_epoch_below(band: pd.DataFrame, threshold: float) -> int | None:
    """The first epoch whose mean (``band`` from :func:`pairlib.curves.epoch_band`) is below
    ``threshold``, or None: when a model leaves its initial plateau, on average over rounds."""
    reached = band.index[band["mean"] < threshold]
    return int(reached[0]) if len(reached) else None
