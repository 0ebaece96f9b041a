"""The comparator chapter's study of the three engineered comparators: what it trains, what
it reads out after training, and which comparisons it makes.

A model trained on the digit classes alone never passes a gradient through its comparator,
so one training answers a whole sweep of comparators (a *readout*); a model trained on the
target is retrained for each. Kept here rather than in the chapter so that the chapter reads
as an argument and a test can check the design (every readout reads a trained model, every
comparison names two runs that exist). Numbers only; the words the page puts on them are
:mod:`pairlib.chapters.comparator_tables`'s; the best model's part is
:mod:`pairlib.chapters.comparator_best`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pairlib.analysis import Readout, RoundPredictions, fit_predictions, readout_table
from pairlib.chapters.comparator_best import check_rounds_disjoint
from pairlib.configs import registered
from pairlib.page import glue_text, glue_value
from pairlib.results import results_table, save_comparisons, save_results, save_rounds
from pairlib.runner import Protocol
from pairlib.stats import adjust_family, labelled_comparisons, summarise
from pairlib.train import TrainConfig, final_epoch, run_grid

MODEL_B = "000/model-B"
CLASSES = {"ce": "000/model-B-classes-ce", "mse": "000/model-B-classes-mse"}
"""Model B trained on the classes, by its loss: every power is read out from one training."""

OWN_POWER = 6.0
"""Report 000's power, chosen by hand: the models' own comparator, not a readout."""

TRAINED_POWERS = (2.0, 4.0, 12.0)
"""Model B on the targets, retrained for each power (6 is the report's)."""

READ_POWERS = (1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0)
"""The powers read out from the models trained on the classes."""

POWER_VALID = "000/model-B-classes-ce, validation split"
"""Model B (classes, CE) trained on the fit split: its readouts on the held-out pairs choose p."""

SECTION_V_PAIRS = [
    ("targets → classes (MSE)", "000/model-B", "000/model-B-classes-mse"),
    ("targets → classes (cross-entropy)", "000/model-B-targets-ce", "000/model-B-classes-ce"),
    ("MSE → cross-entropy (targets)", "000/model-B", "000/model-B-targets-ce"),
    ("MSE → cross-entropy (classes)", "000/model-B-classes-mse", "000/model-B-classes-ce"),
]
"""Report 000's Section V: what the training target and the loss each change (a to b)."""

PAIRS_003 = [
    ("siamese-2 → siamese-10", "003/siamese-2", "003/siamese-10"),
    ("siamese-2: learned → argmax readout", "003/siamese-2", "003/siamese-2, argmax"),
    ("siamese-2: learned → exact readout", "003/siamese-2", "003/siamese-2, exact"),
    ("siamese-10: argmax → exact readout", "003/siamese-10", "003/siamese-10, exact"),
]
"""Report 003's two heads against each other, and each against readouts of its own weights."""

EXACT_PAIRS = [
    ("classes → targets", "003/siamese-10, exact", "003 branch, exact, targets only"),
    ("classes → targets + classes", "003/siamese-10, exact", "003 branch, exact, targets + classes"),
]
"""The exact comparator on report 003's branch: the classes-only training against the others."""


def power_name(source: str, q: float) -> str:
    """The run name of ``source`` read with power ``q``: the model itself at its own power."""
    return source if q == OWN_POWER else f"{source}, p = {q:g}"


def configurations(epochs: int, n_pairs: int) -> tuple[dict[str, TrainConfig], dict[str, TrainConfig]]:
    """The chapter's trainings: those trained on the target (one per comparator, recorded by
    :func:`pairlib.train.run_grid`) and those whose digit predictions are kept for readouts."""

    def reg(name: str) -> TrainConfig:
        return registered(name, epochs=epochs, n_pairs=n_pairs)

    model_b = reg(MODEL_B)
    # The exact comparator on report 003's branch and learning rate, trained three ways; "classes
    # only" is siamese-10 itself (its training never sees its comparator), read out exactly.
    exact003 = reg("003/siamese-10").replace(model__comparator="exact")
    predicted = {
        CLASSES["mse"]: reg(CLASSES["mse"]),
        CLASSES["ce"]: reg(CLASSES["ce"]),
        "000/model-A-aux": reg("000/model-A-aux"),
        "003/siamese-2": reg("003/siamese-2"),
        "003/siamese-10": reg("003/siamese-10"),
        # The learned comparator given twice the epochs: does more training close its gap?
        "000/model-A-aux, 2× epochs": reg("000/model-A-aux").replace(epochs=2 * epochs),
        "003 branch, exact, targets only": exact003.replace(target_weight=1.0, aux_weight=0.0),
        "003 branch, exact, targets + classes": exact003.replace(target_weight=1.0, aux_weight=1.0),
    }
    target_trained = {
        MODEL_B: model_b,
        "000/model-B-targets-ce": reg("000/model-B-targets-ce"),
        **{power_name(MODEL_B, q): model_b.replace(model__power=q) for q in TRAINED_POWERS},
    }
    return target_trained, predicted


def readouts() -> dict[str, tuple[str, Readout]]:
    """Readout name -> (trained model, comparator read after training): every power, the exact
    probability and the argmax for Model B on the classes; exact and argmax for the models
    with a learned comparator; exact for siamese-10 (whose own comparator is the argmax)."""
    out: dict[str, tuple[str, Readout]] = {}
    for source in (CLASSES["mse"], CLASSES["ce"]):
        for q in READ_POWERS:
            if q != OWN_POWER:  # the model's own comparator: its own rows
                out[power_name(source, q)] = (source, Readout("power", q))
        out[f"{source}, exact"] = (source, Readout("exact"))
        out[f"{source}, argmax"] = (source, Readout("argmax"))
    for source in ("000/model-A-aux", "000/model-A-aux, 2× epochs", "003/siamese-2"):
        out[f"{source}, exact"] = (source, Readout("exact"))
        out[f"{source}, argmax"] = (source, Readout("argmax"))
    out["003/siamese-10, exact"] = ("003/siamese-10", Readout("exact"))
    return out


def power_pairs(q_valid: float) -> list[tuple[str, str, str]]:
    """The report's power 6 (a) against the other comparators (b): the exact readouts, the power
    chosen on validation pairs (when it is not 6) and the powers trained on the targets."""
    ce, mse = CLASSES["ce"], CLASSES["mse"]
    chosen = (
        [(f"power 6 → power {q_valid:g}, chosen on validation (classes, CE)", ce, power_name(ce, q_valid))]
        if q_valid != OWN_POWER
        else []
    )
    return [
        ("power 6 → exact (classes, CE)", ce, f"{ce}, exact"),
        *chosen,
        ("power 6 → exact (classes, MSE)", mse, f"{mse}, exact"),
        *[(f"power 6 → {q:g} (targets, MSE)", MODEL_B, power_name(MODEL_B, q)) for q in TRAINED_POWERS],
    ]


def best_read_powers(final: pd.DataFrame, q_valid: float) -> dict[str, float]:
    """The power of each Model B on the classes used in the prose: for the CE model the one
    chosen on validation pairs; for the MSE model the lowest test mean (said so where quoted)."""
    mse = min(READ_POWERS, key=lambda q: final.loc[power_name(CLASSES["mse"], q), "mean"])
    return {"ce": q_valid, "mse": mse}


@dataclass
class Study:
    """What the three comparators' part of the chapter measured: ``trained`` (the target-trained
    runs), ``predicted`` and ``predictions`` (the runs kept for readouts), ``df`` (those and every
    readout, one tidy frame), ``final`` (its :func:`pairlib.stats.summarise`) and ``q_valid``
    (the readout power chosen on validation pairs)."""

    trained: pd.DataFrame
    predicted: pd.DataFrame
    predictions: list[RoundPredictions]
    df: pd.DataFrame
    final: pd.DataFrame
    q_valid: float


def choose_power(protocol: Protocol, valid_pairs: int, config: TrainConfig) -> float:
    """The readout power of Model B (classes, CE) chosen on validation pairs: the same model
    trained on the fit split, every power read out on the held-out pairs. Ties (one pair is
    1/valid_pairs) go to the smaller power."""
    _, predictions = fit_predictions({POWER_VALID: config.replace(valid_pairs=valid_pairs)}, protocol)
    valid = summarise(
        readout_table(predictions, {f"p = {q:g}": (POWER_VALID, Readout("power", q)) for q in READ_POWERS})
    )
    return min(READ_POWERS, key=lambda q: (valid.loc[f"p = {q:g}", "mean"], q))


def run_study(rounds: int, epochs: int, n_pairs: int, seed: int, device: str, valid_pairs: int) -> Study:
    """Train (or read from the cache) every run of the three comparators and read them out."""
    target_trained, predicted_configs = configurations(epochs, n_pairs)
    protocol = Protocol(rounds, seed, device)
    trained = run_grid(target_trained, protocol, record="final")
    predicted, predictions = fit_predictions(predicted_configs, protocol)
    df = pd.concat([trained, predicted, readout_table(predictions, readouts())], ignore_index=True)
    q_valid = choose_power(protocol, valid_pairs, predicted_configs[CLASSES["ce"]])
    return Study(trained, predicted, predictions, df, summarise(df), q_valid)


LEARNED_PAIRS = [
    ("000: Model A + aux → its exact readout", "000/model-A-aux", "000/model-A-aux, exact"),
    ("000: Model A + aux → Model B classes (CE)", "000/model-A-aux", "000/model-B-classes-ce"),
    ("000: Model A + aux → Model B classes, exact", "000/model-A-aux", "000/model-B-classes-ce, exact"),
    ("000: Model A + aux → 2× epochs", "000/model-A-aux", "000/model-A-aux, 2× epochs"),
    (
        "000: Model A + aux, 2× epochs → its exact readout",
        "000/model-A-aux, 2× epochs",
        "000/model-A-aux, 2× epochs, exact",
    ),
    ("003: siamese-2 → its exact readout", "003/siamese-2", "003/siamese-2, exact"),
    ("003: siamese-2 → siamese-10, exact", "003/siamese-2", "003/siamese-10, exact"),
]
"""A learned comparator against an engineered one: on the same weights, or against the
engineered model trained on the classes."""


def valid_pairs(n_pairs: int) -> int:
    """The training pairs held out of each round to choose hyperparameters (a fifth)."""
    return max(1, n_pairs // 5)


def glue_protocol(p: dict[str, Any]) -> None:
    """The chapter's protocol in the prose: its parameters, which rounds serve what (the
    chapter's comparisons, the design of the best model, its score), and the validation split.
    Refuses parameters whose three sets of rounds would overlap."""
    check_rounds_disjoint(
        {
            "chapter": (p["seed"], p["rounds"]),
            "design_seed": (p["design_seed"], p["selection_rounds"]),
            "fresh_seed": (p["fresh_seed"], p["rounds"]),
        }
    )
    for name in ("rounds", "epochs", "n_pairs", "best_epochs", "selection_rounds", "best_members"):
        glue_value(f"cmp_{name}", p[name])
    for key, first, count in (
        ("chapter", p["seed"], p["rounds"]),
        ("design", p["design_seed"], p["selection_rounds"]),
        ("fresh", p["fresh_seed"], p["rounds"]),
    ):
        glue_text(f"cmp_{key}_seeds", f"{first}–{first + count - 1}" if count > 1 else f"{first}")
    held_out = valid_pairs(p["n_pairs"])
    glue_value("cmp_valid_pairs", held_out)
    glue_value("cmp_fit_pairs", p["n_pairs"] - held_out)
    glue_value("cmp_labelled_images", 2 * p["n_pairs"])


def comparison_family(
    study: Study, everything: pd.DataFrame, best_pairs: list[tuple[str, str, str]]
) -> dict[str, pd.DataFrame]:
    """Every comparison of the chapter as one family, Holm-adjusted together (see the Methods
    page); the CE model's readout power is the one chosen on validation pairs."""
    return adjust_family(
        {
            "section V": labelled_comparisons(everything, SECTION_V_PAIRS),
            "power": labelled_comparisons(everything, power_pairs(study.q_valid)),
            "report 003": labelled_comparisons(everything, PAIRS_003),
            "exact": labelled_comparisons(everything, EXACT_PAIRS),
            "learned": labelled_comparisons(everything, LEARNED_PAIRS),
            "best model": labelled_comparisons(everything, best_pairs),
        }
    )


def glue_family(family: Mapping[str, pd.DataFrame]) -> None:
    """How many comparisons the chapter makes, and how many are clear with and without Holm."""
    whole = pd.concat(family.values(), ignore_index=True)
    glue_value("cmp_family", len(whole))
    glue_value("cmp_family_clear", int(whole["clear"].sum()))
    glue_value("cmp_family_raw", int((whole["t_test_p"] < 0.05).sum()))


def record(
    study: Study,
    everything: pd.DataFrame,
    family: Mapping[str, pd.DataFrame],
    headline: str,
    other_runs: Sequence[RoundPredictions],
) -> None:
    """The chapter's results (``headline``: the model chosen on validation, for the summary),
    rounds and comparisons, and its size and training time from the runs' own records, so that
    they hold when the runs come from the cache."""
    tidy = results_table(everything)
    tidy["headline"] = tidy["model_id"] == headline
    save_results(tidy, "comparator")
    save_rounds(everything, "comparator")
    glue_value("cmp_configurations", len(tidy))
    save_comparisons("comparator", family)
    main_runs = final_epoch(pd.concat([study.trained, study.predicted], ignore_index=True))
    glue_value("cmp_runs", len(main_runs) + len(other_runs))
    glue_value("cmp_train_minutes", (main_runs["seconds"].sum() + sum(x.seconds for x in other_runs)) / 60)
