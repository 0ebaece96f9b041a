"""make reproduce's report: what came out the same, what differs, which verdicts changed."""

from __future__ import annotations

import pandas as pd

from pairlib import reproduce


def _models(**changes: str) -> pd.DataFrame:
    row = {"model_id": "002/WS1", "test_error_mean_pct": "15.79", "seconds_per_run": "3.5", **changes}
    other = {"model_id": "002/WS3", "test_error_mean_pct": "13.88", "seconds_per_run": "2.7"}
    return pd.DataFrame([row, other])


def _comparisons(clear: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "chapter": "weight_sharing",
                "table": "t",
                "comparison": "sharing",
                "mean_difference": "1.2",
                "clear": clear,
            }
        ]
    )


def test_identical_tables_are_identical():
    assert reproduce.compare_table("m.csv", _models(), _models()).status == "identical"


def test_timings_alone_do_not_make_a_difference():
    report = reproduce.compare_table("m.csv", _models(), _models(seconds_per_run="9.9"))
    assert report.status.startswith("same figures") and not report.rows_changed


def test_a_changed_figure_is_named_by_row_with_its_size():
    report = reproduce.compare_table("m.csv", _models(), _models(test_error_mean_pct="16.29"))
    assert report.status == "differs" and not report.verdicts_changed
    assert report.rows_changed == ["002/WS1: test_error_mean_pct 15.79 -> 16.29"]
    assert abs(report.largest_difference - 0.5) < 1e-9


def test_a_changed_verdict_is_reported_and_fails_the_reproduction():
    report = reproduce.compare_table("c.csv", _comparisons("True"), _comparisons("False"))
    assert report.verdicts_changed == ["weight_sharing / t / sharing: clear True -> False"]
    assert any("VERDICT CHANGED" in line for line in report.lines())


def test_scorecard_rows_are_matched_by_published_figure():
    card = pd.DataFrame(
        [
            {"report": "000", "published_model_id": "B (a)", "model_id": "000/B", "verdict": "reproduced"},
            {"report": "000", "published_model_id": "B (b)", "model_id": "000/B", "verdict": "reproduced"},
        ]
    )
    changed = card.copy()
    changed.loc[1, "verdict"] = "ours is higher"
    report = reproduce.compare_table("reproduction.csv", card, changed)
    assert report.verdicts_changed == ["000 / B (b): verdict reproduced -> ours is higher"]


def test_new_and_missing_tables_are_named():
    reports = reproduce.compare_tables({"a.csv": _models()}, {"b.csv": _models()})
    assert [(r.name, r.status) for r in reports] == [("a.csv", "missing"), ("b.csv", "new")]
