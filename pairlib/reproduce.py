"""Reproduce the whole book from nothing, and say what came out the same.

    python -m pairlib.reproduce        # make reproduce

Every chapter is re-executed (``python -m pairlib.build --force --execute-only``) with an
empty results cache, so every figure is trained again on this machine. The committed
results tables are read first; afterwards each table is compared with what the build
published: identical, or which rows differ and by how much, and, for the tables that hold
verdicts (comparisons' ``clear``, the scorecard's ``verdict``), which verdicts changed. The
exit status is 1 when a verdict changed, so that a script (or a referee) can rely on it.

The runs are trained into a fresh cache folder beside ``$PAIRLIB_CACHE_DIR``; when the book
has run to the end it becomes the results cache, so that the next ``make book`` is warm with
exactly the runs behind the book. The executed notebooks and tables are published as any
build publishes them (``git diff`` shows what changed; ``git checkout`` restores the record).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pairlib import paths

#: How the rows of a results table are matched: the first key whose columns (and marker
#: columns, which say what kind of table it is) a table has. The scorecard has a row per
#: published figure, a chapter's table a row per model.
ROW_KEYS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("chapter", "table", "comparison"), ()),
    (("report", "published_model_id"), ("verdict",)),
    (("model_id",), ()),
    (("seed", "split"), ()),
)

TIMING = "seconds"
"""Columns whose name holds this measure time, not a figure of the study: reported apart."""

#: The columns that hold verdicts: a change in one of these fails the reproduction.
VERDICT_COLUMNS = ("clear", "verdict", "fragile")


@dataclass
class TableReport:
    """How one results table compares with its committed version."""

    name: str
    status: str  # "identical", "same figures" (timings differ), "differs", "new", "missing"
    rows_changed: list[str] = field(default_factory=list)
    verdicts_changed: list[str] = field(default_factory=list)
    largest_difference: float = 0.0

    def lines(self) -> list[str]:
        if self.status != "differs":
            return [f"{self.name}: {self.status}"]
        head = f"{self.name}: {len(self.rows_changed)} rows differ"
        if self.largest_difference:
            head += f" (largest numeric difference {self.largest_difference:.3g})"
        out = [head]
        out += [f"    {row}" for row in self.rows_changed[:12]]
        if len(self.rows_changed) > 12:
            out.append(f"    ... and {len(self.rows_changed) - 12} more")
        out += [f"    VERDICT CHANGED {change}" for change in self.verdicts_changed]
        return out


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every results table in ``folder`` (the transcribed published one excluded)."""
    return {
        path.name: pd.read_csv(path, keep_default_na=False, dtype=str)
        for path in sorted(folder.glob("*.csv"))
        if path.name != "published.csv"
    }


def _key(df: pd.DataFrame) -> list[str]:
    for columns, markers in ROW_KEYS:
        if set(columns) | set(markers) <= set(df.columns):
            return list(columns)
    return []


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def compare_table(name: str, before: pd.DataFrame | None, after: pd.DataFrame | None) -> TableReport:
    """Compare two versions of a table read as text (:func:`read_tables`)."""
    if before is None:
        return TableReport(name, "new")
    if after is None:
        return TableReport(name, "missing")
    if before.equals(after):
        return TableReport(name, "identical")
    report = TableReport(name, "differs")
    key = _key(after) if _key(after) == _key(before) else []
    left = before.set_index(key) if key else before
    right = after.set_index(key) if key else after
    for label in left.index.union(right.index, sort=False):
        shown = " / ".join(map(str, label)) if isinstance(label, tuple) else str(label)
        if label not in right.index or label not in left.index:
            report.rows_changed.append(f"{shown}: {'removed' if label not in right.index else 'added'}")
            continue
        a, b = left.loc[label], right.loc[label]
        if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):  # a duplicated key
            a, b = a.iloc[0], b.iloc[0]
        changes = []
        for column in left.columns.intersection(right.columns):
            old, new = a[column], b[column]
            if old == new or TIMING in column:
                continue
            x, y = _number(old), _number(new)
            if x is not None and y is not None:
                report.largest_difference = max(report.largest_difference, abs(y - x))
                changes.append(f"{column} {old} -> {new}")
            else:
                changes.append(f"{column} {old!r} -> {new!r}")
            if column in VERDICT_COLUMNS:
                report.verdicts_changed.append(f"{shown}: {column} {old} -> {new}")
        if changes:
            report.rows_changed.append(f"{shown}: " + "; ".join(changes))
    if not report.rows_changed:
        timing = [c for c in after.columns if TIMING in c]
        same_order = before.drop(columns=timing, errors="ignore").equals(
            after.drop(columns=timing, errors="ignore")
        )
        if same_order:
            report.status = "same figures (only the timings differ)"
        else:
            report.rows_changed.append("same rows in another order")
    return report


def compare_tables(
    before: Mapping[str, pd.DataFrame], after: Mapping[str, pd.DataFrame]
) -> list[TableReport]:
    return [compare_table(name, before.get(name), after.get(name)) for name in sorted({*before, *after})]


def _swap_in(fresh: Path, target: Path) -> None:
    """Make ``fresh`` the results cache at ``target``; the old cache is deleted after."""
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pairlib.reproduce", description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="*", help="chapters to reproduce (default: every chapter)")
    args = parser.parse_args(argv)

    from pairlib import build, cache

    before = read_tables(paths.RESULTS_DIR)
    target = cache.cache_dir()
    fresh = None
    if target is not None:
        fresh = target.with_name(f"{target.name}.reproduce-{os.getpid()}")
        shutil.rmtree(fresh, ignore_errors=True)
        os.environ["PAIRLIB_CACHE_DIR"] = str(fresh)
    try:
        status = build.main(["--force", "--execute-only", *args.chapters])
    finally:
        if target is not None:
            os.environ["PAIRLIB_CACHE_DIR"] = str(target)
    if status != 0:
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
        print("reproduce: the build failed; nothing to compare", file=sys.stderr)
        return status
    if fresh is not None and fresh.exists():
        _swap_in(fresh, target)
    reports = compare_tables(before, read_tables(paths.RESULTS_DIR))
    print("\nReproduction report (each results table against the one committed before this run):")
    for report in reports:
        for line in report.lines():
            print(f"  {line}")
    changed = [r for r in reports if r.verdicts_changed]
    same = sum(r.status != "differs" and r.status not in ("new", "missing") for r in reports)
    verdicts = sum(len(r.verdicts_changed) for r in changed)
    print(f"{same} of {len(reports)} tables with identical figures; {verdicts} verdicts changed")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
