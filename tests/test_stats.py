"""Paired comparisons on tables whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pairlib.page import comparison_display, effect_phrase, p_equation, p_text, save_comparisons
from pairlib.results import COMPARISON_COLUMNS, RESULTS_ENV, comparisons_record, load_comparisons
from pairlib.stats import (
    adjust_family,
    holm,
    labelled_comparisons,
    mean_interval,
    paired_comparison,
    paired_table,
    reproduction_z,
    summarise,
    verdict,
    wilcoxon_exact,
    wilcoxon_floor,
)


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
    with pytest.raises(ValueError, match="with itself"):
        paired_comparison(df, "a", "a")


def test_results_table_links_registry_names_to_published_rows():
    from pairlib.results import results_table

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
    assert list(shown.loc[0, ["a → b (%)", "b − a [95% CI]", "b better", "clear"]]) == [
        "23.2 → 20.2",
        "−3.0 [−3.0, −3.0]",
        "10/10",
        "yes",
    ]
    assert shown.loc[0, "Wilcoxon p"] == "0.002"  # the floor 2/2^10: all ten rounds one way
    assert shown.loc[1, "b better"] == "0/10" and shown.loc[1, "Wilcoxon p"] == "1.000"
    assert shown.loc[1, "clear"] == "no" and shown.loc[0, "p (Holm)"] == "<\u00a00.001"


def test_effect_phrase_takes_its_verb_from_the_sign_and_its_adverb_from_clear():
    row = {
        "difference": -2.14,
        "ci_low": -3.0,
        "ci_high": -1.2,
        "t_test_p": 0.001,
        "p_adjusted": 0.0039,
        "clear": True,
    }
    expected = "clearly lowers the error by 2.1 points (95% CI [−3.0, −1.2], Holm-adjusted p = 0.004)"
    assert effect_phrase(row) == expected
    assert effect_phrase({**row, "difference": 0.5, "clear": False}).startswith(
        "raises the error by 0.5 points, not clearly ("
    )
    assert effect_phrase({**row, "difference": 0.02}).startswith("leaves the error unchanged")
    unadjusted = {k: v for k, v in row.items() if k not in ("p_adjusted", "clear")}
    assert (
        effect_phrase(unadjusted)
        == "lowers the error by 2.1 points (95% CI [−3.0, −1.2], paired-t p = 0.001)"
    )


def test_the_interval_and_p_are_scipys_paired_t():
    from scipy import stats

    a = [20.0, 25.0, 18.0, 30.0, 22.0, 27.0, 19.0, 24.0, 21.0, 26.0]
    b = [19.1, 24.5, 18.3, 28.2, 21.9, 26.0, 18.1, 24.4, 20.2, 25.5]
    result = paired_comparison(table({"a": a, "b": b}), "a", "b")
    expected = stats.ttest_rel(b, a)
    interval = expected.confidence_interval()
    assert result["ci_low"] == pytest.approx(interval.low) and result["ci_high"] == pytest.approx(
        interval.high
    )
    assert result["t_test_p"] == pytest.approx(expected.pvalue)


def test_wilcoxon_is_exact_with_ties_and_zeros():
    # Ten rounds all one way: the exact two-sided p is the floor 2/2^10, whatever the sizes.
    assert wilcoxon_exact([-1.0] * 10) == pytest.approx(wilcoxon_floor(10)) == pytest.approx(2 / 1024)
    assert wilcoxon_exact([0.0] * 10) == 1.0
    # Tied magnitudes and a zero, by enumeration of the sign flips of the nonzero ranks.
    diff = [-0.3, -0.3, -0.1, 0.2, -0.5, -0.3, 0.0, -0.4, -0.2, -0.1]
    ranks = pd.Series([abs(d) for d in diff if d]).rank().to_numpy()
    signs = [d > 0 for d in diff if d]
    observed = sum(r for r, s in zip(ranks, signs, strict=True) if s)
    total = ranks.sum()
    flips = [sum(r for k, r in enumerate(ranks) if mask >> k & 1) for mask in range(2 ** len(ranks))]
    centre = total / 2
    p = sum(abs(w - centre) >= abs(observed - centre) - 1e-9 for w in flips) / len(flips)
    assert wilcoxon_exact(diff) == pytest.approx(p)


def test_holm_matches_its_definition():
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    # sorted 0.005, 0.01, 0.03, 0.04 -> 4x, 3x, 2x, 1x, then running maximum, capped at 1
    assert adjusted.tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, float("nan"), 0.6]).tolist()[0] == pytest.approx(1.0)
    assert holm([]).size == 0


def test_a_family_calls_clear_only_what_survives_holm():
    # Five comparisons with raw paired-t p between 0.01 and 0.05: each clear alone, none
    # once the five are adjusted together.
    base = [20.0, 25.0, 18.0, 30.0, 22.0, 27.0, 19.0, 24.0, 21.0, 26.0]
    noise = [0.9, -0.6, 0.4, -0.8, 0.1, 0.7, -0.5, 0.2, -0.3, 0.6]
    errors = {"a": base}
    for k in range(5):
        errors[f"b{k}"] = [e - 0.55 - 0.02 * k + n for e, n in zip(base, noise, strict=True)]
    df = table(errors)
    alone = {f"t{k}": labelled_comparisons(df, [(f"c{k}", "a", f"b{k}")]) for k in range(5)}
    assert all(t["clear"].all() for t in alone.values())
    assert all(0.01 < t.loc[0, "t_test_p"] < 0.05 for t in alone.values())
    together = adjust_family(alone)
    assert list(together) == list(alone)
    assert not any(t["clear"].any() for t in together.values())
    assert all((t["verdict"] == "no clear difference").all() for t in together.values())
    record = comparisons_record("weight_sharing", together)
    assert list(record.columns) == list(COMPARISON_COLUMNS) and len(record) == 5
    assert (record["p_adjusted"] >= record["p_value"]).all() and not record["clear"].any()
    assert set(record["table"]) == set(alone) and (record["chapter"] == "weight_sharing").all()


def test_no_row_is_clear_with_an_adjusted_p_above_alpha_or_a_ci_across_zero():
    base = [20.0, 25.0, 18.0, 30.0, 22.0, 27.0, 19.0, 24.0, 21.0, 26.0]
    shifts = {"x": -3.0, "y": 0.3, "z": 1.0}
    noise = [0.9, -0.6, 0.4, -0.8, 0.1, 0.7, -0.5, 0.2, -0.3, 0.6]
    df = table(
        {"a": base} | {n: [e + s + d for e, d in zip(base, noise, strict=True)] for n, s in shifts.items()}
    )
    family = adjust_family({"t": labelled_comparisons(df, [(n, "a", n) for n in shifts])})["t"]
    crosses = (family["ci_low"] <= 0) & (family["ci_high"] >= 0)
    assert not (family["clear"] & ((family["p_adjusted"] >= 0.05) | crosses)).any()
    assert family["clear"].tolist() == [True, False, True]


def test_comparisons_are_staged_by_the_build_only_and_gathered(tmp_path, monkeypatch):
    base = [20.0, 25.0, 18.0, 30.0, 22.0, 27.0, 19.0, 24.0, 21.0, 26.0]
    df = table({"a": base, "b": [e - 1.0 for e in base]})
    tables = {"main": labelled_comparisons(df, [("a to b", "a", "b")])}
    monkeypatch.delenv(RESULTS_ENV, raising=False)
    assert save_comparisons("weight_sharing", tables) is None
    monkeypatch.setenv(RESULTS_ENV, str(tmp_path))
    assert save_comparisons("weight_sharing", tables) is None  # nothing printed on the page
    assert (tmp_path / "weight_sharing_comparisons.csv").is_file()
    save_comparisons("comparator", tables)
    gathered = load_comparisons(["comparator", "pairs", "weight_sharing"], tmp_path)
    assert gathered["chapter"].tolist() == ["comparator", "weight_sharing"]
    assert list(gathered.columns) == list(COMPARISON_COLUMNS)
    assert load_comparisons(["pairs"], tmp_path).empty


def test_a_mean_against_a_threshold_carries_its_interval():
    mean, low, high = mean_interval([1.0, 2.0, 3.0, 2.0, 2.0])
    assert mean == 2.0 and low < 2.0 < high
    assert high - mean == pytest.approx(2.776445 * (0.5**0.5) / 5**0.5, rel=1e-5)


def test_p_text_never_prints_zero():
    assert p_text(0.0001) == "<\u00a00.001" and p_text(0.0234) == "0.023"
    assert p_equation(0.0001) == "p <\u00a00.001" and p_equation(0.0234) == "p = 0.023"


def test_summary_text_shows_divergence_instead_of_a_mean():
    from pairlib.page import summary_text

    summary = pd.DataFrame(
        {"mean": [11.84, float("nan")], "std": [1.06, float("nan")], "count": [10, 8], "diverged": [0, 2]},
        index=["stable", "wild"],
    )
    assert summary_text(summary, "stable") == "11.8 ± 1.1"
    assert summary_text(summary, "wild") == "diverged in 2 of 10 rounds"


def test_registered_configs_at_a_chapters_protocol_and_their_published_text():
    from pairlib.configs import REGISTRY, registered
    from pairlib.page import published_text

    assert registered("004/WS", epochs=25, n_pairs=1000) == REGISTRY["004/WS"]  # shared runs
    assert registered("004/WS", epochs=3, n_pairs=200).replace(epochs=25, n_pairs=1000) == REGISTRY["004/WS"]
    assert published_text("004/WS") == "12.3 ± 1.3" and published_text("ours only") == ""
    with pytest.raises(KeyError, match="unknown configuration"):
        registered("004/nope", epochs=25, n_pairs=1000)


def test_reproduction_z_scales_the_gap_by_both_standard_errors():
    # se_ours = 1/sqrt(4) = 0.5, se_pub = 0.6/sqrt(4) = 0.3: gap 1.166 / sqrt(0.34) = 2.0
    z = reproduction_z((3.0, 1.0, 4), (3.0 - 2 * 0.34**0.5, 0.6, 4))
    assert z == pytest.approx(2.0)
    assert math.isnan(reproduction_z((3.0, 1.0, 10), (2.0, float("nan"), 10)))


def test_a_clear_verdict_that_one_round_carries_is_fragile_and_a_steady_one_is_not():
    from pairlib.stats import adjust_family

    steady = [20.0, 25.0, 18.0, 30.0, 22.0, 27.0, 19.0, 24.0, 21.0, 26.0]
    solid = [-2.0, -1.9, -2.1, -2.0, -1.8, -2.2, -2.0, -1.9, -2.1, -2.0]  # b better in every round
    # Better on average, p about 0.027: leaving out its most favourable round gives p about 0.06.
    shaky = [d + 0.15 for d in (-2.5, -1.6, -0.9, -1.4, 0.4, -1.8, 0.6, -0.3, -1.2, -0.9)]
    df = table(
        {
            "a": steady,
            "b": [e + d for e, d in zip(steady, solid, strict=True)],
            "c": [e + d for e, d in zip(steady, shaky, strict=True)],
        }
    )
    family = adjust_family({"t": labelled_comparisons(df, [("a to b", "a", "b"), ("a to c", "a", "c")])})["t"]
    assert family["clear"].tolist() == [True, True]
    assert family["fragile"].tolist() == [False, True]
    assert "differences" not in comparisons_record("x", {"t": family}).columns
    assert comparisons_record("x", {"t": family})["fragile"].tolist() == [False, True]


def test_fragile_recomputes_by_hand_leaving_each_round_out():
    from scipy import stats as scipy_stats

    from pairlib.stats import adjust_family, holm

    rng = np.random.default_rng(3)
    base = rng.normal(20, 2, 10)
    df = table(
        {
            "a": list(base),
            "b": list(base - 1.0 + rng.normal(0, 1.2, 10)),
            "c": list(base + rng.normal(0, 2, 10)),
        }
    )
    family = adjust_family({"t": labelled_comparisons(df, [("ab", "a", "b"), ("ac", "a", "c")])})["t"]
    diffs = [np.array(d) for d in family["differences"]]
    p = np.array([scipy_stats.ttest_1samp(d, 0).pvalue for d in diffs])
    for i, d in enumerate(diffs):
        flips = False
        for r in range(len(d)):
            rest = np.delete(d, r)
            test = scipy_stats.ttest_1samp(rest, 0)
            ci = test.confidence_interval(0.95)
            trial = p.copy()
            trial[i] = test.pvalue
            clear = holm(trial)[i] < 0.05 and (ci.high < 0 or ci.low > 0)
            flips |= clear != bool(family["clear"].iloc[i])
        assert bool(family["fragile"].iloc[i]) == flips


def test_numbers_in_prose_use_powers_of_ten_not_e_notation():
    from pairlib.formats import scientific

    assert scientific(5.55e-17) == "5.6 × 10⁻¹⁷"
    assert scientific(-4.38e-6) == "−4.4 × 10⁻⁶"
    assert scientific(1e-6, 0) == "10⁻⁶" and scientific(0.4612) == "0.46" and scientific(0) == "0"


def test_a_tally_reads_well_whatever_the_counts():
    from pairlib.page import tally

    rows = pd.DataFrame({"difference": [-1.0, -2.0, 0.5], "clear": [True, False, False]})
    assert tally(rows) == "in two of three, clearly in one"
    assert tally(rows.iloc[:2].assign(clear=True)) == "in both, each clearly"
