"""The landing page and the summary read the chapters' results: counts that add up."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pairlib.chapters.summary import (
    ABSTRACT_CHAPTERS,
    COUNT_COLUMNS,
    clear_change,
    comparison_counts,
    constant_answer_error,
    glue_abstract,
    verdicts_per_report,
)
from pairlib.page import VERDICTS
from pairlib.published import load_published
from pairlib.results import RESULTS_DIR, load_comparisons, load_results


def test_constant_answer_error_is_the_share_of_negative_test_targets():
    pairs = pd.DataFrame({"split": ["train", "test", "test"], "positive_fraction": [0.9, 0.55, 0.53]})
    assert constant_answer_error(pairs) == pytest.approx(46.0)


def test_verdicts_per_report_counts_every_verdict_with_zeros_kept():
    scorecard = pd.DataFrame(
        {"report": ["000", "000", "001"], "verdict": [VERDICTS[0], VERDICTS[2], VERDICTS[0]]}
    )
    table = verdicts_per_report(scorecard).set_index("report")
    assert list(table.columns) == ["figures", *VERDICTS]
    assert table.loc["000"].tolist() == [2, 1, 0, 1, 0]
    assert table.loc["001"].tolist() == [1, 1, 0, 0, 0]


def test_comparison_counts_per_chapter_in_book_order():
    comparisons = pd.DataFrame(
        {
            "chapter": ["weight_sharing", "weight_sharing", "pairs"],
            "clear": [True, False, False],
            "fragile": [True, False, False],
            "p_value": [0.001, 0.03, 0.5],
            "wilcoxon_p": [2 / 2**10, 0.2, 0.5],
            "rounds": [10, 10, 10],
        }
    )
    counts = comparison_counts(comparisons).set_index("chapter")
    assert list(counts.index) == ["weight sharing", "pairs"]
    assert counts.loc["weight sharing"].tolist() == [2, 1, 1, 2, 1]
    assert counts.loc["pairs"].tolist() == [1, 0, 0, 0, 0]
    assert set(COUNT_COLUMNS.values()) <= set(counts.columns)


def test_an_abstract_change_carries_its_chapters_verdict():
    table = pd.DataFrame({"model_id": ["a", "b", "c"], "test_error_mean_pct": [15.5, 13.3, 9.0]})
    comparisons = pd.DataFrame({"a": ["a", "a"], "b": ["b", "c"], "clear": [False, True]})
    assert clear_change(table, comparisons, "a", "b") == "lowers it from 15.5% to 13.3%, not clearly"
    assert clear_change(table, comparisons, "a", "c") == "lowers it from 15.5% to 9.0%, clearly"
    with pytest.raises(KeyError, match="no paired comparison"):
        clear_change(table, comparisons, "b", "c")


def test_the_abstract_reads_the_committed_results_and_reruns_every_scorecard_figure():
    results = load_results(ABSTRACT_CHAPTERS, RESULTS_DIR)
    if set(results) != set(ABSTRACT_CHAPTERS):
        pytest.skip("the results tables are written by the build")
    scorecard = glue_abstract(results, load_published(), load_comparisons(ABSTRACT_CHAPTERS, RESULTS_DIR))
    assert len(scorecard) > 0 and set(scorecard["verdict"]) <= set(VERDICTS)


def test_every_figure_we_miss_lists_an_alternative_reading_that_ran():
    """Issue 16's bar on the committed scorecard: a figure with |z| >= 2 names at least one
    other reading, and every reading it names is a row of a chapter's results table."""
    path = RESULTS_DIR / "reproduction.csv"
    if not path.is_file():
        pytest.skip("the scorecard is written by the build")
    scorecard = pd.read_csv(path, dtype={"report": str})
    missed = scorecard[scorecard["z"].abs() >= 2]
    bare = missed.loc[missed["tested_by"].isna(), "published_model_id"].tolist()
    assert not bare, f"figures with |z| >= 2 and no alternative reading: {bare}"
    ran = set(pd.concat([pd.read_csv(p)["model_id"] for p in RESULTS_DIR.glob("*.csv") if _has_models(p)]))
    named = {name.strip() for cell in missed["tested_by"] for name in cell.split(";")}
    assert named <= ran, f"readings named but not in any results table: {sorted(named - ran)}"


def _has_models(path) -> bool:
    return "model_id" in pd.read_csv(path, nrows=0).columns


def test_each_report_gets_one_sentence_that_counts_its_figures():
    from pairlib.chapters.summary import report_sentences

    scorecard = pd.DataFrame(
        {
            "report": [2, 2, 2, 4],
            "published_model_id": ["WS1", "AL1", "AL3", "mini-framework"],
            "verdict": ["reproduced", "ours higher", "ours higher", "no spread published"],
            "z": [0.5, 6.4, 12.3, math.nan],
        }
    )
    sentences = report_sentences(scorecard)
    assert sentences["002"] == (
        "1 of 3 published figures reproduced, ours higher for 2; "
        "the largest gap is AL3, ours above by z = 12.3"
    )
    assert sentences["004"].endswith("1 published without a spread, compared in words")


def test_the_abstract_names_the_best_model_in_words():
    from pairlib.chapters.summary import model_in_words

    words = model_in_words("best, 10 models + TTA")
    assert words == "an ensemble of 10 networks read with test-time augmentation"
    assert model_in_words("best, 1 model") == "one network"
    assert model_in_words("003/siamese-10") == "003/siamese-10"
