"""What a siamese pair model's digit outputs are worth, and where its errors come from.

The comparator chapter asks three things that the rounds protocol of :mod:`pairlib.train`
does not answer by itself, because ``run_grid`` keeps a run's error rates, not its outputs:

* **Readouts.** A model trained on the digit classes only never sees its comparator during
  training (no gradient reaches the branch through it), so any comparator can be applied
  afterwards to the two digit outputs it produced: report 000's power-p rule for every p,
  the exact probability P(d1 <= d2), report 003's argmax compare. One training then answers
  a whole sweep, and the comparison between readouts is exactly paired (same weights).
* **Error analysis.** Which pairs a model gets wrong: the branch's confusion matrix, the
  errors by digit gap |d1 - d2|, how often a misread digit flips the answer, the worst pairs.
* **Test-time augmentation.** Digit probabilities averaged over the test images shifted by
  one pixel, the evaluation-side twin of ``TrainConfig.augment_shift``.

:func:`fit_predictions` reads the very runs ``run_grid`` trains (same seeds, same pairs, same
cache entry: the model state stored beside its rows, :func:`pairlib.train.from_trained`),
training only those no ``run_grid`` has stored yet, and keeps, for every test pair, both digit
outputs and the model's own probability of the target. These are cached beside the runs.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from pairlib import cache, train
from pairlib.data import generate_pair_sets
from pairlib.models import ArgmaxComparator, ExactComparator, PowerComparator
from pairlib.runner import Protocol, resolve_device
from pairlib.train import Fitted, RoundJob, TrainConfig, target_probability

#: The views averaged by test-time augmentation: the image itself and its four one-pixel shifts.
TTA_OFFSETS: tuple[tuple[int, int], ...] = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1))

_EPS = 1e-7


# --------------------------------------------------------------------------- predictions


@dataclass(frozen=True)
class RoundPredictions:
    """One round of one configuration: the test pairs' truth and what the model output.

    ``digits`` holds the raw digit outputs (N, 2, 10) (for an ensemble, the log of the
    members' averaged probabilities); ``tta_digits`` the log of the digit probabilities
    averaged over :data:`TTA_OFFSETS`, when asked for. ``target_probability`` is the model's
    own P(d1 <= d2), from whatever comparator it was trained with.
    """

    name: str
    round: int
    seed: int
    epochs: int
    params: int
    seconds: float
    classes: np.ndarray  # (N, 2) int: the true digits
    digits: np.ndarray  # (N, 2, 10) float32
    target_probability: np.ndarray  # (N,) float
    tta_digits: np.ndarray | None = None

    @property
    def target(self) -> np.ndarray:
        """1 where the first digit is less than or equal to the second."""
        return (self.classes[:, 0] <= self.classes[:, 1]).astype(int)


def shift_by(images: torch.Tensor, dy: int, dx: int, fill: float) -> torch.Tensor:
    """Every image of (..., H, W) moved dy pixels down and dx right; the border is ``fill``."""
    if dy == 0 and dx == 0:
        return images
    h, w = images.shape[-2:]
    m = max(abs(dy), abs(dx))
    padded = F.pad(images, (m, m, m, m), value=fill)
    return padded[..., m - dy : m - dy + h, m - dx : m - dx + w]


@torch.inference_mode()
def averaged_digit_log_probabilities(
    model: nn.Module, inputs: torch.Tensor, offsets: Sequence[tuple[int, int]], fill: float
) -> torch.Tensor:
    """log of the digit probabilities (N, 2, 10) averaged over shifted copies of ``inputs``.

    With ``offsets=((0, 0),)`` this is the plain log-softmax of the digit outputs.
    """
    was_training = model.training
    model.eval()
    total = sum(model(shift_by(inputs, dy, dx, fill)).digits.softmax(-1) for dy, dx in offsets)
    model.train(was_training)
    return (total / len(offsets)).clamp_min(_EPS).log()


def _predictions(job: RoundJob, fitted: Fitted, tta: bool) -> dict[str, Any]:
    """The test pairs' outputs of one round's trained model (in a worker)."""
    model, data = fitted.model, fitted.data
    model.eval()
    with torch.inference_mode():
        out = model(data.test_input)
        entry: dict[str, Any] = {
            "rows": fitted.rows,
            "classes": data.test_classes.cpu().tolist(),
            "digits": out.digits.float().cpu().tolist(),
            "target_probability": target_probability(out.target).float().cpu().tolist(),
            "tta_digits": None,
        }
        if tta:
            fill = data.train_input.min().item()  # the background, as in training
            averaged = averaged_digit_log_probabilities(model, data.test_input, TTA_OFFSETS, fill)
            entry["tta_digits"] = averaged.float().cpu().tolist()
    return entry


def _key(job: RoundJob, device: torch.device, tta: bool) -> str:
    return cache.entry_key(
        {
            "analysis": "predictions",
            "config": dataclasses.asdict(job.config),
            "seed": job.seed,
            "device": device.type,
            "threads": 1 if device.type == "cpu" else None,
            "tta": tta,
        },
        "predictions",
    )


def fit_predictions(
    configs: Mapping[str, TrainConfig],
    protocol: Protocol,
    tta: bool = False,
    use_cache: bool = True,
) -> tuple[pd.DataFrame, list[RoundPredictions]]:
    """Train every configuration for ``rounds`` rounds and keep its test predictions.

    Returns the tidy frame ``run_grid(..., record="final")`` would return (same columns,
    errors in percent, so it stacks with ``run_grid`` frames for ``paired_comparison``) and
    one :class:`RoundPredictions` per configuration and round. Every configuration must
    be siamese (it needs digit outputs). With ``tta``, test-time augmented digit outputs are
    recorded too.
    """
    rounds, seed, device, workers, _ = astuple(protocol)  # the fields, in order
    for name, config in configs.items():
        if config.model.layout != "siamese":
            raise ValueError(f"{name}: predictions need digit outputs, which a merged model lacks")
    resolved = resolve_device(device)
    workers = train.default_workers(resolved) if workers is None else workers
    jobs = [RoundJob(name, config, r, seed + r) for name, config in configs.items() for r in range(rounds)]
    entries = train.from_trained(
        jobs,
        functools.partial(_predictions, tta=tta),
        functools.partial(_key, device=resolved, tta=tta) if use_cache else None,
        resolved,
        workers,
        desc="predictions",
    )
    frames, predictions = [], []
    for job in jobs:
        entry = entries[job]
        rows = pd.DataFrame(entry["rows"]).assign(round=job.round, seed=job.seed)
        meta = {"name": job.name, "params": job.config.parameter_count(), **job.config.as_row()}
        frames.append(rows.assign(**meta))
        last = entry["rows"][-1]
        predictions.append(
            RoundPredictions(
                name=job.name,
                round=job.round,
                seed=job.seed,
                epochs=job.config.epochs,
                params=meta["params"],
                seconds=last["seconds"],
                classes=np.asarray(entry["classes"], dtype=int),
                digits=np.asarray(entry["digits"], dtype=np.float32),
                target_probability=np.asarray(entry["target_probability"], dtype=float),
                tta_digits=None
                if entry["tta_digits"] is None
                else np.asarray(entry["tta_digits"], dtype=np.float32),
            )
        )
    df = pd.concat(frames, ignore_index=True)
    percent = [c for c in df.columns if c.endswith("_error")]
    df[percent] *= 100.0
    return df, predictions


# --------------------------------------------------------------------------- readouts


@dataclass(frozen=True)
class Readout:
    """A comparator applied after training to stored digit outputs.

    ``comparator`` is ``"own"`` (the model's own target probability), ``"exact"``,
    ``"argmax"`` or ``"power"`` (with ``power``); ``tta`` reads the test-time augmented
    digit outputs instead of the plain ones.
    """

    comparator: Literal["own", "exact", "argmax", "power"] = "own"
    power: float = 6.0
    tta: bool = False


def readout_probability(digits: np.ndarray | torch.Tensor, readout: Readout) -> np.ndarray:
    """P(d1 <= d2) (N,) from digit outputs (N, 2, 10), with the library's own comparators."""
    comparators = {
        "exact": ExactComparator,
        "argmax": ArgmaxComparator,
        "power": lambda: PowerComparator(readout.power),
    }
    if readout.comparator not in comparators:
        raise ValueError(
            f"readout comparator must be one of {sorted(comparators)}, got {readout.comparator!r}"
        )
    outputs = torch.as_tensor(np.asarray(digits), dtype=torch.float64)
    with torch.inference_mode():
        logits = comparators[readout.comparator]()(outputs)
    return target_probability(logits).numpy()


def probability(prediction: RoundPredictions, readout: Readout) -> np.ndarray:
    """The probability of d1 <= d2 that ``readout`` gives for every test pair of a round."""
    if readout.comparator == "own":
        if readout.tta:
            raise ValueError("test-time augmentation applies to an engineered readout, not 'own'")
        return prediction.target_probability
    return readout_probability(_digits(prediction, readout), readout)


def _digits(prediction: RoundPredictions, readout: Readout) -> np.ndarray:
    if not readout.tta:
        return prediction.digits
    if prediction.tta_digits is None:
        raise ValueError(f"{prediction.name}: no test-time augmented outputs (fit with tta=True)")
    return prediction.tta_digits


def readout_table(
    predictions: Iterable[RoundPredictions], readouts: Mapping[str, tuple[str, Readout]]
) -> pd.DataFrame:
    """Test errors of comparators applied after training, as a tidy frame like ``run_grid``'s.

    ``readouts`` maps a new name to (the trained configuration's name, a :class:`Readout`).
    Each row has the readout's pair error and the digit error of the outputs it reads, in
    percent, with the source run's epochs, parameters and seconds: the frame stacks with
    ``run_grid`` frames, so ``summarise``/``paired_comparison``/``results_table`` apply.
    """
    by_name: dict[str, list[RoundPredictions]] = {}
    for prediction in predictions:
        by_name.setdefault(prediction.name, []).append(prediction)
    rows = []
    for name, (source, readout) in readouts.items():
        if source not in by_name:
            raise KeyError(f"readout {name!r}: no predictions for {source!r}; have {sorted(by_name)}")
        for prediction in by_name[source]:
            wrong = (probability(prediction, readout) > 0.5).astype(int) != prediction.target
            digit_wrong = _digits(prediction, readout).argmax(-1) != prediction.classes
            rows.append(
                {
                    "name": name,
                    "source": source,
                    "round": prediction.round,
                    "seed": prediction.seed,
                    "epoch": prediction.epochs,
                    "test_error": 100.0 * wrong.mean(),
                    "test_digit_error": 100.0 * digit_wrong.mean(),
                    "seconds": prediction.seconds,
                    "params": prediction.params,
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- error analysis


def pair_outcomes(predictions: Iterable[RoundPredictions], readout: Readout | None = None) -> pd.DataFrame:
    """One row per test pair and round: the truth, the predicted digits and the pair's fate.

    Columns: name, round, seed, index (in the round's test set), d1, d2, gap = |d1 - d2|,
    target, p1, p2 (the predicted digits, argmax of the outputs read), digits_wrong (0, 1
    or 2), probability (of d1 <= d2, under ``readout``, default the model's own), p_true
    (the probability given to the true answer) and wrong (the pair's answer is wrong).
    """
    readout = readout or Readout()
    frames = []
    for prediction in predictions:
        predicted = _digits(prediction, readout).argmax(-1)
        q = probability(prediction, readout)
        d1, d2 = prediction.classes[:, 0], prediction.classes[:, 1]
        target = prediction.target
        frames.append(
            pd.DataFrame(
                {
                    "name": prediction.name,
                    "round": prediction.round,
                    "seed": prediction.seed,
                    "index": np.arange(len(target)),
                    "d1": d1,
                    "d2": d2,
                    "gap": np.abs(d1 - d2),
                    "target": target,
                    "p1": predicted[:, 0],
                    "p2": predicted[:, 1],
                    "digits_wrong": (predicted != prediction.classes).sum(1),
                    "probability": q,
                    "p_true": np.where(target == 1, q, 1 - q),
                    "wrong": (q > 0.5).astype(int) != target,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def confusion_matrix(outcomes: pd.DataFrame) -> np.ndarray:
    """Counts (10, 10) of [true digit, predicted digit] over both images of every pair."""
    true = np.concatenate([outcomes["d1"], outcomes["d2"]])
    predicted = np.concatenate([outcomes["p1"], outcomes["p2"]])
    counts = np.zeros((10, 10), dtype=int)
    np.add.at(counts, (true, predicted), 1)
    return counts


def errors_by_gap(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Pairs and pair errors by digit gap |d1 - d2| (0 = equal digits, 1 = adjacent, ...).

    ``error_pct`` is the error rate within the gap; ``share_of_errors_pct`` the gap's share
    of all errors, against ``share_of_pairs_pct``, its share of all pairs.
    """
    grouped = outcomes.groupby("gap")["wrong"].agg(pairs="size", errors="sum")
    grouped = grouped.reindex(range(10), fill_value=0)
    total_errors = max(int(grouped["errors"].sum()), 1)
    return pd.DataFrame(
        {
            "gap": grouped.index,
            "pairs": grouped["pairs"].to_numpy(),
            "errors": grouped["errors"].to_numpy(),
            "error_pct": 100.0 * grouped["errors"] / grouped["pairs"].clip(lower=1),
            "share_of_pairs_pct": 100.0 * grouped["pairs"] / grouped["pairs"].sum(),
            "share_of_errors_pct": 100.0 * grouped["errors"] / total_errors,
        }
    ).reset_index(drop=True)


def digit_vs_pair(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Pairs by the number of misread digits (0, 1, 2): how often the answer is then wrong.

    A misread digit flips the answer only when it crosses the other digit: reading a 3 as
    an 8 beside a 5 does, beside a 9 does not. ``flip_pct`` is that rate; ``share_of_errors_pct``
    says where the pair errors come from (errors with both digits read right are possible
    for a comparator that weighs probabilities rather than argmaxes).
    """
    grouped = outcomes.groupby("digits_wrong")["wrong"].agg(pairs="size", errors="sum")
    grouped = grouped.reindex(range(3), fill_value=0)
    total_errors = max(int(grouped["errors"].sum()), 1)
    return pd.DataFrame(
        {
            "digits_wrong": grouped.index,
            "pairs": grouped["pairs"].to_numpy(),
            "errors": grouped["errors"].to_numpy(),
            "flip_pct": 100.0 * grouped["errors"] / grouped["pairs"].clip(lower=1),
            "share_of_errors_pct": 100.0 * grouped["errors"] / total_errors,
        }
    ).reset_index(drop=True)


def worst_pairs(outcomes: pd.DataFrame, k: int = 8) -> pd.DataFrame:
    """The ``k`` test pairs given the lowest probability of their true answer (wrong ones first).

    A hard readout (the argmax) gives every wrong pair the same probability, so its "worst"
    pairs would be the first wrong ones in round order: refused, rank with a graded readout."""
    ranked = outcomes.sort_values(["p_true", "round", "index"])
    if len(ranked) > k and ranked["p_true"].iloc[k] == ranked["p_true"].iloc[0]:
        raise ValueError(
            f"more than {k} pairs share the lowest probability {ranked['p_true'].iloc[0]:.3g}: "
            "a hard readout does not rank its errors (use the exact readout)"
        )
    return ranked.head(k).reset_index(drop=True)


def pair_images(seed: int, indices: Sequence[int], n_pairs: int = 1000) -> torch.Tensor:
    """The (k, 2, 14, 14) test images (0..255) of pairs ``indices`` of the round drawn from ``seed``."""
    return generate_pair_sets(n_pairs, seed=seed).test_input[list(indices)]
