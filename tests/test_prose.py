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


def _glued_texts(notebook: Path) -> dict[str, str]:
    """Every value an executed notebook glued, by name, as its text/plain record."""
    import json

    found = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if name and text is not None:
                found[name] = text
    return found


def test_no_glued_text_is_reread_as_a_python_literal():
    """``{glue:text}`name``` without a format reads the value back with ``ast.literal_eval``:
    "[0.60, 0.88]" comes out as "[0.6, 0.88]", "[+0.2, +1.0]" loses its signs and "73,954"
    becomes a tuple. Such values must be pasted with ``{glue:}`name```, which prints them as glued."""
    import ast
    import re

    role = re.compile(r"\{glue:text\}`([\w-]+)`")  # no ":format": the value is pasted as read
    changed = []
    for source in sorted((REPO_ROOT / "notebooks").glob("*.py")) + sorted((REPO_ROOT / "book").glob("*.py")):
        executed = source.with_suffix(".ipynb")
        if not executed.is_file():
            continue
        glued = _glued_texts(executed)
        for name in set(role.findall(source.read_text())):
            text = glued.get(name)
            try:
                value = ast.literal_eval(text) if text is not None else None
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                continue
            if value is not None and str(value) != text:
                changed.append(f"{source.name}: {{glue:text}}`{name}` {text!r} would print as {str(value)!r}")
    assert not changed, "\n".join(changed)
