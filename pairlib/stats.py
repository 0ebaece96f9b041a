"""Honest comparisons: every configuration sees the same pairs in round r, so compare per round.

Round-to-round variation (which 1000 pairs were drawn) is large next to most differences
between models; pairing the rounds removes it. :func:`paired_comparison` reports the mean
difference with a 95% t confidence interval, the paired t-test and the Wilcoxon signed-rank
test (which does not assume normal differences).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
from scipy import stats

from pairlib.train import final_epoch


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


def paired_comparison(df: pd.DataFrame, a: str, b: str, metric: str = "test_error") -> dict[str, float]:
    """Compare configuration ``b`` against ``a`` round by round (positive: b has the higher metric)."""
    final = final_epoch(df).pivot_table(index="seed", columns="name", values=metric)
    both = final[[a, b]].dropna()
    if len(both) < 2:
        raise ValueError(f"need at least 2 rounds common to {a!r} and {b!r}, found {len(both)}")
    diff = both[b] - both[a]
    n = len(diff)
    mean, sd = diff.mean(), diff.std(ddof=1)
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) if sd > 0 else 0.0
    t_p = stats.ttest_rel(both[b], both[a]).pvalue if sd > 0 else (1.0 if mean == 0 else 0.0)
    w_p = stats.wilcoxon(diff).pvalue if (diff != 0).any() else 1.0
    return {
        "a": a,
        "b": b,
        "rounds": n,
        "mean_a": both[a].mean(),
        "mean_b": both[b].mean(),
        "difference": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "t_test_p": float(t_p),
        "wilcoxon_p": float(w_p),
        "b_better_rounds": int((diff < 0).sum()),
    }


def paired_table(
    df: pd.DataFrame, pairs: Iterable[tuple[str, str]], metric: str = "test_error"
) -> pd.DataFrame:
    """:func:`paired_comparison` for several (a, b) pairs, one row each."""
    return pd.DataFrame([paired_comparison(df, a, b, metric) for a, b in pairs])


def labelled_comparisons(
    df: pd.DataFrame, comparisons: Iterable[tuple[str, str, str]], metric: str = "test_error"
) -> pd.DataFrame:
    """:func:`paired_table` for ``(label, a, b)`` triples, with the label and a verdict column:
    the form every chapter's comparison tables and figures start from."""
    comparisons = list(comparisons)
    table = paired_table(df, [(a, b) for _, a, b in comparisons], metric)
    table.insert(0, "comparison", [label for label, _, _ in comparisons])
    table["verdict"] = [verdict(row) for _, row in table.iterrows()]
    return table


def verdict(row: pd.Series | dict, alpha: float = 0.05) -> str:
    """A plain-words reading of one paired comparison."""
    if row["ci_high"] < 0 and row["wilcoxon_p"] < alpha:
        return f"{row['b']} is better"
    if row["ci_low"] > 0 and row["wilcoxon_p"] < alpha:
        return f"{row['a']} is better"
    return "no clear difference"


def results_table(df: pd.DataFrame, published: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """A chapter's tidy results: one row per configuration, in the columns the summary reads.

    ``published`` maps a configuration name to the (report prefix, model_id) of the published
    row it reproduces; by default the registry's own mapping (names like ``"002/AL4"``).
    """
    from pairlib.configs import PUBLISHED_ROW
    from pairlib.published import published_row

    mapping = PUBLISHED_ROW if published is None else published
    summary = summarise(df)
    rows = []
    for name, row in summary.iterrows():
        report, model_id = "", ""
        if name in mapping:
            found = published_row(*mapping[name])
            report, model_id = found["report"], found["model_id"]
        rows.append(
            {
                "model_id": name,
                "rounds": int(row["count"] + row["diverged"]),
                "diverged_rounds": int(row["diverged"]),
                "params": int(row["params"]),
                "test_error_mean_pct": row["mean"],
                "test_error_std_pct": row["std"],
                "train_error_mean_pct": row.get("train_error", math.nan),
                "test_digit_error_mean_pct": row.get("test_digit_error", math.nan),
                "seconds_per_run": row.get("seconds", math.nan),
                "report": report,
                "published_model_id": model_id,
            }
        )
    return pd.DataFrame(rows)
