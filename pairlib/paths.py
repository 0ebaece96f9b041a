"""Where things live: the repository's folders, resolved the same from any working directory.

papermill and Jupyter start kernels in the notebook's folder and pytest runs from wherever it
is called, so a relative default such as ``./data`` would provision a second MNIST (72 MB) or
start a cold results cache under ``notebooks/``. Every default here is absolute.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
TOC = REPO_ROOT / "_toc.yml"
RESULTS_DIR = REPO_ROOT / "results"
BUILD_DIR = REPO_ROOT / "_build"
TMP_DIR = BUILD_DIR / "tmp"
"""Scratch notebooks of builds and reference runs: under ``_build``, where pytest never looks."""


def data_dir() -> Path:
    """``$PYTORCH_DATA_DIR``, else ``<repository>/data`` (MNIST lives in its ``mnist`` folder)."""
    return Path(os.environ.get("PYTORCH_DATA_DIR") or REPO_ROOT / "data")


def cache_setting() -> str:
    """``$PAIRLIB_CACHE_DIR`` as set (``off`` disables the cache), else ``<repository>/.cache/runs``."""
    return os.environ.get("PAIRLIB_CACHE_DIR", str(REPO_ROOT / ".cache" / "runs"))


def toc_files(toc: Path = TOC) -> list[Path]:
    """Every ``file:`` entry of the toc, in reading order, as paths without suffix."""

    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if "file" in node:
                yield node["file"]
            for key in ("root", "parts", "chapters", "sections"):
                if key == "root" and key in node:
                    yield node["root"]
                elif key in node:
                    yield from walk(node[key])
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    data = yaml.safe_load(toc.read_text())
    return [toc.parent / Path(entry).with_suffix("") for entry in walk(data)]
