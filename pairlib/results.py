"""The results tables: their schema, where they are written, and how chapters gather them.

A chapter's tidy results are the published record; only the build may write them (through a
staging folder it owns, ``$PAIRLIB_RESULTS_DIR``), so a quick ``-p rounds 3`` re-run by hand can
never overwrite them.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pandas as pd

from pairlib.configs import PUBLISHED_ROW
from pairlib.console import say
from pairlib.paths import RESULTS_DIR
from pairlib.published import published_row
from pairlib.stats import (
    STUCK_TRAIN_ERROR,
    TEST_NAME,
    adjust_family,
    summarise,
)

RESULTS_ENV = "PAIRLIB_RESULTS_DIR"
"""Set by ``python -m pairlib.build`` to a staging folder; unset means "do not record"."""


_CHAPTER_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def save_results(df: pd.DataFrame, chapter: str) -> None:
    """Record ``df`` as ``<chapter>.csv`` in the build's staging folder, atomically.

    Writes only when ``$PAIRLIB_RESULTS_DIR`` is set (the build sets it and moves the
    staged files into ``results/`` once the whole chapter has run); otherwise it writes
    nothing and says so on the console (:mod:`pairlib.console`). Returns nothing: a chapter
    ends with this call, and a returned path would be printed on the page.
    """
    if not _CHAPTER_NAME.fullmatch(chapter) or chapter == "published":
        raise ValueError(
            f"chapter={chapter!r} is not allowed: expected a lowercase name like "
            "'weight_sharing' (and never 'published')"
        )
    staging = os.environ.get(RESULTS_ENV)
    if not staging:
        say(
            f"results/{chapter}.csv left unchanged: {RESULTS_ENV} is unset "
            "(only `python -m pairlib.build` records results)"
        )
        return
    folder = Path(staging)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{chapter}.csv"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{chapter}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="") as handle:
            df.to_csv(handle, index=False)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a results table is for everyone
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    say(f"results staged: {target.name} ({len(df)} rows)")


def load_results(chapters: Iterable[str], folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """The recorded results of ``chapters`` that exist, in the given order.

    Absent chapters are skipped: a book with three chapters written has three tables.
    """
    folder = folder if folder is not None else RESULTS_DIR
    return {c: pd.read_csv(folder / f"{c}.csv") for c in chapters if (folder / f"{c}.csv").is_file()}


def gathered_chapters() -> list[str]:
    """The names of the chapters whose tables the summary and the appendices gather: every
    chapter of the toc that gathers nothing itself, in reading order."""
    from pairlib.toc import plain_chapters  # the toc reads notebooks: only when gathering

    return [chapter.name for chapter in plain_chapters()]


RESULT_COLUMNS = ("model_id", "test_error_mean_pct", "test_error_std_pct", "rounds")
"""Columns a chapter's table needs to be compared; ``report`` + ``published_model_id``
(optional) name the published row it reproduces."""


def model_tables(results: Mapping[str, pd.DataFrame]) -> Iterator[tuple[str, pd.DataFrame]]:
    """The results tables that hold models (``RESULT_COLUMNS``), e.g. not the data chapter's."""
    for chapter, table in results.items():
        if set(RESULT_COLUMNS) <= set(table.columns):
            yield chapter, table


def reproduced_rows(
    results: Mapping[str, pd.DataFrame], published: pd.DataFrame
) -> Iterator[tuple[pd.Series, str, pd.Series]]:
    """(published row, chapter, our row) for every published model a chapter reproduced, in
    ``published.csv`` order; a model reproduced in several chapters (the same configuration,
    hence the same cached runs) counts once, under the first chapter."""
    ours: dict[tuple[str, str], tuple[str, pd.Series]] = {}
    for chapter, table in model_tables(results):
        for _, row in table.iterrows():
            key = (row.get("report"), row.get("published_model_id"))
            if isinstance(key[0], str) and key[0] and key not in ours:
                ours[key] = (chapter, row)
    for _, pub in published.iterrows():
        if (pub["report"], pub["model_id"]) in ours:
            yield pub, *ours[(pub["report"], pub["model_id"])]


COMPARISONS = "comparisons"
"""``results/comparisons.csv``: every chapter's ``<chapter>_comparisons`` table, concatenated."""


ROUNDS = "rounds"
"""``results/rounds.csv``: every chapter's ``<chapter>_rounds`` table, concatenated."""


def save_comparisons(chapter: str, tables: Mapping[str, pd.DataFrame]) -> None:
    """Record a chapter's comparison tables as ``<chapter>_comparisons`` (through
    :func:`save_results`, so only the build writes), after adjusting them as one family."""
    save_results(comparisons_record(chapter, adjust_family(tables)), f"{chapter}_{COMPARISONS}")


def save_rounds(frame: pd.DataFrame, chapter: str) -> None:
    """Record every round of a chapter's runs as ``<chapter>_rounds`` (through
    :func:`save_results`, so only the build writes): the per-round data behind its tables and
    comparisons (:func:`rounds_record`)."""
    save_results(rounds_record(frame, chapter), f"{chapter}_{ROUNDS}")


def load_rounds(chapters: Iterable[str], folder: Path | None = None) -> pd.DataFrame:
    """Every chapter's rounds (:func:`save_rounds`) in one table, in the chapters' order."""
    folder = RESULTS_DIR if folder is None else folder
    frames = [pd.read_csv(path) for name in chapters if (path := folder / f"{name}_{ROUNDS}.csv").is_file()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(ROUNDS_COLUMNS))


def load_comparisons(chapters: Iterable[str], folder: Path | None = None) -> pd.DataFrame:
    """The recorded ``<chapter>_comparisons`` tables of ``chapters`` that exist, concatenated in
    the given order: the book's one table of every paired comparison."""
    tables = load_results([f"{c}_{COMPARISONS}" for c in chapters], folder)
    if not tables:
        return pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    return pd.concat(tables.values(), ignore_index=True)


COMPARISON_COLUMNS = (
    "chapter",
    "table",
    "comparison",
    "a",
    "b",
    "rounds",
    "mean_a",
    "mean_b",
    "mean_difference",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "test",
    "wilcoxon_p",
    "b_better_rounds",
    "clear",
    "fragile",
)
"""The columns of ``results/comparisons.csv``: one row per paired comparison of the book.
``fragile``: dropping one round (any one) flips ``clear``, the rest of its family unchanged."""


ROUNDS_COLUMNS = ("chapter", "model_id", "round", "seed", "test_error", "train_error", "failed")
"""The columns of ``results/rounds.csv``: every round behind every table and comparison of the
book (errors in percent), so that anyone can recompute them. ``failed``: the round diverged
or ended at a training error of :data:`STUCK_TRAIN_ERROR` or more (it learned nothing)."""


def rounds_record(frame: pd.DataFrame, chapter: str) -> pd.DataFrame:
    """One row per configuration and round of a chapter's runs (a :func:`pairlib.train.run_grid`
    frame, or any frame with ``name``, ``round``, ``seed``, ``test_error`` and ``train_error``;
    the last epoch is kept where there are several), in :data:`ROUNDS_COLUMNS`."""
    final = frame
    if "epoch" in frame:  # rows without an epoch (runs that record only their end) are final
        last = frame.groupby(["name", "round"])["epoch"].transform("max")
        final = frame[frame["epoch"].isna() | (frame["epoch"] == last)]
    diverged = final["diverged"].fillna(False).astype(bool) if "diverged" in final else False
    train = final["train_error"] if "train_error" in final else pd.Series(math.nan, index=final.index)
    record = pd.DataFrame(
        {
            "chapter": chapter,
            "model_id": final["name"].to_numpy(),
            "round": final["round"].astype(int).to_numpy(),
            "seed": final["seed"].astype(int).to_numpy(),
            "test_error": final["test_error"].to_numpy(),
            "train_error": train.to_numpy(),
            "failed": (diverged | (train >= STUCK_TRAIN_ERROR)).to_numpy(),
        }
    )
    return record.drop_duplicates(["model_id", "round"]).reset_index(drop=True)[list(ROUNDS_COLUMNS)]


def comparisons_record(chapter: str, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """A chapter's adjusted comparison tables as rows of the book's comparisons table
    (``COMPARISON_COLUMNS``): what ``results/comparisons.csv`` gathers from every chapter."""
    frames = [
        t.assign(chapter=chapter, table=key).rename(columns={"difference": "mean_difference"})
        for key, t in tables.items()
    ]
    if not frames:
        return pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    whole = pd.concat(frames, ignore_index=True)
    whole["p_value"] = whole["t_test_p"]
    whole["test"] = TEST_NAME
    return whole[list(COMPARISON_COLUMNS)]


def results_table(df: pd.DataFrame, published: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """A chapter's tidy results: one row per configuration, in the columns the summary reads.

    ``published`` maps a configuration name to the (report prefix, model_id) of the published
    row it reproduces; by default the registry's own mapping (names like ``"002/AL4"``).
    """
    mapping = PUBLISHED_ROW if published is None else published
    summary = summarise(df)
    rows = []
    for name, row in summary.iterrows():
        report, model_id = "", ""
        if name in mapping:
            found = published_row(*mapping[name])
            report, model_id = found["report"], found["model_id"]
        rows.append(
            {
                "model_id": name,
                "rounds": int(row["count"] + row["diverged"]),
                "diverged_rounds": int(row["diverged"]),
                "params": int(row["params"]),
                "test_error_mean_pct": row["mean"],
                "test_error_std_pct": row["std"],
                "train_error_mean_pct": row.get("train_error", math.nan),
                "test_digit_error_mean_pct": row.get("test_digit_error", math.nan),
                "seconds_per_run": row.get("seconds", math.nan),
                "report": report,
                "published_model_id": model_id,
            }
        )
    return pd.DataFrame(rows)


def framework_results_table(
    summary: pd.DataFrame,
    rounds: int,
    epochs: int,
    published: dict[str, tuple[str, str]] | None = None,
    headline: bool = False,
) -> pd.DataFrame:
    """A mini-framework :func:`pairlib.framework_study.summary_table` in the columns of the
    book's results tables (:data:`RESULT_COLUMNS` and the published link). ``published`` maps
    a setting to the (report, model_id) of the published row it reproduces; ``headline`` marks
    settings chosen on validation sets."""
    published = published or {}
    return pd.DataFrame(
        {
            "model_id": summary.setting,
            "test_error_mean_pct": summary.test_mean.round(3),
            "test_error_std_pct": summary.test_std.round(3),
            "train_error_mean_pct": summary.train_mean.round(3),
            "train_error_std_pct": summary.train_std.round(3),
            "rounds": rounds,
            "epochs": epochs,
            "report": [published.get(name, ("", ""))[0] for name in summary.setting],
            "published_model_id": [published.get(name, ("", ""))[1] for name in summary.setting],
            "headline": headline,
        }
    )
