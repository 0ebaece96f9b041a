"""How balanced the course's digit pairs are: targets per draw and digits over all draws.

The pairs chapter needs the floor every model must clear (always answering 1) and whether
the branches see every digit often enough. Both come from the draws themselves, under the
same protocol as the experiments (round r draws from seed r), not from MNIST's label counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from pairlib.data import generate_pair_sets


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
