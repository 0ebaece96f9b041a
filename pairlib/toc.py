"""The book's chapters: the toc's jupytext pairs in reading order, with what each says of itself.

A chapter is a toc entry with a ``.py`` (jupytext py:percent, the source of truth) beside it;
its executed notebook is the ``.ipynb`` of the same name. What the build and the regression
check need to know of a chapter beyond its cells, the chapter declares in its own notebook
metadata (the jupytext header), under ``chapter``::

    # ---
    # jupyter:
    #   chapter:
    #     gathers: [results, notebooks]
    #     quick: {rounds: 2, epochs: 3}

``quick``: the parameters of the quick profile (:mod:`pairlib.regression`). ``gathers``: an
aggregator's inputs, the other chapters' ``results`` tables and, for the execution appendix,
their executed ``notebooks`` too; an aggregator executes after them, whenever one of them did.
A chapter without ``chapter`` metadata is a plain chapter with an empty quick profile.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pairlib.paths import REPO_ROOT, TMP_DIR, TOC, toc_files

GATHERS = ("results", "notebooks")
"""What an aggregator may gather from the plain chapters (``chapter.gathers`` values)."""


class BuildError(RuntimeError):
    """A step failed, or a chapter cannot be built as written; the message is the one line
    printed before exiting non-zero."""


def shown(path: Path) -> str:
    """``path`` relative to the repository when inside it (messages, notebook metadata)."""
    path = path.resolve()
    return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path)


@dataclass(frozen=True)
class Chapter:
    """A toc entry that is a jupytext pair: ``source`` (.py) and ``notebook`` (.ipynb), with
    what its metadata declares: ``gathers`` (empty for a plain chapter) and ``quick``."""

    name: str
    source: Path
    notebook: Path
    gathers: tuple[str, ...] = ()
    quick: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def read(cls, source: Path) -> Chapter:
        """The chapter of ``source`` (a .py), its ``chapter`` metadata read and checked."""
        import jupytext

        declared = jupytext.read(source).metadata.get("chapter", {})
        where = f"{shown(source)}: the chapter metadata of its jupytext header"
        if not isinstance(declared, Mapping):
            raise BuildError(f"{where} must be a mapping (gathers, quick), got {declared!r}")
        unknown_keys = sorted(set(declared) - {"gathers", "quick"})
        if unknown_keys:
            raise BuildError(
                f"{where} has unknown entries {', '.join(unknown_keys)}: expected gathers, quick"
            )
        gathers = declared.get("gathers") or []
        if isinstance(gathers, str) or not isinstance(gathers, list):
            raise BuildError(f"{where}: gathers must be a list such as [results], got {gathers!r}")
        unknown = [value for value in gathers if value not in GATHERS]
        if unknown:
            raise BuildError(
                f"{where}: gathers has unknown value {', '.join(map(repr, unknown))}; "
                f"expected some of {', '.join(GATHERS)}"
            )
        quick = declared.get("quick") or {}
        if not isinstance(quick, Mapping):
            raise BuildError(f"{where}: quick must be a mapping such as {{rounds: 2}}, got {quick!r}")
        return cls(source.stem, source, source.with_suffix(".ipynb"), tuple(gathers), dict(quick))

    @property
    def temp_notebook(self) -> Path:
        # Under _build/tmp, where pytest never collects (a notebook left by a killed build
        # must not become a test), in the repository (same filesystem: os.replace is atomic),
        # named after this process so that a later build can tell a stale one.
        return TMP_DIR / f"{self.name}.{os.getpid()}.tmp.ipynb"

    @property
    def temp_input(self) -> Path:
        """The notebook as synced from the .py, papermill's input (deleted afterwards)."""
        return TMP_DIR / f"{self.name}.{os.getpid()}.input.ipynb"


def toc_chapters(toc: Path = TOC) -> list[Chapter]:
    """The toc entries that are jupytext pairs (a .py next to the entry), in toc order."""
    return [
        Chapter.read(stem.with_suffix(".py")) for stem in toc_files(toc) if stem.with_suffix(".py").is_file()
    ]


def plain_chapters(toc: Path = TOC) -> list[Chapter]:
    """The chapters that gather nothing, in toc order: those whose results and executed
    notebooks the aggregators gather."""
    return [chapter for chapter in toc_chapters(toc) if not chapter.gathers]
