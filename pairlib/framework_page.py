"""What the mini-framework chapter reads off its runs: the grid search's slices and main
effects, and where a framework run's time goes.

Kept apart from :mod:`pairlib.framework_study` (which runs them) so that the runs' module
holds the design and this one the words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pairlib.page import mean_std, mean_std_column

ACTIVATION_CODES = {"tanh": "T", "relu": "R"}
"""One letter per activation, so that a combination reads "TRRT" (Tanh, ReLU, ReLU, Tanh)."""


def activation_code(activations: Sequence[str]) -> str:
    """ "TRRT" for ("tanh", "relu", "relu", "tanh"): the grid search's name for a combination."""
    return "".join(ACTIVATION_CODES[a] for a in activations)


def grid_frame(settings: Mapping[str, Any], runs: Mapping[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """One row per run of a grid search: the setting's name, its activations as a code, learning
    rate and weight decay, and the run's validation error (its ``test_error`` on a validation
    draw). ``settings`` are :class:`pairlib.framework_study.Setting` objects by name."""
    return pd.DataFrame(
        [
            {
                "setting": name,
                "acts": activation_code(setting.activations),
                "lr": setting.lr,
                "wd": setting.weight_decay,
                "val_error": run["test_error"],
            }
            for name, setting in settings.items()
            for run in runs[name]
        ]
    )


def activation_effects(means: pd.Series) -> list[float]:
    """Main effect of each layer's activation in a full 2^k grid of activation codes: the mean
    error with ReLU after layer k minus the mean with Tanh there, averaged over the other
    layers (negative: ReLU does better). ``means`` is indexed by code."""
    layers = len(means.index[0])
    return [
        float(
            means[[code[k] == "R" for code in means.index]].mean()
            - means[[code[k] == "T" for code in means.index]].mean()
        )
        for k in range(layers)
    ]


def time_profile(pair_runs: pd.DataFrame) -> tuple[pd.Series, float]:
    """Where a framework run's training loop spends its time: seconds per stage (the
    ``profile_*`` columns, mean over runs), with what the stages do not cover as "other (batch
    indexing, Python)", largest first; and the whole loop's seconds."""
    profile = pair_runs.filter(like="profile_").mean().rename(lambda c: c.removeprefix("profile_"))
    loop = float(profile.pop("training loop"))
    profile["other (batch indexing, Python)"] = loop - profile.sum()
    return profile.sort_values(ascending=False), loop


def settings_display(summary: pd.DataFrame, published: pd.Series, published_label: str) -> pd.DataFrame:
    """A :func:`pairlib.framework_study.summary_table` as the page shows it, the published row
    (a row of ``published.csv``, one run: no spread, no worst round) first, so that every row
    of ours reads against it."""
    ours = pd.DataFrame(
        {
            "setting": summary.setting,
            "train error (%)": mean_std_column(summary.train_mean, summary.train_std),
            "test error (%)": mean_std_column(summary.test_mean, summary.test_std),
            "worst test error (%)": summary.test_worst.map(lambda v: f"{v:.1f}"),
        }
    )
    theirs = pd.DataFrame(
        {
            "setting": [published_label],
            "train error (%)": [mean_std(published.train_error_mean_pct, float("nan"))],
            "test error (%)": [mean_std(published.test_error_mean_pct, published.test_error_std_pct)],
            "worst test error (%)": [""],
        }
    )
    return pd.concat([theirs, ours], ignore_index=True)
