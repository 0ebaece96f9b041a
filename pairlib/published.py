"""The five published reports' result tables, read from ``results/published.csv``.

The book compares every experiment with the numbers the reports published. Those numbers
were transcribed once into a CSV (see ``results/README.md``); this module is the only way
the code reads them, so that no chapter ever retypes a published figure.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from pairlib.paths import REPO_ROOT

PUBLISHED_CSV = REPO_ROOT / "results" / "published.csv"
"""The transcription of the reports' tables; a byte-exact copy of shared/published_results.csv."""

CITE_KEYS: dict[str, str] = {
    "000_b9c2e8dc8de71b4b": "grall_ee559",
    "001_d5ae4b91a131afbf": "dong_ee559",
    "002_afac31420bb562b2": "salimbeni_ee559",
    "003_4241faf549edf58f": "ahmed_ee559",
    "004_94dde16c460842e8": "savary_ee559",
}
"""Report file stem -> its key in book/references.bib."""


class MissingPublishedRow(KeyError):
    """A lookup named a report or model that results/published.csv does not have."""

    def __str__(self) -> str:
        # KeyError quotes its message; this one is a sentence meant for a reader.
        return str(self.args[0])


@cache
def _read(path: Path) -> pd.DataFrame:
    # Read once per path; callers get copies so that nobody mutates the cached table.
    # Strings stay strings ("25" epochs is data, "n/a" is a value, not a missing one).
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("test_error_mean_pct", "test_error_std_pct", "train_error_mean_pct"):
        df[column] = pd.to_numeric(df[column].replace("", None), errors="raise")
    for column in ("epochs", "batch_size", "rounds", "params"):
        df[column] = pd.to_numeric(df[column].replace({"": None, "n/a": None})).astype("Int64")
    return df


def load_published(path: Path | str | None = None) -> pd.DataFrame:
    """Return the published results, one row per (report, model_id).

    Error columns are floats (percent, NaN where a report gave none); epochs, batch size,
    rounds and parameter counts are nullable integers; every other column is text as
    transcribed. ``path`` defaults to the repository's ``results/published.csv``,
    resolved from this file so that it works from any working directory.
    """
    csv = Path(path) if path is not None else PUBLISHED_CSV
    if not csv.is_file():
        raise FileNotFoundError(
            f"published results not found at {csv}: it is part of the repository "
            "(results/published.csv), restore it with git"
        )
    return _read(csv.resolve()).copy()


def published_row(report_prefix: str, model_id: str, path: Path | str | None = None) -> pd.Series:
    """Return the one published row of ``model_id`` in the report whose name starts with
    ``report_prefix`` (``"003"`` or the full ``"003_4241faf549edf58f"``).

    Chapters use it to put a published number beside their own; a typo must fail loudly
    rather than silently compare with nothing, hence the error listing what exists.
    """
    df = load_published(path)
    reports = sorted(r for r in df["report"].unique() if r.startswith(report_prefix))
    if len(reports) != 1:
        known = ", ".join(sorted(df["report"].unique()))
        what = "no report" if not reports else f"{len(reports)} reports"
        raise MissingPublishedRow(f"{what} match prefix {report_prefix!r}; known reports: {known}")
    rows = df[(df["report"] == reports[0]) & (df["model_id"] == model_id)]
    if rows.empty:
        models = ", ".join(repr(m) for m in df.loc[df["report"] == reports[0], "model_id"])
        raise MissingPublishedRow(f"no model {model_id!r} in report {reports[0]}; it has: {models}")
    return rows.iloc[0]
