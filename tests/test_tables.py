"""The chapter helpers behind the pairs and auxiliary-loss chapters: balance statistics,
their tables, the facts they glue, and the per-epoch and sweep statistics they read."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest

from pairlib import page
from pairlib.chapters.auxiliary_loss_tables import (
    configuration_words,
    family_facts,
    grouped_results_table,
    loss_terms_facts,
    mse_reading,
    probe_facts,
    probe_table,
    sweep_facts,
)
from pairlib.chapters.pairs import (
    balance_by_split,
    balance_facts,
    balance_table,
    expected_positive,
    pair_models,
    published_facts,
    published_table,
)
from pairlib.configs import REGISTRY
from pairlib.curves import balance_figure, loss_terms_figure, weight_sweep_figure
from pairlib.published import load_published
from pairlib.stats import first_epoch_below, sweep_cells

UNIFORM = np.full(10, 0.1)


def balance_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "seed": [0, 0, 1, 1],
            "split": ["train", "test", "train", "test"],
            "n_pairs": 1000,
            "positive_fraction": [0.50, 0.60, 0.54, 0.56],
            "equal_fraction": 0.1,
        }
    )


def test_uniform_digits_give_the_textbook_positive_rate():
    assert expected_positive(UNIFORM) == pytest.approx(0.55)
    skewed = np.array([0.5] + [0.5 / 9] * 9)  # many zeros: "0 <= d" is true more often
    assert expected_positive(skewed) > 0.55


def test_balance_facts_read_the_test_sets_for_the_trivial_floor():
    balance = balance_frame()
    by_split = balance_by_split(balance)
    assert by_split.loc["test", "mean"] == pytest.approx(0.58)
    assert by_split.loc["train", "draws"] == 2
    freq = np.array([0.09] * 9 + [0.19])
    facts = balance_facts(balance, freq, 1000)
    assert facts["trivial_error"] == pytest.approx(42.0)
    assert facts["draws"] == 4
    assert (facts["most_common"], facts["least_common"]) == (9, 0)
    assert facts["sampling_sd"] == pytest.approx(math.sqrt(0.55 * 0.45 / 1000))
    table = balance_table(by_split)
    assert table["positive fraction"].tolist() == ["0.580 ± 0.028", "0.520 ± 0.028"]


def test_published_table_and_facts_cover_every_pair_model():
    rows = pair_models(load_published())
    assert len(published_table(rows)) == len(rows) > 0
    facts = published_facts(rows)
    assert facts["n_published"] == len(rows)
    assert facts["best_error"] == rows["test_error_mean_pct"].min()
    assert facts["worst_error"] == rows["test_error_mean_pct"].max()
    assert facts["n_labels"] + facts["n_targets_only"] == len(rows)


def test_configuration_words_name_what_differs_between_rows():
    al4 = REGISTRY["002/AL4"]
    assert "shared" in configuration_words(al4) and "digits" in configuration_words(al4)
    weighted = configuration_words(al4.replace(aux_weight=0.4, target_weight=0.5))
    # One form whatever the weights: the target's weight in front, λ relative to it inside.
    assert "0.5 × (BCE + 0.8 × CE on the digits)" in weighted
    assert "digits" not in configuration_words(al4.replace(aux_weight=0.0))


def test_grouped_results_table_skips_and_blanks_missing_digit_errors():
    final = pd.DataFrame(
        {
            "mean": [10.0, 8.0],
            "std": [1.0, 0.5],
            "count": [3, 3],
            "diverged": [0, 0],
            "train_error": [2.0, 1.0],
            "test_digit_error": [math.nan, 4.25],
        },
        index=["002/WS3", "002/AL4"],
    )
    groups = {"g": {"002/WS3": REGISTRY["002/WS3"], "002/AL4": REGISTRY["002/AL4"], "x": REGISTRY["002/AL4"]}}
    table = grouped_results_table(groups, final, skip={"x"})
    assert table["model"].tolist() == ["002/WS3", "002/AL4"]
    assert table["digit error (%)"].tolist() == ["", "4.2"]
    assert table["test error (%)"].tolist() == ["10.0 ± 1.0", "8.0 ± 0.5"]


def sweep_summary() -> tuple[pd.DataFrame, dict[tuple[float, float], str]]:
    # At lr 0.001 the best λ is 0.1 (9%); over the whole grid, lr 0.004 and λ 1 (8%): a corner.
    means = {(0.001, 0.0): 12.0, (0.001, 0.1): 9.0, (0.001, 1.0): 10.0}
    means |= {(0.004, 0.0): 11.0, (0.004, 0.1): 11.0, (0.004, 1.0): 8.0}
    names = {key: f"lr {key[0]} w {key[1]}" for key in means}
    summary = pd.DataFrame([{"mean": m, "std": 1.0} for m in means.values()], index=list(names.values()))
    return summary, names


def test_sweep_cells_and_facts_choose_the_lowest_mean_and_flag_edges():
    summary, names = sweep_summary()
    cells = sweep_cells(summary, names)
    assert len(cells) == 6 and set(cells.columns) == {"lr", "lambda", "mean", "std"}
    facts = sweep_facts(cells, 0.001, (0.001, 0.004), (0.0, 0.1, 1.0), own=False)
    assert (facts["chosen_lr"], facts["chosen_lambda"], facts["chosen_valid"]) == (0.004, 1.0, 8.0)
    assert facts["best_lambda_at_lr"] == 0.1 and facts["valid_zero"] == 12.0
    assert "largest learning rate and the largest λ" in facts["edge"]
    assert "report 003's most consistent weight" in facts["003_remark"]
    assert "is λ = 0.632 on their mean" in facts["003_remark"]  # one convention: ours weighs the mean
    fig = weight_sweep_figure(cells, 0.001, (0.001, 0.004), (0.0, 0.1, 1.0))
    assert len(fig.axes[1].texts) == 6  # every heat-map cell carries its value
    matplotlib.pyplot.close(fig)


def test_family_facts_count_gains_and_name_clear_losses():
    tested = pd.DataFrame(
        {
            "comparison": ["a", "b", "c"],
            "difference": [-3.0, -0.5, 1.0],
            "clear": [True, False, True],
            "t_test_p": [0.001, 0.2, 0.01],
        }
    )
    facts = family_facts(tested, {"t": tested, "u": tested.iloc[:1]})
    assert (facts["aux_better"], facts["aux_clear"], facts["aux_count"]) == (2, 1, 3)
    assert facts["aux_worse"] == 'in 1: "c"'
    assert (facts["aux_largest"], facts["aux_largest_name"]) == (3.0, "a")
    assert (facts["family"], facts["family_clear"], facts["family_raw"]) == (4, 3, 3)


def test_probe_facts_reading_follows_the_linear_probe():
    rows = []
    for name, linear in (("r/WS", 20.0), ("r/AL", 5.0)):
        for rnd in range(2):
            rows.append(
                {
                    "name": name,
                    "round": rnd,
                    "test_error": 10.0,
                    "argmax_digit_error": 50.0,
                    "permutation_digit_error": 30.0,
                    "linear_digit_error": linear + rnd,
                }
            )
    probes = pd.DataFrame(rows)
    facts = probe_facts(probes, {"ConvNet": ("r/WS", "r/AL")})
    assert facts["probe_al_linear"] == 5.5 and facts["probe_ws_argmax"] == 50.0
    assert facts["probe_reading"].startswith("The auxiliary loss does not only name")
    worse = probe_facts(
        probes.replace({"name": {"r/WS": "r/AL", "r/AL": "r/WS"}}), {"ConvNet": ("r/WS", "r/AL")}
    )
    assert worse["probe_reading"].startswith("The linear read-outs do not rank")
    table = probe_table(probes, {"r/WS": REGISTRY["002/WS3"], "r/AL": REGISTRY["002/AL4"]})
    assert table["auxiliary loss"].tolist() == ["no", "yes"]


def epochs_frame(errors: list[float], digit: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "round": 0,
            "epoch": range(1, len(errors) + 1),
            "running_train_error": errors,
            "digit_loss": digit,
            "target_term": 1.0,
            "loss": digit + 1.0,
            "test_error": errors,
        }
    )


def test_first_epoch_below_and_the_plateau_sentence():
    band = pd.DataFrame({"mean": [45.0, 35.0, 25.0]}, index=[1, 2, 3])
    assert first_epoch_below(band, 30.0) == 3 and first_epoch_below(band, 10.0) is None
    facts = loss_terms_facts(epochs_frame([45, 40, 38], 1.0), epochs_frame([40, 20, 10], 2.0), 30.0, 3)
    assert facts["plateau"].endswith("leaves its initial plateau sooner, as in the report.")
    assert "in none of the 3 epochs" in facts["plateau"]
    assert (facts["ratio_first"], facts["ratio_dominates"], facts["last_epoch"]) == (2.0, "dominates", 3)
    matplotlib.pyplot.close(
        loss_terms_figure(epochs_frame([45, 40, 38], 1.0), epochs_frame([40, 20, 10], 2.0))
    )


def test_balance_figure_draws_every_digit_and_draw():
    fig = balance_figure(UNIFORM, balance_frame(), 0.55)
    assert len(fig.axes[0].patches) == 10
    matplotlib.pyplot.close(fig)


def test_glue_facts_dispatch_text_and_values(monkeypatch):
    seen = []
    monkeypatch.setattr(page.glue, "glue_text", lambda name, text: seen.append(("text", name, text)))
    monkeypatch.setattr(page.glue, "glue_value", lambda name, value: seen.append(("value", name, value)))
    page.glue_facts({"a": "words", "b": 1.5}, "x_")
    assert seen == [("text", "x_a", "words"), ("value", "x_b", 1.5)]


def test_setup_chapter_checks_and_glues_every_parameter(monkeypatch):
    seen = {}
    monkeypatch.setattr(
        page.parameters,
        "glue_facts",
        lambda facts, prefix="": seen.update({prefix + k: v for k, v in facts.items()}),
    )
    p = page.setup_chapter(glue="c_", rounds=3, epochs=2)
    assert p == {"rounds": 3, "epochs": 2} and seen == {"c_rounds": 3, "c_epochs": 2}
    with pytest.raises(ValueError, match="rounds"):
        page.setup_chapter(rounds=0)


def test_mse_reading_says_when_the_comparison_is_not_between_two_trained_models():
    row = {"difference": 4.0, "clear": True}
    assert mse_reading(row, 35.0, 25).startswith("MSE against cross-entropy is not settled")
    trained = mse_reading(row, 5.0, 25)
    assert trained.endswith("MSE raises the test error by 4.0 points, clearly")


def test_registry_against_grid_says_which_settings_the_test_figures_use():
    from pairlib.chapters.readings import registry_against_grid

    validation = pd.DataFrame(
        {"mean": [6.0, 5.0, 7.3, 5.9]},
        index=["WS | lr 0.1", "WS | lr 1", "AL | lr 0.5, α 0.5, γ 0.5", "AL | lr 1, α 1, γ 1"],
    )
    chosen = pd.DataFrame({"setting": ["lr 1", "lr 1, α 1, γ 1"], "mean": [5.0, 5.9]}, index=["WS", "AL"])
    same = registry_against_grid(validation, chosen, {"WS": "lr 1", "AL": "lr 1, α 1, γ 1"})
    assert same == "The registered configurations use these values."
    differ = registry_against_grid(validation, chosen, {"WS": "lr 0.1", "AL": "lr 1, α 1, γ 1"})
    assert "for WS not the one this rerun ranks first" in differ
    assert "WS lr 0.1 (6.0% validation error, 2 of 2 on this grid" in differ
    assert "5.0% for its best setting" in differ and "AL" not in differ


def test_the_execution_appendix_names_the_processor_each_chapter_ran_on(tmp_path):
    import nbformat

    intel = {"cpu": "GenuineIntel / Intel(R) Xeon(R) Processor / 307200 KB", "capability": "AVX512"}
    amd = {"cpu": "AuthenticAMD / AMD EPYC / 1024 KB", "capability": "AVX2", "mode": "portable"}
    chapters = []
    for name, numerics in (("a", intel), ("b", amd), ("c", None)):
        nb = nbformat.v4.new_notebook()
        nb.metadata["papermill"] = {"end_time": "2026-12-02T01:36:14", "duration": 60.0}
        if numerics:
            nb.metadata["pairlib"] = {"numerics": numerics}
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
        chapters.append((name, tmp_path / f"{name}.ipynb"))
    table = page.execution_statistics(chapters, {})
    expected = ["Intel Xeon, native numerics", "AMD EPYC, portable numerics", "not recorded"]
    assert table["processor"].tolist() == expected
    assert table["execution (min)"].tolist() == [1.0, 1.0, 1.0]


def test_an_own_setting_choice_repeats_the_family_and_adds_no_test():
    """When validation recovers report 002's own AL4, the choice's comparisons are AL4 against
    itself (p 1, not clear) and a repeat of WS3 → AL4, which takes the family's adjusted p."""
    from pairlib.chapters.auxiliary_loss import CHOSEN
    from pairlib.chapters.auxiliary_loss_tables import repeated_comparisons

    family = {
        "auxiliary loss": pd.DataFrame(
            [
                {
                    "comparison": "002 shared",
                    "a": "002/WS3",
                    "b": "002/AL4",
                    "t_test_p": 0.0001,
                    "p_adjusted": 0.003,
                    "clear": True,
                    "fragile": False,
                    "verdict": "b lower (clear)",
                    "ci_low": -2.1,
                    "ci_high": -1.1,
                }
            ]
        )
    }
    choice = pd.DataFrame(
        [
            {
                "comparison": "AL4 to the chosen AL4",
                "a": "002/AL4",
                "b": CHOSEN,
                "t_test_p": 1.0,
                "p_adjusted": 0.5,
                "clear": True,
                "fragile": True,
                "verdict": "?",
                "ci_low": 0.0,
                "ci_high": 0.0,
            },
            {
                "comparison": "WS3 to the chosen AL4",
                "a": "002/WS3",
                "b": CHOSEN,
                "t_test_p": 0.0001,
                "p_adjusted": 0.5,
                "clear": False,
                "fragile": True,
                "verdict": "?",
                "ci_low": -2.1,
                "ci_high": -1.1,
            },
        ]
    )
    rows = repeated_comparisons(choice, family, {CHOSEN: "002/AL4"}).set_index("comparison")
    same, repeat = rows.loc["AL4 to the chosen AL4"], rows.loc["WS3 to the chosen AL4"]
    assert same["p_adjusted"] == 1.0 and not same["clear"] and not same["fragile"]
    assert repeat["p_adjusted"] == 0.003 and repeat["clear"] and repeat["verdict"] == "b lower (clear)"


def test_an_error_below_one_percent_keeps_its_second_decimal():
    assert page.error_text(0.748, 0.181) == "0.75 ± 0.18"
    assert page.error_text(12.24, 1.46) == "12.2 ± 1.5"
