"""Where the book's training runs are executed: local worker processes, or a Dask cluster.

Every study is a grid of independent jobs (a round of a configuration, a probe, a gradient
diagnostic, a mini-framework run). :func:`run_jobs` is their one scheduler: it reads what the
results cache already holds, runs the rest through a standard
:class:`concurrent.futures.Executor` and stores each result in the caller's cache as it
arrives. A job's result never depends on where it ran: every CPU job runs on one thread
(:func:`compute_on`), and its random streams come from its seed alone.

- Default: ``$PAIRLIB_WORKERS`` single-thread worker processes (one per core). They die with
  the process that started them, even when it is killed with SIGKILL.
- ``$PAIRLIB_SCHEDULER=tcp://host:8786``: the jobs run on that Dask distributed cluster
  (``distributed.Client(address).get_executor()``); results and cache entries come back here.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent import futures
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, TypeVar

import torch

from pairlib import cache
from pairlib.console import Progress

Job = TypeVar("Job", bound=Hashable)

WORKERS_ENV = "PAIRLIB_WORKERS"
SCHEDULER_ENV = "PAIRLIB_SCHEDULER"
CONNECT_TIMEOUT = "30s"


@dataclass(frozen=True)
class Protocol:
    """How a grid of runs is run, one value for every job that trains: rounds
    ``seed``, ..., ``seed + rounds - 1`` (round r draws its pairs and initialisation from
    ``seed + r``), on ``device`` ("auto", "cpu" or "cuda"), ``workers`` at a time (None: the
    machine's default) with or without progress on the terminal."""

    rounds: int = 10
    seed: int = 0
    device: str = "auto"
    workers: int | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.rounds, bool) or not isinstance(self.rounds, int) or self.rounds < 1:
            raise ValueError(f"rounds must be a positive integer, got {self.rounds!r}")

    @classmethod
    def of(cls, parameters: dict[str, Any], **changes: Any) -> Protocol:
        """A chapter's protocol from its checked parameters (``rounds``, ``seed``, ``device``)."""
        chosen = {k: parameters[k] for k in ("rounds", "seed", "device") if k in parameters}
        return cls(**{**chosen, **changes})

    def replace(self, **changes: Any) -> Protocol:
        """The same protocol with ``changes`` (for instance other rounds on a seed of their own)."""
        return replace(self, **changes)


class Stateful(NamedTuple):
    """A job's result with the trained model's state it came from (:func:`cache.dump_state`
    bytes, or None when there is no model, e.g. a diverged run): :func:`run_jobs` stores the
    state beside the result, so that a later job can read the model instead of training it."""

    result: Any
    state: bytes | None


class JobFailed(RuntimeError):
    """A job could not finish because the process running it died (killed, out of memory)."""


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """'auto' is CUDA when present, else the CPU; asking for CUDA without a GPU is an error."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for but no CUDA GPU is available; use 'auto' or 'cpu'")
    return device


@contextlib.contextmanager
def single_thread() -> Iterator[None]:
    """One intra-op thread for the enclosed training: how every CPU run of the book is made.

    These networks are too small for two threads to share one minibatch well, while two
    single-thread runs side by side nearly double the throughput (scripts/benchmark.py), and
    a run's figures then do not depend on how many workers were used.
    """
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(saved)


def compute_on(device: torch.device) -> contextlib.AbstractContextManager[None]:
    """The context every job computes in: one thread on the CPU, as is on a GPU."""
    return single_thread() if device.type == "cpu" else contextlib.nullcontext()


def default_workers(device: torch.device) -> int:
    """Jobs run side by side: ``$PAIRLIB_WORKERS``, else one per CPU (one on CUDA)."""
    if device.type == "cuda":
        return 1
    value = os.environ.get(WORKERS_ENV, "")
    if not value:
        return max(1, os.cpu_count() or 1)
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise ValueError(f"${WORKERS_ENV} must be a positive integer, got {value!r}")
    return workers


# --- executors ------------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _worker_init(parent: int) -> None:
    """Set up a local worker: it ignores Ctrl-C and dies with the process that started it.

    Ctrl-C (or a kernel shutdown) reaches the whole process group: the parent handles it,
    cancelling what is queued. If the parent is killed outright (SIGKILL, the OOM killer, a
    kernel crash) nothing else would end the workers, which hold about 1 GB each: Linux's
    parent-death signal does, and a watchdog thread covers other systems.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="pairlib-parent-watch").start()


_LOCAL: tuple[int, futures.ProcessPoolExecutor] | None = None
_CLUSTER: tuple[str, Any, futures.Executor] | None = None


def _local_pool(workers: int) -> futures.Executor | None:
    # Kept for the life of the process: spawning a worker (importing torch) costs seconds,
    # and a chapter submits hundreds of jobs. None where processes cannot share memory
    # (no /dev/shm): the jobs then run in this process.
    global _LOCAL
    if _LOCAL is None or _LOCAL[0] != workers:
        shutdown()
        context = multiprocessing.get_context("spawn")  # fork is unsafe once OpenMP has started
        try:
            pool = futures.ProcessPoolExecutor(
                workers, mp_context=context, initializer=_worker_init, initargs=(os.getpid(),)
            )
        except OSError as error:
            warnings.warn(
                f"pairlib: no worker processes ({error}); running jobs in this process", stacklevel=3
            )
            return None
        _LOCAL = (workers, pool)
    return _LOCAL[1]


def _cluster(address: str) -> futures.Executor:
    global _CLUSTER
    if _CLUSTER is None or _CLUSTER[0] != address:
        shutdown()
        try:
            from distributed import Client
        except ImportError as error:  # pragma: no cover - distributed is in the lock file
            raise RuntimeError(f"${SCHEDULER_ENV} is set but dask.distributed is not installed") from error
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise RuntimeError(
                f"{SCHEDULER_ENV}={address!r}: no Dask scheduler answers there ({error})"
            ) from error
        _CLUSTER = (address, client, client.get_executor(pure=False))
    return _CLUSTER[2]


def executor(workers: int) -> futures.Executor | None:
    """The executor jobs are submitted to: the Dask cluster named by ``$PAIRLIB_SCHEDULER``,
    else ``workers`` local processes; None means run in this process."""
    address = os.environ.get(SCHEDULER_ENV, "").strip()
    if address:
        return _cluster(address)
    return _local_pool(workers) if workers > 1 else None


@atexit.register
def shutdown() -> None:
    """End the local workers and close the cluster client (before the interpreter tears down
    the modules their own exit hooks need)."""
    global _LOCAL, _CLUSTER
    if _LOCAL is not None:
        _LOCAL[1].shutdown(cancel_futures=True)
        _LOCAL = None
    if _CLUSTER is not None:
        _CLUSTER[2].shutdown(wait=False)
        _CLUSTER[1].close()
        _CLUSTER = None


# --- the scheduler --------------------------------------------------------------------------


def cached(
    jobs: Sequence[Job], keys: Callable[[Job], Sequence[str]], with_state: bool = False
) -> dict[Job, Any]:
    """The results of ``jobs`` that the cache holds (see :func:`run_jobs`); nothing runs."""
    results: dict[Job, Any] = {}
    for job in jobs:
        for key in keys(job):
            stored = cache.load(key)
            state = cache.load_state(key) if with_state and stored is not None else None
            if stored is not None and (state is not None or not with_state):
                results[job] = Stateful(stored[0], state) if with_state else stored[0]
                break
    return results


def run_jobs(
    jobs: Sequence[Job],
    work: Callable[[Job], Any],
    keys: Callable[[Job], Sequence[str]] | None = None,
    workers: int = 1,
    progress: bool = True,
    desc: str = "rounds",
    with_state: bool = False,
) -> dict[Job, Any]:
    """Every job's result: from the cache, else computed by :func:`executor`'s processes.

    The one scheduler behind everything that trains. ``keys(job)`` lists the cache keys where
    a result may already be stored (the first one found is read; a fresh result is stored
    under the first); ``None`` disables the cache. ``work`` runs in other processes, so it
    must be picklable: a top-level function or a ``functools.partial`` of one. Before anything
    trains, the cache folder is checked: an unusable one is reported once and the jobs run
    without it, so a finished run is never lost to a cache write.

    A job may return a :class:`Stateful`: its state is stored beside its result. The caller
    gets the result alone, or with ``with_state`` every job's :class:`Stateful` (a cached
    result counts only where its state is stored too; else the job runs again).
    """
    results = cached(jobs, keys, with_state) if keys is not None else {}
    missing = [job for job in jobs if job not in results]
    bar = Progress(len(missing), desc[:40] or "rounds", enabled=progress, cached=len(results))
    if not missing:
        return results
    storing = keys is not None and cache.usable()

    def done(job: Job, result: Any) -> None:
        nonlocal storing
        stateful = result if isinstance(result, Stateful) else Stateful(result, None)
        results[job] = stateful if with_state else stateful.result
        if storing and keys is not None:
            storing = cache.store(keys(job)[0], [stateful.result])
            if storing and stateful.state is not None:
                storing = cache.store_state(keys(job)[0], stateful.state)
        bar.update()

    pool = executor(workers) if len(missing) > 1 or os.environ.get(SCHEDULER_ENV) else None
    if pool is None:
        for job in missing:
            done(job, work(job))
    else:
        pending = {pool.submit(work, job): job for job in missing}
        try:
            for future in futures.as_completed(pending):
                done(pending[future], _result(future, pending[future]))
        finally:
            for future in pending:
                future.cancel()
    return results


def describe_job(job: Any) -> str:
    """A job in a few words for an error line: its name, round and seed, not its whole
    configuration (a ``TrainConfig`` prints as about 1.5 KB)."""
    inner = getattr(job, "job", job)  # a derived job names the round job it derives from
    parts = [str(getattr(inner, attr)) for attr in ("name",) if getattr(inner, attr, None)]
    parts += [f"{attr} {getattr(inner, attr)}" for attr in ("round", "seed") if hasattr(inner, attr)]
    text = ", ".join(parts) if parts else repr(inner)
    return text if len(text) <= 120 else text[:117] + "..."


def _result(future: futures.Future, job: Any) -> Any:
    """The job's result, or one line naming the job when its worker, or the cluster, is gone."""
    try:
        return future.result()
    except futures.process.BrokenProcessPool:
        shutdown()  # a broken pool cannot run anything more: the next call starts a fresh one
        raise JobFailed(
            f"a worker process died while running {describe_job(job)} (killed or out of memory)"
        ) from None
    except futures.CancelledError as error:
        address = os.environ.get(SCHEDULER_ENV, "").strip()
        shutdown()
        if address:
            raise JobFailed(
                f"the Dask scheduler {address} went away while running {describe_job(job)} "
                f"(its client was closed: {type(error).__name__})"
            ) from None
        raise JobFailed(f"{describe_job(job)} was cancelled before it finished") from None
    except Exception as error:
        if type(error).__name__ == "KilledWorker":  # distributed.scheduler.KilledWorker
            raise JobFailed(
                f"the Dask workers running {describe_job(job)} died, more times than the scheduler "
                "retries a job (distributed.scheduler.allowed-failures)"
            ) from None
        raise
