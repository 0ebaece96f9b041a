"""The auxiliary-loss chapter: what it trains (each report's models with and without a loss on
the digit classes, the controls the reports lack, report 004's (α, γ) grid, a λ sweep on
validation pairs and digit probes), the comparisons it makes, and its tables and glued facts.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pairlib import curves
from pairlib.chapters.auxiliary_loss_tables import (
    family_facts,
    loss_terms_facts,
    mse_reading,
    probe_facts,
    repeated_comparisons,
    sharing_with_aux,
    sweep_facts,
)
from pairlib.configs import PUBLISHED_ROW, published_mean, published_means
from pairlib.configs import registered as registered_config
from pairlib.page import (
    clear_word,
    glue_comparisons,
    glue_facts,
    glue_markdown,
    glue_text,
    glue_value,
    interval,
    mean_std,
    signed,
)
from pairlib.probes import probe_grid
from pairlib.published import published_row
from pairlib.results import results_table, save_comparisons, save_results, save_rounds
from pairlib.runner import Protocol
from pairlib.stats import adjust_family, labelled_comparisons, summarise, sweep_cells
from pairlib.train import TrainConfig, final_epoch, run_grid

GRID_004 = (0.2, 0.5, 0.8, 1.0)
"""Report 004's values of α and of γ."""
CURVES = ("000/model-A", "000/model-A-aux")
"""Recorded per epoch for report 000's Fig. 3."""
CHOSEN = "002/AL4, chosen lr and λ"
"""AL4 at the learning rate and λ chosen on validation pairs."""
LAMBDAS = (0.0, 0.1, 10**-0.5, 1.0, 10**0.5, 10.0)
"""The λ sweep, at AL4's learning rate."""
HEAT_LAMBDAS = (0.0, 0.1, 1.0, 10.0)
"""The λ values crossed with the learning rates."""
PLATEAU = 30.0
"""Training error (%) that marks the end of the initial plateau."""
GROUP_COLOURS = ("tab:blue", "tab:cyan", "tab:olive", "tab:purple", "tab:green")
"""One colour per group of :func:`design`, none the published crosses' vermilion."""
TRAIN_ERRORS = {
    "000_aux": "000/model-A-aux",
    "al3": "002/AL3",
    "ws2": "002/WS2",
    "al1": "002/AL1",
    "fcnn3": "002/FCNN3, AL1's lr",
    "al4": "002/AL4",
}
"""The final training errors the prose quotes, by glue key."""
OTHER = [
    ("002: sharing, FC with aux", "002/AL1", "002/AL3"),
    ("002: sharing, ConvNet with aux", "002/AL2", "002/AL4"),
    ("000: MSE instead of CE, with aux", "000/model-A-aux", "000/model-A-aux-mse"),
    ("001: MLP to ConvNet + aux", "001/model-1", "001/model-3"),
    ("001: ConvNet to ConvNet + aux", "001/model-2", "001/model-3"),
    ("004: CNN to AL", "004/CNN", "004/AL"),
    ("001: MLP to ConvNet", "001/model-1", "001/model-2"),
]
"""Other comparisons the reports made around their auxiliary-loss models."""


def grid_name(alpha: float, gamma: float, own: tuple[float, float]) -> str:
    """The configuration name of report 004's (α, γ) cell; the registry's own weights are 004/AL."""
    return "004/AL" if (alpha, gamma) == own else f"004/AL, α={alpha:g}, γ={gamma:g}"


@dataclass(frozen=True)
class Design:
    """What the chapter trains: its groups of configurations and the comparisons among them."""

    groups: dict[str, dict[str, TrainConfig]]
    alpha_004: float
    gamma_004: float

    @property
    def everything(self) -> dict[str, TrainConfig]:
        return {name: config for configs in self.groups.values() for name, config in configs.items()}

    def group_of(self, name: str) -> str:
        return next((g for g, configs in self.groups.items() if name in configs), "lambda choice")

    @property
    def grid_names(self) -> dict[tuple[float, float], str]:
        own = (self.alpha_004, self.gamma_004)
        return {(a, g): grid_name(a, g, own) for a in GRID_004 for g in GRID_004}

    @property
    def grid_only(self) -> set[str]:
        """The grid's cells beyond the registry's weights and the two ends of its range: shown
        in their own table, not in the results table and figure."""
        return {n for n in self.groups["004, SGD"] if n.startswith("004/AL, α=")} - {
            "004/AL, α=0.2, γ=1",
            "004/AL, α=1, γ=0.2",
        }

    @property
    def aux_pairs(self) -> list[tuple[str, str, str]]:
        """Each model against itself without the auxiliary loss."""
        return [
            ("002 FC, separate, report's lrs", "002/FCNN3", "002/AL1"),
            ("002 FC, separate, same lr", "002/FCNN3, AL1's lr", "002/AL1"),
            ("002 FC, shared", "002/WS2", "002/AL3"),
            ("002 ConvNet, separate", "002/WS1", "002/AL2"),
            ("002 ConvNet, shared, report's lrs", "002/WS3", "002/AL4"),
            ("002 ConvNet, shared, same lr", "002/WS3", "002/AL4, WS3's lr"),
            ("000 Model A, cross-entropy", "000/model-A", "000/model-A-aux"),
            ("000 Model A, MSE", "000/model-A, MSE", "000/model-A-aux-mse"),
            ("001 Model 3", "001/model-3, no aux", "001/model-3"),
            (f"004 WS to AL, α={self.alpha_004:g}, γ={self.gamma_004:g}", "004/WS", "004/AL"),
            ("004 WS to AL, α=0.2, γ=1", "004/WS", "004/AL, α=0.2, γ=1"),
            ("004 WS to AL, α=1, γ=0.2", "004/WS", "004/AL, α=1, γ=0.2"),
            ("004 WS to AL, both at AL's lr", "004/WS, AL's lr", "004/AL"),
        ]

    @property
    def grid_pairs(self) -> list[tuple[str, str, str]]:
        """Report 004's grid cells not already among :attr:`aux_pairs`, each against WS."""
        in_aux = {b for _, a, b in self.aux_pairs if a == "004/WS"}
        return [
            (f"004 WS to AL, α={alpha:g}, γ={gamma:g}", "004/WS", name)
            for (alpha, gamma), name in self.grid_names.items()
            if name not in in_aux
        ]


def design(epochs: int, n_pairs: int) -> Design:
    """The chapter's configurations: each report's models with and without the auxiliary loss,
    the controls the reports lack (the same learning rate), and report 004's (α, γ) grid."""
    registered = functools.partial(registered_config, epochs=epochs, n_pairs=n_pairs)
    fcnn3, al1 = registered("002/FCNN3"), registered("002/AL1")
    ws3, al4 = registered("002/WS3"), registered("002/AL4")
    model_a = registered("000/model-A")
    al004 = registered("004/AL")
    # The registry's weights: its loss α (L_1 + L_2) + γ L_target is ours with aux_weight 2α.
    alpha_004, gamma_004 = al004.aux_weight / 2, al004.target_weight
    groups: dict[str, dict[str, TrainConfig]] = {
        "002, fully connected": {
            "002/FCNN3": fcnn3,
            "002/FCNN3, AL1's lr": fcnn3.replace(lr=al1.lr),
            "002/AL1": al1,
            "002/WS2": registered("002/WS2"),
            "002/AL3": registered("002/AL3"),
        },
        "002, ConvNet": {
            "002/WS1": registered("002/WS1"),
            "002/AL2": registered("002/AL2"),
            "002/WS3": ws3,
            "002/AL4": al4,
            "002/AL4, WS3's lr": al4.replace(lr=ws3.lr),
        },
        "000, Model A": {
            "000/model-A": model_a,
            "000/model-A-aux": registered("000/model-A-aux"),
            "000/model-A, MSE": model_a.replace(target_loss="mse-raw"),
            "000/model-A-aux-mse": registered("000/model-A-aux-mse"),
        },
        "001, ~70k parameters": {
            "001/model-1": registered("001/model-1"),
            "001/model-2": registered("001/model-2"),
            "001/model-3, no aux": registered("001/model-3").replace(aux_weight=0.0),
            "001/model-3": registered("001/model-3"),
        },
        "004, SGD": {
            "004/CNN": registered("004/CNN"),
            "004/WS": registered("004/WS"),
            # WS at AL's learning rate: the report's grid picked different rates for the two.
            "004/WS, AL's lr": registered("004/WS").replace(lr=al004.lr),
            # Report 004's whole (α, γ) grid at AL's learning rate; the registry's own weights
            # are the cell named 004/AL.
            **{
                grid_name(alpha, gamma, (alpha_004, gamma_004)): al004.replace(
                    aux_weight=2 * alpha, target_weight=gamma
                )
                for alpha in GRID_004
                for gamma in GRID_004
            },
        },
    }
    return Design(groups, alpha_004, gamma_004)


@dataclass
class Study:
    """Everything the chapter trained and compared, from :func:`run_study`."""

    design: Design
    rounds: int
    epochs: int
    main: pd.DataFrame
    final: pd.DataFrame
    sweep: pd.DataFrame
    sweep_errors: pd.DataFrame
    rates: tuple[float, ...]
    cells: int
    chosen_lr: float
    chosen_lambda: float
    chosen_is_own: bool
    test_runs: pd.DataFrame
    family: dict[str, pd.DataFrame]
    probed: dict[str, TrainConfig]
    probes: pd.DataFrame
    al4: TrainConfig = field(repr=False)

    @property
    def aux(self) -> pd.DataFrame:
        return self.family["auxiliary loss"]

    @property
    def other(self) -> pd.DataFrame:
        return self.family["other"]

    @property
    def tested(self) -> dict[str, pd.DataFrame]:
        """The family's tables that are tests, Holm-adjusted together: all but the choice's
        comparisons when the chosen AL4 is report 002's own (they repeat the family's)."""
        return {k: t for k, t in self.family.items() if not (self.chosen_is_own and k == "lambda choice")}

    def al004_rows(self) -> pd.DataFrame:
        """Every comparison of report 004's WS with an AL cell of its grid."""
        return pd.concat(
            [self.aux[self.aux["a"] == "004/WS"], self.family["report 004 grid"]], ignore_index=True
        )


def run_study(rounds: int, epochs: int, n_pairs: int, seed: int, device: str, valid_pairs: int) -> Study:
    """Train (or read from the cache) every configuration, the λ and learning-rate sweep on
    validation pairs, AL4 at the chosen cell, and the digit probes; compare them as one family."""
    if valid_pairs >= n_pairs:
        raise ValueError(f"parameter valid_pairs={valid_pairs} is not allowed: expected < n_pairs")
    d = design(epochs, n_pairs)
    protocol = Protocol(rounds, seed, device)

    def grid(configs: dict[str, TrainConfig], record: str = "final") -> pd.DataFrame:
        return run_grid(configs, protocol, record=record)

    everything = d.everything
    main = pd.concat(
        [
            grid({n: c for n, c in everything.items() if n not in CURVES}),
            grid({n: everything[n] for n in CURVES}, record="epoch"),
        ],
        ignore_index=True,
    )
    final = summarise(main)
    al4 = everything["002/AL4"]
    rates = (al4.lr / 4, al4.lr, al4.lr * 4)
    valid_base = al4.replace(valid_pairs=valid_pairs)
    cells = {(al4.lr, w): valid_base.replace(aux_weight=w) for w in LAMBDAS}
    cells |= {(lr, w): valid_base.replace(lr=lr, aux_weight=w) for lr in rates for w in HEAT_LAMBDAS}
    cell_names = {key: f"AL4 valid, lr {key[0]:g}, λ {key[1]:.3g}" for key in cells}
    sweep = grid({cell_names[key]: config for key, config in cells.items()})
    sweep_errors = sweep_cells(summarise(sweep), cell_names)
    best = sweep_errors.loc[sweep_errors["mean"].idxmin()]
    chosen_lr, chosen_lambda = float(best["lr"]), float(best["lambda"])
    chosen = al4.replace(lr=chosen_lr, aux_weight=chosen_lambda)
    test_runs = pd.concat([main, grid({CHOSEN: chosen})], ignore_index=True)
    choice = labelled_comparisons(
        test_runs,
        [("AL4 to the chosen AL4", "002/AL4", CHOSEN), ("WS3 to the chosen AL4", "002/WS3", CHOSEN)],
    )
    tables = {
        "auxiliary loss": labelled_comparisons(main, d.aux_pairs),
        "other": labelled_comparisons(main, OTHER),
        "report 004 grid": labelled_comparisons(main, d.grid_pairs),
    }
    # One family: every comparison of the chapter, Holm-adjusted together (see the Methods page).
    # A chosen AL4 that is report 002's own setting is AL4's own runs: its first comparison
    # would test a model against itself and its second repeat WS3 → AL4, so neither is a test
    # of its own, and neither may count in the family.
    own = chosen == al4
    family = adjust_family(tables if own else {**tables, "lambda choice": choice})
    if own:
        family["lambda choice"] = repeated_comparisons(choice, family, {CHOSEN: "002/AL4"})
    probed = {n: everything[n] for n in ("002/WS2", "002/AL3", "002/WS3", "002/AL4")}
    probes = probe_grid(probed, protocol)
    return Study(
        d,
        rounds,
        epochs,
        main,
        final,
        sweep,
        sweep_errors,
        rates,
        len(cells),
        chosen_lr,
        chosen_lambda,
        own,
        test_runs,
        family,
        probed,
        probes,
        al4,
    )


def errors_figure(study: Study) -> Any:
    """Every configuration's per-round test errors (the grid's inner cells aside), by group."""
    d = study.design
    names = [n for n in d.everything if n not in d.grid_only]
    colours = dict(zip(d.groups, GROUP_COLOURS, strict=True))
    return curves.round_errors_figure(
        study.main,
        names,
        {n: colours[d.group_of(n)] for n in names},
        published_means(names),
        height=6.4,
        groups=colours,
    )


def paired_figure(study: Study) -> Any:
    """The per-round differences of the auxiliary-loss comparisons and the others."""
    families = {"aux": study.aux, "other": study.other}
    return curves.paired_differences_figure(
        study.main, families, {"aux": "tab:green", "other": "tab:orange"}, height=4.6
    )


def curves_runs(study: Study) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Report 000's Model A without and with the auxiliary loss, per epoch."""
    without, with_aux = (study.main[study.main["name"] == name] for name in CURVES)
    return without, with_aux


def loss_terms_figure(study: Study) -> Any:
    """Report 000's Fig. 3: the two loss terms of Model A with and without the auxiliary loss."""
    return curves.loss_terms_figure(*curves_runs(study))


def weight_sweep_figure(study: Study) -> Any:
    """Validation error over the λ sweep and the learning rates crossed with it."""
    return curves.weight_sweep_figure(study.sweep_errors, study.al4.lr, study.rates, HEAT_LAMBDAS)


def glue_sweep(study: Study) -> None:
    """The λ sweep's choice and AL4 at it, against AL4 as published."""
    final_all = summarise(study.test_runs)
    glue_facts(
        sweep_facts(study.sweep_errors, study.al4.lr, study.rates, LAMBDAS, own=study.chosen_is_own), "al_"
    )
    glue_facts(
        {
            "chosen_test": float(final_all.loc[CHOSEN, "mean"]),
            "chosen_test_std": float(final_all.loc[CHOSEN, "std"]),
            "al4_test": float(study.final.loc["002/AL4", "mean"]),
            "al4_test_std": float(study.final.loc["002/AL4", "std"]),
            "al4_pub": published_mean("002/AL4"),
            "al4_lr": study.al4.lr,
        },
        "al_",
    )


def glue_choice_table(study: Study, n_pairs: int) -> None:
    """The paragraph on the choice's table, which exists only when the search chose another
    setting than report 002's own: otherwise its rows would compare AL4 with itself and repeat
    WS3 → AL4, no tests of their own (and not in the chapter's family)."""
    glue_markdown(
        "al_choice_table",
        ""
        if study.chosen_is_own
        else (
            f"{{numref}}`tab-al-choice` trains the chosen configuration on all {n_pairs} training "
            "pairs of every round, as every other model of the chapter is trained, and compares it "
            "with two models on the same rounds. The first row asks whether choosing the weight and "
            "the learning rate on held-out pairs improves on report 002's setting at all; the second "
            "is the comparison a reader wants, the auxiliary loss at its best against no auxiliary "
            "loss. It is not quite even: WS3 keeps the learning rate report 002's own search gave it "
            "and is not re-tuned on our validation pairs, and tuning one side of a comparison can "
            "only favour that side."
        ),
    )


def glue_choice(study: Study) -> None:
    """What the validation search changed against report 002's setting, in words that fit
    both outcomes: when it recovers the report's own setting, the two are one model and the
    comparison of them is no finding."""
    row = study.family["lambda choice"].set_index("comparison").loc["AL4 to the chosen AL4"]
    al4 = study.final.loc["002/AL4"]
    published = f"(published: {published_mean('002/AL4'):.1f}%)"
    glue_text(
        "al_short_choice_versus",
        f", against {published_mean('002/AL4'):.1f}% published"
        if study.chosen_is_own
        else f" (report 002's AL4: {mean_std(al4['mean'], al4['std'])}% here, "
        f"{published_mean('002/AL4'):.1f}% published)",
    )
    if study.chosen_is_own:
        glue_text("al_choice_versus_own", "the very model report 002 trained")
        glue_text(
            "al_choice_result",
            "This is report 002's own setting, so the chosen model is AL4 as the report set it: "
            f"{mean_std(al4['mean'], al4['std'])}% test error {published}",
        )
        return
    glue_text(
        "al_choice_versus_own",
        f"against {study.final.loc['002/AL4', 'mean']:.1f}% with report 002's setting "
        f"({clear_word(row)} different)",
    )
    verb = "lowers" if row["difference"] < 0 else "raises"
    ci = interval(row["ci_low"], row["ci_high"])
    chosen = summarise(study.test_runs).loc[CHOSEN]
    glue_text(
        "al_choice_result",
        f"Trained on all training pairs, this configuration reaches "
        f"{mean_std(chosen['mean'], chosen['std'])}% test error, against "
        f"{mean_std(al4['mean'], al4['std'])}% for AL4 as report 002 set it {published}: the choice "
        f"{verb} the error by {abs(row['difference']):.1f} points ({clear_word(row)}, CI {ci})",
    )


def glue_family(study: Study) -> None:
    """Every comparison of the chapter by label, the counts the prose quotes, and the final
    training errors it cites."""
    glue_comparisons("al_choice", study.family["lambda choice"])
    glue_choice(study)
    glue_comparisons("al_aux", study.aux)
    glue_comparisons("al_other", study.other)
    pub_001 = published_means(["001/model-1", "001/model-2"])
    glue_facts({"001_pub_m1": pub_001["001/model-1"], "001_pub_m2": pub_001["001/model-2"]}, "al_")
    ranking = study.other.set_index("comparison").loc["001: MLP to ConvNet"]
    confirmed = ranking["clear"] and ranking["difference"] < 0
    glue_text("al_001_ranking", "confirm" if confirmed else "do not confirm")
    glue_facts(family_facts(study.aux, study.tested), "al_")
    glue_facts(
        {f"train_{key}": float(study.final.loc[name, "train_error"]) for key, name in TRAIN_ERRORS.items()},
        "al_",
    )
    glue_value("al_fc_hidden", study.design.groups["002, fully connected"]["002/AL1"].model.hidden[0])


def glue_loss_terms(study: Study) -> None:
    """When Model A leaves its plateau with and without the auxiliary loss."""
    glue_facts(loss_terms_facts(*curves_runs(study), PLATEAU, study.epochs), "al_")
    glue_value("al_pub_000_aux", published_mean("000/model-A-aux"))


def glue_mse(study: Study) -> None:
    """MSE instead of cross-entropy with the auxiliary loss: the direction and digit errors."""
    mse = study.other.set_index("comparison").loc["000: MSE instead of CE, with aux"]
    glue_text("al_mse_word", "worse" if mse["difference"] > 0 else "better")
    glue_value("al_digit_mse", float(study.final.loc["000/model-A-aux-mse", "test_digit_error"]))
    glue_value("al_digit_ce", float(study.final.loc["000/model-A-aux", "test_digit_error"]))


def grid_counts(study: Study) -> tuple[int, int, int]:
    """(clearly helps, clearly hurts, cells) over report 004's (α, γ) grid."""
    rows = study.al004_rows()
    n_help = int((rows["clear"] & (rows["difference"] < 0)).sum())
    n_hurt = int((rows["clear"] & (rows["difference"] > 0)).sum())
    return n_help, n_hurt, len(rows)


def grid_reading(n_help: int, n_hurt: int, n_grid: int) -> str:
    """What report 004's grid says about its weights, in one sentence that fits the counts."""
    if n_help == n_grid:
        return (
            f"All {n_grid} (α, γ) pairs of the report's grid help, clearly, at this learning rate: "
            "the weights cannot explain the report's result."
        )
    if n_hurt:
        return (
            f"Of the {n_grid} (α, γ) pairs of the report's grid, {n_help} clearly help and {n_hurt} "
            "clearly hurt: the choice of weights can reverse the effect in this architecture."
        )
    if n_help:
        return (
            f"Of the {n_grid} (α, γ) pairs of the report's grid, {n_help} clearly help and none "
            "clearly hurts: the weights change how much the auxiliary loss helps, not whether it does."
        )
    return (
        f"None of the {n_grid} (α, γ) pairs of the report's grid clearly helps or hurts after "
        "Holm's adjustment: these runs do not tell the report's weightings apart from WS."
    )


def glue_004(study: Study) -> None:
    """Report 004's grid: the reading, our and the published training errors, the weights."""
    n_help, n_hurt, n_grid = grid_counts(study)
    glue_text("al_004_reading", grid_reading(n_help, n_hurt, n_grid))
    al004_train = float(study.final.loc["004/AL", "train_error"])
    pub_al004 = published_row(*PUBLISHED_ROW["004/AL"])
    pub_ws004 = published_row(*PUBLISHED_ROW["004/WS"])
    glue_value("al_004_train", al004_train)
    glue_value("al_004_pub_train", float(pub_al004["train_error_mean_pct"]))
    glue_value("al_004_pub_train_ws", float(pub_ws004["train_error_mean_pct"]))
    glue_value("al_004_pub_al", float(pub_al004["test_error_mean_pct"]))
    glue_value("al_004_pub_ws", float(pub_ws004["test_error_mean_pct"]))
    sgd = study.design.groups["004, SGD"]
    low, high = sgd["004/AL, α=0.2, γ=1"], sgd["004/AL, α=1, γ=0.2"]
    glue_value("al_004_low_lambda", low.aux_weight / low.target_weight)
    glue_value("al_004_high_lambda", high.aux_weight / high.target_weight)
    glue_value("al_004_high_gamma", high.target_weight)
    budget_ok = n_help > 0 and al004_train <= float(pub_al004["train_error_mean_pct"])
    glue_text(
        "al_004_budget",
        "The training budget does not explain it either: in the report's 25 epochs our AL fits its "
        "training pairs as well as or better than the report's"
        if budget_ok
        else "The training budget may play a part: in the report's 25 epochs our AL fits its training "
        "pairs less well than the report's",
    )


def grid_table(study: Study) -> pd.DataFrame:
    """Report 004's (α, γ) grid: AL − WS per cell, with whether it is clear; also glues its
    extremes and counts."""
    d = study.design
    cells = pd.concat(
        [study.aux[study.aux["a"] == "004/WS"].set_index("b"), study.family["report 004 grid"].set_index("b")]
    )
    rows = []
    for alpha in GRID_004:
        row = {"α": f"{alpha:g}"}
        for gamma in GRID_004:
            cell = cells.loc[d.grid_names[(alpha, gamma)]]
            verdict = "clear" if cell["clear"] else "not clear"
            row[f"γ = {gamma:g}"] = f"{cell['mean_b']:.1f} ({signed(cell['difference'])}, {verdict})"
        rows.append(row)
    n_help, n_hurt, _ = grid_counts(study)
    glue_value("al_004_lr", d.groups["004, SGD"]["004/AL"].lr)
    glue_value("al_004_ws_lr", d.groups["004, SGD"]["004/WS"].lr)
    glue_value("al_004_alpha", d.alpha_004)
    glue_value("al_004_gamma", d.gamma_004)
    glue_value("al_004_grid_cells", len(d.grid_names))
    glue_value("al_004_help", n_help)
    glue_value("al_004_hurt", n_hurt)
    glue_text("al_004_best_gain", signed(cells["difference"].min()))
    glue_text("al_004_least_gain", signed(cells["difference"].max()))
    best = cells["mean_b"].idxmin()
    glue_text("al_004_grid_best", best)
    glue_text("al_004_grid_best_test", f"{cells.loc[best, 'mean_b']:.1f}")
    return pd.DataFrame(rows)


def glue_probes(study: Study) -> None:
    """What the branches' outputs say about the digits, ConvNet and MLP, with and without aux."""
    pairs = {"ConvNet": ("002/WS3", "002/AL4"), "MLP": ("002/WS2", "002/AL3")}
    glue_facts(probe_facts(study.probes, pairs), "al_")


def record(study: Study) -> None:
    """The chapter's results, rounds and comparisons recorded for the summary, and its totals."""
    tidy = results_table(study.test_runs)
    tidy.insert(1, "group", tidy["model_id"].map(study.design.group_of))
    save_results(tidy, "auxiliary_loss")
    save_rounds(study.test_runs, "auxiliary_loss")
    # The runs trained, each once: the probes read trained models, and a chosen AL4 that is
    # report 002's own setting is the same runs under a second name.
    trained = pd.concat([final_epoch(study.test_runs), final_epoch(study.sweep)], ignore_index=True)
    if study.chosen_is_own:
        trained = trained[trained["name"] != CHOSEN]
    glue_value("al_configurations", trained["name"].nunique())
    glue_value("al_sweep_cells", study.cells)
    glue_value("al_runs", len(trained))
    glue_value("al_train_minutes", float(trained["seconds"].sum() / 60))
    save_comparisons("auxiliary_loss", study.tested)


def glue_short(study: Study) -> None:
    """The chapter's short answers: MSE with the auxiliary loss, and report 004."""
    mse_train = float(study.final.loc["000/model-A-aux-mse", "train_error"])
    glue_value("al_mse_train", mse_train)
    mse = study.other.set_index("comparison").loc["000: MSE instead of CE, with aux"]
    glue_text("al_short_mse", mse_reading(mse, mse_train, study.epochs))
    glue_text("al_short_sharing", sharing_with_aux(study.other.set_index("comparison")))
    n_help, n_hurt, n_grid = grid_counts(study)
    lr = study.design.groups["004, SGD"]["004/AL"].lr
    glue_text(
        "al_short_004",
        "Report 004's finding does not reproduce in its architecture as its figures draw it, output "
        f"blocks included: the auxiliary loss clearly helps at {n_help} of the {n_grid} (α, γ) pairs "
        f"of its grid, at learning rate {lr:g}"
        if n_help and not n_hurt
        else f"In report 004's architecture, {n_help} of the {n_grid} (α, γ) pairs of its grid "
        f"clearly help and {n_hurt} clearly hurt",
    )
