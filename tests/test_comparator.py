"""The comparator chapter's design (every readout reads a trained model, every comparison names
two runs of the chapter, each variant differs from its model in the one thing it varies) and
the page's words and tables, which must follow the numbers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pairlib.chapters import comparator as cs
from pairlib.chapters import comparator_tables as page
from pairlib.curves import confusion_figure, gap_figure, power_figure


@pytest.fixture(scope="module")
def runs():
    trained, predicted = cs.configurations(25, 1000)
    return trained, predicted


def run_names(runs) -> set[str]:
    trained, predicted = runs
    return set(trained) | set(predicted) | set(cs.readouts())


def test_every_readout_reads_a_model_whose_predictions_are_kept(runs):
    trained, predicted = runs
    for name, (source, _) in cs.readouts().items():
        assert source in predicted, name
        assert name not in trained and name not in predicted


@pytest.mark.parametrize("q_valid", [6.0, 8.0])
def test_every_comparison_names_two_runs_of_the_chapter(runs, q_valid):
    names = run_names(runs)
    for _, a, b in cs.SECTION_V_PAIRS + cs.PAIRS_003 + cs.EXACT_PAIRS + cs.power_pairs(q_valid):
        assert a in names and b in names, (a, b)


def test_the_validation_power_is_compared_only_when_it_is_not_the_reports():
    assert len(cs.power_pairs(8.0)) == len(cs.power_pairs(6.0)) + 1
    assert ("000/model-B-classes-ce, p = 8") in {b for _, _, b in cs.power_pairs(8.0)}


def test_trained_powers_and_exact_trainings_change_one_thing(runs):
    trained, predicted = runs
    base = trained[cs.MODEL_B]
    for q in cs.TRAINED_POWERS:
        assert trained[cs.power_name(cs.MODEL_B, q)] == base.replace(model__power=q)
    s10 = predicted["003/siamese-10"]
    targets = predicted["003 branch, exact, targets only"]
    assert targets.model == s10.model.replace(comparator="exact")
    assert (targets.target_weight, targets.aux_weight) == (1.0, 0.0)
    assert predicted["000/model-A-aux, 2× epochs"].epochs == 2 * predicted["000/model-A-aux"].epochs


def fake_final(names, mean=10.0) -> pd.DataFrame:
    """A summarise()-like frame: every name at ``mean`` except where a test sets it."""
    return pd.DataFrame(
        {"mean": mean, "std": 1.0, "train_error": 5.0, "test_digit_error": 3.0, "seconds": 2.0},
        index=pd.Index(sorted(names), name="name"),
    )


def comparisons(pairs, clear=True, difference=-1.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "comparison": [label for label, _, _ in pairs],
            "a": [a for _, a, _ in pairs],
            "b": [b for _, _, b in pairs],
            "difference": difference,
            "clear": clear,
            "mean_a": 11.0,
            "mean_b": 10.0,
            "ci_low": difference - 1.0,
            "ci_high": difference + 1.5,
            "p_adjusted": 0.2,
            "fragile": False,
        }
    )


@pytest.mark.parametrize("q_valid", [6.0, 8.0])
def test_power_words_name_the_right_rows_whether_or_not_validation_chose_6(runs, q_valid):
    final = fake_final(run_names(runs))
    table = comparisons(cs.power_pairs(q_valid), clear=False)
    mse_exact = table["b"] == "000/model-B-classes-mse, exact"
    table.loc[mse_exact, ["clear", "difference"]] = [True, 2.0]
    final.loc["000/model-B, p = 12", "mean"] = 3.0
    names = list(page.trained_power_names().values())
    rounds = pd.DataFrame(
        [
            {
                "name": name,
                "round": r,
                "epoch": 25,
                "train_error": 45.0 if (name.endswith("12") and r < 3) else 2.0,
            }
            for name in names
            for r in range(10)
        ]
    )
    facts = page.power_facts(final, table, {"ce": q_valid, "mse": 2.0}, rounds)
    assert facts["power_failed_12"] == 3 and facts["power_failed_6"] == 0  # learned nothing: counted
    assert facts["power_exact_mse"] == "raises"
    assert facts["power_exact_ce"] == "does not clearly change"
    assert facts["power_trained_12"].startswith(("raises the error by", "lowers the error by"))
    assert ", not clearly (95% CI" in facts["power_trained_12"]  # the size, and the verdict beside it
    assert facts["power_trained_best"] == 12.0
    assert facts["power_best_ce"] == q_valid


def test_best_read_powers_take_validation_for_ce_and_the_lowest_mean_for_mse(runs):
    final = fake_final(run_names(runs))
    final.loc["000/model-B-classes-mse, p = 16", "mean"] = 1.0
    assert cs.best_read_powers(final, 8.0) == {"ce": 8.0, "mse": 16.0}


def test_learned_verdict_follows_the_sign_and_the_adjustment():
    row = {"clear": True, "difference": 2.0, "mean_a": 9.0, "mean_b": 11.0}
    assert "learned comparator is clearly better" in page.learned_verdict(row)
    assert "not clear" in page.learned_verdict({**row, "clear": False})
    assert "does not reproduce" not in page.learned_verdict(row, learned_z=1.5)
    assert "does not reproduce the report's (z = 4.8)" in page.learned_verdict(row, learned_z=4.8)


def test_exact_table_puts_each_difference_beside_its_training(runs):
    final = fake_final(run_names(runs))
    table = comparisons(cs.EXACT_PAIRS)
    table = table.assign(ci_low=[-2.0, 0.5], ci_high=[-0.5, 1.5], difference=[-1.2, 1.0])
    table = table.assign(rounds=10, b_better_rounds=7, t_test_p=0.01, wilcoxon_p=0.02, p_adjusted=0.03)
    shown = page.exact_table(final, table)
    assert shown["trained on"].tolist() == ["classes only", "targets only", "targets + classes"]
    assert shown.loc[0, "vs classes only [95% CI]"] == ""
    assert shown.loc[1, "vs classes only [95% CI]"].startswith("−1.2 [−2.0, −0.5]")
    assert shown.loc[2, "vs classes only [95% CI]"].startswith("+1.0")


def outcomes(wrong_gaps) -> pd.DataFrame:
    """Pairs of every gap 0-9 (digit 0 against digit g), one misread digit where wrong."""
    rows = []
    for gap in range(10):
        wrong = gap in wrong_gaps
        rows.append(
            {"d1": 0, "d2": gap, "p1": 0, "p2": (gap + 1) % 10 if wrong else gap, "gap": gap, "wrong": wrong}
        )
    frame = pd.DataFrame(rows)
    frame["digits_wrong"] = (frame["p1"] != frame["d1"]).astype(int) + (frame["p2"] != frame["d2"])
    return frame


def test_error_facts_count_where_the_errors_are():
    facts = page.error_facts({"base": outcomes({0, 5}), "best": outcomes({0, 1})}, "best", "base")
    assert facts["gap01_share"] == pytest.approx(100.0)
    assert facts["gap01_pairs"] == pytest.approx(20.0)
    assert facts["s10_gap01_share"] == pytest.approx(50.0)
    assert facts["flip_one"] == pytest.approx(100.0)
    assert facts["misread_images"] == 2 and facts["images"] == 20
    table = page.misread_table({"best": outcomes({0, 1})})
    assert table.set_index("digits misread").loc[1, "pair errors"] == 2


def test_chapter_figures_draw_what_they_are_given(runs):
    final = fake_final(run_names(runs))
    fig = power_figure(page.power_curves(final))
    assert len(fig.axes) == 2
    assert [round(x) for x in fig.axes[1].get_xticks()] == [2, 4, 6, 12]
    plt.close(fig)
    gaps = page.gap_tables({"base": outcomes({5}), "best": outcomes({1})})
    fig = gap_figure(gaps)
    assert len(fig.axes[0].patches) == 20
    plt.close(fig)
    counts = np.eye(10, dtype=int) * 5
    counts[3, 8] = 2
    fig = confusion_figure(counts)
    assert [t.get_text() for t in fig.axes[0].texts] == ["2"]
    plt.close(fig)


def test_protocol_facts_read_the_reports_settings_from_their_configurations(runs):
    _, predicted = runs
    facts = page.protocol_facts(25, 1000)
    assert facts["lr_000"] == predicted["000/model-B-classes-ce"].lr
    assert facts["batch_000"] == predicted["000/model-B-classes-ce"].batch_size
    assert facts["lr_003"] == predicted["003/siamese-10"].lr != facts["lr_000"]
