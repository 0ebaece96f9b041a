"""The mini-framework chapter's runs: one setting on one round's data, cached, two at a time.

A run trains a 2-25-25-25 network of :mod:`pairlib.framework` on 1000 points of the disk
problem: seconds of Python-bound arithmetic, and the chapter makes hundreds of them. Like
the digit-pair runs they go through :func:`pairlib.train.run_jobs`: read from the results
cache when the setting, the seed and the framework's code are unchanged, otherwise trained
in single-thread worker processes. A result holds the trained weights (1.4k numbers), so
the decision-boundary figures need no retraining.

Round r of a study draws everything from one generator seeded with ``seed + r``: its
training set, then its test set, then the initial weights, then every minibatch order.
Every setting therefore sees the same data in the same round.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from dataclasses import dataclass
from typing import Any, Literal

import torch

from pairlib import cache
from pairlib import framework as fw
from pairlib.runner import compute_on, default_workers, resolve_device, run_jobs

#: The files whose code decides a framework run's numbers (see :func:`pairlib.cache.code_version`).
FRAMEWORK_MODULES = (
    "framework/disk.py",
    "framework/losses.py",
    "framework/modules.py",
    "framework/optim.py",
    "framework/training.py",
    "framework_study.py",
)
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
    rounds: int,
    epochs: int,
    seed: int = 0,
    n_points: int = 1000,
    batch_size: int = 50,
    device: str = "cpu",
    workers: int | None = None,
    progress: bool = True,
    use_cache: bool = True,
) -> dict[str, list[dict[str, Any]]]:
    """Every named setting on rounds ``seed``, ..., ``seed + rounds - 1``: a list of results per name.

    Results come from the cache where the setting, seed, epochs, data size, batch size,
    device kind and framework code are unchanged; the others are trained ``workers`` at a
    time (default: one per CPU). A run's numbers do not depend on where it ran.
    """
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
        return [cache.entry_key(description, FRAMEWORK_MODULES)]

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
