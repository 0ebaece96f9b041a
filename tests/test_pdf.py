"""The PDF as a reader meets it: short enough to read, and nothing on its pages but the book.

Reads the PDF that `make test` renders (or `make book` builds) with poppler's pdftotext and
pdfinfo; skips, saying why, where they or the PDF are missing (`make test` installs them as
root).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable

import pytest

from pairlib.build import PDF_PATH

MAX_PAGES = 80
"""A ratchet, not the goal: the reader's bound is 80 pages (issue 29), and the book has 96 since
progress bars, code cells and parameter cells left it (142 before). Lower it with every page
the book loses; it must never grow back."""

# The same patterns as the HTML pages' (lines of code are checked there, where a code block
# a page shows as code can be told from a stray one; both forms come from the same notebooks).
from test_html import NOT_FOR_READERS  # noqa: E402


def _pdf_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        pytest.skip(f"no {name} (apt-get install poppler-utils; make test does it as root)")
    if not PDF_PATH.is_file():
        pytest.skip(f"no PDF at {PDF_PATH}: build it with python -m pairlib.build --no-execute")
    return tool


def test_the_pdf_never_grows_past_its_page_ratchet():
    info = subprocess.run([_pdf_tool("pdfinfo"), str(PDF_PATH)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)[1])
    assert pages <= MAX_PAGES, f"the PDF has {pages} pages (at most {MAX_PAGES})"


def _pdf_pages() -> list[str]:
    """The PDF's text, page by page, as pdftotext lays it out."""
    text = subprocess.run(
        [_pdf_tool("pdftotext"), "-layout", str(PDF_PATH), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def _lines_where(matches: Callable[[str], object]) -> list[str]:
    """Every line of the PDF that ``matches``, with its page number."""
    return [
        f"page {page}: {line.strip()!r}"
        for page, content in enumerate(_pdf_pages(), start=1)
        for line in content.splitlines()
        if matches(line)
    ]


def test_no_pdf_page_shows_build_output_code_raw_latex_or_backticks():
    problems = []
    for page, content in enumerate(_pdf_pages(), start=1):
        for found in NOT_FOR_READERS.finditer(content):
            start = max(0, found.start() - 40)
            problems.append(f"page {page}: {found[0]!r} in {content[start : start + 100]!r}")
    assert not problems, "\n".join(problems[:40])


def test_no_code_listing_wraps_onto_a_continuation_line():
    """A code listing wider than the page is broken by LaTeX with a continuation arrow (",→"),
    which reads as a syntax error: listings must fit the text width."""
    wrapped = _lines_where(lambda line: line.lstrip().startswith((",→", "↪")))
    assert not wrapped, "\n".join(wrapped)


def test_negative_numbers_carry_a_minus_sign_not_a_hyphen():
    """ "−9.0", not "-9.0": a hyphen is shorter than a minus and may break the line after it
    (:data:`pairlib.formats.MINUS`; prose glues signed numbers with ``page.signed``)."""
    hyphens = _lines_where(lambda line: re.search(r"(?<![\w/.\-])-\d", line))
    assert not hyphens, "\n".join(hyphens)
