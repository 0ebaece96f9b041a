"""Paired comparisons on tables whose answer is known."""

from __future__ import annotations

import pandas as pd
import pytest

from pairlib.book import comparison_display, effect_phrase
from pairlib.stats import labelled_comparisons, paired_comparison, paired_table, summarise, verdict


def table(errors: dict[str, list[float]]) -> pd.DataFrame:
    rows = [
        {"name": name, "round": r, "seed": r, "epoch": 25, "test_error": e}
        for name, values in errors.items()
        for r, e in enumerate(values)
    ]
    rows += [
        {"name": name, "round": r, "seed": r, "epoch": 1, "test_error": 50.0}
        for name, values in errors.items()
        for r in range(len(values))
    ]
    return pd.DataFrame(rows)


def test_a_constant_improvement_is_found_exactly():
    base = [20.0, 25.0, 18.0, 30.0, 22.0, 27.0, 19.0, 24.0, 21.0, 26.0]
    df = table({"plain": base, "shared": [e - 3.0 for e in base]})
    result = paired_comparison(df, "plain", "shared")
    assert result["difference"] == pytest.approx(-3.0)
    assert result["ci_low"] == pytest.approx(-3.0) and result["ci_high"] == pytest.approx(-3.0)
    assert result["wilcoxon_p"] < 0.01 and result["b_better_rounds"] == 10
    assert verdict(result) == "shared is better"


def test_pairing_sees_what_unpaired_spreads_hide():
    # Rounds vary by +-5 points, the models by a steady 1 point: pairing finds it.
    base = [15.0, 25.0, 18.0, 28.0, 12.0, 22.0, 16.0, 26.0, 14.0, 24.0]
    noise = [0.2, -0.1, 0.1, -0.2, 0.0, 0.1, -0.1, 0.2, -0.2, 0.0]
    df = table({"a": base, "b": [e + 1.0 + d for e, d in zip(base, noise, strict=True)]})
    result = paired_comparison(df, "a", "b")
    assert 0.8 < result["ci_low"] < result["difference"] < result["ci_high"] < 1.2
    assert verdict(result) == "a is better"


def test_no_difference_is_reported_as_such():
    values = [20.0, 21.0, 19.0, 22.0, 18.0, 20.5, 19.5, 21.5, 18.5, 20.0]
    shuffled = [21.0, 20.0, 22.0, 19.0, 20.5, 18.0, 21.5, 19.5, 20.0, 18.5]
    result = paired_comparison(table({"a": values, "b": shuffled}), "a", "b")
    assert result["ci_low"] < 0 < result["ci_high"]
    assert verdict(result) == "no clear difference"


def test_summarise_reads_the_final_epoch_only():
    df = table({"a": [10.0, 20.0], "b": [30.0, 40.0]})
    out = summarise(df)
    assert out.loc["a", "mean"] == 15.0 and out.loc["b", "count"] == 2


def test_paired_table_and_too_few_rounds():
    df = table({"a": [1.0, 2.0, 3.0], "b": [2.0, 3.0, 5.0]})
    assert len(paired_table(df, [("a", "b"), ("b", "a")])) == 2
    with pytest.raises(ValueError, match="at least 2 rounds"):
        paired_comparison(table({"a": [1.0], "b": [2.0]}), "a", "b")


def test_results_table_links_registry_names_to_published_rows():
    from pairlib.stats import results_table

    df = table({"002/AL4": [8.0, 9.0, 10.0], "mine": [5.0, 6.0, 7.0]}).assign(params=1000, seconds=1.0)
    out = results_table(df).set_index("model_id")
    assert (
        out.loc["002/AL4", "report"].startswith("002_") and out.loc["002/AL4", "published_model_id"] == "AL4"
    )
    assert out.loc["mine", "report"] == "" and out.loc["mine", "test_error_mean_pct"] == 6.0
    assert out.loc["mine", "rounds"] == 3


def test_labelled_comparisons_and_their_display():
    base = [20.0, 25.0, 18.0, 30.0, 22.0, 27.0, 19.0, 24.0, 21.0, 26.0]
    df = table({"plain": base, "shared": [e - 3.0 for e in base], "same": base})
    compared = labelled_comparisons(df, [("sharing", "plain", "shared"), ("nothing", "plain", "same")])
    assert list(compared["comparison"]) == ["sharing", "nothing"]
    assert list(compared["verdict"]) == ["shared is better", "no clear difference"]
    shown = comparison_display(compared)
    assert list(shown.loc[0, ["a (%)", "b (%)", "b − a [95% CI]", "b better"]]) == [
        "23.2",
        "20.2",
        "-3.0 [-3.0, -3.0]",
        "10/10",
    ]
    assert shown.loc[1, "b better"] == "0/10" and shown.loc[1, "Wilcoxon p"] == "1.000"


def test_effect_phrase_takes_its_verb_from_the_sign():
    row = {"difference": -2.14, "ci_low": -3.0, "ci_high": -1.2, "wilcoxon_p": 0.0039}
    assert effect_phrase(row) == "lowers the error by 2.1 points (95% CI [-3.0, -1.2], Wilcoxon p = 0.004)"
    assert effect_phrase({**row, "difference": 0.5}).startswith("raises the error by 0.5 points")
    assert effect_phrase({**row, "difference": 0.02}).startswith("leaves the error unchanged")


def test_summary_text_shows_divergence_instead_of_a_mean():
    from pairlib.book import summary_text

    summary = pd.DataFrame(
        {"mean": [11.84, float("nan")], "std": [1.06, float("nan")], "count": [10, 8], "diverged": [0, 2]},
        index=["stable", "wild"],
    )
    assert summary_text(summary, "stable") == "11.8 ± 1.1"
    assert summary_text(summary, "wild") == "diverged in 2 of 10 rounds"


def test_registered_configs_at_a_chapters_protocol_and_their_published_text():
    from pairlib.configs import REGISTRY, published_text, registered

    assert registered("004/WS", epochs=25, n_pairs=1000) == REGISTRY["004/WS"]  # shared runs
    assert registered("004/WS", epochs=3, n_pairs=200).replace(epochs=25, n_pairs=1000) == REGISTRY["004/WS"]
    assert published_text("004/WS") == "12.3 ± 1.3" and published_text("ours only") == ""
    with pytest.raises(KeyError, match="unknown configuration"):
        registered("004/nope", epochs=25, n_pairs=1000)
