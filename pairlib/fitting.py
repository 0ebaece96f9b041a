"""One training run: the configuration that decides its numbers, the training loop, evaluation.

A :class:`TrainConfig` holds everything that decides a run's numbers: the architecture, the
losses and their weights (:mod:`pairlib.losses`), the optimiser, epochs, batch size and
number of pairs. :func:`fit` trains it on one round's pairs: its initial weights, minibatch
order, augmentation and dropout draw from independent streams of the round's seed
(:mod:`pairlib.seeds`); :func:`restore` rebuilds a trained model from its stored state. The
rounds protocol around a run, and where runs execute, are :mod:`pairlib.train`'s business.

Speed matters because every conclusion rests on hundreds of runs: the data stays on the
device as tensors for the whole run (no DataLoader for 1000 pairs), evaluation runs under
``torch.inference_mode``, and the loop synchronises with the host once per epoch, not per batch.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import torch
from torch import nn

from pairlib import cache, numerics
from pairlib.augment import ERASE_SIZE, erase_images, shift_images, swap_pairs, warp_images
from pairlib.data import PairSets, check_n_pairs, generate_pair_sets, normalize_pairs
from pairlib.losses import DigitLoss, TargetLoss, loss_terms, predict_target
from pairlib.models import Ensemble, ModelSpec, build_model, count_parameters, target_outputs_for
from pairlib.runner import resolve_device
from pairlib.seeds import stream_seed


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run's numbers (the device aside).

    ``target_weight`` and ``aux_weight`` weigh the loss on the pair's target and the auxiliary
    loss on the two digits' classes: ``target_weight=0`` is report 000's "trained on classes
    only"; ``aux_weight=0`` is no auxiliary loss. ``valid_pairs`` holds out that many of the
    training pairs as a validation set (hyperparameters are chosen on it, never on the test).

    Beyond the reports' recipes: ``schedule="cosine"`` anneals the learning rate to zero over
    the run; ``augment_shift`` shifts each digit by up to that many pixels and
    ``augment_swap`` swaps the two images of half the pairs, in every minibatch;
    ``ensemble`` trains that many models from different initialisations on the same pairs
    and averages their probabilities.

    For the best model (all off by default): ``augment_rotate`` (degrees) and
    ``augment_scale`` (a fraction) rotate and scale each digit at random by up to that much;
    ``augment_erase`` erases a small square of each digit with that probability; ``ema``, when
    above 0, is the decay of an exponential moving average of the weights (and batch-norm
    statistics), updated after every step: the average, not the last weights, is evaluated
    and returned.

    ``precision="bfloat16"`` runs the training forward passes under bfloat16 autocast (the
    weights, their updates and every evaluation stay float32). It is faster on CPUs with
    bfloat16 arithmetic and changes the numbers, so it is never the default: the book's
    figures are float32, and a bfloat16 run has its own cache entries.
    """

    model: ModelSpec = field(default_factory=ModelSpec)
    target_loss: TargetLoss = "ce"
    target_weight: float = 1.0
    aux_loss: DigitLoss = "ce"
    aux_weight: float = 0.0
    optimizer: Literal["sgd", "adam"] = "sgd"
    lr: float = 0.1
    momentum: float = 0.0
    weight_decay: float = 0.0
    epochs: int = 25
    batch_size: int = 100
    n_pairs: int = 1000
    valid_pairs: int = 0
    normalize: bool = True
    schedule: Literal["constant", "cosine"] = "constant"
    augment_shift: int = 0
    augment_swap: bool = False
    ensemble: int = 1
    augment_rotate: float = 0.0
    augment_scale: float = 0.0
    augment_erase: float = 0.0
    ema: float = 0.0
    label_smoothing: float = 0.0
    first_member: int = 0
    precision: Literal["float32", "bfloat16"] = "float32"

    def __post_init__(self) -> None:
        check_config(self)

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with some fields changed; ``model__channels=...`` changes a model field."""
        model_changes = {k.removeprefix("model__"): v for k, v in changes.items() if k.startswith("model__")}
        changes = {k: v for k, v in changes.items() if not k.startswith("model__")}
        if model_changes:
            changes["model"] = changes.get("model", self.model).replace(**model_changes)
        return dataclasses.replace(self, **changes)

    def as_row(self) -> dict[str, Any]:
        """Flat, table-friendly fields (model fields prefixed ``model_``, tuples as text)."""
        row: dict[str, Any] = {}
        for key, value in dataclasses.asdict(self).items():
            if key == "model":
                row.update({f"model_{k}": _plain(v) for k, v in value.items()})
            else:
                row[key] = _plain(value)
        return row

    @property
    def target_outputs(self) -> int:
        return target_outputs_for(self.target_loss, self.model)

    def parameter_count(self) -> int:
        return count_parameters(self.model, self.target_outputs)


def _plain(value: Any) -> Any:
    return "-".join(map(str, value)) if isinstance(value, tuple) else value


def check_config(config: TrainConfig) -> None:
    """Raise a ValueError naming the field when a configuration cannot be trained."""
    choices = {
        "target_loss": ("ce", "bce", "mse", "mse-raw"),
        "aux_loss": ("ce", "mse", "mse-raw", "mse-power"),
        "optimizer": ("sgd", "adam"),
        "schedule": ("constant", "cosine"),
        "augment_swap": (False, True),
        "precision": ("float32", "bfloat16"),
    }
    for name, allowed in choices.items():
        if getattr(config, name) not in allowed:
            raise ValueError(f"TrainConfig.{name} must be one of {allowed}, got {getattr(config, name)!r}")
    if not isinstance(config.augment_shift, int) or not 0 <= config.augment_shift <= 4:
        raise ValueError(
            f"TrainConfig.augment_shift must be an integer in 0..4, got {config.augment_shift!r}"
        )
    for name, high in (
        ("augment_rotate", 45.0),
        ("augment_scale", 0.5),
        ("augment_erase", 1.0),
        ("ema", 0.9999),
        ("label_smoothing", 0.5),
    ):
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= high:
            raise ValueError(f"TrainConfig.{name} must be a number in [0, {high}], got {value!r}")
    if (
        isinstance(config.first_member, bool)
        or not isinstance(config.first_member, int)
        or config.first_member < 0
    ):
        raise ValueError(f"TrainConfig.first_member must be an integer >= 0, got {config.first_member!r}")
    for name in ("epochs", "batch_size", "ensemble"):
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"TrainConfig.{name} must be a positive integer, got {value!r}")
    check_n_pairs(config.n_pairs)
    if not 0 <= config.valid_pairs < config.n_pairs:
        raise ValueError(
            f"TrainConfig.valid_pairs must be in 0..{config.n_pairs - 1}, got {config.valid_pairs}"
        )
    for name in ("lr", "target_weight", "aux_weight", "momentum", "weight_decay"):
        value = getattr(config, name)
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise ValueError(f"TrainConfig.{name} must be a finite number >= 0, got {value!r}")
    if config.lr == 0:
        raise ValueError("TrainConfig.lr must be > 0")
    if config.target_weight == 0 and config.aux_weight == 0:
        raise ValueError("TrainConfig: target_weight and aux_weight are both 0: nothing to learn")
    if config.aux_weight > 0 and config.model.layout == "merged":
        raise ValueError(
            "TrainConfig: an auxiliary digit loss needs a siamese model (merged models output no digits)"
        )
    if config.model.comparator == "argmax" and config.target_weight > 0:
        raise ValueError(
            "TrainConfig: the argmax comparator passes no gradient; use target_weight=0 (classes only)"
        )
    if config.model.engineered and config.target_loss not in ("ce", "mse"):
        raise ValueError(
            "TrainConfig: engineered comparators output a probability; use target_loss 'ce' or 'mse'"
        )


class DivergenceError(RuntimeError):
    """A loss became NaN or infinite: the run is stopped rather than reporting garbage.

    ``epoch`` is where it happened. (Both arguments stay in ``args``, so the error crosses
    process boundaries intact.)
    """

    def __init__(self, message: str, epoch: int = 0) -> None:
        super().__init__(message, epoch)
        self.epoch = epoch

    def __str__(self) -> str:
        return str(self.args[0])


def make_optimizer(config: TrainConfig, parameters: Iterable[nn.Parameter]) -> torch.optim.Optimizer:
    """Adam runs fused in the portable numerics mode: its kernel takes the IEEE square root,
    where the unfused one calls torch's approximate float32 sqrt (:mod:`pairlib.numerics`)."""
    if config.optimizer == "adam":
        return torch.optim.Adam(
            parameters, lr=config.lr, weight_decay=config.weight_decay, fused=numerics.portable() or None
        )
    return torch.optim.SGD(
        parameters, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay
    )


# --- evaluation -----------------------------------------------------------------------------


@torch.inference_mode()
def evaluate(
    model: nn.Module,
    inputs: torch.Tensor,
    target: torch.Tensor,
    classes: torch.Tensor,
    batch_size: int = 1000,
) -> dict[str, float]:
    """Pair error and digit error (both as fractions; digit error NaN without digit outputs)."""
    was_training = model.training
    model.eval()
    errors = torch.zeros(2, device=inputs.device)
    has_digits = False
    for start in range(0, inputs.size(0), batch_size):
        out = model(inputs[start : start + batch_size])
        errors[0] += (predict_target(out.target) != target[start : start + batch_size].bool()).sum()
        if out.digits is not None:
            has_digits = True
            errors[1] += (out.digits.argmax(-1) != classes[start : start + batch_size]).sum() / 2
    model.train(was_training)
    pair_error, digit_error = (errors / inputs.size(0)).tolist()
    return {"error": pair_error, "digit_error": digit_error if has_digits else math.nan}


# --- one run --------------------------------------------------------------------------------


def split_validation(pairs: PairSets, valid_pairs: int) -> PairSets:
    """Hold out the last ``valid_pairs`` training pairs; they take the place of the test set."""
    if not valid_pairs:
        return pairs
    keep = pairs.train_input.size(0) - valid_pairs
    return PairSets(
        pairs.train_input[:keep],
        pairs.train_target[:keep],
        pairs.train_classes[:keep],
        pairs.train_input[keep:],
        pairs.train_target[keep:],
        pairs.train_classes[keep:],
    )


class Fitted(NamedTuple):
    """A trained model, its per-epoch rows, and the (normalised, split) data it saw."""

    model: nn.Module
    rows: list[dict[str, Any]]
    data: PairSets


@torch.enable_grad()  # a caller may have turned gradients off (the mini-framework chapter does)
def _train_member(
    config: TrainConfig,
    data: PairSets,
    seed: int,
    layout: torch.memory_format,
    record: Literal["final", "epoch"],
    name: str,
    member: int = 0,
) -> tuple[nn.Module, list[dict[str, Any]]]:
    """The training loop proper: one model, one row per epoch.

    The initial weights, minibatch order, augmentation and dropout each draw from their own
    stream of the round's ``seed`` and this ensemble ``member`` (:mod:`pairlib.seeds`).
    """
    x, y, c, tx, ty, tc = data
    device = x.device
    torch.manual_seed(stream_seed(seed, "init", member))
    model = build_model(config.model, config.target_outputs).to(device, memory_format=layout)
    average = _weight_average(model, config.ema)
    optimizer = make_optimizer(config, model.parameters())
    steps = config.epochs * -(-x.size(0) // config.batch_size)
    scheduler = (
        torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
        if config.schedule == "cosine"
        else None
    )
    order = torch.Generator().manual_seed(stream_seed(seed, "order", member))
    augmentation = torch.Generator().manual_seed(stream_seed(seed, "augment", member))
    torch.manual_seed(stream_seed(seed, "dropout", member))  # the global generator dropout draws from
    background = x.min().item()
    autocast = torch.autocast(device.type, torch.bfloat16, enabled=config.precision == "bfloat16")
    n, rows = x.size(0), []
    for epoch in range(1, config.epochs + 1):
        model.train()
        sums = torch.zeros(4, device=device)  # total loss, target term, digit term, errors
        for idx in torch.randperm(n, generator=order).to(device).split(config.batch_size):
            xb, yb, cb = x[idx], y[idx], c[idx]
            if config.augment_swap:
                xb, yb, cb = swap_pairs(xb, cb, augmentation)
            xb = shift_images(xb, config.augment_shift, background, augmentation)
            xb = warp_images(xb, config.augment_rotate, config.augment_scale, background, augmentation)
            xb = erase_images(xb, config.augment_erase, ERASE_SIZE, background, augmentation)
            with autocast:
                out = model(xb)
                total, t_term, d_term = loss_terms(config, out, yb, cb)
            optimizer.zero_grad(set_to_none=True)
            total.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            if average is not None:
                average.update_parameters(model)
            with torch.no_grad():
                wrong = (predict_target(out.target) != yb.bool()).sum().to(sums.dtype)
                terms = torch.stack([total.detach(), t_term.detach(), d_term.detach()]) * len(idx)
                sums += torch.cat([terms, wrong.view(1)])
        loss, t_loss, d_loss, running_errors = (sums / n).tolist()  # the epoch's one host sync
        if not math.isfinite(loss):
            raise DivergenceError(
                f"{name or 'run'}: loss is {loss} at epoch {epoch} (seed {seed}); "
                f"configuration: {config}. Lower the learning rate.",
                epoch,
            )
        row = {
            "epoch": epoch,
            "loss": loss,
            "target_term": t_loss,  # not "target_loss": that name is the config field (ce, mse)
            "digit_loss": d_loss,
            "running_train_error": running_errors,
            "test_error": math.nan,
            "test_digit_error": math.nan,
            "train_error": math.nan,
        }
        if record == "epoch" or epoch == config.epochs:
            test = evaluate(model if average is None else average.module, tx, ty, tc)
            row.update(test_error=test["error"], test_digit_error=test["digit_error"])
        rows.append(row)
    return (model if average is None else average.module), rows


def _weight_average(model: nn.Module, decay: float) -> torch.optim.swa_utils.AveragedModel | None:
    """An exponential moving average of ``model``'s weights and buffers (None when ``decay`` is 0):
    the average of the last few hundred steps generalises better than the last step alone."""
    if decay == 0:
        return None
    return torch.optim.swa_utils.AveragedModel(
        model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(decay), use_buffers=True
    )


def _prepared(
    config: TrainConfig, pairs: PairSets, device: torch.device, channels_last: bool
) -> tuple[PairSets, torch.memory_format]:
    """The data a run trains and is evaluated on (normalised, split, on the device, in the
    memory layout) and that layout: one recipe for :func:`fit` and :func:`restore`."""
    pairs = split_validation(normalize_pairs(pairs) if config.normalize else pairs, config.valid_pairs)
    layout = torch.channels_last if channels_last else torch.contiguous_format
    data = PairSets(*(t.to(device) for t in pairs))
    data = data._replace(
        train_input=data.train_input.contiguous(memory_format=layout),
        test_input=data.test_input.contiguous(memory_format=layout),
    )
    return data, layout


def fit(
    config: TrainConfig,
    pairs: PairSets,
    seed: int,
    device: str | torch.device = "auto",
    record: Literal["final", "epoch"] = "epoch",
    name: str = "",
    channels_last: bool = True,
) -> Fitted:
    """Train ``config`` on ``pairs``; the model, one row per epoch with every metric, and the data.

    ``record='epoch'`` evaluates the test (or validation) error after every epoch, for curves;
    ``'final'`` only after the last one (about a third cheaper). Running training loss and
    error (the minibatch averages during each epoch) are always recorded: they cost nothing.
    ``channels_last`` stores conv activations NHWC, which runs this CPU's convolutions 1.5-3x
    faster (scripts/benchmark.py); results agree with the NCHW path up to float rounding.
    With an ensemble, the per-epoch rows are those of the first member and the final errors
    are the ensemble's.
    """
    started = time.perf_counter()
    device = resolve_device(device)
    data, layout = _prepared(config, pairs, device, channels_last)
    members, rows = [], []
    for k in range(config.first_member, config.first_member + config.ensemble):
        model, member_rows = _train_member(config, data, seed, layout, record, name, member=k)
        members.append(model)
        rows = rows or member_rows
    model = members[0] if config.ensemble == 1 else Ensemble(members)
    if config.ensemble > 1:
        test = evaluate(model, data.test_input, data.test_target, data.test_classes)
        rows[-1].update(test_error=test["error"], test_digit_error=test["digit_error"])
    final_train = evaluate(model, data.train_input, data.train_target, data.train_classes)
    rows[-1].update(train_error=final_train["error"], train_digit_error=final_train["digit_error"])
    seconds = time.perf_counter() - started
    for row in rows:
        row["seconds"] = seconds
    return Fitted(model, rows, data)


def train_run(config: TrainConfig, pairs: PairSets, seed: int, **options: Any) -> list[dict[str, Any]]:
    """:func:`fit`'s per-epoch rows alone (same options)."""
    return fit(config, pairs, seed, **options).rows


def restore(
    config: TrainConfig,
    seed: int,
    state: bytes,
    device: str | torch.device = "auto",
    channels_last: bool = True,
    rows: list[dict[str, Any]] | None = None,
) -> Fitted:
    """The :class:`Fitted` that ``fit`` returned for round ``seed``, rebuilt from its stored
    state (:func:`pairlib.cache.dump_state` of its model) instead of trained again.

    The data are drawn and prepared exactly as :func:`pairlib.train._train_job` and
    :func:`fit` do, and the model is built in the same memory layout, so its outputs are
    bit-identical to the trained model's. ``rows`` are the run's rows, passed through.
    """
    device = resolve_device(device)
    data, layout = _prepared(config, generate_pair_sets(config.n_pairs, seed=seed), device, channels_last)
    members = [
        build_model(config.model, config.target_outputs).to(device, memory_format=layout)
        for _ in range(config.ensemble)
    ]
    model = members[0] if config.ensemble == 1 else Ensemble(members)
    model.load_state_dict(cache.read_state(state))
    model.eval()
    return Fitted(model, list(rows or []), data)
