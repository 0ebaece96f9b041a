"""A results cache, so that re-rendering a chapter after a prose edit does not retrain.

An entry is one training run's tidy rows, stored as JSON under a key that hashes the full
configuration, the round's seed, the code (not the comments or docstrings) of the modules
that decide the numbers (:data:`CODE_MODULES`) and the versions of the packages that compute
them (:data:`NUMERIC_PACKAGES`). Change any of these and the key changes: nothing stale is
ever read. The directory is plain and can be deleted at any time
(``$PAIRLIB_CACHE_DIR``, default ``.cache/runs`` in the repository). An entry that does not
parse or whose checksum does not match is reported, deleted and recomputed, never trusted. A
folder that cannot be written is reported once, and runs go on without it.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import importlib.metadata
import json
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from pairlib import paths
from pairlib.files import write_atomically

#: The modules whose source decides a run's numbers.
CODE_MODULES = ("data.py", "provision.py", "models.py", "augment.py", "seeds.py", "train.py")

#: The packages whose versions decide a run's numbers (kernels, random generators).
NUMERIC_PACKAGES = ("torch", "torchvision", "numpy")


def _code_only(source: str) -> str:
    """The module's syntax tree without docstrings: comments, formatting and prose edits of
    the library do not change a run's numbers, so they must not invalidate the cache."""
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


@functools.lru_cache(maxsize=8)
def code_version(modules: tuple[str, ...] = CODE_MODULES) -> str:
    """sha256 over the code of ``modules`` (paths inside the package): changing any of it
    invalidates the entries keyed with it. Digit-pair runs use :data:`CODE_MODULES`; the
    mini-framework runs name the framework's own files."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for name in modules:
        digest.update(name.encode() + b"\0" + _code_only((package / name).read_text()).encode())
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def environment() -> dict[str, str]:
    """The installed versions of :data:`NUMERIC_PACKAGES`: a new torch retrains everything."""
    return {name: importlib.metadata.version(name) for name in NUMERIC_PACKAGES}


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


def entry_key(description: dict[str, Any], modules: tuple[str, ...] = CODE_MODULES) -> str:
    """The key of a run described by ``description``, under the current code of ``modules``
    and the installed numeric packages."""
    payload = json.dumps(
        {"run": description, "code": code_version(modules), "environment": environment()},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _checksum(rows: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def load(key: str) -> list[dict[str, Any]] | None:
    """The rows stored under ``key``, or None if absent or corrupt (a corrupt entry is removed)."""
    root = cache_dir()
    if root is None:
        return None
    path = root / key[:2] / f"{key}.json"
    if not path.exists():
        return None
    try:
        entry = json.loads(path.read_text())
        if entry["key"] != key or entry["checksum"] != _checksum(entry["rows"]):
            raise ValueError("checksum mismatch")
        return entry["rows"]
    except (ValueError, KeyError, TypeError, OSError) as error:
        warnings.warn(f"pairlib: corrupt cache entry {path} ({error}); recomputing it", stacklevel=2)
        with contextlib.suppress(OSError):
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        return None


def store(key: str, rows: list[dict[str, Any]]) -> bool:
    """Store ``rows`` under ``key``; False (with a warning) when the write failed, e.g. a full disk.

    The caller keeps its result either way: a cache is an optimisation, never a place a
    finished run can be lost.
    """
    root = cache_dir()
    if root is None:
        return False
    entry = {"key": key, "checksum": _checksum(rows), "rows": rows}
    try:
        write_atomically(root / key[:2] / f"{key}.json", json.dumps(entry).encode())
    except OSError as error:
        warnings.warn(
            f"pairlib: could not write to the results cache {root} ({error}); "
            "this run's result is kept, later ones are not stored ($PAIRLIB_CACHE_DIR)",
            stacklevel=2,
        )
        return False
    return True
