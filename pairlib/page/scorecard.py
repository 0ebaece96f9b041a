"""Ours beside theirs: the reproduction scorecard and the gathered tables of the summary and
the results appendix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from pairlib.configs import AFTER_THE_FACT
from pairlib.page.glue import glue_value
from pairlib.page.wording import error_text, mean_std, mean_std_column, report_id, report_label
from pairlib.results import model_tables, reproduced_rows
from pairlib.stats import (
    reproduction_z,
)

VERDICTS = ("reproduced", "ours lower", "ours higher", "no spread published")
"""The scorecard's verdicts: |z| < 2, or ours lower (better) or higher (worse) beyond it; a
figure published without a spread (or from one run) has no z and is compared descriptively."""


def reproduction_scorecard(
    results: Mapping[str, pd.DataFrame],
    published: pd.DataFrame,
    causes: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per published figure a chapter reproduced: both means, stds and round counts,
    z = (ours - published) / sqrt(se_ours^2 + se_published^2) with se = std / sqrt(rounds)
    and a verdict: "reproduced" when |z| < 2, else "ours lower" (a lower error than published)
    or "ours higher". Why not "within one std": a report's std is over few rounds, and a verdict should
    not depend on which spread is wider. A figure published without a spread or from a single
    run has no standard error, so no z (methods.md): its verdict is "no spread published" and
    the comparison is descriptive. Where the report publishes a training error, ours stands
    beside it (``published_train_mean``, ``train_mean``; no z: no report's spread of it is
    in the published table).

    ``tested_by`` lists every other reading of the same model that a chapter ran: the rows
    whose model id is ``"<model_id> [<what differs>]"``, separated by semicolons; ``cause``
    is the one-line explanation ``causes`` gives for that model id, if any."""
    readings: dict[str, list[str]] = {}
    for _, table in model_tables(results):
        for name in table["model_id"].astype(str):
            base, bracket, _ = name.partition(" [")
            if bracket and name not in readings.setdefault(base, []):
                readings[base].append(name)
    rows = []
    for pub, chapter, row in reproduced_rows(results, published):
        ours, theirs = float(row["test_error_mean_pct"]), float(pub["test_error_mean_pct"])
        inputs = z_inputs(row, pub)
        z = math.nan if inputs is None else reproduction_z(*inputs)
        if math.isnan(z):
            verdict = VERDICTS[3]
        else:
            verdict = VERDICTS[0] if abs(z) < 2 else VERDICTS[1] if z < 0 else VERDICTS[2]
        model_id = str(row["model_id"])
        rows.append(
            {
                "report": report_id(pub["report"]),
                "published_model_id": pub["model_id"],
                "published_mean": theirs,
                "published_std": pub["test_error_std_pct"],
                "published_rounds": pub["rounds"],
                "model_id": model_id,
                "mean": ours,
                "std": float(row["test_error_std_pct"]),
                "rounds": int(row["rounds"]),
                "z": z,
                "verdict": verdict,
                "published_train_mean": pub.get("train_error_mean_pct", math.nan),
                "train_mean": float(row.get("train_error_mean_pct", math.nan)),
                "tested_by": "; ".join(readings.get(model_id, [])),
                "cause": (causes or {}).get(model_id, ""),
                "chapter": chapter,
            }
        )
    columns = [
        "report",
        "published_model_id",
        "published_mean",
        "published_std",
        "published_rounds",
        "model_id",
        "mean",
        "std",
        "rounds",
        "z",
        "verdict",
        "published_train_mean",
        "train_mean",
        "tested_by",
        "cause",
        "chapter",
    ]
    return pd.DataFrame(rows, columns=columns)


def scorecard_display(scorecard: pd.DataFrame) -> pd.DataFrame:
    """The scorecard as the summary prints it: errors as mean ± std in one decimal, z in two
    (so that -2.01, beyond the |z| < 2 rule, never shows as -2.0), training errors side by
    side where the report gives one, and the count of other readings that ran; the causes
    follow the table (:func:`causes_list`)."""
    train = [
        "" if pd.isna(theirs) else f"{theirs:.2f} / {ours:.2f}"
        for theirs, ours in zip(scorecard["published_train_mean"], scorecard["train_mean"], strict=True)
    ]
    return pd.DataFrame(
        {
            "report": scorecard["report"],
            "published model": scorecard["published_model_id"],
            "published": mean_std_column(scorecard["published_mean"], scorecard["published_std"]),
            "ours": mean_std_column(scorecard["mean"], scorecard["std"]),
            "z": ["" if pd.isna(z) else f"{z:.2f}" for z in scorecard["z"]],
            "verdict": scorecard["verdict"],
            "training error, published / ours": train,
            "other readings": scorecard["tested_by"].map(lambda text: len(text.split("; ")) if text else 0),
        }
    )


def causes_list(scorecard: pd.DataFrame) -> str:
    """The causes of the remaining gaps as a list under the scorecard, one item per cause with
    the figures it explains (a sentence reads better as a line than in a narrow column, and
    several figures share one cause); reproduced figures have no gap to explain. The caveat
    of a cause picked after seeing the runs (:data:`pairlib.configs.AFTER_THE_FACT`) is said
    once, after the list, naming its figures."""
    figures: dict[str, list[str]] = {}
    picked: list[str] = []
    for row in scorecard.itertuples():
        if not isinstance(row.cause, str) or not row.cause or row.verdict == VERDICTS[0]:
            continue
        name = f"{row.report} {row.published_model_id}"
        cause = row.cause.replace(f" {AFTER_THE_FACT}", "")
        if cause != row.cause:
            picked.append(name)
        figures.setdefault(cause, []).append(name)
    items = "\n".join(f"- **{', '.join(names)}**: {cause}" for cause, names in figures.items())
    if not picked:
        return items
    names = ", ".join(picked[:-1]) + " and " + picked[-1] if len(picked) > 1 else picked[0]
    return (
        f"{items}\n\nThe reading that closes or narrows the gap of {names} was picked among "
        "several after seeing their runs: it is no evidence of the report's model."
    )


def z_inputs(
    row: pd.Series, pub: pd.Series
) -> tuple[tuple[float, float, int], tuple[float, float, int]] | None:
    """(ours, published) as :func:`pairlib.stats.reproduction_z` takes them, or None where the
    report gives no spread or a single run: such a figure has no standard error, and scaling
    the gap by ours alone would make a descriptive figure look exact (methods.md)."""
    ours = (float(row["test_error_mean_pct"]), float(row["test_error_std_pct"]), int(row["rounds"]))
    if pd.isna(pub["test_error_std_pct"]) or pd.isna(pub["rounds"]) or int(pub["rounds"]) < 2:
        return None
    return ours, (float(pub["test_error_mean_pct"]), float(pub["test_error_std_pct"]), int(pub["rounds"]))


def glue_scorecard(prefix: str, scorecard: pd.DataFrame) -> None:
    """Glue the scorecard's counts as ``<prefix>_reproduced`` (figures rerun), ``_agree``
    (|z| < 2), ``_lower`` (ours lower), ``_higher`` (ours higher) and ``_descriptive``
    (no published spread, no z): the abstract and the summary state them alike."""
    counts = scorecard["verdict"].value_counts()
    glue_value(f"{prefix}_reproduced", len(scorecard))
    for key, verdict in zip(("agree", "lower", "higher", "descriptive"), VERDICTS, strict=True):
        glue_value(f"{prefix}_{key}", int(counts.get(verdict, 0)))


def compare_with_published(results: Mapping[str, pd.DataFrame], published: pd.DataFrame) -> pd.DataFrame:
    """One row per published model that a chapter reproduced: ours beside theirs.

    Rows follow ``published.csv``. A model reproduced in several chapters (the same
    configuration, hence the same cached runs) is listed once, under the first chapter.
    """
    rows = [
        {
            "report": report_label(pub["report"], cite=False, short=True),
            "published model": pub["model_id"],
            "published (%)": mean_std(pub["test_error_mean_pct"], pub["test_error_std_pct"]),
            "ours (%)": mean_std(row["test_error_mean_pct"], row["test_error_std_pct"]),
            "rounds": int(row["rounds"]),
            "chapter": chapter,
        }
        for pub, chapter, row in reproduced_rows(results, published)
    ]
    columns = ["report", "published model", "published (%)", "ours (%)", "rounds", "chapter"]
    return pd.DataFrame(rows, columns=columns)


TEST_CHOSEN = "chosen on the test pairs (optimistic)"
"""How the book labels anything "best" that the test pairs chose: its error is biased low."""


def best_per_chapter(results: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each chapter's best model: the row it marks ``headline`` (a model chosen on validation
    pairs, as the test pairs must not choose it), else the lowest mean test error; the
    ``chosen by`` column says which, so that a reader can tell a fair figure from one
    selected on the very pairs it is measured on."""
    rows = []
    for chapter, table in model_tables(results):
        marked = table[table["headline"].astype(bool)] if "headline" in table else table.iloc[:0]
        best = marked.iloc[0] if len(marked) else table.loc[table["test_error_mean_pct"].idxmin()]
        rows.append(
            {
                "chapter": chapter,
                "model": best["model_id"],
                "chosen by": "validation pairs" if len(marked) else TEST_CHOSEN,
                "test error (%)": error_text(best["test_error_mean_pct"], best["test_error_std_pct"]),
                "rounds": int(best["rounds"]),
            }
        )
    return pd.DataFrame(rows, columns=["chapter", "model", "chosen by", "test error (%)", "rounds"])
