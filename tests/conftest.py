"""Shared fixtures. Tests that need MNIST use the provisioned copy (``make test`` provisions it
first); a private results cache per test keeps runs independent of the user's cache."""

from __future__ import annotations

import pytest

UNCOMPARED = pytest.StashKey[list]()


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """A fresh, empty results cache for one test."""
    path = tmp_path / "cache"
    monkeypatch.setenv("PAIRLIB_CACHE_DIR", str(path))
    return path


def pytest_ignore_collect(collection_path, config):
    """Hidden files are never tests: a scratch notebook left by a killed run (``.X.tmp.ipynb``)
    would otherwise be executed as a reference and could pass while testing the wrong thing."""
    if collection_path.name.startswith("."):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    """The nbval references re-execute chapters: they belong to the slow lane. A reference
    made on another processor is executed without comparing its trained figures, which
    differ there in the last bits (:func:`pairlib.regression.numerics_mismatch`); the
    summary names each such reference and why."""
    from pairlib.regression import REFERENCE_DIR, numerics_mismatch

    mismatches: dict[str, str | None] = {}
    for item in items:
        if item.path.suffix != ".ipynb":
            continue
        item.add_marker(pytest.mark.slow)
        if item.path.parent != REFERENCE_DIR:
            continue
        if item.path.name not in mismatches:
            mismatches[item.path.name] = numerics_mismatch(item.path)
        if mismatches[item.path.name] is not None and hasattr(item, "options"):
            item.options["check"] = False
    config.stash[UNCOMPARED] = [reason for reason in mismatches.values() if reason]


def pytest_terminal_summary(terminalreporter, config):
    for reason in config.stash.get(UNCOMPARED, []):
        terminalreporter.write_line(
            f"nbval: figures not compared: {reason}; run `make references` to compare them here",
            yellow=True,
        )
