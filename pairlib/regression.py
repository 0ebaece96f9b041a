"""Regression checks of the book with nbval: quick reference notebooks for CI, full ones by hand.

The executed chapters in ``notebooks/`` are the published record, but re-executing all of
them takes many minutes. CI instead re-executes *reference notebooks*: the same chapters run
with their quick-profile parameters (fewer rounds and epochs, declared in each chapter's own
metadata as ``chapter.quick``, see :mod:`pairlib.toc`), stored in
``tests/reference/``. ``pytest --nbval-lax`` re-runs each one and compares the outputs of the
cells marked ``# NBVAL_CHECK_OUTPUT`` (data facts, parameter counts, gradient checks, the
conclusions in rounded form); everything else (progress bars, timings, figures) is not
compared. A change of code that changes a checked figure fails the check.

    python -m pairlib.regression [chapters...]   # (re)make the reference notebooks
    make reproduce                               # the whole book from an empty cache, compared
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from pairlib.cache import cpu_numerics
from pairlib.kernels import papermill_execute, raise_interrupt
from pairlib.paths import REPO_ROOT, TMP_DIR
from pairlib.results import RESULTS_ENV
from pairlib.sync import declared_parameters, source_notebook
from pairlib.toc import Chapter, toc_chapters

REFERENCE_DIR = REPO_ROOT / "tests" / "reference"


def quick_parameters(chapter: Chapter) -> dict[str, object]:
    """The quick profile's parameters (``chapter.quick`` in the chapter's metadata; rounds stay
    >= 2 so that means, spreads and paired comparisons are still computed) that ``chapter``
    declares in its parameters cell."""
    declared = declared_parameters(source_notebook(chapter))
    return {k: v for k, v in chapter.quick.items() if k in declared}


def reference_path(chapter: Chapter) -> Path:
    return REFERENCE_DIR / f"{chapter.name}.ipynb"


def make_reference(chapter: Chapter) -> Path:
    """Execute ``chapter`` with the quick profile into ``tests/reference/``, atomically."""
    import nbformat

    REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
    TMP_DIR.mkdir(parents=True, exist_ok=True)
    target = reference_path(chapter)
    # Scratch files under _build/tmp, never beside the references: pytest would collect a
    # half-made one as a test (a killed run leaves them; the build removes stale ones).
    source = TMP_DIR / f"{chapter.name}.{os.getpid()}.reference-input.ipynb"
    temp = TMP_DIR / f"{chapter.name}.{os.getpid()}.reference.ipynb"
    # A hand run records nothing: the reference must never overwrite the published results.
    saved = os.environ.pop(RESULTS_ENV, None)
    try:
        nbformat.write(source_notebook(chapter), source)
        papermill_execute(source, temp, quick_parameters(chapter))
        nb = nbformat.read(temp, as_version=4)
        nb.metadata.get("papermill", {}).update(
            input_path=str(chapter.source.relative_to(REPO_ROOT)),
            output_path=str(target.relative_to(REPO_ROOT)),
        )
        nb.metadata["pairlib"] = {"numerics": cpu_numerics()}
        nbformat.write(nb, temp)
        os.replace(temp, target)
    finally:
        source.unlink(missing_ok=True)
        temp.unlink(missing_ok=True)
        if saved is not None:
            os.environ[RESULTS_ENV] = saved
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="(Re)make the quick reference notebooks for nbval.")
    parser.add_argument("chapters", nargs="*", help="chapter names (default: every chapter in _toc.yml)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, raise_interrupt)  # so that the scratch files are removed
    chapters = [c for c in toc_chapters() if not args.chapters or c.name in args.chapters]
    unknown = set(args.chapters) - {c.name for c in chapters}
    if unknown:
        print(f"unknown chapters: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    try:
        for chapter in chapters:
            print(f"reference: {chapter.name} with {quick_parameters(chapter)}", flush=True)
            make_reference(chapter)
    except KeyboardInterrupt:
        print("interrupted: the reference being made was left as it was", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
