"""The best model's study: its candidates, the rule that chooses among them on validation pairs,
and the calibration of the chosen ensemble's answers.

The comparator chapter designs the model on the validation pairs of *design* rounds, then
scores it once on *fresh* rounds that no choice saw; :func:`check_rounds_disjoint` refuses
parameters that would let the three sets of rounds (the chapter's, design, fresh) overlap.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pairlib import curves
from pairlib.analysis import (
    Readout,
    RoundPredictions,
    fit_predictions,
    pair_outcomes,
    probability,
    readout_table,
)
from pairlib.configs import BODY_003, BODY_004, BRANCH_BEST, get_config
from pairlib.configs import registered as registered_config
from pairlib.ensembles import calibration_scores, ensemble_predictions, member_configs, reliability_table
from pairlib.models import ModelSpec
from pairlib.page import (
    clear_verb,
    effects_sentence,
    glue_comparison,
    glue_text,
    glue_value,
    interval,
    summary_text,
)
from pairlib.runner import Protocol
from pairlib.stats import mean_interval
from pairlib.train import TrainConfig, final_epoch

SGD = {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "weight_decay": 5e-4}
ADAM = {"optimizer": "adam", "lr": 2e-3, "momentum": 0.0, "weight_decay": 0.0}
SMOOTHING = 0.1
"""The label smoothing of the candidates named "+ smoothing" (the registered model is one)."""


def candidate(body: ModelSpec, epochs: int, n_pairs: int, **changes: object) -> TrainConfig:
    """A branch trained on the classes with Adam, the cosine schedule and one-pixel shifts."""
    base = TrainConfig(
        body.replace(comparator="exact"),
        target_weight=0.0,
        aux_weight=1.0,
        epochs=epochs,
        n_pairs=n_pairs,
        batch_size=100,
        schedule="cosine",
        augment_shift=1,
        **ADAM,
    )
    return base.replace(**changes)


def registered_candidate() -> str:
    """The candidate that the registered best model (``configs.get_config("best")``) is, at
    its own protocol: what the fresh rounds score, whatever an execution's design rounds pick."""
    registered = get_config("best")
    for name, config in candidates(registered.epochs, registered.n_pairs).items():
        if config.replace(ensemble=registered.ensemble) == registered:
            return name
    raise ValueError(
        "the registered best model is none of the candidates: "
        "pairlib/chapters/comparator_best.py and configs disagree"
    )


def choice_sentence(chosen: str, registered: str) -> str:
    """What an execution's design rounds chose, set against the registered model, in one
    sentence: a choice that differs is reported, never fatal, and never swapped in."""
    if chosen == registered:
        return "It is also the model registered before the fresh rounds were drawn."
    return (
        f"The registered model is “{registered}”, chosen by our first run of these design rounds; "
        "the fresh rounds below score it, as it was registered before they were drawn, and this "
        "run's different choice is a measure of how close the candidates are."
    )


def candidates(epochs: int, n_pairs: int) -> dict[str, TrainConfig]:
    """The branches and recipes compared on the design rounds: report 003's and 004's branches,
    a VGG-like one, with and without the registered model's warp and with label smoothing."""
    registered = get_config("best")
    warp = {k: getattr(registered, k) for k in ("augment_rotate", "augment_scale")}
    recipe = {**warp, "label_smoothing": SMOOTHING}
    return {
        "003 branch, SGD": candidate(BODY_003, epochs, n_pairs, **SGD),
        "003 branch": candidate(BODY_003, epochs, n_pairs),
        "004 branch": candidate(BODY_004, epochs, n_pairs),
        "003 branch, warp": candidate(BODY_003, epochs, n_pairs, **warp),
        "003 branch, warp + smoothing": candidate(BODY_003, epochs, n_pairs, **recipe),
        "VGG branch, warp": candidate(BRANCH_BEST, epochs, n_pairs, **warp),
        "VGG branch, warp + smoothing": candidate(BRANCH_BEST, epochs, n_pairs, **recipe),
    }


SELECTION_READOUTS = {
    "exact": Readout("exact"),
    "argmax": Readout("argmax"),
    "exact + TTA": Readout("exact", tta=True),
    "argmax + TTA": Readout("argmax", tta=True),
}


def selection_scores(selection: pd.DataFrame) -> pd.DataFrame:
    """Mean validation pair error, digit error and seconds per candidate and readout, from a
    readout table of the design rounds (names ``"<candidate> | <readout>"``)."""
    split = selection["name"].str.split(" | ", n=1, expand=True, regex=False)
    return (
        selection.assign(candidate=split[0], readout=split[1])
        .groupby(["candidate", "readout"], sort=False)[["test_error", "test_digit_error", "seconds"]]
        .mean()
        .reset_index()
    )


def choose(scores: pd.DataFrame) -> pd.Series:
    """The chosen row of :func:`selection_scores`: the branch with the lowest validation digit
    error (twice as many images as pairs, so finer than the pair error, which moves in steps of
    one pair), then its readout with the lowest validation pair error; ties go to the cheaper."""
    branch = scores.sort_values(["test_digit_error", "test_error", "seconds"], kind="stable").iloc[0]
    return (
        scores[scores["candidate"] == branch["candidate"]]
        .sort_values(["test_error", "test_digit_error"], kind="stable")
        .iloc[0]
    )


def selection_display(scores: pd.DataFrame, candidates: Iterable[str]) -> pd.DataFrame:
    """The design table: per candidate, the validation digit error without and with TTA, the
    pair error of each readout and the time of one run, as text for the page."""
    order = list(candidates)
    wide = scores.pivot(index="candidate", columns="readout", values="test_error").loc[order]
    wide = wide[list(SELECTION_READOUTS)].map("{:.2f}".format)
    by_readout = {
        r: scores[scores["readout"] == r].set_index("candidate").loc[order] for r in ("exact", "exact + TTA")
    }
    wide.insert(0, "digit error (%)", by_readout["exact"]["test_digit_error"].map("{:.2f}".format))
    wide.insert(1, "digit error, TTA (%)", by_readout["exact + TTA"]["test_digit_error"].map("{:.2f}".format))
    wide["time / run"] = by_readout["exact"]["seconds"].map("{:.1f} s".format)
    return wide.reset_index()


def check_rounds_disjoint(rounds: Mapping[str, tuple[int, int]]) -> None:
    """Raise a ValueError naming the parameters when two of the named (first seed, count)
    ranges of rounds overlap: a design or final round must never be a round used elsewhere."""
    items = list(rounds.items())
    for i, (a, (first_a, count_a)) in enumerate(items):
        for b, (first_b, count_b) in items[i + 1 :]:
            if first_a < first_b + count_b and first_b < first_a + count_a:
                raise ValueError(f"{b}: its rounds overlap the {a} rounds")


def calibration(
    predictions: Iterable[RoundPredictions], readouts: Mapping[str, tuple[str, Readout]]
) -> pd.DataFrame:
    """NLL and Brier score of P(d1 <= d2) per readout name, averaged over the rounds. Read with
    the exact comparator whatever the readout (an argmax readout only answers 0 or 1)."""
    by_name: dict[str, list[RoundPredictions]] = {}
    for prediction in predictions:
        by_name.setdefault(prediction.name, []).append(prediction)
    rows = [
        {"name": name, **calibration_scores(probability(x, Readout("exact", tta=r.tta)), x.target)}
        for name, (source, r) in readouts.items()
        for x in by_name[source]
    ]
    return pd.DataFrame(rows).groupby("name", sort=False)[["nll", "brier"]].mean()


def pooled_probabilities(
    predictions: Sequence[RoundPredictions], source: str, tta: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Every round's P(d1 <= d2) (exact comparator) and targets of the run ``source``, pooled:
    what a reliability diagram is drawn from."""
    runs = [x for x in predictions if x.name == source]
    return (
        np.concatenate([probability(x, Readout("exact", tta=tta)) for x in runs]),
        np.concatenate([x.target for x in runs]),
    )


S10 = "003/siamese-10, fresh rounds"
S10_RECIPE = "siamese-10 with the recipe"


def ensemble_sizes(members: int) -> list[int]:
    """The ensemble sizes of the cost-error frontier: 1, 2, 5, 10 up to ``members``, and it."""
    return sorted({k for k in (1, 2, 5, 10) if k < members} | {members})


def size_name(k: int, tta: bool) -> str:
    """The row name of an ensemble of ``k`` members, with or without test-time augmentation."""
    return f"best, {k} model{'s' if k > 1 else ''}" + (" + TTA" if tta else "")


def size_readouts(sizes: Iterable[int], comparator: str) -> dict[str, tuple[str, Readout]]:
    """Row name -> (run name, readout) for every size with and without TTA."""
    return {
        size_name(k, tta): (size_name(k, False), Readout(comparator, tta=tta))
        for k in sizes
        for tta in (False, True)
    }


def best_comparisons(members: int, best_name: str) -> list[tuple[str, str, str]]:
    """The best model's paired comparisons on the fresh rounds: the recipe on siamese-10's
    branch, our branch against it, TTA, the ensemble, and the whole against siamese-10."""
    ensemble = size_name(members, False)
    recipe = f"{S10_RECIPE}, 1 model + TTA"
    return [
        ("siamese-10 → its branch with the recipe (1 model + TTA)", S10, recipe),
        ("siamese-10's branch → the chosen branch (recipe, 1 model + TTA)", recipe, size_name(1, True)),
        ("1 model → + TTA", size_name(1, False), size_name(1, True)),
        ("1 model → ensemble", size_name(1, False), ensemble),
        ("ensemble → ensemble + TTA", ensemble, size_name(members, True)),
        ("siamese-10 → best model", S10, best_name),
    ]


# --------------------------------------------------------------------------- the chapter's runs


def digit_text(final: pd.DataFrame, name: str) -> str:
    """A run's digit error on the test images as table text, or '' when it has no digits."""
    value = final.loc[name, "test_digit_error"]
    return "" if pd.isna(value) else f"{value:.1f}"


TARGET = 1.0
"""The aim for the best model: a mean test error below 1.0%, on rounds no choice saw."""
STEP_KEYS = ("recipe", "branch", "tta", "ensemble", "tta_ensemble", "best_vs_s10")
"""Glue keys of :func:`best_comparisons`' rows, in its order."""


@dataclass
class Selection:
    """The design rounds: every candidate scored on validation pairs, this execution's choice,
    and the registered model the fresh rounds score (chosen before they were drawn)."""

    candidates: dict[str, TrainConfig]
    predictions: list[RoundPredictions]
    scores: pd.DataFrame
    chosen: pd.Series
    registered: str
    best: TrainConfig

    @property
    def chosen_name(self) -> str:
        return str(self.chosen["candidate"])

    @property
    def readout(self) -> Readout:
        return SELECTION_READOUTS[self.chosen["readout"]]


def select(p: Mapping[str, Any], valid_pairs: int) -> Selection:
    """Train every candidate on the design rounds' fit split and score each readout on their
    validation pairs; the fresh rounds then score the registered candidate as registered."""
    candidates_ = candidates(p["best_epochs"], p["n_pairs"])
    _, predictions = fit_predictions(
        {n: c.replace(valid_pairs=valid_pairs) for n, c in candidates_.items()},
        Protocol.of(p, rounds=p["selection_rounds"], seed=p["design_seed"]),
        tta=True,
    )
    selection = readout_table(
        predictions,
        {f"{n} | {r}": (n, readout) for n in candidates_ for r, readout in SELECTION_READOUTS.items()},
    )
    scores = selection_scores(selection)
    registered = registered_candidate()
    best = candidates_[registered].replace(ensemble=p["best_members"])
    return Selection(candidates_, predictions, scores, choose(scores), registered, best)


def glue_selection(selection: Selection) -> None:
    """This execution's choice and the registered model, in words (a different choice is a
    sentence, never an error), with the recipe's settings."""
    registered_best = get_config("best")
    glue_text("cmp_chosen", selection.chosen_name)
    glue_text("cmp_chosen_readout", selection.chosen["readout"])
    glue_value("cmp_chosen_valid", selection.chosen["test_error"])
    glue_value("cmp_chosen_valid_digits", selection.chosen["test_digit_error"])
    glue_value("cmp_rotate", registered_best.augment_rotate)
    glue_value("cmp_scale_pct", 100 * registered_best.augment_scale)
    glue_value("cmp_smoothing", SMOOTHING)
    glue_text("cmp_registered", selection.registered)
    glue_text("cmp_choice_sentence", choice_sentence(selection.chosen_name, selection.registered))


@dataclass
class Fresh:
    """The fresh rounds: the best model's members (every prefix of the ensemble is read from
    them), report 003's siamese-10 as published, and siamese-10's architecture with the recipe."""

    members: list[RoundPredictions]
    predictions: list[RoundPredictions]
    readouts: dict[str, tuple[str, Readout]]
    table: pd.DataFrame
    sizes: list[int]
    best_name: str
    single_name: str
    calibration: pd.DataFrame
    reliability: pd.DataFrame

    def interval(self, name: str) -> tuple[float, float, float]:
        """Mean and 95% interval of ``name``'s test error over the fresh rounds."""
        final = final_epoch(self.table)
        return mean_interval(final.loc[final["name"] == name, "test_error"].to_numpy())


def run_fresh(selection: Selection, p: Mapping[str, Any]) -> Fresh:
    """Train (or read) the fresh rounds and read every ensemble size, with and without TTA."""
    registered = functools.partial(registered_config, epochs=p["epochs"], n_pairs=p["n_pairs"])
    s10 = registered("003/siamese-10")
    _, members = fit_predictions(
        {
            **member_configs("best model", selection.best),
            S10: s10,
            S10_RECIPE: selection.best.replace(model=s10.model, ensemble=1),
        },
        Protocol.of(p, seed=p["fresh_seed"]),
        tta=True,
    )
    sizes = ensemble_sizes(p["best_members"])
    predictions = [x for x in members if x.name in (S10, S10_RECIPE)]
    for k in sizes:
        predictions += ensemble_predictions(members, "best model", k, label=size_name(k, False))
    comparator = selection.readout.comparator
    readouts = size_readouts(sizes, comparator)
    table = readout_table(
        predictions,
        {
            S10: (S10, Readout("own")),
            f"{S10_RECIPE}, 1 model + TTA": (S10_RECIPE, Readout(comparator, tta=True)),
            **readouts,
        },
    )
    best_name = size_name(p["best_members"], selection.readout.tta)
    # Calibration of P(d1 <= d2), per round, then averaged over the rounds, read with the exact
    # comparator whatever the chosen readout (an argmax readout only ever answers 0 or 1).
    scores = calibration(predictions, readouts)
    source, readout = readouts[best_name]
    reliability = reliability_table(*pooled_probabilities(predictions, source, readout.tta))
    return Fresh(
        members,
        predictions,
        readouts,
        table,
        sizes,
        best_name,
        size_name(1, selection.readout.tta),
        scores,
        reliability,
    )


def glue_fresh(fresh: Fresh, final: pd.DataFrame, selection: Selection, members: int) -> None:
    """The best model on the fresh rounds against the target, siamese-10 and one model."""
    best, single = fresh.best_name, fresh.single_name
    glue_value("cmp_best", final.loc[best, "mean"])
    glue_value("cmp_best_std", final.loc[best, "std"])
    glue_value("cmp_best_digits", final.loc[best, "test_digit_error"])
    glue_value("cmp_best_seconds", final.loc[best, "seconds"])
    glue_value("cmp_single", final.loc[single, "mean"])
    glue_value("cmp_single_seconds", final.loc[single, "seconds"])
    glue_value("cmp_s10_fresh", final.loc[S10, "mean"])
    glue_value("cmp_s10_recipe", final.loc[f"{S10_RECIPE}, 1 model + TTA", "mean"])
    tta = " with test-time augmentation" if selection.readout.tta else ""
    glue_text("cmp_best_label", f"the ensemble of {members}{tta}")
    glue_value("cmp_target", TARGET)
    mean, low, high = mean_interval(fresh.table.loc[fresh.table["name"] == best, "test_error"].to_numpy())
    glue_text("cmp_best_ci", interval(low, high, digits=2, sign=False))
    # A mean is below the target only when its whole 95% interval is (see the Methods page).
    glue_text(
        "cmp_target_met",
        "below" if high < TARGET else ("not clearly below" if mean < TARGET else "not below"),
    )
    glue_value("cmp_best_nll", fresh.calibration.loc[best, "nll"])
    glue_value("cmp_best_brier", fresh.calibration.loc[best, "brier"])
    glue_text("cmp_reliability_reading", reliability_reading(fresh.reliability))
    seconds = sum(x.seconds for x in (*selection.predictions, *fresh.members))
    glue_value("cmp_best_part_minutes", seconds / 60)


def reliability_reading(reliability: pd.DataFrame) -> str:
    """Which side of the diagonal the reliability curve keeps, pair-weighted: above it where
    the model says "yes" (and below where it says "no") is underconfidence."""
    side = np.where(reliability["mean_probability"] >= 0.5, 1.0, -1.0)
    gap = side * (reliability["observed"] - reliability["mean_probability"])
    lean = float(np.average(gap, weights=reliability["pairs"]))
    if abs(lean) < 0.02:
        return "ours keeps close to it"
    if lean > 0:
        return (
            "ours is steeper: its answers are right more often than the probabilities it gives "
            "them say, an underconfidence that label smoothing builds in"
        )
    return "ours is flatter: its answers are right less often than the probabilities it gives them say"


def glue_steps(table: pd.DataFrame, members: int, best_name: str) -> None:
    """What each step to the best model adds, by the label of its comparison: a verb for each,
    and the full comparison for the first four; the three additions (test-time augmentation,
    ensemble) in one sentence."""
    rows = table.set_index("comparison")
    step: dict[str, pd.Series] = {}
    for k, (key, (label, _, _)) in enumerate(
        zip(STEP_KEYS, best_comparisons(members, best_name), strict=True)
    ):
        glue_text(
            f"cmp_{key}_verb" if key != "best_vs_s10" else "cmp_best_vs_s10", clear_verb(rows.loc[label])
        )
        if k < 4:
            glue_comparison(f"cmp_{key}", rows.loc[label])
        step[key] = rows.loc[label]
    single, ensemble = "the single model's error", "the ensemble's"
    glue_text(
        "cmp_additions",
        effects_sentence(
            [
                ("the test-time augmentation", single, step["tta"]),
                ("the ensemble", single, step["ensemble"]),
                ("the test-time augmentation", ensemble, step["tta_ensemble"]),
            ]
        ),
    )


def best_table(fresh: Fresh, final: pd.DataFrame) -> pd.DataFrame:
    """The fresh rounds' table: each row's error, its 95% interval, digit error, calibration
    and training time."""

    def calibration_text(name: str, column: str) -> str:
        return f"{fresh.calibration.loc[name, column]:.3f}" if name in fresh.calibration.index else ""

    rows = []
    for name in (S10, f"{S10_RECIPE}, 1 model + TTA", *fresh.readouts):
        _, low, high = fresh.interval(name)
        rows.append(
            {
                "model": name,
                "test error (%)": summary_text(final, name, digits=2),
                "95% CI (%)": f"[{low:.2f}, {high:.2f}]",
                "digit error (%)": digit_text(final, name),
                "NLL": calibration_text(name, "nll"),
                "Brier": calibration_text(name, "brier"),
                "time / round": f"{final.loc[name, 'seconds']:.0f} s",
            }
        )
    return pd.DataFrame(rows)


LABEL_GROUND = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
"""A value label's white ground: a line or a bar it crosses never runs through its digits."""


def best_figure(fresh: Fresh, final: pd.DataFrame) -> Any:
    """Test error against training time of every ensemble size (with its 95% interval), and
    the reliability of the best model's probabilities."""
    fig, (ax, ax_rel) = plt.subplots(1, 2, figsize=(6.4, 2.8))
    for tta, marker, label in ((False, "o", "no TTA"), (True, "s", "TTA")):
        names = [size_name(k, tta) for k in fresh.sizes]
        seconds = [final.loc[n, "seconds"] for n in names]
        means = [final.loc[n, "mean"] for n in names]
        bounds = [fresh.interval(n)[1:] for n in names]
        errors = np.abs(np.array(bounds).T - np.array(means))
        ax.errorbar(seconds, means, yerr=errors, marker=marker, ms=4, capsize=2, lw=1, label=label)
        for k, x, y in zip(fresh.sizes, seconds, means, strict=True):
            if not tta:
                ax.annotate(
                    f"{k}", (x, y), textcoords="offset points", xytext=(5, 5), fontsize=7, bbox=LABEL_GROUND
                )
    ax.scatter(
        [final.loc[S10, "seconds"]], [final.loc[S10, "mean"]], marker="x", color="tab:red", label="siamese-10"
    )
    ax.axhline(TARGET, color="grey", ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("training time per round (s)")
    ax.set_ylabel("test error (%)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    reliability = fresh.reliability
    ax_rel.plot([0, 1], [0, 1], color="grey", ls="--", lw=1)
    # Each bin's number of pairs as the area of its marker: the bins crowd into the corners,
    # where printed counts would overprint each other.
    ax_rel.plot(reliability["mean_probability"], reliability["observed"], lw=1, color="C0", zorder=2)
    ax_rel.scatter(
        reliability["mean_probability"],
        reliability["observed"],
        s=120 * (reliability["pairs"] / reliability["pairs"].max()) ** 0.5 + 4,
        color="C0",
        alpha=0.7,
        edgecolor="white",
        lw=0.5,
        zorder=3,
    )
    ax_rel.set_xlabel("P(d₁ ≤ d₂) given")
    ax_rel.set_ylabel("fraction with d₁ ≤ d₂")
    ax_rel.set_aspect("equal")
    ax_rel.grid(alpha=0.3)
    return fig


def outcomes(fresh: Fresh) -> dict[str, pd.DataFrame]:
    """Every fresh test pair's outcome for siamese-10 (its own argmax) and the best model."""
    source, readout = fresh.readouts[fresh.best_name]
    return {
        "003/siamese-10": pair_outcomes([x for x in fresh.predictions if x.name == S10], Readout("argmax")),
        "best model": pair_outcomes([x for x in fresh.predictions if x.name == source], readout),
    }


def graded_outcomes(fresh: Fresh) -> pd.DataFrame:
    """The best model's outcomes through the exact comparator: a graded probability of the
    true answer that ranks its errors, where its argmax readout gives them all one."""
    source, readout = fresh.readouts[fresh.best_name]
    members = [x for x in fresh.predictions if x.name == source]
    return pair_outcomes(members, dataclasses.replace(readout, comparator="exact"))


CONFIDENT_ERROR = 0.05
"""A wrong answer given with less than this probability of the truth was given confidently."""


def glue_worst(worst: pd.DataFrame) -> None:
    """The lowest probability of a true answer among the worst pairs, and what it says."""
    lowest = float(worst["p_true"].min())
    glue_text("cmp_worst_p", curves.probability_text(lowest))
    glue_text(
        "cmp_worst_reading",
        f"even its surest error left a probability of {curves.probability_text(lowest)} on the true "
        f"answer: none reached the {100 * (1 - CONFIDENT_ERROR):.0f}% confidence in a wrong answer "
        "that we would call confidently wrong"
        if lowest >= CONFIDENT_ERROR
        else "some of its errors were made with a confidence the model should not have had",
    )
