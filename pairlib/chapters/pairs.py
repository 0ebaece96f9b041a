"""The data chapter: how the course's pairs are drawn, how balanced their targets are, and every
digit-pair model the five reports published, read from ``results/published.csv``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from pairlib.data import generate_pair_sets
from pairlib.page import mean_std_column, report_label


def target_balance(n_pairs: int, rounds: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Draw rounds 0..rounds-1 as the experiments do; return the per-set fractions and the
    digit frequencies.

    The frame has one row per draw and split (seed, split, n_pairs, positive_fraction,
    equal_fraction); the array holds the share of each digit 0..9 among all images drawn.
    """
    records, digit_counts = [], np.zeros(10)
    for r in range(rounds):
        draw = generate_pair_sets(n_pairs, seed=r)
        for split, target, classes in (
            ("train", draw.train_target, draw.train_classes),
            ("test", draw.test_target, draw.test_classes),
        ):
            records.append(
                {
                    "seed": r,
                    "split": split,
                    "n_pairs": n_pairs,
                    "positive_fraction": target.float().mean().item(),
                    "equal_fraction": (classes[:, 0] == classes[:, 1]).float().mean().item(),
                }
            )
            digit_counts += torch.bincount(classes.flatten(), minlength=10).numpy()
    return pd.DataFrame(records), digit_counts / digit_counts.sum()


def expected_positive(freq: np.ndarray) -> float:
    """P(first digit <= second) for two independent digits drawn with frequencies ``freq``:
    the positive rate a large draw would give, against which a single draw's noise shows."""
    return float(sum(freq[i] * freq[j] for i in range(10) for j in range(10) if i <= j))


def balance_by_split(balance: pd.DataFrame) -> pd.DataFrame:
    """Mean, std, min, max of the positive fraction and the number of draws, per split."""
    stats = balance.groupby("split")["positive_fraction"].agg(["mean", "std", "min", "max"])
    return stats.assign(draws=balance.groupby("split").size())


def balance_facts(balance: pd.DataFrame, freq: np.ndarray, n_pairs: int) -> dict[str, float]:
    """The figures the pairs chapter quotes, by glue name: what the draws say about the
    targets (rates, spread against pure sampling noise, the always-1 error) and the digits."""
    by_split = balance_by_split(balance)
    return {
        "expected_positive": expected_positive(freq),
        "train_positive": by_split.loc["train", "mean"],
        "test_positive": by_split.loc["test", "mean"],
        "positive_min": balance["positive_fraction"].min(),
        "positive_max": balance["positive_fraction"].max(),
        "sampling_sd": (0.55 * 0.45 / n_pairs) ** 0.5,
        "trivial_error": 100 * (1 - by_split.loc["test", "mean"]),
        "draw_sd": balance["positive_fraction"].std(),
        "draws": len(balance),
        "most_common": int(freq.argmax()),
        "most_common_pct": 100 * freq.max(),
        "least_common": int(freq.argmin()),
        "least_common_pct": 100 * freq.min(),
    }


def balance_table(by_split: pd.DataFrame) -> pd.DataFrame:
    """The target-balance table: per split, the draws and the positive fraction's mean ± std,
    min and max (``by_split`` from :func:`pairlib.balance.balance_by_split`)."""
    return pd.DataFrame(
        {
            "set": by_split.index,
            "draws": by_split["draws"].to_numpy(),
            "positive fraction": mean_std_column(by_split["mean"], by_split["std"], 3),
            "min": by_split["min"].to_numpy(),
            "max": by_split["max"].to_numpy(),
        }
    )


def pair_models(published: pd.DataFrame) -> pd.DataFrame:
    """The published rows of digit-pair models (the mini-framework's rows have no sharing)."""
    return published[published["weight_sharing"] != "n/a"]


def published_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Every published digit-pair result, one row each: report, model, the two switches the
    book studies, comparator, loss, rounds and the test error as mean ± std."""
    return pd.DataFrame(
        {
            "report": rows["report"].map(lambda r: report_label(r, cite=False, short=True)),
            "model": rows["model_id"],
            "WS": rows["weight_sharing"],
            "aux": rows["aux_loss"],
            "comparator": rows["comparator"],
            "loss": rows["loss"],
            "rounds": rows["rounds"],
            "test error (%)": mean_std_column(rows["test_error_mean_pct"], rows["test_error_std_pct"]),
        }
    )


def published_facts(rows: pd.DataFrame) -> dict[str, float | str]:
    """What the pairs chapter says of the published results, by glue name: the best and the
    worst model and the mean error of models that use the digit labels against those that
    do not (an uncontrolled contrast the later chapters take apart)."""
    errors = rows["test_error_mean_pct"]
    best, worst = rows.loc[errors.idxmin()], rows.loc[errors.idxmax()]
    labels = rows["aux_loss"] != "no"
    return {
        "n_published": len(rows),
        "best_model": best["model_id"],
        "best_report": report_label(best["report"], cite=False),
        "best_error": best["test_error_mean_pct"],
        "best_description": best["description"],
        "worst_model": worst["model_id"],
        "worst_report": report_label(worst["report"], cite=False),
        "worst_error": worst["test_error_mean_pct"],
        "n_labels": int(labels.sum()),
        "n_targets_only": int((~labels).sum()),
        "labels_error": errors[labels].mean(),
        "targets_only_error": errors[~labels].mean(),
    }
