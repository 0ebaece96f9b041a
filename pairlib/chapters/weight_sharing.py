"""The weight-sharing chapter: what it trains, which comparisons it makes, and what it puts
on the page.

The chapter reproduces every report's comparison of shared and unshared models, adds the
controls those comparisons lack (the same learning rate, the same parameter count) and reruns
report 003's ablations on both of its ConvNets. Kept here rather than in the notebook so that
the chapter reads as an argument, and so that a test can check the design itself: that each
control differs from its model in the one thing it controls for. Every sentence of the chapter
that depends on a result reads a glued name from the ``glue_*`` functions below, so a rerun
that changes a result changes the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pairlib import curves
from pairlib.configs import PUBLISHED_ROW, published_means, registered
from pairlib.diagnostics import gradient_grid
from pairlib.models import match_parameters
from pairlib.page import (
    clear_text,
    effect_phrase,
    glue_comparison,
    glue_comparisons,
    glue_text,
    glue_value,
    interval,
    p_equation,
    p_text,
    published_text,
    signed,
    summary_text,
    tally,
)
from pairlib.published import published_row
from pairlib.results import results_table, save_comparisons, save_results, save_rounds
from pairlib.runner import Protocol
from pairlib.stats import adjust_family, failed_rounds, labelled_comparisons, summarise, wilcoxon_floor
from pairlib.train import TrainConfig, run_grid

ABLATION_BASES = {"pair": "003/pair", "siamese": "003/siamese, target only"}
"""Report 003's two ConvNets, by the short name the ablation rows use."""

BASE_SETTING = "as in report 003"
WIDTH_CHANNELS = (8, 16, 32)  # the reports' 64 channels is the base
WIDTH_HIDDEN = (128, 256, 512)  # the reports' 64 hidden units is the base
WIDTHS = tuple(f"{c} channels" for c in WIDTH_CHANNELS) + tuple(f"{h} hidden units" for h in WIDTH_HIDDEN)
LEARNING_RATES = (0.1, 0.25, 0.5, 1.0)

SHARING = [
    ("FC, report 002's learning rates", "002/FCNN3", "002/WS2"),
    ("FC, same architecture", "002/FCNN3, WS2's lr", "002/WS2"),
    ("FC, same parameter count", "002/FCNN3, WS2's lr and size", "002/WS2"),
    ("ConvNet 002, report's learning rates", "002/WS1", "002/WS3"),
    ("ConvNet 002, same learning rate", "002/WS1, WS3's lr", "002/WS3"),
    ("ConvNet 004, same architecture", "004/WS unshared", "004/WS"),
    ("ConvNet 004, same parameter count", "004/WS unshared, WS's size", "004/WS"),
    ("report 000, Model B", "000/model-B-no-ws", "000/model-B"),
]
"""Without (a) to with (b) sharing: the reports' pairs and our controls."""

LR_CONFOUNDED = {"FC, report 002's learning rates", "ConvNet 002, report's learning rates"}
"""Rows of :data:`SHARING` that change the learning rate too: shown, not counted as evidence."""

MERGED = [
    ("001: MLP to ConvNet", "001/model-1", "001/model-2"),
    ("002: merged to separate MLPs", "002/FCNN1", "002/FCNN3"),
    ("002: merged to shared MLPs", "002/FCNN1", "002/WS2"),
    ("003: pair to siamese", "003/pair", "003/siamese, target only"),
    ("004: CNN to separate branches", "004/CNN", "004/WS unshared"),
    ("004: CNN to shared branches", "004/CNN", "004/WS"),
]
"""From a merged network on the 2-channel pair to two branches, as the reports compared them."""


def groups(epochs: int, n_pairs: int) -> dict[str, dict[str, TrainConfig]]:
    """The chapter's configurations by group: the reports' models and the controls that make
    sharing the one difference (same learning rate, same parameter count, no auxiliary loss)."""

    def reg(name: str) -> TrainConfig:
        return registered(name, epochs=epochs, n_pairs=n_pairs)

    ws004, fc_ws2 = reg("004/WS"), reg("002/WS2")
    fc_same_lr = reg("002/FCNN3").replace(lr=fc_ws2.lr)
    fc_same_size = fc_same_lr.replace(
        model=match_parameters(fc_same_lr.model, fc_ws2.parameter_count(), "hidden", target_outputs=1)
    )
    unshared004 = ws004.replace(model__shared=False)
    unshared004_small = unshared004.replace(
        model=match_parameters(
            unshared004.model, ws004.parameter_count(), "hidden", target_outputs=ws004.target_outputs
        )
    )
    return {
        "fully connected": {
            "001/model-1": reg("001/model-1"),
            "002/FCNN1": reg("002/FCNN1"),
            "002/FCNN3": reg("002/FCNN3"),
            "002/FCNN3, WS2's lr": fc_same_lr,
            "002/FCNN3, WS2's lr and size": fc_same_size,
            "002/WS2": fc_ws2,
        },
        "ConvNets": {
            "001/model-2": reg("001/model-2"),
            "003/pair": reg("003/pair"),
            "003/siamese, target only": reg("003/siamese-2").replace(aux_weight=0.0),
            "002/WS1": reg("002/WS1"),
            "002/WS1, WS3's lr": reg("002/WS1").replace(lr=reg("002/WS3").lr),
            "002/WS3": reg("002/WS3"),
        },
        "equal size": {
            "004/CNN": reg("004/CNN"),
            "004/WS": ws004,
            "004/WS unshared": unshared004,
            "004/WS unshared, WS's size": unshared004_small,
        },
        "report 000": {
            "000/model-B": reg("000/model-B"),
            "000/model-B-no-ws": reg("000/model-B-no-ws"),
        },
    }


CURVES_GROUP = "equal size"
"""The group recorded per epoch, for the learning curves; the others record the final epoch."""


def ablations(base: TrainConfig) -> dict[str, TrainConfig]:
    """Report 003's ablations around one of its models: one or two changes at a time."""
    return {
        BASE_SETTING: base,
        "no batch norm": base.replace(model__batch_norm=False),
        "skip connections": base.replace(model__skip=True),
        "no batch norm, skip": base.replace(model__batch_norm=False, model__skip=True),
        **{f"lr {lr:g}": base.replace(lr=lr) for lr in LEARNING_RATES},
        "no batch norm, lr 0.1": base.replace(model__batch_norm=False, lr=0.1),
        **{f"{c} channels": base.replace(model__channels=(c, c)) for c in WIDTH_CHANNELS},
        **{f"{h} hidden units": base.replace(model__hidden=(h,)) for h in WIDTH_HIDDEN},
    }


def ablation_cells(convnets: dict[str, TrainConfig]) -> dict[tuple[str, str], tuple[str, TrainConfig]]:
    """(setting, model) -> (run name, configuration) of every ablation of both ConvNets. A
    setting equal to the report's own choice (its own learning rate) keeps the base's name,
    so that it is the same run and not a second one."""
    cells = {}
    for model, base_name in ABLATION_BASES.items():
        base = convnets[base_name]
        for setting, config in ablations(base).items():
            cells[(setting, model)] = (base_name if config == base else f"{base_name}, {setting}", config)
    return cells


def gradient_runs(convnets: dict[str, TrainConfig]) -> dict[str, tuple[str, bool, TrainConfig]]:
    """Run name -> (model, batch norm, configuration): report 003's Fig. 2, both ConvNets with and
    without batch norm at the report's learning rates."""
    runs = {}
    for model, base_name in ABLATION_BASES.items():
        for batch_norm in (True, False):
            config = convnets[base_name]
            config = config if batch_norm else config.replace(model__batch_norm=False)
            runs[f"{model}, batch norm {batch_norm}"] = (model, batch_norm, config)
    return runs


@dataclass
class Study:
    """Everything the chapter measured, as frames: ``main`` (the four groups), ``ablation``
    (report 003's ablations with their bases), ``everything`` (both, each run once), ``final``
    (:func:`pairlib.stats.summarise` of it), ``grads`` (gradient norms) and ``family`` (every
    comparison, Holm-adjusted together)."""

    groups: dict[str, dict[str, TrainConfig]]
    cells: dict[tuple[str, str], tuple[str, TrainConfig]]
    main: pd.DataFrame
    ablation: pd.DataFrame
    everything: pd.DataFrame
    final: pd.DataFrame
    grads: pd.DataFrame
    family: dict[str, pd.DataFrame]

    @property
    def settings(self) -> list[str]:
        """The ablation settings, the report's own first."""
        return list(dict.fromkeys(setting for setting, _ in self.cells))

    def cell(self, setting: str, model: str) -> str:
        """The run name of one ablation of one model."""
        return self.cells[(setting, model)][0]

    def stable(self, *names: str) -> bool:
        """Whether every round of these configurations finished (none diverged)."""
        return not self.final.loc[list(names), "diverged"].any()

    def group_of(self, name: str) -> str:
        """The group a run belongs to in the results table."""
        return next((g for g, configs in self.groups.items() if name in configs), "report 003 ablations")

    def config(self, name: str) -> TrainConfig:
        """The configuration of a run of the main groups."""
        return next(configs[name] for configs in self.groups.values() if name in configs)


def comparisons(
    main: pd.DataFrame, ablation: pd.DataFrame, everything: pd.DataFrame, final: pd.DataFrame, cells: dict
) -> dict[str, pd.DataFrame]:
    """The chapter's one family of paired comparisons, Holm-adjusted together: sharing, merged to
    two branches, pair against siamese per ablation setting (where both trained in every round)
    and each ablation against its model's report setting (where both did)."""

    def stable(*names: str) -> bool:
        return not final.loc[list(names), "diverged"].any()

    settings = list(dict.fromkeys(setting for setting, _ in cells))
    name = {key: value[0] for key, value in cells.items()}
    effects = [
        (f"{model}: {setting}", name[(BASE_SETTING, model)], name[(setting, model)])
        for model in ABLATION_BASES
        for setting in settings[1:]
        if name[(setting, model)] != name[(BASE_SETTING, model)]
        and stable(name[(BASE_SETTING, model)], name[(setting, model)])
    ]
    both = [s for s in settings if stable(name[(s, "pair")], name[(s, "siamese")])]
    return adjust_family(
        {
            "sharing": labelled_comparisons(main, SHARING),
            "merged": labelled_comparisons(main, MERGED),
            "pair vs siamese": labelled_comparisons(
                ablation, [(s, name[(s, "pair")], name[(s, "siamese")]) for s in both]
            ),
            "ablations": labelled_comparisons(everything, effects),
        }
    )


def run_study(rounds: int, epochs: int, n_pairs: int, seed: int, device: str, grad_steps: int) -> Study:
    """Train (or read from the cache) every run of the chapter and make its comparisons.

    Some ablations are unstable (a learning rate of 1 without batch norm): a round whose loss
    becomes NaN is recorded as diverged and shown as such, never averaged away.
    """
    chosen = groups(epochs, n_pairs)
    protocol = Protocol(rounds, seed, device)
    main = pd.concat(
        [
            run_grid(
                {n: c for g, cs in chosen.items() if g != CURVES_GROUP for n, c in cs.items()},
                protocol,
                record="final",
            ),
            run_grid(chosen[CURVES_GROUP], protocol, record="epoch"),
        ],
        ignore_index=True,
    )
    cells = ablation_cells(chosen["ConvNets"])
    bases = set(ABLATION_BASES.values())
    only = {name: config for name, config in cells.values() if name not in bases}
    ablation = pd.concat(
        [run_grid(only, protocol, record="final", diverged="record"), main[main["name"].isin(bases)]],
        ignore_index=True,
    )
    runs = gradient_runs(chosen["ConvNets"])
    grads = gradient_grid({name: config for name, (_, _, config) in runs.items()}, protocol, steps=grad_steps)
    grads["model"] = grads["name"].map(lambda name: runs[name][0])
    grads["batch_norm"] = grads["name"].map(lambda name: runs[name][1])
    everything = pd.concat([main, ablation[~ablation["name"].isin(main["name"])]], ignore_index=True)
    final = summarise(everything)
    family = comparisons(main, ablation, everything, final, cells)
    return Study(chosen, cells, main, ablation, everything, final, grads, family)


def dead_rounds(grads: pd.DataFrame, steps: int) -> pd.Series:
    """Rounds, per (model, batch norm), whose convolutions' gradients were zero or not finite
    throughout the second half of the recorded minibatches: report 003's "the gradients fall to
    zero", counted rather than eyeballed."""
    late = grads[grads["layer"].str.startswith("conv") & (grads["step"] > steps // 2)]
    dead = late.groupby(["model", "batch_norm", "round"])["grad_norm"].apply(
        lambda v: bool(((v == 0) | ~np.isfinite(v)).all())
    )
    return dead.groupby(level=[0, 1]).sum()


def layout(config: TrainConfig) -> str:
    """The layout in words: what differs between the rows of the results table."""
    m = config.model
    body = "ConvNet" if m.body == "conv" else "MLP"
    if m.layout == "merged":
        return f"2-channel {body}"
    text = f"two {body} branches, {'shared' if m.shared else 'separate'}"
    return text + (", power-6 comparator" if m.comparator == "power" else "")


def effect_text(study: Study, a: str, b: str) -> str:
    """What going from configuration a to b does to the test error, in words, divergence
    included: a diverged configuration has no mean, so the sentence says so instead."""
    final = study.final
    if a == b:
        return "is the report's own setting"
    if not study.stable(b):
        diverged = summary_text(final, b)  # "diverged in 4 of 10 rounds"
        return f"makes training diverge{diverged.removeprefix('diverged')}"
    if not study.stable(a):
        return f"avoids the divergence ({summary_text(final, a)} before; {summary_text(final, b)}% after)"
    effects = study.family["ablations"]
    return effect_phrase(effects[(effects["a"] == a) & (effects["b"] == b)].iloc[0])


def results_rows(study: Study) -> pd.DataFrame:
    """The results table: every configuration of the four groups, ours beside the published."""
    final = study.final
    return pd.DataFrame(
        [
            {
                "group": group,
                "model": name,
                "layout": layout(config),
                "parameters": f"{config.parameter_count():,}",
                "test error (%)": summary_text(final, name),
                "published (%)": published_text(name),
                "train error (%)": f"{final.loc[name, 'train_error']:.1f}",
                "time / run": f"{final.loc[name, 'seconds']:.1f} s",  # "s": nbval's sanitizer drops timings
            }
            for group, configs in study.groups.items()
            for name, config in configs.items()
        ]
    )


def ablation_rows(study: Study) -> pd.DataFrame:
    """Report 003's ablations, one row per setting: both models and their paired difference
    (blank where one of them diverged in some round, so no mean difference exists)."""
    stats = study.family["pair vs siamese"].set_index("comparison")
    rows = []
    for setting in study.settings:
        cells = {"siamese − pair [95% CI]": "", "p (Holm)": "", "Wilcoxon p": "", "clear": ""}
        if setting in stats.index:
            row = stats.loc[setting]
            cells = {
                "siamese − pair [95% CI]": f"{signed(row['difference'])} "
                f"{interval(row['ci_low'], row['ci_high'])}",
                "p (Holm)": p_text(row["p_adjusted"]),
                "Wilcoxon p": p_text(row["wilcoxon_p"]),
                "clear": clear_text(row),
            }
        rows.append(
            {
                "setting": setting,
                "pair (%)": summary_text(study.final, study.cell(setting, "pair")),
                "siamese (%)": summary_text(study.final, study.cell(setting, "siamese")),
                **cells,
            }
        )
    return pd.DataFrame(rows)


def glue_sharing(study: Study, rounds: int) -> None:
    """Glue the sharing and merged comparisons (``ws_share<k>_*``, ``ws_merge<k>_*``), the counts
    of the Key findings, and the published figures and parameter counts the prose cites."""
    sharing, merged = study.family["sharing"], study.family["merged"]
    glue_comparisons("ws_share", sharing)
    glue_comparisons("ws_merge", merged)
    # Only the rows where sharing is the one difference count as evidence on sharing.
    controlled = sharing[~sharing["comparison"].isin(LR_CONFOUNDED)]
    glue_value("ws_share_clear", int(controlled["clear"].sum()))
    glue_value("ws_share_count", len(controlled))
    glue_value("ws_share_better", int((controlled["difference"] < 0).sum()))
    glue_text("ws_share_tally", tally(controlled))
    whole = pd.concat(study.family.values(), ignore_index=True)
    glue_value("ws_family", len(whole))
    glue_value("ws_family_clear", int(whole["clear"].sum()))
    glue_value("ws_family_raw", int((whole["t_test_p"] < 0.05).sum()))
    glue_value("ws_family_floor", int((whole["wilcoxon_p"] <= wilcoxon_floor(rounds) * 1.0001).sum()))
    glue_text("ws_floor", p_text(wilcoxon_floor(rounds)))
    same_size = sharing.set_index("comparison").loc["ConvNet 004, same parameter count"]
    glue_text(
        "ws_size_reading",
        "the gain is about sharing rather than size."
        if same_size["clear"] and same_size["difference"] < 0
        else "at equal size the runs do not show a clear gain, so part of the gain at equal "
        "architecture may be the size.",
    )
    for name in ("000/model-B", "000/model-B-no-ws", "002/FCNN3", "002/WS2", "004/WS", "004/CNN"):
        row = published_row(*PUBLISHED_ROW[name])
        glue_value(f"ws_pub_{name.replace('/', '_').replace('-', '_')}", float(row["test_error_mean_pct"]))
    fc, conv, b = study.groups["fully connected"], study.groups["ConvNets"], study.config("000/model-B")
    glue_value("ws_lr_ratio_002_fc", fc["002/WS2"].lr / fc["002/FCNN3"].lr)
    glue_value("ws_lr_002_ws1", conv["002/WS1"].lr)
    glue_value("ws_lr_002_ws3", conv["002/WS3"].lr)
    glue_value("ws_params_001", fc["001/model-1"].parameter_count())
    glue_value("ws_lr_000", b.lr)
    glue_value("ws_batch_000", b.batch_size)
    equal = study.groups["equal size"]
    glue_value("ws_params_004_ws", equal["004/WS"].parameter_count())
    glue_value("ws_params_004_unshared", equal["004/WS unshared"].parameter_count())
    glue_value("ws_params_004_small", equal["004/WS unshared, WS's size"].parameter_count())
    glue_value("ws_hidden_004_small", equal["004/WS unshared, WS's size"].model.hidden[0])
    glue_value("ws_hidden_004", equal["004/WS"].model.hidden[0])


def _count_clear(effects: pd.DataFrame, labels: list[str]) -> int:
    return int(effects.reindex(labels)["clear"].fillna(False).astype(bool).sum())


def skip_connections_text(study: Study) -> str:
    """What adding skip connections does to both ConvNets, in one clause when it clearly
    changes neither ("changes neither model's error clearly (pair model +0.6 points, ...)"),
    else each model's effect in turn."""
    setting = "skip connections"
    cells = [(model, study.cell(BASE_SETTING, model), study.cell(setting, model)) for model in ABLATION_BASES]
    effects = study.family["ablations"]
    if all(study.stable(a) and study.stable(b) for _, a, b in cells):
        rows = [(m, effects[(effects["a"] == a) & (effects["b"] == b)].iloc[0]) for m, a, b in cells]
        if not any(bool(row["clear"]) for _, row in rows):
            details = "; ".join(
                f"{m} model {signed(row['difference'])} points, 95% CI "
                f"{interval(row['ci_low'], row['ci_high'])}, Holm-adjusted {p_equation(row['p_adjusted'])}"
                for m, row in rows
            )
            return f"Adding skip connections changes neither model's error clearly ({details})"
    (_, pair_a, pair_b), (_, siamese_a, siamese_b) = cells
    return (
        f"Adding skip connections to the pair model {effect_text(study, pair_a, pair_b)}; adding "
        f"them to the siamese model {effect_text(study, siamese_a, siamese_b)}"
    )


def glue_ablations(study: Study, rounds: int) -> None:
    """Glue report 003's ablations: the pair-against-siamese counts (``ws_abl_*``), each
    setting's effect in words (``ws_abl_<model>_<setting>``), the failed rounds without batch
    norm (``ws_nobn_*``) and the test of the report's claim on widths (``ws_width_*``)."""
    stats = study.family["pair vs siamese"].set_index("comparison")
    effects = study.family["ablations"].set_index("comparison")
    glue_comparison("ws_abl_base", stats.loc[BASE_SETTING])
    glue_value("ws_abl_siamese_wins", len(stats[stats["clear"] & (stats["difference"] < 0)]))
    glue_value("ws_abl_settings", len(stats))
    glue_value("ws_abl_unstable", len(study.settings) - len(stats))
    glue_value("ws_width_settings", len(WIDTHS))
    glue_text("ws_abl_skip", skip_connections_text(study))
    clear_widths = 0
    for model in ABLATION_BASES:
        base = study.cell(BASE_SETTING, model)
        for setting in study.settings[1:]:
            slug = re.sub(r"[^a-z0-9]+", "_", f"{model} {setting}")
            glue_text(f"ws_abl_{slug}", effect_text(study, base, study.cell(setting, model)))
        diverged = [s for s in study.settings if not study.stable(study.cell(s, model))]
        # Quoted and joined with semicolons: a setting's own name may hold a comma.
        glue_text(f"ws_abl_diverged_{model}", "; ".join(f"“{s}”" for s in diverged) if diverged else "none")
        failures = failed_rounds(study.everything, study.cell("no batch norm", model))
        glue_value(f"ws_nobn_{model}_diverged", failures["diverged"])
        glue_value(f"ws_nobn_{model}_stuck", failures["stuck"])
        glue_value(f"ws_nobn_{model}_failed", failures["diverged"] + failures["stuck"])
        glue_value(f"ws_nobn_{model}_stuck_train", failures["stuck_train_error"])
        means = study.final.loc[[study.cell(w, model) for w in (BASE_SETTING, *WIDTHS)], "mean"].dropna()
        glue_value(f"ws_width_low_{model}", float(means.min()))
        glue_value(f"ws_width_high_{model}", float(means.max()))
        clear = _count_clear(effects, [f"{model}: {w}" for w in WIDTHS])
        glue_value(f"ws_width_clear_{model}", clear)
        clear_widths += clear
    glue_text("ws_width_verdict", "does not hold in our runs" if clear_widths else "holds in our runs")


def glue_gradients(study: Study, steps: int) -> None:
    """Glue report 003's gradient claim, counted: rounds whose convolutions' gradients died
    (``ws_dead_<model>_<bn|nobn>``), whether the siamese model shares the pair model's fate, and
    the pair model's peak gradient without batch norm."""
    dead = dead_rounds(study.grads, steps)
    for (model, batch_norm), count in dead.items():
        glue_value(f"ws_dead_{model}_{'bn' if batch_norm else 'nobn'}", int(count))
    same_on_siamese = dead.get(("siamese", False), 0) >= dead.get(("pair", False), 0) / 2
    glue_text(
        "ws_grad_siamese_verdict",
        "our runs agree"
        if same_on_siamese
        else "in our runs it was not: the siamese model's gradients mostly survive without batch norm",
    )
    grads = study.grads
    peak = grads[(grads["model"] == "pair") & ~grads["batch_norm"] & np.isfinite(grads["grad_norm"])]
    glue_value("ws_peak_nobn", float(peak.groupby("round")["grad_norm"].max().median()))
    glue_value("ws_half_steps", steps // 2)


def glue_totals(study: Study, tidy: pd.DataFrame, rounds: int) -> None:
    """Glue what the chapter trained in all: ``ws_configurations`` (rows of the results table
    ``tidy``), ``ws_runs`` and ``ws_train_minutes`` (single-thread training time)."""
    glue_value("ws_configurations", len(tidy))
    glue_value("ws_runs", int(len(tidy) * rounds))
    glue_value("ws_train_minutes", float(study.final["seconds"].mul(study.final["count"]).sum() / 60))


# --------------------------------------------------------------------------- figures and record

GROUP_COLOURS = ("tab:blue", "tab:olive", "tab:green", "tab:purple")
"""One colour per group of configurations, in the order of :func:`groups`."""


def errors_figure(study: Study) -> Any:
    """Every configuration's per-round test errors, coloured by group, published means marked."""
    colour_of = dict(zip(study.groups, GROUP_COLOURS, strict=True))
    names = [n for configs in study.groups.values() for n in configs]
    colours = {n: colour_of[study.group_of(n)] for n in names}
    return curves.round_errors_figure(
        study.everything, names, colours, published_means(names), groups=colour_of
    )


def paired_figure(study: Study) -> Any:
    """The per-round differences of both families: sharing, and merged against branches."""
    families = {"sharing": study.family["sharing"], "merged": study.family["merged"]}
    return curves.paired_differences_figure(
        study.main, families, {"sharing": "tab:green", "merged": "tab:orange"}
    )


def model_b_figure(study: Study) -> Any:
    """Report 000's Model B with and without sharing: training loss and running training error."""
    shown = {"000/model-B": ("with sharing", "tab:blue"), "000/model-B-no-ws": ("without sharing", "tab:red")}
    fig = curves.bands_figure(
        [("target_term", "training loss (MSE)", ""), ("running_train_error", "training error (%)", "")],
        {n: (study.main[study.main["name"] == n], label, colour) for n, (label, colour) in shown.items()},
    )
    fig.axes[0].legend(fontsize=8)
    return fig


def curves_figure(study: Study) -> Any:
    """Training and test error per epoch of the equal-size group, which reaches the same error."""
    names = study.groups[CURVES_GROUP]
    equal = study.main[study.main["name"].isin(names)]
    # Four hues a reader tells apart in print and with a colour-blind eye (no two reds).
    colours = ("#404040", "#0173b2", "#de8f05", "#029e73")
    fig = curves.bands_figure(
        [
            ("running_train_error", "error (%)", "training (running, during the epoch)"),
            ("test_error", "", "test"),
        ],
        {n: (equal[equal["name"] == n], n, c) for n, c in zip(names, colours, strict=True)},
        alpha=0.15,
        height=2.9,
        sharey=True,
    )
    fig.axes[0].set_ylim(0, 50)
    fig.axes[1].legend(fontsize=7)
    return fig


def ablation_figure(study: Study) -> Any:
    """Report 003's ablations on its pair and siamese ConvNets, setting by setting."""
    cells = {s: [study.cell(s, model) for model in ABLATION_BASES] for s in study.settings}
    return curves.settings_figure(study.final, cells, {"pair": "tab:grey", "siamese": "tab:blue"})


def gradients_figure(study: Study) -> Any:
    """Per-layer gradient norms of the ConvNets with and without batch norm (report 003's Fig. 2)."""
    titles = {
        (model, bn): f"{model}, lr {config.lr:g}, {'with' if bn else 'without'} batch norm"
        for model, bn, config in gradient_runs(study.groups["ConvNets"]).values()
    }
    return curves.gradient_figure(study.grads, titles)


def record(study: Study, rounds: int) -> None:
    """The chapter's last step: its results table (with each configuration's group), its rounds
    and its comparisons, recorded for the summary, and the totals the prose quotes."""
    tidy = results_table(study.everything)
    tidy.insert(1, "group", tidy["model_id"].map(study.group_of))
    save_results(tidy, "weight_sharing")
    save_rounds(study.everything, "weight_sharing")
    glue_totals(study, tidy, rounds)
    save_comparisons("weight_sharing", study.family)
