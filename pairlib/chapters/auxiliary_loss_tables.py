"""The auxiliary-loss chapter's tables and the words it puts on its numbers (its study is
:mod:`pairlib.chapters.auxiliary_loss`): the grouped results table, the digit probes, and the
facts its prose glues about the λ sweep, the comparison family and the loss terms.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from pairlib.curves import epoch_band
from pairlib.page import clear_verb, clear_word, mean_std, published_text, summary_text
from pairlib.probes import PROBES
from pairlib.stats import first_epoch_below, verdict
from pairlib.train import TrainConfig


def configuration_words(config: TrainConfig) -> str:
    """A two-branch configuration in words: body, sharing, the weighted losses and the
    learning rate, which is what differs between the rows of an auxiliary-loss table."""
    m = config.model
    body = "ConvNet" if m.body == "conv" else "MLP"
    if m.layout == "merged":
        return f"2-channel {body}; lr {config.lr:g}"
    target = LOSS_WORDS.get(config.target_loss, config.target_loss)
    if config.aux_weight:  # λ relative to the target's weight, the scale in front: one form
        aux = LOSS_WORDS.get(config.aux_loss, config.aux_loss)
        target = f"{target} + {config.aux_weight / config.target_weight:g} × {aux} on the digits"
    if config.target_weight != 1:
        target = f"{config.target_weight:g} × ({target})"
    return f"{body} branches, {'shared' if m.shared else 'separate'}; {target}; lr {config.lr:g}"


LOSS_WORDS = {
    "ce": "CE",
    "bce": "BCE",
    "mse": "MSE",
    "mse-raw": "MSE on raw outputs",
    "mse-power": "MSE on power readouts",
}
"""The losses as a table names them (CE: cross-entropy)."""


def grouped_results_table(
    groups: Mapping[str, Mapping[str, TrainConfig]], final: pd.DataFrame, skip: Iterable[str] = ()
) -> pd.DataFrame:
    """One row per configuration of ``groups`` (but ``skip``): its group, configuration in
    words, parameters, our test error beside the published one, training and digit error.

    ``final`` is :func:`pairlib.stats.summarise` of the runs; the digit error is left blank
    where the model has no digit outputs.
    """
    skipped = set(skip)
    rows = []
    for group, configs in groups.items():
        for name, config in configs.items():
            if name in skipped:
                continue
            digit = final.loc[name, "test_digit_error"]
            rows.append(
                {
                    "group": group,
                    "model": name,
                    "configuration": configuration_words(config),
                    "parameters": f"{config.parameter_count():,}",
                    "test error (%)": summary_text(final, name),
                    "published (%)": published_text(name),
                    "train error (%)": f"{final.loc[name, 'train_error']:.1f}",
                    "digit error (%)": "" if math.isnan(digit) else f"{digit:.1f}",
                }
            )
    return pd.DataFrame(rows)


def probe_table(probes: pd.DataFrame, configs: Mapping[str, TrainConfig]) -> pd.DataFrame:
    """The probes of :func:`pairlib.probes.probe_grid` as a table: per model, whether it has
    the auxiliary loss, the pair error and each probe's digit error (mean ± std)."""
    columns = ["test_error", *(f"{probe}_digit_error" for probe in PROBES)]
    summary = probes.groupby("name", sort=False)[columns].agg(["mean", "std"])

    def cell(name: str, column: str) -> str:
        return mean_std(summary.loc[name, (column, "mean")], summary.loc[name, (column, "std")])

    return pd.DataFrame(
        [
            {
                "model": name,
                "auxiliary loss": "yes" if config.aux_weight else "no",
                "pair error (%)": cell(name, "test_error"),
                **{f"digit error, {probe} (%)": cell(name, f"{probe}_digit_error") for probe in PROBES},
            }
            for name, config in configs.items()
        ]
    )


def sweep_facts(
    cells: pd.DataFrame, lr: float, lrs: Sequence[float], weights: Sequence[float], own: bool
) -> dict[str, float | str]:
    """What a validation sweep of the auxiliary weight says, by glue name: the chosen cell
    (lowest mean validation error over all ``cells``, from :func:`pairlib.stats.sweep_cells`),
    the errors at λ = 0 and 1 at the report's learning rate ``lr``, the best λ along that line
    beside report 003's 10^-0.5, and whether the choice sits at an edge of the grid (``lrs`` x
    ``weights``), where a value beyond might do better. ``own``: the choice is the report's."""
    best = cells.loc[cells["mean"].idxmin()]
    chosen_lr, chosen_lambda = float(best["lr"]), float(best["lambda"])
    at_lr = cells[cells["lr"] == lr].set_index("lambda")
    best_at_lr = float(at_lr["mean"].idxmin())
    edges = [
        label
        for label, at_edge in (
            ("the largest learning rate", chosen_lr == max(lrs)),
            ("the smallest learning rate", chosen_lr == min(lrs)),
            ("the largest λ", chosen_lambda == max(weights)),
        )
        if at_edge
    ]
    return {
        "chosen_lr": chosen_lr,
        "chosen_lambda": chosen_lambda,
        "chosen_valid": float(best["mean"]),
        "chosen_valid_std": float(best["std"]),
        "valid_zero": float(at_lr.loc[0.0, "mean"]),
        "valid_one": float(at_lr.loc[1.0, "mean"]),
        "best_lambda_at_lr": best_at_lr,
        "cells": len(cells),
        "choice_text": f"λ = {chosen_lambda:.3g} at learning rate {chosen_lr:g}"
        + (" (report 002's own choice)" if own else ""),
        # Report 003 weights the *sum* of the two digit losses, ours their mean: its 10^-0.5 is
        # our 2 x 10^-0.5, the one convention in which the two can be compared.
        "003_remark": ", the value report 003 found the most consistent"
        if math.isclose(best_at_lr, 2 * 10**-0.5)
        else f" (report 003's most consistent weight, {10**-0.5:.3g} on the sum of the two digit "
        f"losses, is λ = {2 * 10**-0.5:.3g} on their mean, as λ is here)",
        "edge": f", {' and '.join(edges)} of the grid (values beyond it, which we did not try, might "
        "do better still)"
        if edges
        else ", inside the grid",
    }


def family_facts(tested: pd.DataFrame, family: Mapping[str, pd.DataFrame]) -> dict[str, float | str]:
    """How a set of "without to with" comparisons (``tested``, rows of a Holm-adjusted
    ``family``) came out, by glue name: how many lower the error, how many clearly, which
    clearly raise it, the largest gain, and the family's size before and after adjustment."""
    whole = pd.concat(family.values(), ignore_index=True)
    worse = tested[tested["clear"] & (tested["difference"] > 0)]
    return {
        "family": len(whole),
        "family_clear": int(whole["clear"].sum()),
        "family_raw": int((whole["t_test_p"] < 0.05).sum()),
        "aux_count": len(tested),
        "aux_better": int((tested["difference"] < 0).sum()),
        "aux_clear": int((tested["clear"] & (tested["difference"] < 0)).sum()),
        "aux_worse": "in none"
        if worse.empty
        else f"in {len(worse)}: " + ", ".join(f'"{label}"' for label in worse["comparison"]),
        "aux_largest": float(-tested["difference"].min()),
        "aux_largest_name": tested.loc[tested["difference"].idxmin(), "comparison"],
    }


def probe_facts(probes: pd.DataFrame, pairs: Mapping[str, tuple[str, str]]) -> dict[str, float | str]:
    """Each probe's mean digit error per model (``probe_<model>_<probe>``, the model's name
    after the report prefix, lower case) and a reading of the linear probe over ``pairs``
    (label: (without, with) the auxiliary loss): do the branches read digits better with it,
    or are its outputs only named?"""
    means = probes.groupby("name", sort=False)[[f"{probe}_digit_error" for probe in PROBES]].mean()
    facts: dict[str, float | str] = {
        f"probe_{name.split('/')[1].lower()}_{probe}": float(means.loc[name, f"{probe}_digit_error"])
        for name in means.index
        for probe in PROBES
    }
    linear = means["linear_digit_error"]
    labels = " and ".join(f"for the {label}" for label in pairs)
    facts["probe_reading"] = (
        "The auxiliary loss does not only name the outputs: it makes the branches better digit "
        f"classifiers (the linear read-out errs less, {labels}), and the comparator then reads a "
        "one-hot code instead of whatever features the target alone shaped."
        if all(linear[b] < linear[a] for a, b in pairs.values())
        else f"The linear read-outs do not rank the models the same way {labels}: the auxiliary "
        "loss mostly names the outputs rather than making the branches read digits better."
    )
    return facts


def loss_terms_facts(
    without: pd.DataFrame, with_aux: pd.DataFrame, plateau: float, epochs: int
) -> dict[str, float | str]:
    """What report 000's Fig. 3 shows in our runs, by glue name: the class loss over the target
    loss per epoch (first, last, least: does it dominate, as the report saw?) and the first
    epoch at which each model's mean running training error is below ``plateau`` %."""
    ratio = epoch_band(with_aux, "digit_loss")["mean"] / epoch_band(with_aux, "target_term")["mean"]
    below = {
        label: first_epoch_below(epoch_band(runs, "running_train_error"), plateau)
        for label, runs in (("with", with_aux), ("without", without))
    }

    def words(epoch: int | None) -> str:
        return f"by epoch {epoch}" if epoch is not None else f"in none of the {epochs} epochs"

    sooner = below["with"] is not None and (below["without"] is None or below["with"] < below["without"])
    return {
        "ratio_first": float(ratio.iloc[0]),
        "ratio_last": float(ratio.iloc[-1]),
        "ratio_min": float(ratio.min()),
        "ratio_dominates": "dominates" if ratio.min() > 1 else "does not always dominate",
        "last_epoch": int(ratio.index[-1]),
        "plateau": f"With the auxiliary loss, the mean training error falls below {plateau:g}% "
        f"{words(below['with'])}; without it, {words(below['without'])}: "
        + (
            "guided by the classes, the network leaves its initial plateau sooner, as in the report."
            if sooner
            else "the auxiliary loss does not shorten the initial plateau here."
        ),
    }


def mse_reading(row: Mapping[str, Any], train_error: float, epochs: int, hardly: float = 20.0) -> str:
    """Report 000's MSE-against-cross-entropy comparison (``row``, b = MSE) in words. Above
    ``hardly`` % final training error the MSE model has not learnt its pairs, and the
    comparison says nothing of the two losses once both train: the sentence says so."""
    effect = (
        f"MSE {'raises' if row['difference'] > 0 else 'lowers'} the test error by "
        f"{abs(row['difference']):.1f} points, {clear_word(row)}"
    )
    if train_error > hardly:
        return (
            "MSE against cross-entropy is not settled by these runs: with MSE losses, report 000's "
            f"Model A with the auxiliary loss ends at {train_error:.1f}% training error after "
            f"{epochs} epochs at the report's learning rate, so the comparison ({effect}) sets a "
            "model that trains against one that hardly does; it says nothing of the two losses once "
            "both train"
        )
    return (
        f"With the auxiliary loss, report 000's Model A trained with MSE instead of cross-entropy: {effect}"
    )


def repeated_comparisons(
    choice: pd.DataFrame, family: Mapping[str, pd.DataFrame], same_runs: Mapping[str, str]
) -> pd.DataFrame:
    """Comparisons whose model is another's runs under a second name (``same_runs`` maps the
    name to the model's): one that compares a model with itself is no test (p 1, not clear),
    one that repeats a comparison of the family takes its adjusted p and verdict."""
    tested = pd.concat(list(family.values()), ignore_index=True).set_index(["a", "b"])
    rows = []
    for _, row in choice.iterrows():
        a, b = same_runs.get(row["a"], row["a"]), same_runs.get(row["b"], row["b"])
        if a == b:
            same = {**row, "p_adjusted": 1.0, "clear": False, "fragile": False}
            rows.append({**same, "verdict": verdict(same)})
        else:
            repeat = tested.loc[(a, b)]
            rows.append({**row, **{k: repeat[k] for k in ("p_adjusted", "clear", "fragile", "verdict")}})
    return pd.DataFrame(rows)


def sharing_with_aux(other: pd.DataFrame) -> str:
    """Sharing with the auxiliary loss on report 002's two families in one clause, said once
    when both comparisons agree ("clearly lowers the error of both ...")."""
    fc, convnet = other.loc["002: sharing, FC with aux"], other.loc["002: sharing, ConvNet with aux"]
    fc_verb, convnet_verb = clear_verb(fc), clear_verb(convnet)
    if fc_verb == convnet_verb and fc["clear"]:
        return (
            f"sharing the branches clearly {fc_verb} the error of both report 002's fully "
            "connected models and its ConvNets"
        )
    if fc_verb == convnet_verb:
        return (
            "sharing the branches changes the error of neither report 002's fully connected "
            "models nor its ConvNets clearly"
        )
    return (
        f"sharing the branches {fc_verb} the error of report 002's fully connected models and "
        f"{convnet_verb} that of its ConvNets"
    )
