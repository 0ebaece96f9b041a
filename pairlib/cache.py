"""A results cache, so that re-rendering a chapter after a prose edit does not retrain.

An entry is one training run's tidy rows, stored as JSON under a key that hashes the full
configuration, the round's seed, the numerics version of its kind of job
(:data:`NUMERICS_VERSIONS`, bumped with any change of code that changes a bit, which the
golden runs check) and the versions of the packages that compute them
(:data:`NUMERIC_PACKAGES`). Change any of these and the key changes: nothing stale is ever
read, and a refactor of the library retrains nothing. The directory is plain and can be deleted at any time
(``$PAIRLIB_CACHE_DIR``, default ``.cache/runs`` in the repository). An entry that does not
parse or whose checksum does not match is reported, deleted and recomputed, never trusted. A
folder that cannot be written is reported once, and runs go on without it.

A training run's entry may have a sidecar, the trained model's state (``<key>.pt``, about
300 KB), so that predictions and probes of the same run read the model instead of training it
again (:func:`store_state`). Reading the rows never opens it. It is checked as strictly as the
rows: a state file that does not match its checksum or does not load is reported, deleted and
recomputed.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import importlib.metadata
import io
import json
import os
import platform
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch

from pairlib import paths
from pairlib.files import write_atomically

#: The numerics version of each kind of job: bump a kind's number when a change of code
#: changes any bit of what its jobs compute, and only then. A refactor, a rename or a
#: docstring edit changes no version, so it retrains nothing. The golden runs
#: (``python -m pairlib.golden``, tested by ``tests/test_golden.py``) hold this promise: they
#: train a short run of every feature the registry uses, and fail when their bits differ from
#: those recorded for the current versions on this processor.
NUMERICS_VERSIONS: dict[str, int] = {
    "train": 1,  # data, provision, models, augment, seeds, losses, fitting, train: every digit-pair run
    "gradients": 1,  # diagnostics: per-layer gradient norms during training
    "probes": 1,  # probes of a trained branch's digit outputs
    "predictions": 1,  # analysis: predictions of trained runs, TTA, comparators after training
    "framework": 1,  # the mini framework's own runs (the disk)
    "framework_pairs": 1,  # the mini framework on the digit pairs (also reads train's data)
}

#: What each kind's jobs also read: a change of a kind it depends on changes its keys too.
NUMERICS_DEPENDS: dict[str, tuple[str, ...]] = {
    "gradients": ("train",),
    "probes": ("train",),
    "predictions": ("train",),
    "framework_pairs": ("framework", "train"),
}

#: The packages whose versions decide a run's numbers (kernels, random generators).
NUMERIC_PACKAGES = ("torch", "torchvision", "numpy")


def numerics_version(kind: str) -> dict[str, int]:
    """The versions a job of ``kind`` is keyed by: its own and those of what it reads."""
    if kind not in NUMERICS_VERSIONS:
        raise ValueError(f"unknown kind of job {kind!r}: expected one of {', '.join(NUMERICS_VERSIONS)}")
    kinds = (kind, *NUMERICS_DEPENDS.get(kind, ()))
    return {name: NUMERICS_VERSIONS[name] for name in sorted(kinds)}


def code_only(source: str) -> str:
    """The module's syntax tree without docstrings or comments: what the build fingerprints,
    so that a prose edit of the library re-executes no chapter."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


@functools.lru_cache(maxsize=1)
def environment() -> dict[str, str]:
    """The installed versions of :data:`NUMERIC_PACKAGES` (a new torch retrains everything)
    and, outside the native mode, the numerics mode (:mod:`pairlib.numerics`): portable
    kernels give other bits, so their runs are other entries."""
    from pairlib.numerics import MODES, PORTABLE_CODE, mode

    versions = {name: importlib.metadata.version(name) for name in NUMERIC_PACKAGES}
    if mode() == "native":
        return versions
    # The mode's settings too: a mode whose settings change gives other bits, other entries.
    kernels = json.dumps(MODES[mode()], sort_keys=True)
    return {**versions, "numerics": mode(), "kernels": kernels, "code": PORTABLE_CODE}


@functools.lru_cache(maxsize=1)
def cpu_numerics() -> dict[str, str]:
    """What besides the code and the packages decides the last bits of a CPU run: the
    processor and the instruction set that torch's kernels (and MKL's, oneDNN's) dispatch to.
    PyTorch does not promise the same bits on another processor, and after a few epochs a
    last-bit difference changes which pairs a model misreads: a regression check compares
    figures only where this matches the machine that made its reference."""
    info: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in {"vendor_id", "model name", "cache size"}:
                info.setdefault(key.strip(), value.strip())
    from pairlib.numerics import MODES, mode

    settings = sorted({key for keys in MODES.values() for key in keys})
    return {
        "machine": platform.machine(),
        "cpu": " / ".join(info.values()) or platform.processor(),
        "capability": torch.backends.cpu.get_cpu_capability(),
        "mode": mode(),
        **{key: os.environ[key] for key in settings if key in os.environ},
        **environment(),
    }


def cache_dir() -> Path | None:
    """The cache directory, or None when ``$PAIRLIB_CACHE_DIR`` is set to ``off``."""
    value = paths.cache_setting()
    return None if value.lower() in {"off", "0", "none", ""} else Path(value)


def usable() -> bool:
    """Whether entries can be written: checked before training, so that no finished run is
    lost to a cache write. An unusable folder is reported naming ``$PAIRLIB_CACHE_DIR``."""
    root = cache_dir()
    if root is None:
        return False
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as error:
        warnings.warn(
            f"pairlib: the results cache {root} cannot be written ({error}); runs go on without it. "
            "Set $PAIRLIB_CACHE_DIR to a writable folder, or to 'off'.",
            stacklevel=2,
        )
        return False
    return True


def entry_key(description: dict[str, Any], kind: str = "train") -> str:
    """The key of a job of ``kind`` described by ``description``, under the numerics versions
    of that kind (:data:`NUMERICS_VERSIONS`) and the installed numeric packages."""
    payload = json.dumps(
        {"run": description, "numerics": numerics_version(kind), "environment": environment()},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _checksum(rows: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def _path(key: str, suffix: str) -> Path | None:
    root = cache_dir()
    return None if root is None else root / key[:2] / f"{key}{suffix}"


def _discard(path: Path, error: Exception) -> None:
    warnings.warn(f"pairlib: corrupt cache entry {path} ({error}); recomputing it", stacklevel=3)
    with contextlib.suppress(OSError):
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)


def load(key: str) -> list[dict[str, Any]] | None:
    """The rows stored under ``key``, or None if absent or corrupt (a corrupt entry is removed)."""
    path = _path(key, ".json")
    if path is None or not path.exists():
        return None
    try:
        entry = json.loads(path.read_text())
        if entry["key"] != key or entry["checksum"] != _checksum(entry["rows"]):
            raise ValueError("checksum mismatch")
        return entry["rows"]
    except (ValueError, KeyError, TypeError, OSError) as error:
        _discard(path, error)
        return None


def store(key: str, rows: list[dict[str, Any]]) -> bool:
    """Store ``rows`` under ``key``; False (with a warning) when the write failed, e.g. a full disk.

    The caller keeps its result either way: a cache is an optimisation, never a place a
    finished run can be lost.
    """
    entry = {"key": key, "checksum": _checksum(rows), "rows": rows}
    return _write(key, ".json", json.dumps(entry).encode())


def _write(key: str, suffix: str, content: bytes) -> bool:
    path = _path(key, suffix)
    if path is None:
        return False
    try:
        write_atomically(path, content)
    except OSError as error:
        root = cache_dir()
        warnings.warn(
            f"pairlib: could not write to the results cache {root} ({error}); "
            "this run's result is kept, later ones are not stored ($PAIRLIB_CACHE_DIR)",
            stacklevel=3,
        )
        return False
    return True


# --- model states -----------------------------------------------------------------------------

#: A state file starts with this, then the sha256 of the rest (torch.save's zip of the state).
_STATE_MAGIC = b"pairlib-state-1\0"


def dump_state(state: dict[str, torch.Tensor]) -> bytes:
    """A model's ``state_dict`` as bytes: what a worker sends back and the cache stores
    (plain bytes cross process and cluster boundaries without shared-memory handles)."""
    buffer = io.BytesIO()
    torch.save({name: tensor.detach().cpu() for name, tensor in state.items()}, buffer)
    return buffer.getvalue()


def read_state(blob: bytes) -> dict[str, torch.Tensor]:
    """The ``state_dict`` of :func:`dump_state`'s bytes, on the CPU; tensors only
    (``weights_only``: a cache file can never run code)."""
    return torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)


def store_state(key: str, blob: bytes) -> bool:
    """Store a trained model's state (:func:`dump_state`) beside the rows of ``key``.

    False (with a warning) when the write failed: the run's rows are kept either way, and a
    later request for the model trains it again.
    """
    return _write(key, ".pt", _STATE_MAGIC + hashlib.sha256(blob).digest() + blob)


def load_state(key: str) -> bytes | None:
    """The state stored beside ``key`` (:func:`dump_state`'s bytes), or None if absent or
    corrupt: a truncated or altered file, or one that does not load, is reported and removed."""
    path = _path(key, ".pt")
    if path is None or not path.exists():
        return None
    try:
        content = path.read_bytes()
        head, digest = len(_STATE_MAGIC), content[len(_STATE_MAGIC) : len(_STATE_MAGIC) + 32]
        blob = content[head + 32 :]
        if not content.startswith(_STATE_MAGIC) or hashlib.sha256(blob).digest() != digest:
            raise ValueError("checksum mismatch")
        read_state(blob)  # refuse a file torch cannot load here, not in a worker
    except Exception as error:  # torch.load raises many kinds: any means corrupt
        _discard(path, error)
        return None
    return blob
