"""The rounds protocol: every configuration trained for many rounds, each run named by its key.

Round r of any configuration draws its pairs with seed ``seed + r``, so every configuration
sees the same pairs in round r, which makes paired comparisons possible. :func:`run_grid`
trains named configurations for their rounds (one run is :func:`pairlib.fitting.fit`) and
gathers one tidy frame; :func:`run_keys` is the one way to name a trained run in the cache,
and :func:`from_trained` derives results (predictions, probes) from a run's stored model.
Where the runs execute is :mod:`pairlib.runner`'s business.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field
from typing import Any, Literal

import pandas as pd
import torch

from pairlib import cache
from pairlib.data import generate_pair_sets
from pairlib.fitting import DivergenceError, Fitted, TrainConfig, fit, restore

# Modules being moved elsewhere (pairlib.analysis, the chapter modules) import TrainConfig,
# Fitted, target_probability and default_workers from here: they stay importable here until
# those modules import them from where they live (pairlib.fitting, losses, runner).
from pairlib.losses import target_probability  # noqa: F401
from pairlib.runner import Protocol, Stateful, cached, compute_on, default_workers, resolve_device, run_jobs


@dataclass(frozen=True)
class RoundJob:
    """One round of one named configuration; its seed decides its pairs and initialisation."""

    name: str
    config: TrainConfig
    round: int
    seed: int


def _train_job(
    job: RoundJob,
    device: torch.device,
    record: str,
    channels_last: bool,
    diverged: str,
) -> Stateful:
    """One round of one configuration, from its seed alone (runs in a worker or in-process):
    its rows, and its trained model's state for the predictions and probes of the same run."""
    with compute_on(device):
        pairs = generate_pair_sets(job.config.n_pairs, seed=job.seed)
        try:
            fitted = fit(
                job.config,
                pairs,
                job.seed,
                device=device,
                record=record,
                name=job.name,
                channels_last=channels_last,
            )
        except DivergenceError as error:
            if diverged == "raise":
                raise
            return Stateful([{"epoch": error.epoch, "diverged": True}], None)
        # Only a siamese model is read again (predictions and probes need its digit outputs):
        # storing merged models' states too would add a third to the cache for nothing.
        siamese = job.config.model.layout == "siamese"
        state = cache.dump_state(fitted.model.state_dict()) if siamese else None
    return Stateful([{**row, "diverged": False} for row in fitted.rows], state)


def run_keys(
    job: RoundJob,
    device: torch.device,
    record: Literal["final", "epoch"],
    channels_last: bool = True,
    diverged: Literal["raise", "record"] = "raise",
) -> list[str]:
    """The cache keys where ``job``'s run may be stored, the one to store it under first: the
    one way to name a trained run, whoever asks for it (run_grid, predictions, probes)."""

    def key(kind: str) -> str:
        return cache.entry_key(
            {
                "config": dataclasses.asdict(job.config),
                "seed": job.seed,
                "channels_last": channels_last,
                "record": kind,
                "device": device.type,
                "threads": 1 if device.type == "cpu" else None,
                "diverged": diverged,
            }
        )

    # A run recorded per epoch holds everything a 'final' request needs, and the training
    # itself is the same (evaluation draws no random numbers), model state included.
    return [key(record)] + ([key("epoch")] if record == "final" else [])


def run_grid(
    configs: dict[str, TrainConfig],
    protocol: Protocol,
    record: Literal["final", "epoch"] = "epoch",
    use_cache: bool = True,
    channels_last: bool = True,
    diverged: Literal["raise", "record"] = "raise",
) -> pd.DataFrame:
    """Train every named configuration for ``rounds`` rounds (new pairs, new initialisation each).

    Round r of every configuration draws its pairs with seed ``seed + r``. Returns one tidy
    DataFrame: a row per configuration, round and epoch, with every metric (errors in
    percent) and every configuration field, ready for seaborn and pandas. Runs already in the
    cache (same configuration, seed and code) are read, the others trained ``workers`` at a
    time in worker processes, each on one thread.

    A run whose loss becomes NaN raises :class:`DivergenceError` naming it; with
    ``diverged="record"`` (a sweep that reaches unstable settings) it is kept instead as one
    row with ``diverged`` True, the epoch it diverged at and no errors, which
    :func:`pairlib.stats.summarise` reports as diverged rounds, never averaged away.
    """
    rounds, seed, device, workers, progress = astuple(protocol)  # the fields, in order
    if diverged not in ("raise", "record"):
        raise ValueError(f"diverged must be 'raise' or 'record', got {diverged!r}")
    resolved = resolve_device(device)
    workers = default_workers(resolved) if workers is None else workers
    # Names of one configuration (a report that prints one model twice) share its runs: each
    # configuration is trained once, under the first name that asks for it.
    first_name: dict[TrainConfig, str] = {}
    for name, config in configs.items():
        first_name.setdefault(config, name)
    jobs = [RoundJob(name, config, r, seed + r) for config, name in first_name.items() for r in range(rounds)]
    job_of = {(j.config, j.round): j for j in jobs}

    keys = functools.partial(
        run_keys, device=resolved, record=record, channels_last=channels_last, diverged=diverged
    )
    work = functools.partial(
        _train_job, device=resolved, record=record, channels_last=channels_last, diverged=diverged
    )
    results = run_jobs(jobs, work, keys if use_cache else None, workers, progress, desc=", ".join(configs))
    frames = []
    for name, config in configs.items():
        runs = [
            pd.DataFrame(results[job_of[(config, r)]]).assign(round=r, seed=seed + r) for r in range(rounds)
        ]
        meta = {"name": name, "params": config.parameter_count(), **config.as_row()}
        metrics = pd.concat(runs, ignore_index=True)
        clash = set(meta) & set(metrics)
        if clash:  # a configuration field would silently overwrite a recorded metric
            raise RuntimeError(f"run_grid: columns {sorted(clash)} are both metrics and config fields")
        frames.append(metrics.assign(**meta))
    df = pd.concat(frames, ignore_index=True)
    for column in (
        "running_train_error",
        "test_error",
        "test_digit_error",
        "train_error",
        "train_digit_error",
    ):
        if column in df:
            df[column] *= 100.0
    return df


@dataclass(frozen=True)
class TrainedJob:
    """A round job with its trained run (rows and model state), sent to a worker to derive
    outputs from; it compares and hashes as its round job alone."""

    job: RoundJob
    rows: list[dict[str, Any]] = field(compare=False, repr=False)
    state: bytes = field(compare=False, repr=False)


def trained_runs(
    jobs: Sequence[RoundJob],
    device: torch.device,
    workers: int,
    use_cache: bool = True,
    progress: bool = True,
    desc: str = "rounds",
) -> dict[RoundJob, Stateful]:
    """Every job's run as ``run_grid(..., record="final")`` makes it, with its model state:
    read from run_grid's cache entry (an epoch-recorded one serves too) where it holds the
    state, else trained and stored there, rows and state, for run_grid to read later."""
    keys = functools.partial(run_keys, device=device, record="final") if use_cache else None
    work = functools.partial(_train_job, device=device, record="final", channels_last=True, diverged="raise")
    return run_jobs(jobs, work, keys, workers, progress, desc, with_state=True)


def _derived_job(trained: TrainedJob, derive: Callable[[RoundJob, Fitted], Any], device: torch.device) -> Any:
    """``derive`` of one round's restored model (in a worker, on one thread like its training)."""
    with compute_on(device):
        fitted = restore(trained.job.config, trained.job.seed, trained.state, device, rows=trained.rows)
        return derive(trained.job, fitted)


def from_trained(
    jobs: Sequence[RoundJob],
    derive: Callable[[RoundJob, Fitted], Any],
    key: Callable[[RoundJob], str] | None,
    device: torch.device,
    workers: int,
    progress: bool = True,
    desc: str = "rounds",
) -> dict[RoundJob, Any]:
    """``derive(job, fitted)`` for every job, computed from the job's one trained run.

    How predictions and probes read a model: a derived result is cached under ``key(job)``
    (None: no cache at all); a missing one is computed in a worker from the run's stored
    state (:func:`pairlib.fitting.restore`), and only a run that :func:`run_grid` never
    stored with its state is trained, once, under run_grid's key. ``derive`` must be picklable.
    """
    keys = None if key is None else (lambda job: [key(job)])
    results = cached(jobs, keys) if keys is not None else {}
    missing = [job for job in jobs if job not in results]
    if missing:
        runs = trained_runs(missing, device, workers, keys is not None, progress, desc)
        todo = [TrainedJob(job, runs[job].result, runs[job].state) for job in missing]
        derived = run_jobs(
            todo,
            functools.partial(_derived_job, derive=derive, device=device),
            None if keys is None else (lambda trained: keys(trained.job)),
            workers,
            progress,
            desc,
        )
        results.update({trained.job: derived[trained] for trained in todo})
    return results


def run_rounds(config: TrainConfig, protocol: Protocol, name: str = "", **options: Any) -> pd.DataFrame:
    """:func:`run_grid` for one configuration (same options)."""
    return run_grid({name: config}, protocol, **options)


def final_epoch(df: pd.DataFrame) -> pd.DataFrame:
    """The last epoch's row of every run: where the final train and test errors are."""
    return df[df["epoch"] == df.groupby(["name", "round"])["epoch"].transform("max")]
