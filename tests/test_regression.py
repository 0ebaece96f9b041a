"""The nbval regression check itself: references are current, and a changed figure fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from pairlib.regression import quick_parameters, reference_path
from pairlib.sync import declared_parameters, in_sync, source_notebook
from pairlib.toc import Chapter, toc_chapters

REPO = Path(__file__).resolve().parent.parent
CHAPTERS = toc_chapters()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_every_chapter_has_a_current_quick_reference(chapter):
    reference = reference_path(chapter)
    assert reference.is_file(), f"no reference for {chapter.name}: run `make references`"
    assert in_sync(Chapter(chapter.name, chapter.source, reference)), (
        f"{reference} is older than {chapter.source}: run `make references`"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_reference_ran_with_the_quick_profile_and_checks_something(chapter):
    nb = nbformat.read(reference_path(chapter), as_version=4)
    assert nb.metadata["papermill"]["parameters"] == quick_parameters(chapter)
    checked = [c for c in nb.cells if c.cell_type == "code" and "NBVAL_CHECK_OUTPUT" in c.source]
    assert checked, f"{chapter.name}: no cell is marked # NBVAL_CHECK_OUTPUT"
    assert all(c.outputs for c in checked), f"{chapter.name}: a checked cell has no output"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_every_reference_records_the_machine_that_made_it(chapter):
    numerics = nbformat.read(reference_path(chapter), as_version=4).metadata["pairlib"]["numerics"]
    assert {"cpu", "capability", "torch"} <= set(numerics)


@pytest.mark.parametrize("chapter", [c for c in CHAPTERS if not c.gathers], ids=lambda c: c.name)
def test_every_plain_chapter_declares_a_quick_profile_of_its_own_parameters(chapter):
    # In its metadata (chapter.quick); rounds stay >= 2 so that means, spreads and paired
    # comparisons are still computed.
    assert chapter.quick, f"{chapter.source.name}: no chapter.quick in its jupytext header"
    undeclared = set(chapter.quick) - declared_parameters(source_notebook(chapter))
    assert not undeclared, f"{chapter.source.name}: chapter.quick sets undeclared {sorted(undeclared)}"
    assert chapter.quick.get("rounds", 2) >= 2


def _notebook(stored_output: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(round(0.1 + 0.2, 2))", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored_output)]
    unchecked = nbformat.v4.new_code_cell("import time; print(time.time())", execution_count=2)
    unchecked.outputs = [nbformat.v4.new_output("stream", name="stdout", text="12345.6\n")]
    nb.cells = [cell, unchecked]
    return nb


@pytest.mark.parametrize("stored, passes", [("0.3\n", True), ("0.4\n", False)])
def test_nbval_fails_exactly_when_a_checked_output_changes(tmp_path, stored, passes):
    path = tmp_path / "check.ipynb"
    nbformat.write(_notebook(stored), path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(REPO / "pyproject.toml"),  # the project's nbval options, as `make test` runs them
            "--nbval-lax",
            str(path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (result.returncode == 0) == passes, result.stdout[-2000:]


@pytest.mark.parametrize(
    "parameters, named",
    [({"rounds": 0}, "rounds"), ({"n_pairs": 6000}, "n_pairs"), ({"rounds": "ten"}, "rounds")],
)
@pytest.mark.slow
def test_a_real_chapter_stops_at_its_top_on_a_bad_parameter(tmp_path, parameters, named):
    import papermill

    chapter = next(c for c in CHAPTERS if c.name == "pairs")
    source = tmp_path / "pairs.ipynb"
    nbformat.write(source_notebook(chapter), source)
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(
            str(source), str(tmp_path / "out.ipynb"), parameters=parameters, cwd=str(REPO), progress_bar=False
        )
    assert caught.value.ename == "ValueError"
    assert f"parameter {named}=" in caught.value.evalue and "\n" not in caught.value.evalue
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    failed = [
        c
        for c in executed.cells
        if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)
    ]
    # stopped at the check (setup_chapter calls check_parameters first), before any work
    assert "setup_chapter(" in failed[0].source or "check_parameters(" in failed[0].source


@pytest.mark.slow
def test_strict_nbval_passes_on_a_re_executed_published_chapter():
    # `pytest --nbval` asks for every output to be compared, figures included: the data
    # chapter trains nothing, so it re-executes to the same bytes on any processor.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "notebooks/pairs.ipynb"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_every_sanitizer_of_the_nbval_config_is_read():
    # nbval reads "regex: ..." / "replace: ..." pairs with one regular expression: an entry it
    # cannot parse (an empty replacement) is silently dropped, and its outputs compared raw.
    from nbval.plugin import get_sanitize_patterns

    text = (REPO / "tests" / "nbval_sanitize.cfg").read_text()
    sections = [line for line in text.splitlines() if line.startswith("[")]
    assert len(get_sanitize_patterns(text)) == len(sections)
