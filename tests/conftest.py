"""Shared fixtures. Tests that need MNIST use the provisioned copy (``make test`` provisions it
first); a private results cache per test keeps runs independent of the user's cache."""

from __future__ import annotations

import pytest


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
    """The nbval references re-execute chapters: they belong to the slow lane. Their checked
    outputs are compared on every machine: they print what matters at a precision that does
    not depend on the processor's last bits."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
