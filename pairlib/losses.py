"""The losses a pair model is trained with, and the predictions read from its outputs.

A model returns what it computes (:class:`pairlib.models.PairOutput`: the pair's target
logits and, for a siamese model, each digit's class outputs); this module turns them into the
target and digit losses that :func:`pairlib.fitting.fit` minimises, weighted as its
:class:`pairlib.fitting.TrainConfig` says, and into the pair's predicted target and its
probability.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import torch
import torch.nn.functional as F

from pairlib.models import PairOutput, power_probabilities

if TYPE_CHECKING:  # the configuration imports these losses' names: no cycle at run time
    from pairlib.fitting import TrainConfig

TargetLoss = Literal["ce", "bce", "mse", "mse-raw"]
DigitLoss = Literal["ce", "mse", "mse-raw", "mse-power"]


def target_probability(logits: torch.Tensor) -> torch.Tensor:
    """P(first digit <= second) from a (N, 1) sigmoid or (N, 2) softmax head."""
    return torch.sigmoid(logits[:, 0]) if logits.size(1) == 1 else logits.softmax(dim=1)[:, 1]


def predict_target(logits: torch.Tensor) -> torch.Tensor:
    return (logits[:, 0] > 0) if logits.size(1) == 1 else (logits[:, 1] > logits[:, 0])


def target_loss(kind: TargetLoss, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy (softmax or sigmoid head alike); ``"mse"``: MSE on the probability of the
    target; ``"mse-raw"``: MSE between the raw outputs and the one-hot target (``nn.MSELoss``
    applied to a network's outputs, the way report 000 can be read)."""
    if kind == "mse":
        return F.mse_loss(target_probability(logits), target.to(logits.dtype))
    if kind == "mse-raw":
        return F.mse_loss(logits, one_hot_like(logits, target))
    if logits.size(1) == 1:
        return F.binary_cross_entropy_with_logits(logits[:, 0], target.to(logits.dtype))
    return F.cross_entropy(logits, target)


def one_hot_like(outputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """One-hot ``labels`` shaped like ``outputs`` (N, K); a single column holds the label itself."""
    if outputs.size(1) == 1:
        return labels.to(outputs.dtype).unsqueeze(1)
    return F.one_hot(labels, outputs.size(1)).to(outputs.dtype)


def digit_loss(
    kind: DigitLoss,
    digits: torch.Tensor,
    classes: torch.Tensor,
    power: float = 6.0,
    smoothing: float = 0.0,
) -> torch.Tensor:
    """Auxiliary loss on both digits: cross-entropy on the logits (with label ``smoothing``),
    or MSE against the one-hot class of the softmax (``"mse"``), of the raw outputs
    (``"mse-raw"``) or of report 000's power-normalised outputs, eq. V.1 (``"mse-power"``)."""
    flat, labels = digits.reshape(-1, digits.size(-1)), classes.reshape(-1)
    if kind == "ce":
        return F.cross_entropy(flat, labels, label_smoothing=smoothing)
    if kind == "mse":
        flat = flat.softmax(dim=1)
    elif kind == "mse-power":
        flat = power_probabilities(flat, power)
    return F.mse_loss(flat, one_hot_like(flat, labels))


def loss_terms(
    config: TrainConfig, out: PairOutput, target: torch.Tensor, classes: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(total, target term, digit term), unweighted terms kept for the curves."""
    zero = out.target.new_zeros(())
    t = target_loss(config.target_loss, out.target, target) if config.target_weight else zero
    d = (
        digit_loss(config.aux_loss, out.digits, classes, config.model.power, config.label_smoothing)
        if config.aux_weight and out.digits is not None
        else zero
    )
    return config.target_weight * t + config.aux_weight * d, t, d
