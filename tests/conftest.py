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
