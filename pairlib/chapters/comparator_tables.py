"""What the comparator chapter puts on the page about the three comparators: its tables and
the words and figures its prose glues, from :mod:`pairlib.chapters.comparator`'s runs.

Book tooling, like :mod:`pairlib.page` and :mod:`pairlib.chapters.weight_sharing`: each ``*_facts``
function returns glue names (without the chapter's ``cmp_`` prefix) for
:func:`pairlib.page.glue_facts`, so a rerun that changes a result changes the sentence. The
best model's part of the chapter is not here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pairlib.analysis import confusion_matrix, digit_vs_pair, errors_by_gap, pair_images
from pairlib.chapters.comparator import (
    CLASSES,
    MODEL_B,
    READ_POWERS,
    TRAINED_POWERS,
    configurations,
    power_name,
)
from pairlib.chapters.comparator_best import digit_text
from pairlib.configs import PUBLISHED_ROW, published_mean
from pairlib.page import (
    TEST_CHOSEN,
    clear_verb,
    comparison_display,
    effect_phrase,
    glue_comparison,
    interval,
    published_text,
    signed,
    summary_text,
)
from pairlib.published import published_row
from pairlib.stats import ALPHA, STUCK_TRAIN_ERROR, failed_rounds, mean_interval, reproduction_z
from pairlib.train import final_epoch

LABELS_000 = {
    "000/model-B": ("targets only", "MSE"),
    "000/model-B-targets-ce": ("targets only", "cross-entropy"),
    "000/model-B-classes-mse": ("classes only", "MSE"),
    "000/model-B-classes-ce": ("classes only", "cross-entropy"),
}
"""Report 000's Section V models: what each was trained on, with which loss."""

ROWS_003 = {
    "003/siamese-2": "learned layer (its own)",
    "003/siamese-2, argmax": "argmax readout",
    "003/siamese-2, exact": "exact readout",
    "003/siamese-10": "argmax (its own)",
    "003/siamese-10, exact": "exact readout",
}
"""Report 003's two models, each with its own comparator and read with the others."""

EXACT_ROWS = {
    "003/siamese-10, exact": "classes only",
    "003 branch, exact, targets only": "targets only",
    "003 branch, exact, targets + classes": "targets + classes",
}
"""The exact comparator on report 003's branch, by what it was trained on (the base first)."""


def _optional(value: float) -> str:
    return "" if pd.isna(value) else f"{value:.1f}"


def model_b_table(final: pd.DataFrame) -> pd.DataFrame:
    """Report 000's Section V beside its Table IV: test, digit and training error, time per run."""
    return pd.DataFrame(
        [
            {
                "model": name,
                "trained on": on,
                "loss": loss,
                "test error (%)": summary_text(final, name),
                "published (%)": published_text(name),
                "digit error (%)": digit_text(final, name),
                "train error (%)": f"{final.loc[name, 'train_error']:.1f}",
                "time / run": f"{final.loc[name, 'seconds']:.1f} s",
            }
            for name, (on, loss) in LABELS_000.items()
        ]
    )


def report_003_table(final: pd.DataFrame) -> pd.DataFrame:
    """Report 003's two heads and their readouts beside the published figures."""
    return pd.DataFrame(
        [
            {
                "model": name.split(",")[0],
                "comparator": comparator,
                "test error (%)": summary_text(final, name),
                "published (%)": published_text(name),
                "digit error (%)": digit_text(final, name),
            }
            for name, comparator in ROWS_003.items()
        ]
    )


def exact_table(final: pd.DataFrame, comparisons: pd.DataFrame) -> pd.DataFrame:
    """The exact comparator trained three ways, each with its paired difference from the
    classes-only model (``comparisons``: the family's rows in :data:`EXACT_ROWS`'s order)."""
    differences = comparison_display(comparisons)["b − a [95% CI]"].tolist()
    return pd.DataFrame(
        [
            {
                "trained on": on,
                "test error (%)": summary_text(final, name),
                "digit error (%)": digit_text(final, name),
                "train error (%)": _optional(final.loc[name, "train_error"]),
                "vs classes only [95% CI]": "" if k == 0 else differences[k - 1],
            }
            for k, (name, on) in enumerate(EXACT_ROWS.items())
        ]
    )


def section_v_facts(final: pd.DataFrame, section_v: pd.DataFrame) -> dict[str, Any]:
    """Report 000's Section V in words (``v_*``: one verb per comparison) and the figures the
    prose quotes: Model B's errors against the published ones, the MSE model on the classes'
    underfit and the gap between training and test error of the MSE model on the targets."""
    facts: dict[str, Any] = {"v_targets_mse": clear_verb(section_v.iloc[0])}
    for key, (_, row) in zip(
        ("targets_ce", "ce_targets", "ce_classes"), section_v.iloc[1:].iterrows(), strict=True
    ):
        facts[f"v_{key}"] = clear_verb(row)
    facts["targets_mse_digits"] = final.loc[MODEL_B, "test_digit_error"]
    facts["targets_mse_train"] = final.loc[MODEL_B, "train_error"]
    facts["targets_mse_gap"] = final.loc[MODEL_B, "mean"] - final.loc[MODEL_B, "train_error"]
    facts["classes_mse"] = final.loc[CLASSES["mse"], "mean"]
    facts["classes_mse_train"] = final.loc[CLASSES["mse"], "train_error"]
    facts["classes_mse_pub"] = published_mean(CLASSES["mse"])
    for name, key in ((CLASSES["ce"], "classes_ce"), (MODEL_B, "targets_mse")):
        facts[key] = final.loc[name, "mean"]
        facts[f"{key}_pub"] = published_mean(name)
    return facts


def trained_power_names() -> dict[float, str]:
    """Model B trained on the targets, by power (the report's 6 included), in increasing order."""
    return {q: power_name(MODEL_B, q) for q in sorted((*TRAINED_POWERS, 6.0))}


def power_facts(
    final: pd.DataFrame, power_table: pd.DataFrame, read_powers: Mapping[str, float], runs: pd.DataFrame
) -> dict:
    """The power study in words and figures: per Model B on the classes (``ce``, ``mse``) the
    power used (``power_best_*``, from :func:`pairlib.chapters.comparator.best_read_powers`) and its
    error, power 1's and the exact readout's errors; the verbs of the paired table; how many
    rounds of each trained power failed to train (``power_failed_*``, by the book's rule,
    :data:`pairlib.stats.STUCK_TRAIN_ERROR`, on the per-round ``runs``: a mean over rounds of
    which some learned nothing is no verdict on the power); the trained power with the lowest
    test mean, labelled as chosen on the test pairs."""
    facts: dict[str, Any] = {}
    for key, source in CLASSES.items():
        facts[f"power_best_{key}"] = read_powers[key]
        facts[f"power_best_{key}_error"] = final.loc[power_name(source, read_powers[key]), "mean"]
        facts[f"power1_{key}_error"] = final.loc[power_name(source, 1.0), "mean"]
        facts[f"exact_{key}_error"] = final.loc[f"{source}, exact", "mean"]
    rows = power_table.set_index("b")
    facts["power_exact_ce"] = clear_verb(rows.loc[f"{CLASSES['ce']}, exact"])
    facts["power_exact_mse"] = clear_verb(rows.loc[f"{CLASSES['mse']}, exact"])
    for q in TRAINED_POWERS:
        facts[f"power_trained_{q:g}"] = effect_phrase(rows.loc[power_name(MODEL_B, q)])
    for q, name in trained_power_names().items():
        failed = failed_rounds(runs, name)
        facts[f"power_failed_{q:g}"] = failed["stuck"] + failed["diverged"]
    facts["stuck_train_error"] = STUCK_TRAIN_ERROR
    trained = trained_power_names()
    facts["power_trained_best"] = min(trained, key=lambda q: final.loc[trained[q], "mean"])
    facts["test_chosen"] = TEST_CHOSEN
    return facts


def power_curves(final: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Mean and std of the test error per power, for the power figure: the two models on the
    classes by readout power (``classes, cross-entropy``, ``classes, MSE``), with their exact
    and argmax readouts as the frame's attributes, and ``targets`` by trained power."""
    curves = {}
    for key, label in (("ce", "classes, cross-entropy"), ("mse", "classes, MSE")):
        source = CLASSES[key]
        frame = final.loc[[power_name(source, q) for q in READ_POWERS], ["mean", "std"]]
        frame.index = pd.Index(READ_POWERS, name="power")
        frame.attrs = {r: float(final.loc[f"{source}, {r}", "mean"]) for r in ("exact", "argmax")}
        curves[label] = frame
    trained = trained_power_names()
    frame = final.loc[list(trained.values()), ["mean", "std"]]
    frame.index = pd.Index(list(trained), name="power")
    curves["targets"] = frame
    return curves


def published_stats(name: str) -> tuple[float, float, int]:
    """A published row's (mean, std, rounds), for the reproduction criterion."""
    row = published_row(*PUBLISHED_ROW[name])
    return (float(row["test_error_mean_pct"]), float(row["test_error_std_pct"]), int(row["rounds"]))


def reproduction_facts(key: str, name: str, frame: pd.DataFrame) -> dict[str, str]:
    """Our mean's 95% CI (``<key>_ci``), the reproduction z against the published figure of
    ``name`` (``<key>_z``) and what it says by the book's criterion (``<key>_verdict``), from the
    rounds of ``frame``."""
    errors = final_epoch(frame)
    values = errors.loc[errors["name"] == name, "test_error"].to_numpy()
    mean, low, high = mean_interval(values)
    z = reproduction_z((mean, float(values.std(ddof=1)), len(values)), published_stats(name))
    verdict = "reproduced (|z| < 2)" if abs(z) < 2 else "not reproduced (|z| ≥ 2)"
    return {f"{key}_ci": interval(low, high, sign=False), f"{key}_z": signed(z), f"{key}_verdict": verdict}


def report_003_facts(final: pd.DataFrame, table_003: pd.DataFrame, frame: pd.DataFrame) -> dict[str, Any]:
    """Report 003's heads: the verbs of its paired table (``003_*``), each model's mean, std,
    published mean and digit error (``s2_*``, ``s10_*``), siamese-2 read with the argmax and the
    reproduction criterion of both (from the rounds of ``frame``)."""
    facts: dict[str, Any] = {
        "003_verdict": clear_verb(table_003.iloc[0]),
        "003_s2_argmax": clear_verb(table_003.iloc[1]),
        "003_s10_exact": clear_verb(table_003.iloc[3]),
    }
    for name, key in (("003/siamese-2", "s2"), ("003/siamese-10", "s10")):
        facts[key] = final.loc[name, "mean"]
        facts[f"{key}_std"] = final.loc[name, "std"]
        facts[f"{key}_pub"] = published_mean(name)
        facts[f"{key}_digits"] = final.loc[name, "test_digit_error"]
    facts["s2_argmax"] = final.loc["003/siamese-2, argmax", "mean"]
    return (
        facts
        | reproduction_facts("s10", "003/siamese-10", frame)
        | reproduction_facts("s2", "003/siamese-2", frame)
    )


def exact_facts(final: pd.DataFrame, comparisons: pd.DataFrame) -> dict[str, Any]:
    """The exact comparator trained three ways: the two verbs against the classes-only model
    and each training's test and digit error (``exact3_<classes|targets|both>[_digits]``)."""
    facts: dict[str, Any] = {
        "exact_targets": clear_verb(comparisons.iloc[0]),
        "exact_both": clear_verb(comparisons.iloc[1]),
    }
    for name, key in zip(EXACT_ROWS, ("classes", "targets", "both"), strict=True):
        facts[f"exact3_{key}"] = final.loc[name, "mean"]
        facts[f"exact3_{key}_digits"] = final.loc[name, "test_digit_error"]
    return facts


def learned_verdict(row: Mapping[str, Any], learned_z: float = math.nan) -> str:
    """Report 000's "similar results" for its learned and engineered comparators, set against
    ours (``row``: Model A + aux against Model B trained on the classes). ``learned_z`` is our
    Model A + aux against its published figure in standard errors: where it is 2 or more, the
    learned side is a model we do not reproduce, and the sentence says so."""
    pub_learned, pub_engineered = published_mean("000/model-A-aux"), published_mean(CLASSES["ce"])
    caveat = ""
    if abs(learned_z) >= 2:
        caveat = (
            f"; but our learned side, Model A + aux, does not reproduce the report's "
            f"(z = {learned_z:.1f}), so this rests on a learned comparator weaker than theirs"
        )
    return (
        f"report 000 found the engineered comparator slightly better ({pub_engineered:.1f}% against "
        f"{pub_learned:.1f}%) and called the two similar; here {learned_outcome(row)}{caveat}"
    )


def learned_outcome(row: Mapping[str, Any]) -> str:
    """Which comparator our paired comparison finds better, with both errors: the verdict
    without the report's side, for the chapter's summaries."""
    if not row["clear"]:
        ours = "the difference is not clear after Holm's adjustment"
    elif row["difference"] < 0:
        ours = "the engineered comparator is clearly better"
    else:
        ours = "the learned comparator is clearly better"
    return f"{ours} ({row['mean_b']:.1f}% against {row['mean_a']:.1f}%)"


def _published_z(final: pd.DataFrame, key: str) -> float:
    """Our configuration ``key`` (a row of :func:`pairlib.stats.summarise`) against its
    published figure, in standard errors."""
    pub = published_row(*PUBLISHED_ROW[key])
    ours = final.loc[key]
    return reproduction_z(
        (float(ours["mean"]), float(ours["std"]), int(ours["count"])),
        (float(pub["test_error_mean_pct"]), float(pub["test_error_std_pct"]), int(pub["rounds"])),
    )


def learned_facts(final: pd.DataFrame, learned: pd.DataFrame, epochs: int) -> dict[str, Any]:
    """Learned against engineered comparators: the verbs of the paired table, report 000's
    verdict against ours and Model A + aux's errors (``a_aux*``) at both training lengths."""
    rows = learned.set_index("comparison")
    return {
        "learned_000_same": clear_verb(learned.iloc[0]),
        "learned_000_b": clear_verb(learned.iloc[1]),
        "learned_003_same": clear_verb(rows.loc["003: siamese-2 → its exact readout"]),
        "learned_vs_report": learned_verdict(learned.iloc[1], _published_z(final, "000/model-A-aux")),
        "learned_outcome": learned_outcome(learned.iloc[1]),
        "a_aux_longer": final.loc["000/model-A-aux, 2× epochs", "mean"],
        "longer_epochs": 2 * epochs,
        "a_aux": final.loc["000/model-A-aux", "mean"],
        "a_aux_pub": published_mean("000/model-A-aux"),
    }


def glue_learned_comparisons(prefix: str, learned: pd.DataFrame) -> None:
    """Glue the learned-comparator rows the prose quotes in full (:func:`glue_comparison`):
    ``<prefix>_longer`` (twice the epochs), ``<prefix>_longer_exact`` (its exact readout) and
    ``<prefix>_learned_same`` (Model A + aux against its own exact readout)."""
    rows = learned.set_index("comparison")
    glue_comparison(f"{prefix}longer", rows.loc["000: Model A + aux → 2× epochs"])
    glue_comparison(f"{prefix}longer_exact", rows.loc["000: Model A + aux, 2× epochs → its exact readout"])
    glue_comparison(f"{prefix}learned_same", rows.loc["000: Model A + aux → its exact readout"])


def misread_table(outcomes: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Test pairs per model by the number of digits its branch misread: how many, how many got a
    wrong answer, the share whose answer flipped and their share of the model's errors."""
    rows = []
    for label, outcome in outcomes.items():
        for _, row in digit_vs_pair(outcome).iterrows():
            rows.append(
                {
                    "model": label,
                    "digits misread": int(row["digits_wrong"]),
                    "pairs": int(row["pairs"]),
                    "pair errors": int(row["errors"]),
                    "answer flipped (%)": f"{row['flip_pct']:.1f}",
                    "share of errors (%)": f"{row['share_of_errors_pct']:.1f}",
                }
            )
    return pd.DataFrame(rows)


def error_facts(outcomes: Mapping[str, pd.DataFrame], best: str, baseline: str) -> dict[str, Any]:
    """Where the errors of model ``best`` come from, against ``baseline``: how often one misread
    digit flips the answer, the shares of its errors with no or one misread digit, the share of
    pairs and of errors with equal or adjacent digits, its branch's misreads and top confusions."""
    dv = digit_vs_pair(outcomes[best]).set_index("digits_wrong")
    best_gap = errors_by_gap(outcomes[best]).set_index("gap")
    base_gap = errors_by_gap(outcomes[baseline]).set_index("gap")
    counts = confusion_matrix(outcomes[best])
    misreads = sorted(((counts[i, j], i, j) for i in range(10) for j in range(10) if i != j), reverse=True)
    return {
        "flip_one": dv.loc[1, "flip_pct"],
        "right_digits": "no pair whose two digits it read right is answered wrong"
        if dv.loc[0, "errors"] == 0
        else f"pairs whose two digits it read right account for {dv.loc[0, 'share_of_errors_pct']:.1f}% "
        "of its errors",
        "share_one_digit": dv.loc[1, "share_of_errors_pct"],
        "gap01_share": best_gap.loc[[0, 1], "share_of_errors_pct"].sum(),
        "gap01_pairs": best_gap.loc[[0, 1], "share_of_pairs_pct"].sum(),
        "s10_gap01_share": base_gap.loc[[0, 1], "share_of_errors_pct"].sum(),
        "top_confusions": ", ".join(f"{i} read as {j} ({n} times)" for n, i, j in misreads[:3]),
        "misread_images": int(counts.sum() - np.trace(counts)),
        "images": int(counts.sum()),
    }


def gap_tables(outcomes: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each model's pairs and errors by digit gap (:func:`pairlib.analysis.errors_by_gap`)."""
    return {label: errors_by_gap(outcome) for label, outcome in outcomes.items()}


def pair_images_of(pairs: pd.DataFrame, n_pairs: int) -> list[Any]:
    """The two test images of each pair of ``pairs`` (rows with the round's ``seed`` and the
    pair's ``index``, as :func:`pairlib.analysis.worst_pairs` gives them), redrawn from the seed."""
    return [pair_images(int(row["seed"]), [int(row["index"])], n_pairs)[0] for _, row in pairs.iterrows()]


def protocol_facts(epochs: int, n_pairs: int) -> dict[str, float]:
    """The settings the prose quotes, read from where they are defined: report 000's learning
    rate and batch size (``lr_000``, ``batch_000``), report 003's learning rate, and the level
    below which an adjusted p counts as clear (``alpha``)."""
    _, predicted = configurations(epochs, n_pairs)
    model_b, siamese = predicted[CLASSES["ce"]], predicted["003/siamese-10"]
    return {"lr_000": model_b.lr, "batch_000": model_b.batch_size, "lr_003": siamese.lr, "alpha": ALPHA}
