"""Regression checks of the book with nbval: quick reference notebooks for CI, full ones by hand.

The executed chapters in ``notebooks/`` are the published record, but re-executing all of
them takes many minutes. CI instead re-executes *reference notebooks*: the same chapters run
with the :data:`QUICK_PROFILE` parameters (fewer rounds and epochs), stored in
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

from pairlib.build import (
    Chapter,
    declared_parameters,
    papermill_execute,
    raise_interrupt,
    source_notebook,
    toc_chapters,
)
from pairlib.cache import cpu_numerics
from pairlib.paths import REPO_ROOT, TMP_DIR

REFERENCE_DIR = REPO_ROOT / "tests" / "reference"

#: Parameters of the quick profile, per chapter (only those a chapter declares are passed).
#: Rounds stay >= 2 so that means, spreads and paired comparisons are still computed.
QUICK_PROFILE: dict[str, dict[str, object]] = {
    "pairs": {"rounds": 2},
    "weight_sharing": {"rounds": 2, "epochs": 3},
    "auxiliary_loss": {"rounds": 2, "epochs": 3},
    "comparator": {"rounds": 2, "epochs": 3, "best_epochs": 3, "selection_rounds": 1},
    "readings": {"rounds": 2, "epochs": 3, "grid_rounds": 2},
    "mini_framework": {"rounds": 2, "epochs": 20, "grid_rounds": 1, "grid_epochs": 10, "pair_epochs": 3},
    "summary": {},
    "index": {},
    "results_tables": {},
    "execution": {},
}


def quick_parameters(chapter: Chapter) -> dict[str, object]:
    """The quick profile's parameters that ``chapter`` declares in its parameters cell."""
    declared = declared_parameters(source_notebook(chapter))
    return {k: v for k, v in QUICK_PROFILE.get(chapter.name, {}).items() if k in declared}


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
    saved = os.environ.pop("PAIRLIB_RESULTS_DIR", None)
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
            os.environ["PAIRLIB_RESULTS_DIR"] = saved
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
