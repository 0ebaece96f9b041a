"""What the weight-sharing chapter puts on the page: its tables and the words and figures its
prose glues, from a :class:`pairlib.sharing_study.Study`.

Book tooling, like :mod:`pairlib.page` (kept apart so that page.py does not collect one
chapter's helpers): every sentence of the chapter that depends on a result reads a glued
name from :func:`glue_study`, so a rerun that changes a result changes the sentence.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from pairlib.configs import PUBLISHED_ROW
from pairlib.page import (
    effect_phrase,
    glue_comparison,
    glue_comparisons,
    glue_text,
    glue_value,
    p_text,
    published_text,
    summary_text,
)
from pairlib.published import published_row
from pairlib.sharing_study import ABLATION_BASES, BASE_SETTING, LR_CONFOUNDED, WIDTHS, Study, dead_rounds
from pairlib.stats import failed_rounds, wilcoxon_floor
from pairlib.train import TrainConfig


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
        return f"makes training diverge ({summary_text(final, b)})"
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
        cells = {"siamese − pair [95% CI]": "", "p (Holm)": "", "Wilcoxon p": ""}
        if setting in stats.index:
            row = stats.loc[setting]
            cells = {
                "siamese − pair [95% CI]": f"{row['difference']:+.1f} "
                f"[{row['ci_low']:+.1f}, {row['ci_high']:+.1f}]",
                "p (Holm)": p_text(row["p_adjusted"]),
                "Wilcoxon p": p_text(row["wilcoxon_p"]),
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
    clear_widths = 0
    for model in ABLATION_BASES:
        base = study.cell(BASE_SETTING, model)
        for setting in study.settings[1:]:
            slug = re.sub(r"[^a-z0-9]+", "_", f"{model} {setting}")
            glue_text(f"ws_abl_{slug}", effect_text(study, base, study.cell(setting, model)))
        diverged = [s for s in study.settings if not study.stable(study.cell(s, model))]
        glue_text(f"ws_abl_diverged_{model}", ", ".join(diverged) if diverged else "none")
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
