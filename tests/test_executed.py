"""The committed executed notebooks are what their sources produce, and nothing but the page.

Every chapter of the toc is checked as committed: its cells are its jupytext source's, the
execution record in its metadata (pairlib.record) matches the sources at HEAD (so a fresh
clone's `make book` executes nothing), and its outputs hold no progress bars, warnings,
stderr, build output or file paths of the machine that built it.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from pairlib.record import execution_record, is_current
from pairlib.sync import in_sync
from pairlib.toc import Chapter, shown, toc_chapters

CHAPTERS = toc_chapters()

NOT_THE_PAGE = re.compile(
    r"PosixPath\(|_build/|results staged|left unchanged|\d+it/s|\d+%\|"
    r"|Warning:|Traceback|/tmp/|/work/|/home/|Kernel is running"
)
"""What never belongs on a published page: build output, warnings, a builder's paths."""


def _outputs(chapter: Chapter):
    nb = nbformat.read(chapter.notebook, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            yield index, output


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_an_executed_notebook_holds_nothing_but_the_page(chapter):
    problems = []
    for index, output in _outputs(chapter):
        kind = output["output_type"]
        if kind == "stream" and output["name"] == "stderr":
            problems.append(f"cell {index}: stderr {output['text'][:80]!r}")
        elif kind == "error":
            problems.append(f"cell {index}: error {output.get('ename')}")
        text = output.get("text", "") if kind == "stream" else output.get("data", {}).get("text/plain", "")
        if isinstance(text, list):
            text = "".join(text)
        found = NOT_THE_PAGE.search(text)
        if found:
            problems.append(
                f"cell {index}: {found.group(0)!r} in {text[max(0, found.start() - 40) :][:100]!r}"
            )
    assert not problems, f"{shown(chapter.notebook)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_an_executed_notebook_is_what_its_source_produces(chapter):
    assert in_sync(chapter), f"{shown(chapter.notebook)}'s cells are not those of its .py"
    record = execution_record(chapter.notebook)
    assert record.get("fingerprint"), f"{shown(chapter.notebook)} has no execution record"
    assert is_current(chapter, record.get("parameters", {})), (
        f"{shown(chapter.notebook)} was executed from other sources than HEAD's "
        f"(or with other inputs): re-execute it with python -m pairlib.build {chapter.name}"
    )
    assert record.get("parameters", {}) == {}, "the published book runs every chapter with its own defaults"
    nb = nbformat.read(chapter.notebook, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
