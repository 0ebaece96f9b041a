"""The shape of the code (issue 26): one home for each chapter's code, chapters that read as
prose around calls, modules small enough to name in one line, and no import that runs upward."""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import pytest

from pairlib.paths import REPO_ROOT
from pairlib.toc import plain_chapters

PACKAGE = REPO_ROOT / "pairlib"
CHAPTERS = [c for c in plain_chapters() if c.source.parent.name == "notebooks"]
PAGES = sorted((REPO_ROOT / "notebooks").glob("*.py")) + sorted((REPO_ROOT / "book").glob("*.py"))
MAX_LINES = 600


def code_cells(path: Path) -> list[str]:
    return [c.source for c in jupytext.read(path).cells if c.cell_type == "code"]


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    return names


def test_the_chapters_are_found():
    assert {c.name for c in CHAPTERS} >= {"pairs", "weight_sharing", "auxiliary_loss", "comparator"}


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_every_chapter_has_its_module(chapter):
    module = PACKAGE / "chapters" / f"{chapter.name}.py"
    assert module.is_file(), f"{chapter.source.name} has no home for its code: create {module}"
    sources = "\n".join(code_cells(chapter.source))
    assert f"pairlib.chapters import {chapter.name}" in sources or f"chapters.{chapter.name}" in sources


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_page_defines_a_function_or_class(page):
    for source in code_cells(page):
        defined = [
            node.name
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ]
        assert not defined, f"{page.name} defines {defined}: move them to its module in pairlib/chapters"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_every_chapter_is_at_least_half_prose(chapter):
    cells = jupytext.read(chapter.source).cells
    prose = sum(len(c.source) for c in cells if c.cell_type == "markdown")
    code = sum(len(c.source) for c in cells if c.cell_type == "code")
    assert prose >= code, f"{chapter.name}: {prose} characters of prose against {code} of code"


def test_no_module_is_over_the_line_limit():
    long = {
        str(path.relative_to(REPO_ROOT)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_library_module_imports_a_chapter_or_the_page_helpers():
    """Data -> models -> training -> chapters -> pages: the library below never reaches up."""
    upward = {
        str(path.relative_to(REPO_ROOT)): sorted(
            name for name in imported(path) if name.startswith(("pairlib.chapters", "pairlib.page"))
        )
        for path in PACKAGE.rglob("*.py")
        if path.parent.name not in {"chapters", "page"}
    }
    assert not {k: v for k, v in upward.items() if v}


def test_stats_is_pure_and_the_execution_page_does_not_import_the_build():
    assert not {
        n for n in imported(PACKAGE / "stats.py") if n.startswith(("pairlib.configs", "pairlib.published"))
    }
    assert not {n for n in imported(REPO_ROOT / "book" / "execution.py") if n.startswith("pairlib.build")}


def test_every_job_that_trains_takes_one_protocol_value():
    """rounds, seed, device, workers and progress travel together as one runner.Protocol."""
    import inspect

    from pairlib import analysis, diagnostics, framework_study, probes, train
    from pairlib.runner import Protocol

    grids = [
        train.run_grid,
        train.run_rounds,
        diagnostics.gradient_grid,
        probes.probe_grid,
        framework_study.run_settings,
        framework_study.run_pairs,
        analysis.fit_predictions,
    ]
    for grid in grids:
        parameters = inspect.signature(grid).parameters
        assert "protocol" in parameters, grid.__name__
        assert not {"rounds", "seed", "device", "workers", "progress"} & set(parameters), grid.__name__
    assert Protocol.of({"rounds": 3, "seed": 7, "device": "cpu", "epochs": 25}) == Protocol(3, 7, "cpu")
    assert Protocol.of({"rounds": 3, "seed": 7}, seed=100).seed == 100
    with pytest.raises(ValueError, match="rounds must be a positive integer"):
        Protocol(rounds=0)
