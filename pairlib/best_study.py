"""The best model's study: its candidates, the rule that chooses among them on validation pairs,
and the calibration of the chosen ensemble's answers.

The comparator chapter designs the model on the validation pairs of *design* rounds, then
scores it once on *fresh* rounds that no choice saw; :func:`check_rounds_disjoint` refuses
parameters that would let the three sets of rounds (the chapter's, design, fresh) overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from pairlib.analysis import Readout, RoundPredictions, probability
from pairlib.configs import BODY_003, BODY_004, BRANCH_BEST, get_config
from pairlib.ensembles import calibration_scores
from pairlib.models import ModelSpec
from pairlib.train import TrainConfig

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
    its own protocol: what the final rounds score, whatever an execution's design rounds pick."""
    registered = get_config("best")
    for name, config in candidates(registered.epochs, registered.n_pairs).items():
        if config.replace(ensemble=registered.ensemble) == registered:
            return name
    raise ValueError(
        "the registered best model is none of the candidates: pairlib/best_study.py and configs disagree"
    )


def choice_sentence(chosen: str, registered: str) -> str:
    """What an execution's design rounds chose, set against the registered model, in one
    sentence: a choice that differs is reported, never fatal, and never swapped in."""
    if chosen == registered:
        return "This is the registered model."
    return (
        f"The registered model is “{registered}”, chosen by an earlier execution of these design "
        "rounds; the final rounds below score it, as it was registered before they were drawn, "
        "and this execution's different choice is a measure of how close the candidates are."
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
