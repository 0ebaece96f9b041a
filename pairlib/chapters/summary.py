"""What the landing page and the summary read from the chapters' results tables.

Book tooling, like :mod:`pairlib.page`: these pages execute after the chapters and state the
book's conclusions, so every figure they print is glued here from ``results/`` rather than
computed in a page's cells, and a rebuilt chapter changes the abstract with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from pairlib.page import (
    VERDICTS,
    change_phrase,
    clear_word,
    error_text,
    glue_scorecard,
    glue_text,
    glue_value,
    mean_std,
    report_label,
    reproduction_scorecard,
)
from pairlib.stats import wilcoxon_floor

ABSTRACT_CHAPTERS = ("pairs", "weight_sharing", "auxiliary_loss", "comparator", "readings", "mini_framework")
"""The chapters whose results the abstract cites: every chapter with a results table, so that
its scorecard counts the same figures as the summary's."""


def constant_answer_error(pairs: pd.DataFrame) -> float:
    """The test error (%) of a network that always answers 1, from the data chapter's class
    balance: the floor every model must be judged against, not 50%."""
    return 100 * (1 - pairs.loc[pairs["split"] == "test", "positive_fraction"].mean())


def clear_change(table: pd.DataFrame, comparisons: pd.DataFrame, a: str, b: str) -> str:
    """:func:`change_phrase` of ``a`` to ``b``, with the chapter's verdict on it: "lowers it from
    15.5% to 13.3%, not clearly" when its paired comparison is not clear after Holm's
    adjustment, so that an abstract never states a change its chapter does not establish."""
    row = comparisons[comparisons["a"].eq(a) & comparisons["b"].eq(b)]
    if row.empty:
        raise KeyError(f"no paired comparison of {a!r} with {b!r} in the chapters' comparisons")
    return f"{change_phrase(table, a, b)}, {clear_word(row.iloc[0])}"


def model_in_words(model_id: str) -> str:
    """The comparator chapter's row name of its best model ("best, 10 models + TTA") in words
    for the abstract; any other name as it is."""
    found = re.fullmatch(r"best, (\d+) models?( \+ TTA)?", model_id)
    if found is None:
        return model_id
    members, tta = int(found[1]), bool(found[2])
    text = "one network" if members == 1 else f"an ensemble of {members} networks"
    return text + (" read with test-time augmentation" if tta else "")


def glue_abstract(
    results: Mapping[str, pd.DataFrame], published: pd.DataFrame, comparisons: pd.DataFrame
) -> pd.DataFrame:
    """Glue the abstract's figures (``abs_*``): the best digit-pair model against the best
    published one, the with-and-without comparisons of sharing and of the auxiliary loss with
    their chapters' verdicts (``comparisons``), the scorecard's counts and the mini framework's
    results. Returns the scorecard."""
    # 1. The best digit-pair model (the comparator chapter's choice on validation pairs).
    comparator = results["comparator"]
    best = comparator[comparator["headline"].astype(bool)].iloc[0]
    pairs_published = published[published["weight_sharing"] != "n/a"]
    best_published = pairs_published.loc[pairs_published["test_error_mean_pct"].idxmin()]
    glue_text("abs_best_model", model_in_words(str(best["model_id"])))
    glue_text("abs_best_error", error_text(best["test_error_mean_pct"], best["test_error_std_pct"]))
    glue_value("abs_best_rounds", int(best["rounds"]))
    glue_value("abs_best_published", float(best_published["test_error_mean_pct"]))
    glue_value("abs_worst_published", float(pairs_published["test_error_mean_pct"].max()))
    best_published_id = report_label(best_published["report"], cite=False, short=True)
    glue_text("abs_best_published_model", f"{best_published_id}/{best_published['model_id']}")
    lower = best["test_error_mean_pct"] < best_published["test_error_mean_pct"]
    glue_text("abs_best_vs", "below" if lower else "above")
    glue_value("abs_floor", constant_answer_error(results["pairs"]))

    # 2. and 3. Weight sharing and the auxiliary loss, where a report trained the model both ways.
    sharing, auxiliary = results["weight_sharing"], results["auxiliary_loss"]
    glue_text("abs_ws_000", clear_change(sharing, comparisons, "000/model-B-no-ws", "000/model-B"))
    glue_text("abs_ws_004", clear_change(sharing, comparisons, "004/WS unshared", "004/WS"))
    glue_text("abs_aux_000", clear_change(auxiliary, comparisons, "000/model-A", "000/model-A-aux"))
    # The control at AL's learning rate: the registered WS trains at another rate, so "everything
    # else equal" holds only for this pair.
    glue_text("abs_aux_004", clear_change(auxiliary, comparisons, "004/WS, AL's lr", "004/AL"))
    glue_text("abs_aux_001", clear_change(auxiliary, comparisons, "001/model-3, no aux", "001/model-3"))

    # 4. How the published figures fared.
    scorecard = reproduction_scorecard(results, published)
    glue_scorecard("abs", scorecard)

    # 5. The mini framework: report 004's recipe, and the setting its chapter chose on validation.
    framework = results["mini_framework"]
    recipe = framework[framework["published_model_id"].eq("mini-framework")].iloc[0]
    framework_best = framework[framework["headline"].astype(bool)].iloc[0]
    glue_text("abs_fw_recipe", mean_std(recipe["test_error_mean_pct"], recipe["test_error_std_pct"]))
    glue_value(
        "abs_fw_published",
        float(published.loc[published["model_id"].eq("mini-framework"), "test_error_mean_pct"].iloc[0]),
    )
    glue_text(
        "abs_fw_best", error_text(framework_best["test_error_mean_pct"], framework_best["test_error_std_pct"])
    )
    # The results table's row name ("disk: Tanh, ..., cosine (chosen on validation)") in words.
    setting = str(framework_best["model_id"]).removeprefix("disk: ").removesuffix(" (chosen on validation)")
    glue_text("abs_fw_best_model", setting)
    return scorecard


def verdicts_per_report(scorecard: pd.DataFrame) -> pd.DataFrame:
    """The scorecard's verdicts counted per report (one column per verdict, zeros kept), with the
    number of published figures first: which report's figures we could not reproduce."""
    per_report = (
        scorecard.groupby("report")["verdict"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=list(VERDICTS), fill_value=0)
    )
    per_report.insert(0, "figures", per_report.sum(axis=1))
    return per_report.rename_axis("report").reset_index()


def comparison_counts(comparisons: pd.DataFrame) -> pd.DataFrame:
    """Per chapter, in the book's order: its paired comparisons, how many are clear after Holm's
    adjustment, how many have an unadjusted p below 0.05, and how many sit at the exact
    Wilcoxon test's floor 2/2^n (every round went the same way). The gap between the second
    and third columns is what testing many comparisons at once would otherwise have claimed."""
    floor = comparisons["rounds"].map(wilcoxon_floor)
    flags = comparisons.assign(
        unadjusted=comparisons["p_value"] < 0.05, at_floor=comparisons["wilcoxon_p"] <= floor * 1.0001
    )
    if "fragile" not in flags:
        flags = flags.assign(fragile=False)
    flags = flags.assign(clear_fragile=flags["clear"].astype(bool) & flags["fragile"].astype(bool))
    counts = flags.groupby("chapter", sort=False).agg(
        comparisons=("clear", "size"),
        clear=("clear", "sum"),
        clear_fragile=("clear_fragile", "sum"),
        unadjusted=("unadjusted", "sum"),
        at_floor=("at_floor", "sum"),
    )
    counts = counts.astype(int).reset_index().rename(columns=COUNT_COLUMNS)
    counts["chapter"] = counts["chapter"].str.replace("_", " ")  # the chapter's name, not its file
    return counts


COUNT_COLUMNS = {
    "clear": "clear after Holm",
    "clear_fragile": "clear but fragile",
    "unadjusted": "unadjusted p < 0.05",
    "at_floor": "at the Wilcoxon floor",
}
"""The headers of :func:`comparison_counts`, as the summary's table shows them."""


def _row(table: pd.DataFrame, model_id: str) -> pd.Series:
    rows = table[table["model_id"] == model_id]
    if rows.empty:
        raise KeyError(f"no row {model_id!r} in the results table")
    return rows.iloc[0]


def _published(model_id: str) -> float | None:
    from pairlib.configs import PUBLISHED_ROW
    from pairlib.published import published_row

    if model_id not in PUBLISHED_ROW:
        return None
    return float(published_row(*PUBLISHED_ROW[model_id])["test_error_mean_pct"])


def headline_steps(results: Mapping[str, pd.DataFrame]) -> list[tuple[str, pd.Series, float | None]]:
    """The abstract's figure, top to bottom: report 004's networks one change at a time (the
    two-channel CNN, two separate branches, the branches shared, the shared model at the
    auxiliary-loss model's learning rate, the auxiliary loss added: each step is one of the
    chapters' controlled comparisons), then report 000's engineered comparator on a branch
    trained on the classes, report 003's siamese-10 (digits compared by argmax), and our best
    model (chosen on validation pairs)."""
    sharing, auxiliary, comparator = (
        results["weight_sharing"],
        results["auxiliary_loss"],
        results["comparator"],
    )
    best = comparator[comparator["headline"].astype(bool)].iloc[0]
    return [
        ("report 004: two-channel CNN", _row(sharing, "004/CNN"), _published("004/CNN")),
        ("two separate branches", _row(sharing, "004/WS unshared"), None),
        ("the branches shared", _row(sharing, "004/WS"), _published("004/WS")),
        ("at the learning rate of its AL", _row(auxiliary, "004/WS, AL's lr"), None),
        ("+ auxiliary loss (AL)", _row(auxiliary, "004/AL"), _published("004/AL")),
        (
            "report 000: engineered comparator",
            _row(comparator, "000/model-B-classes-ce"),
            _published("000/model-B-classes-ce"),
        ),
        (
            "report 003: digits compared (argmax)",
            _row(comparator, "003/siamese-10"),
            _published("003/siamese-10"),
        ),
        ("our best model (chosen on validation)", best, None),
    ]


def sharing_aux_cells(
    results: Mapping[str, pd.DataFrame],
) -> dict[tuple[bool, bool], tuple[pd.Series, float | None]]:
    """Report 002's ConvNet in its four forms, which cross weight sharing with the auxiliary
    loss on one network and one recipe: WS1 (neither), WS3 (sharing), AL2 (auxiliary loss),
    AL4 (both), as the auxiliary-loss chapter ran them."""
    table = results["auxiliary_loss"]
    names = {
        (False, False): "002/WS1",
        (True, False): "002/WS3",
        (False, True): "002/AL2",
        (True, True): "002/AL4",
    }
    return {cell: (_row(table, name), _published(name)) for cell, name in names.items()}


def report_sentences(scorecard: pd.DataFrame) -> dict[str, str]:
    """One plain sentence per report for the abstract: how many of its published figures our
    reruns reproduce (|z| < 2), how many ours beat or miss, and its largest gap, by name."""
    sentences = {}
    for report, rows in scorecard.groupby(scorecard["report"].map(lambda r: f"{int(r):03d}"), sort=True):
        counts = rows["verdict"].value_counts()
        parts = [f"{counts.get(VERDICTS[0], 0)} of {len(rows)} published figures reproduced"]
        lower, higher = counts.get(VERDICTS[1], 0), counts.get(VERDICTS[2], 0)
        if lower:
            parts.append(f"ours lower for {lower}")
        if higher:
            parts.append(f"higher for {higher}" if lower else f"ours higher for {higher}")
        sentence = ", ".join(parts)
        gaps = rows.dropna(subset=["z"])
        gaps = gaps[gaps["verdict"] != "reproduced"]
        if len(gaps):
            worst = gaps.loc[gaps["z"].abs().idxmax()]
            side = "below" if worst["z"] < 0 else "above"
            gap = f"z = {abs(worst['z']):.1f}"
            sentence += f"; the largest gap is {worst['published_model_id']}, ours {side} by {gap}"
        undescribed = rows[rows["z"].isna()]
        if len(undescribed):
            sentence += f"; {len(undescribed)} published without a spread, compared in words"
        sentences[report] = sentence
    return sentences
