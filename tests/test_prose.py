"""The chapters read as prose (issue 14): at least half of every chapter's non-blank lines are
prose, counted on the jupytext source the way d2l's chapters would be read: the lines of its
markdown cells against the lines of its code cells (cell markers and the header are format,
not content). The appendices of tables and timings are exempt: they are tables, not prose."""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from pairlib.paths import REPO_ROOT

APPENDICES = {"book/results_tables", "book/execution"}
CHAPTERS = sorted(
    str(path.relative_to(REPO_ROOT).with_suffix(""))
    for folder in ("notebooks", "book")
    for path in (REPO_ROOT / folder).glob("*.py")
    if str(path.relative_to(REPO_ROOT).with_suffix("")) not in APPENDICES
)


def prose_share(source: Path) -> float:
    """The share of non-blank cell lines that are in markdown cells."""
    lines = {"markdown": 0, "code": 0}
    for cell in jupytext.read(source).cells:
        kind = "markdown" if cell.cell_type == "markdown" else "code"
        lines[kind] += sum(1 for line in cell.source.splitlines() if line.strip())
    return lines["markdown"] / (lines["markdown"] + lines["code"])


def test_every_chapter_is_found():
    assert {"notebooks/pairs", "notebooks/comparator", "book/index", "book/summary"} <= set(CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_is_at_least_half_prose(chapter):
    share = prose_share(REPO_ROOT / f"{chapter}.py")
    assert share >= 0.5, f"{chapter}.py is {share:.1%} prose: move code into pairlib or write the paragraph"


def test_prose_share_counts_cells_not_markers(tmp_path):
    source = tmp_path / "x.py"
    source.write_text("# %% [markdown]\n# One line.\n#\n# Two.\n\n# %%\nx = 1\n\ny = 2\nz = 3\n")
    assert prose_share(source) == pytest.approx(0.4)
