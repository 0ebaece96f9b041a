"""The mini-framework chapter's runs: disk settings and digit-pair rounds, cached, two at a time.

A run trains a 2-25-25-25 network of :mod:`pairlib.framework` on 1000 points of the disk
problem: seconds of Python-bound arithmetic, and the chapter makes hundreds of them. Like
the digit-pair runs they go through :func:`pairlib.runner.run_jobs`: read from the results
cache when the setting, the seed and the framework's code are unchanged, otherwise trained
in single-thread worker processes. A result holds the trained weights (1.4k numbers), so
the decision-boundary figures need no retraining.

Round r of a study draws everything from one generator seeded with ``seed + r``: its
training set, then its test set, then the initial weights, then every minibatch order.
Every setting therefore sees the same data in the same round.

The digit-pair runs (:func:`run_pairs`) train a registry configuration, report 003's
siamese-10, in the framework: the same pairs as :func:`pairlib.train.run_grid` in the same
round, the torch model's initial weights copied in, the same minibatch order, and a
profile of where the time goes, module by module.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections import defaultdict
from dataclasses import astuple, dataclass
from typing import Any, Literal

import pandas as pd
import torch
from torch import nn

from pairlib import cache
from pairlib import framework as fw
from pairlib.data import generate_pair_sets, normalize_pairs
from pairlib.fitting import DivergenceError, TrainConfig
from pairlib.models import IMAGE_SIZE, ModelSpec, build_model
from pairlib.runner import Protocol, compute_on, default_workers, resolve_device, run_jobs
from pairlib.seeds import stream_seed
from pairlib.stats import mean_interval

HIDDEN = (25, 25, 25)


@dataclass(frozen=True)
class Setting:
    """A network and its training recipe: the course's 2-25-25-25 network by default, with
    report 004's activations, MSE on 0/1 targets and SGD."""

    outputs: int = 1
    activations: tuple[str, ...] = ("tanh", "relu", "relu", "tanh")
    loss: Literal["mse", "ce"] = "mse"
    optimizer: Literal["sgd", "adam"] = "sgd"
    lr: float = 5e-3
    weight_decay: float = 1e-6
    cosine: bool = False

    def __post_init__(self) -> None:
        if self.outputs not in (1, 2):
            raise ValueError(f"Setting.outputs must be 1 or 2, got {self.outputs!r}")
        if len(self.activations) != len(HIDDEN) + 1:
            raise ValueError(f"Setting.activations needs {len(HIDDEN) + 1} entries, got {self.activations!r}")
        if self.loss not in ("mse", "ce") or (self.loss == "ce" and self.outputs != 2):
            raise ValueError(f"Setting.loss must be 'mse', or 'ce' with 2 outputs, got {self.loss!r}")
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"Setting.optimizer must be 'sgd' or 'adam', got {self.optimizer!r}")
        if not (math.isfinite(self.lr) and self.lr > 0 and self.weight_decay >= 0):
            raise ValueError(
                f"Setting: lr must be > 0 and weight_decay >= 0, got {self.lr} and {self.weight_decay}"
            )

    def replace(self, **changes: Any) -> Setting:
        return dataclasses.replace(self, **changes)

    def build(
        self, generator: torch.Generator | None = None, device: str | torch.device = "cpu"
    ) -> fw.Sequential:
        """The untrained network, its initial weights drawn from ``generator``."""
        return fw.mlp([2, *HIDDEN, self.outputs], list(self.activations), device=device, generator=generator)


def draw_round(seed: int, n_points: int, device: str | torch.device = "cpu"):
    """The round's generator (in the state training continues from), its training set and test set."""
    g = torch.Generator().manual_seed(seed)
    x, y = fw.generate_disk_set(n_points, g)
    x_test, y_test = fw.generate_disk_set(n_points, g)
    return g, x.to(device), y.to(device), x_test.to(device), y_test.to(device)


def train_setting(
    setting: Setting,
    seed: int,
    epochs: int,
    n_points: int = 1000,
    batch_size: int = 50,
    device: str | torch.device = "cpu",
) -> dict[str, Any]:
    """Train ``setting`` on the data of the round seeded ``seed``.

    Returns errors in percent, the per-epoch training loss, the training time and the trained
    weights (nested lists, so that the result is JSON for the cache: see :func:`restore`).
    """
    g, x, y, x_test, y_test = draw_round(seed, n_points, device)
    model = setting.build(g, device)
    if setting.loss == "ce":
        loss, target = fw.LossCrossEntropy(), y
    else:
        loss = fw.LossMSE()
        target = y[:, None].float() if setting.outputs == 1 else fw.one_hot(y, 2)
    optimizer_class = fw.SGD if setting.optimizer == "sgd" else fw.Adam
    optimizer = optimizer_class(model.param(), setting.lr, weight_decay=setting.weight_decay)
    lr0 = setting.lr
    schedule = (lambda e: lr0 * 0.5 * (1 + math.cos(math.pi * e / epochs))) if setting.cosine else None
    started = time.perf_counter()
    history = fw.train(model, loss, optimizer, x, target, epochs, batch_size, g, lr_schedule=schedule)
    seconds = time.perf_counter() - started
    if not all(map(math.isfinite, history)):
        raise FloatingPointError(f"mini framework: {setting} diverged (seed {seed}): lower the learning rate")
    return {
        "seed": seed,
        "train_error": 100 * fw.error_rate(model, x, y),
        "test_error": 100 * fw.error_rate(model, x_test, y_test),
        "history": history,
        "seconds": seconds,
        "weights": [value.cpu().tolist() for value, _ in model.param()],
    }


def restore(setting: Setting, result: dict[str, Any], device: str | torch.device = "cpu") -> fw.Sequential:
    """The trained network of a result of :func:`train_setting` (cached or fresh)."""
    model = setting.build(device=device)
    for (value, _), stored in zip(model.param(), result["weights"], strict=True):
        value.copy_(torch.tensor(stored, dtype=value.dtype))
    return model.eval()


def torch_twin(model: fw.Sequential) -> nn.Sequential:
    """The same multilayer perceptron in torch.nn, starting from copies of the framework's
    weights: the reference that the chapter and the tests hold the framework against."""
    activations = {fw.ReLU: nn.ReLU, fw.Tanh: nn.Tanh, fw.Sigmoid: nn.Sigmoid}
    layers: list[nn.Module] = []
    for m in model.modules:
        if isinstance(m, fw.Linear):
            linear = nn.Linear(m.in_features, m.out_features, dtype=m.weight.dtype, device=m.weight.device)
            with torch.no_grad():
                linear.weight.copy_(m.weight)
                linear.bias.copy_(m.bias)
            layers.append(linear)
        else:
            layers.append(activations[type(m)]())
    return nn.Sequential(*layers)


def race(
    setting: Setting, seed: int, epochs: int, n_points: int = 1000, batch_size: int = 50, device: str = "cpu"
) -> dict[str, list[float]]:
    """One MSE + SGD run of ``setting`` twice, with the framework and with torch.nn + autograd +
    torch.optim, from the same initial weights and in the same minibatch order.

    Returns each implementation's per-epoch training loss and per-epoch seconds (each epoch
    timed alone, so that a median shrugs off bursts of other work on the machine).
    """
    if setting.loss != "mse" or setting.optimizer != "sgd":
        raise ValueError(f"race: compares MSE + SGD runs, got {setting.loss} + {setting.optimizer}")
    g, x, y, _, _ = draw_round(seed, n_points, device)
    target = y[:, None].float() if setting.outputs == 1 else fw.one_hot(y, 2)
    model = setting.build(g, device)
    reference = torch_twin(model)
    order = torch.Generator().set_state(g.get_state())  # the same minibatch orders for both
    out: dict[str, list[float]] = {"ours": [], "ours_seconds": [], "theirs": [], "theirs_seconds": []}
    optimizer = fw.SGD(model.param(), setting.lr, weight_decay=setting.weight_decay)
    with torch.no_grad():
        for _ in range(epochs):
            tic = time.perf_counter()
            out["ours"] += fw.train(model, fw.LossMSE(), optimizer, x, target, 1, batch_size, g)
            out["ours_seconds"].append(time.perf_counter() - tic)
    reference_optimizer = torch.optim.SGD(
        reference.parameters(), setting.lr, weight_decay=setting.weight_decay
    )
    mse = nn.MSELoss()
    with torch.enable_grad():
        for _ in range(epochs):
            tic = time.perf_counter()
            total = torch.zeros(())
            for idx in fw.minibatches(len(x), batch_size, order):
                loss = mse(reference(x[idx]), target[idx])
                reference_optimizer.zero_grad()
                loss.backward()
                reference_optimizer.step()
                total += loss.detach() * len(idx)
            out["theirs"].append(float(total) / len(x))
            out["theirs_seconds"].append(time.perf_counter() - tic)
    return out


def summary_table(runs: dict[str, list[dict[str, Any]]], epochs: int) -> pd.DataFrame:
    """One row per setting of :func:`run_settings`' results: train and test error (mean and
    std over rounds), the worst round's test error, the 95% CI of the mean test error, and
    the training time per epoch in milliseconds."""
    rows = []
    for name, results in runs.items():
        frame = pd.DataFrame(results)
        mean, low, high = mean_interval(frame.test_error)
        rows.append(
            {
                "setting": name,
                "train_mean": frame.train_error.mean(),
                "train_std": frame.train_error.std(ddof=1),
                "test_mean": mean,
                "test_std": frame.test_error.std(ddof=1),
                "test_ci_low": low,
                "test_ci_high": high,
                "test_worst": frame.test_error.max(),
                "ms_per_epoch": 1000 * frame.seconds.mean() / epochs,
            }
        )
    return pd.DataFrame(rows)


def rounds_frame(runs: dict[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """:func:`run_settings`' results as one row per setting and round (``name``, ``round``,
    ``seed``, errors in percent): what :func:`pairlib.page.save_rounds` records."""
    return pd.DataFrame(
        [
            {
                "name": name,
                "round": r,
                "seed": run["seed"],
                "test_error": run["test_error"],
                "train_error": run["train_error"],
            }
            for name, results in runs.items()
            for r, run in enumerate(results)
        ]
    )


@dataclass(frozen=True)
class Run:
    """One setting on the data of the round seeded ``seed``."""

    setting: Setting
    seed: int


def _train_job(run: Run, epochs: int, n_points: int, batch_size: int, device: torch.device) -> dict[str, Any]:
    with compute_on(device):
        return train_setting(run.setting, run.seed, epochs, n_points, batch_size, device)


def run_settings(
    settings: dict[str, Setting],
    protocol: Protocol,
    epochs: int,
    n_points: int = 1000,
    batch_size: int = 50,
    use_cache: bool = True,
) -> dict[str, list[dict[str, Any]]]:
    """Every named setting on rounds ``seed``, ..., ``seed + rounds - 1``: a list of results per name.

    Results come from the cache where the setting, seed, epochs, data size, batch size,
    device kind and framework code are unchanged; the others are trained ``workers`` at a
    time (default: one per CPU). A run's numbers do not depend on where it ran.
    """
    rounds, seed, device, workers, progress = astuple(protocol)  # the fields, in order
    resolved = resolve_device(device)
    # Two names for one setting (a grid's slices cross at the recipe) train it once.
    runs = {name: [Run(setting, seed + r) for r in range(rounds)] for name, setting in settings.items()}
    jobs = list(dict.fromkeys(run for name_runs in runs.values() for run in name_runs))

    def keys(run: Run) -> list[str]:
        description = {
            "framework_setting": dataclasses.asdict(run.setting),
            "seed": run.seed,
            "epochs": epochs,
            "n_points": n_points,
            "batch_size": batch_size,
            "device": resolved.type,
        }
        return [cache.entry_key(description, "framework")]

    work = functools.partial(
        _train_job, epochs=epochs, n_points=n_points, batch_size=batch_size, device=resolved
    )
    results = run_jobs(
        jobs,
        work,
        keys if use_cache else None,
        default_workers(resolved) if workers is None else workers,
        progress,
        desc=f"framework, {len(settings)} settings",
    )
    return {name: [results[run] for run in name_runs] for name, name_runs in runs.items()}


# --- digit pairs ------------------------------------------------------------------------------


def check_pair_config(config: TrainConfig) -> None:
    """Raise a ValueError naming what the framework's digit-pair trainer does not implement.

    It trains siamese ConvNets with a shared branch on the digit loss alone, compared by
    argmax (report 003's siamese-10), with SGD at a constant learning rate."""
    spec = config.model
    unsupported = {
        "model.layout 'siamese'": spec.layout == "siamese",
        "model.body 'conv'": spec.body == "conv",
        "model.shared": spec.shared,
        "model.skip False": not spec.skip,
        "model.comparator 'argmax'": spec.comparator == "argmax",
        "aux_loss 'ce'": config.aux_loss == "ce",
        "optimizer 'sgd'": config.optimizer == "sgd",
        "schedule 'constant'": config.schedule == "constant",
        "no augmentation": not config.augment_shift and not config.augment_swap,
        "ensemble 1": config.ensemble == 1,
        "valid_pairs 0": config.valid_pairs == 0,
        "precision 'float32'": config.precision == "float32",
    }
    missing = [need for need, ok in unsupported.items() if not ok]
    if missing:
        raise ValueError(f"the framework's digit-pair trainer needs {', '.join(missing)}")


def framework_branch(spec: ModelSpec, out_features: int, device: str | torch.device = "cpu") -> fw.Sequential:
    """One branch of ``spec`` in the framework, layer for layer as :class:`pairlib.models.ConvNet`
    (conv, max-pool, ReLU, batch norm, dropout per block; then the MLP head), so that the torch
    branch's parameters line up with ``param()`` one to one."""
    layers: list[fw.Module] = []
    channels, size = 1, IMAGE_SIZE

    def regularise(width: int) -> None:
        if spec.batch_norm:
            layers.append(fw.BatchNorm(width, device=device))
        if spec.dropout:
            layers.append(fw.Dropout(spec.dropout))

    for width, kernel, pool in zip(spec.channels, spec.kernels, spec.pools, strict=True):
        layers.append(fw.Conv2d(channels, width, kernel, padding=spec.padding, device=device))
        if pool > 1:
            layers.append(fw.MaxPool2d(pool))
        layers.append(fw.ReLU())
        regularise(width)
        channels, size = width, (size + 2 * spec.padding - kernel + 1) // pool
    layers.append(fw.Flatten())
    features = channels * size * size
    for width in spec.hidden:
        layers += [fw.Linear(features, width, device=device), fw.ReLU()]
        regularise(width)
        features = width
    layers.append(fw.Linear(features, out_features, device=device))
    return fw.Sequential(*layers)


def copy_torch_state(branch: fw.Sequential, torch_branch: nn.Module) -> None:
    """Copy a torch branch's parameters and batch-norm running statistics into ``branch``."""
    ours = branch.param()
    theirs = list(torch_branch.parameters())
    if [tuple(p.shape) for p, _ in ours] != [tuple(p.shape) for p in theirs]:
        raise ValueError("copy_torch_state: the two branches' parameters do not line up")
    with torch.no_grad():
        for (value, _), ref in zip(ours, theirs, strict=True):
            value.copy_(ref)
        norms = [m for m in torch_branch.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        mine = [m for m in branch.modules if isinstance(m, fw.BatchNorm)]
        for m, ref in zip(mine, norms, strict=True):
            m.running_mean.copy_(ref.running_mean)
            m.running_var.copy_(ref.running_var)


class Timed(fw.Module):
    """A module whose forward and backward passes add their wall time to ``seconds``."""

    def __init__(self, module: fw.Module) -> None:
        self.module, self.seconds = module, 0.0

    def forward(self, *input: torch.Tensor) -> torch.Tensor:
        tic = time.perf_counter()
        out = self.module.forward(*input)
        self.seconds += time.perf_counter() - tic
        return out

    def backward(self, *grad: torch.Tensor) -> torch.Tensor:
        tic = time.perf_counter()
        out = self.module.backward(*grad)
        self.seconds += time.perf_counter() - tic
        return out

    def param(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        return self.module.param()

    def train(self, mode: bool = True) -> Timed:
        self.training = mode
        self.module.train(mode)
        return self


def pair_errors(model: fw.Siamese, inputs: torch.Tensor, target: torch.Tensor, classes: torch.Tensor):
    """(pair error, digit error) in percent, in eval mode, the pair read by argmax comparison."""
    model.eval()
    digits = model.forward(inputs)
    model.train()
    pair = (fw.compare_digits(digits) != target).double().mean().item()
    digit = (digits.argmax(-1) != classes).double().mean().item()
    return 100 * pair, 100 * digit


def train_pairs(config: TrainConfig, seed: int, device: str | torch.device = "cpu") -> dict[str, Any]:
    """Train ``config`` in the framework on round ``seed``'s pairs, as :func:`pairlib.fitting.fit`
    trains it in torch: the same normalised pairs, the torch model's initial weights (built
    from the round's "init" stream, :mod:`pairlib.seeds`) copied in, the same ``randperm``
    minibatch order (the "order" stream), dropout drawn from the "dropout" stream.

    Returns the errors (percent), the per-epoch training loss, the run's seconds (measured
    as ``fit`` measures them: from normalisation to the last evaluation) and ``profile``:
    the seconds of each stage of the training loop (each module's forward and backward,
    the loss, the optimiser), and of the whole loop.
    """
    check_pair_config(config)
    device = torch.device(device)
    pairs = generate_pair_sets(config.n_pairs, seed=seed)
    started = time.perf_counter()
    data = normalize_pairs(pairs) if config.normalize else pairs
    x, y, c, tx, ty, tc = (t.to(device) for t in data)
    torch.manual_seed(stream_seed(seed, "init"))
    twin = build_model(config.model, config.target_outputs)
    branch = framework_branch(config.model, config.model.branch_out, device)
    copy_torch_state(branch, twin.branches[0])
    timed = [Timed(m) for m in branch.modules]
    model = fw.Siamese(fw.Sequential(*timed))
    loss, optimizer = fw.LossDigits(), fw.SGD(model.param(), config.lr, config.momentum, config.weight_decay)
    clock: dict[str, float] = defaultdict(float)
    order = torch.Generator().manual_seed(stream_seed(seed, "order"))
    torch.manual_seed(stream_seed(seed, "dropout"))  # the global generator fw.Dropout draws from
    history = []
    loop_started = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        total = 0.0
        for idx in torch.randperm(x.shape[0], generator=order).to(device).split(config.batch_size):
            digits = model.forward(x[idx])
            tic = time.perf_counter()
            value = loss.forward(digits, c[idx])
            grad = loss.backward()
            clock["loss"] += time.perf_counter() - tic
            optimizer.zero_grad()
            model.backward(grad)
            tic = time.perf_counter()
            optimizer.step()
            clock["optimiser"] += time.perf_counter() - tic
            total += value * len(idx)
        history.append(float(total) / x.shape[0])
        if not math.isfinite(history[-1]):
            raise DivergenceError(
                f"framework {config}: loss is {history[-1]} at epoch {epoch} (seed {seed})", epoch
            )
    loop_seconds = time.perf_counter() - loop_started
    for t in timed:  # before the evaluation, which would add its forward passes
        clock[type(t.module).__name__] += t.seconds
    test_error, test_digit_error = pair_errors(model, tx, ty, tc)
    train_error, train_digit_error = pair_errors(model, x, y, c)
    return {
        "seed": seed,
        "epoch": config.epochs,
        "test_error": test_error,
        "test_digit_error": test_digit_error,
        "train_error": train_error,
        "train_digit_error": train_digit_error,
        "history": history,
        "seconds": time.perf_counter() - started,
        "profile": {**clock, "training loop": loop_seconds},
    }


@dataclass(frozen=True)
class PairRun:
    """One registry configuration on the pairs of the round seeded ``seed``."""

    config: TrainConfig
    seed: int


def _pair_job(run: PairRun, device: torch.device) -> dict[str, Any]:
    with compute_on(device):
        return train_pairs(run.config, run.seed, device)


def run_pairs(
    configs: dict[str, TrainConfig],
    protocol: Protocol,
    use_cache: bool = True,
) -> pd.DataFrame:
    """Every named configuration trained in the framework on rounds ``seed``, ..., ``seed + rounds - 1``.

    Round r uses the pairs of :func:`pairlib.train.run_grid`'s round r, so the result
    concatenates with a ``run_grid(..., record="final")`` frame for
    :func:`pairlib.stats.paired_comparison`: one row per name and round (columns ``name``,
    ``round``, ``seed``, ``epoch``, the errors in percent, the training loss of the first and
    last epochs, ``seconds``, ``params``, and a
    ``profile_<stage>`` column per stage of the training loop). Cached like every run.
    """
    rounds, seed, device, workers, progress = astuple(protocol)  # the fields, in order
    resolved = resolve_device(device)
    for config in configs.values():
        check_pair_config(config)
    jobs = list(dict.fromkeys(PairRun(c, seed + r) for c in configs.values() for r in range(rounds)))

    def keys(run: PairRun) -> list[str]:
        description = {
            "framework_pairs": dataclasses.asdict(run.config),
            "seed": run.seed,
            "device": resolved.type,
        }
        return [cache.entry_key(description, "framework_pairs")]

    results = run_jobs(
        jobs,
        functools.partial(_pair_job, device=resolved),
        keys if use_cache else None,
        default_workers(resolved) if workers is None else workers,
        progress,
        desc=f"framework, {len(configs)} pair configs",
    )
    rows = []
    for name, config in configs.items():
        for r in range(rounds):
            result = results[PairRun(config, seed + r)]
            profile = {f"profile_{stage}": s for stage, s in result["profile"].items()}
            scalars = {k: v for k, v in result.items() if k not in ("profile", "history")}
            scalars.update(first_loss=result["history"][0], final_loss=result["history"][-1])
            rows.append({"name": name, "round": r, **scalars, **profile, "params": config.parameter_count()})
    return pd.DataFrame(rows)
