"""Ensembles read from their members' predictions, and how well calibrated a model's answers are.

An ensemble averages its members' digit probabilities. Trained as one configuration
(``TrainConfig.ensemble``), an ensemble of 10 is one cached run, and an ensemble of 5 another
whose members are the first 5 of it, trained again. Trained instead one member per run
(``TrainConfig.first_member``), every prefix of the ensemble is read from the same runs: a
cost-error frontier over 1, 2, 5 and 10 members costs 10 members, not 18. Averaging the
members' stored probabilities gives the ensemble's outputs exactly as
:class:`pairlib.models.Ensemble` computes them (up to float rounding).

The calibration scores are those of the pair answer P(d1 <= d2): its negative log-likelihood
and Brier score, and the reliability table a diagram is drawn from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from pairlib.analysis import RoundPredictions
from pairlib.fitting import TrainConfig

_EPS = 1e-7


def member_name(name: str, member: int) -> str:
    """The run name of ``member`` (from 0) of the ensemble ``name``."""
    return f"{name} | member {member}"


def member_configs(name: str, config: TrainConfig, members: int | None = None) -> dict[str, TrainConfig]:
    """One single-model configuration per member of ``config``'s ensemble (or of ``members``).

    Member k draws its initial weights, order, augmentation and dropout exactly as member k of
    ``config.replace(ensemble=members)`` does, so the runs can be averaged into any prefix.
    """
    count = config.ensemble if members is None else members
    if count < 1:
        raise ValueError(f"members must be >= 1, got {count}")
    return {member_name(name, k): config.replace(ensemble=1, first_member=k) for k in range(count)}


def _mean_probabilities(log_probabilities: Sequence[np.ndarray], already_log: bool) -> np.ndarray:
    """log of the mean of the members' probabilities (raw logits when not ``already_log``)."""
    total = 0.0
    for values in log_probabilities:
        if already_log:
            total = total + np.exp(values)
        else:
            shifted = np.exp(values - values.max(-1, keepdims=True))
            total = total + shifted / shifted.sum(-1, keepdims=True)
    return np.log(np.maximum(total / len(log_probabilities), _EPS)).astype(np.float32)


def ensemble_predictions(
    predictions: Iterable[RoundPredictions], name: str, size: int, label: str | None = None
) -> list[RoundPredictions]:
    """The ensemble of the first ``size`` members of ``name`` (runs named by :func:`member_name`),
    round by round, named ``label`` (default ``name``). Its time is the members' total."""
    by_round: dict[int, dict[int, RoundPredictions]] = {}
    prefix = member_name(name, 0)[: -len("0")]
    for prediction in predictions:
        if prediction.name.startswith(prefix):
            by_round.setdefault(prediction.round, {})[int(prediction.name[len(prefix) :])] = prediction
    if not by_round:
        raise KeyError(f"no member runs of {name!r}")
    ensembles = []
    for round_, members in sorted(by_round.items()):
        missing = [k for k in range(size) if k not in members]
        if missing:
            raise KeyError(f"{name!r} round {round_}: members {missing} were not trained")
        chosen = [members[k] for k in range(size)]
        first = chosen[0]
        tta = None
        if all(m.tta_digits is not None for m in chosen):
            tta = _mean_probabilities([m.tta_digits for m in chosen], already_log=True)
        ensembles.append(
            RoundPredictions(
                name=label or name,
                round=round_,
                seed=first.seed,
                epochs=first.epochs,
                params=sum(m.params for m in chosen),
                seconds=sum(m.seconds for m in chosen),
                classes=first.classes,
                digits=_mean_probabilities([m.digits for m in chosen], already_log=False),
                target_probability=np.mean([m.target_probability for m in chosen], axis=0),
                tta_digits=tta,
            )
        )
    return ensembles


def calibration_scores(probability: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """Negative log-likelihood (nats per pair) and Brier score of P(d1 <= d2) against the truth.

    Both are proper scores: lower is better, and only honest probabilities minimise them. The
    NLL punishes a confident wrong answer without bound (probabilities are clipped at 1e-7).
    """
    p = np.clip(np.asarray(probability, dtype=float), _EPS, 1 - _EPS)
    y = np.asarray(target, dtype=float)
    return {
        "nll": float(-(y * np.log(p) + (1 - y) * np.log1p(-p)).mean()),
        "brier": float(((p - y) ** 2).mean()),
    }


def reliability_table(probability: np.ndarray, target: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Pairs binned by the probability given to d1 <= d2: per bin the count, the mean
    probability and the observed fraction of d1 <= d2 (equal on a calibrated model)."""
    p = np.asarray(probability, dtype=float)
    y = np.asarray(target, dtype=float)
    index = np.minimum((p * bins).astype(int), bins - 1)
    rows = [
        {
            "low": k / bins,
            "high": (k + 1) / bins,
            "pairs": int((index == k).sum()),
            "mean_probability": float(p[index == k].mean()),
            "observed": float(y[index == k].mean()),
        }
        for k in range(bins)
        if (index == k).any()
    ]
    return pd.DataFrame(rows)
