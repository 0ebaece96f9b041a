"""The readings chapter: every plausible reading of each report run side by side, and where our
registry sits among them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pairlib.configs import (
    PUBLISHED_ROW,
    REGISTRY,
    alternative_name,
    grid_004,
    grid_004_setting,
    published_means,
)
from pairlib.configs import readings as readings_of
from pairlib.page import glue_text, glue_value, published_text
from pairlib.page.scorecard import z_inputs
from pairlib.page.wording import mean_std, signed
from pairlib.published import published_row
from pairlib.results import results_table, save_results, save_rounds
from pairlib.runner import Protocol
from pairlib.stats import (
    reproduction_z,
    summarise,
)
from pairlib.train import run_grid


def readings_table(tidy: pd.DataFrame, keys: Iterable[str]) -> pd.DataFrame:
    """Every reading of each registered model in ``keys`` that a chapter ran (rows of its
    :func:`pairlib.stats.results_table`: the key itself, then ``"<key> [<what differs>]"``),
    beside the published figure of the key with the gap in standard errors (z)."""
    rows = []
    by_name = tidy.set_index("model_id")
    for key in keys:
        pub = published_row(*PUBLISHED_ROW[key])
        names = [key, *(n for n in by_name.index if str(n).startswith(f"{key} ["))]
        for name in (n for n in names if n in by_name.index):
            row = by_name.loc[name]
            rows.append(
                {
                    "model": key,
                    "reading": "registered" if name == key else name[len(key) + 2 : -1],
                    "params": int(row["params"]),
                    "ours (%)": (
                        f"diverged in {int(row['diverged_rounds'])} of {int(row['rounds'])} rounds"
                        if row.get("diverged_rounds", 0)
                        else mean_std(row["test_error_mean_pct"], row["test_error_std_pct"])
                    ),
                    "published (%)": mean_std(pub["test_error_mean_pct"], pub["test_error_std_pct"]),
                    "z": reproduction_z(*z_inputs(row, pub)),
                }
            )
    return pd.DataFrame(rows)


def registry_against_grid(
    validation: pd.DataFrame, chosen: pd.DataFrame, registered: Mapping[str, str] | None = None
) -> str:
    """Whether the registered settings are what report 004's rerun validation grid picks, in words.

    ``validation`` holds the grid's mean validation error by ``"<model> | <setting>"``,
    ``chosen`` the pick per model (``setting``, ``mean``), ``registered`` the registry's setting
    per model (by default :func:`pairlib.configs.grid_004_setting`). A grid rerun on another
    processor can pick differently when settings lie close; the chapter must then say which
    settings its test figures use, not claim they are the pick."""
    if registered is None:
        registered = {model: grid_004_setting(f"004/{model}") for model in chosen.index}
    differ = [model for model, setting in registered.items() if chosen.loc[model, "setting"] != setting]
    if not differ:
        return "The registered configurations use these values."

    def rank(model: str) -> str:
        rows = validation[validation.index.str.startswith(f"{model} | ")]["mean"].sort_values()
        place = list(rows.index).index(f"{model} | {registered[model]}") + 1
        return f"{place} of {len(rows)}"

    parts = [
        f"{model} {registered[model]} ({validation.loc[f'{model} | {registered[model]}', 'mean']:.1f}% "
        f"validation error, {rank(model)} on this grid, against {chosen.loc[model, 'mean']:.1f}% for "
        "its best setting)"
        for model in differ
    ]
    return (
        "The report does not state which settings its grid chose; the registered ones are one "
        f"point of the grid each, and for {' and '.join(differ)} not the one this rerun ranks "
        f"first: the test figures below use {' and '.join(parts)}."
    )


def reading_gaps(readings: pd.DataFrame) -> pd.DataFrame:
    """Per model of a :func:`readings_table`: the registered reading's z, the lowest absolute z of
    any reading that ran (a search over readings, shown as such, never a result), and how
    many readings ran."""
    gaps = readings.assign(gap=readings["z"].abs()).groupby("model", sort=False)
    registered = readings[readings["reading"] == "registered"].set_index("model")["z"]
    return pd.DataFrame(
        {
            "model": registered.index,
            "z (registered)": registered.to_numpy(),
            "lowest absolute z of any reading": gaps["gap"].min().reindex(registered.index).to_numpy(),
            "readings": gaps.size().reindex(registered.index).to_numpy(),
        }
    )


# --------------------------------------------------------------------------- the chapter's runs

MEAN, TRAIN, DIGITS = "test_error_mean_pct", "train_error_mean_pct", "test_digit_error_mean_pct"
KEYS = {
    "000": [k for k in REGISTRY if k.startswith("000/")],
    "001": [k for k in REGISTRY if k.startswith("001/")],
    "002": [k for k in REGISTRY if k.startswith("002/") and k in PUBLISHED_ROW],
    "003": ["003/pair", "003/siamese-2", "003/siamese-10"],
    "004": ["004/CNN", "004/WS", "004/AL"],
}
"""The registered models of each report whose readings run; report 002's FCNN2 (no published
figure) runs beside them."""
EXTRA = {"002": ["002/FCNN2"]}
STRATEGIES_000 = {  # report 000's Fig. 4: its three strategies, with each loss
    loss: {
        "Model A + aux": f"000/model-A-aux{suffix}",
        "Model B, targets": "000/model-B" if suffix else "000/model-B-targets-ce",
        "Model B, classes": f"000/model-B-classes-{'mse' if suffix else 'ce'}",
    }
    for loss, suffix in (("cross-entropy", ""), ("MSE", "-mse"))
}


@dataclass
class Report:
    """One report's readings: every round (``frame``) and its results table (``table``)."""

    keys: list[str]
    frame: pd.DataFrame
    table: pd.DataFrame

    @property
    def tidy(self) -> pd.DataFrame:
        return self.table.set_index("model_id")


def run_report(report: str, p: Mapping[str, Any]) -> Report:
    """Every reading of report ``report``'s models, ``rounds`` rounds each. The registered
    configurations are the other chapters' runs (read from the cache); the alternatives may
    diverge, and a diverged round is recorded, not raised."""
    keys = KEYS[report]
    wanted = [*keys, *EXTRA.get(report, [])]
    every = readings_of(wanted, epochs=p["epochs"], n_pairs=p["n_pairs"])
    registered = {name: config for name, config in every.items() if name in wanted}
    others = {name: config for name, config in every.items() if name not in wanted}
    frames = [run_grid(registered, Protocol.of(p), record="final")]
    if others:
        frames.append(run_grid(others, Protocol.of(p), record="final", diverged="record"))
    frame = pd.concat(frames, ignore_index=True)
    return Report(keys, frame, results_table(frame))


def glue_000(report: Report) -> None:
    """Report 000's MSE models in their readings, against the published figures."""
    tidy = report.tidy
    bcm, amse = "000/model-B-classes-mse", "000/model-A-aux-mse"
    for key, name in {
        "bcm": bcm,
        "bcm_softmax": alternative_name(bcm, "MSE on softmax outputs"),
        "bcm_power": alternative_name(bcm, "MSE on eq. V.1 probabilities"),
        "amse": amse,
        "amse_softmax": alternative_name(amse, "MSE on softmax outputs"),
    }.items():
        glue_value(f"rd_000_{key}", tidy.loc[name, MEAN])
    glue_value("rd_000_bcm_pub", published_means([bcm])[bcm])
    glue_text("rd_000_b_sec3_pub", published_text("000/model-B"))
    glue_text("rd_000_b_table4_pub", published_text("000/model-B-targets-mse"))


def published_params_001() -> list[str]:
    """Report 001's published parameter counts (its Table III), as text."""
    return [f"{published_row(*PUBLISHED_ROW[key])['params']:,.0f}" for key in KEYS["001"]]


def glue_001(report: Report) -> None:
    """Report 001's Model 2 in both readings of its dropout, and the parameter counts."""
    tidy = report.tidy
    glue_text("rd_001_m3_params_pub", published_params_001()[2])
    old_m2 = alternative_name("001/model-2", "dropout after every block")
    for key, name in (("rd_001_m2", "001/model-2"), ("rd_001_m2_old", old_m2)):
        glue_value(key, tidy.loc[name, MEAN])
        glue_value(f"{key}_train", tidy.loc[name, TRAIN])
    glue_value("rd_001_m2_pub", published_means(["001/model-2"])["001/model-2"])
    for key, name in (("rd_001_m1_params", "001/model-1"), ("rd_001_m2_params", "001/model-2")):
        glue_text(key, f"{REGISTRY[name].parameter_count():,}")
        glue_text(f"{key}_pub", f"{int(published_row(*PUBLISHED_ROW[name])['params']):,}")


def glue_002(report: Report, rounds: int) -> None:
    """Report 002: the spread of its readings, the largest gap, and what rerunning its own
    searches would cost from the seconds our runs took. The report states neither grid, so a
    modest one: ten learning rates and four batch sizes for each of its models, one factor at a
    time, at our protocol."""
    tidy, keys = report.tidy, report.keys
    glue_value("rd_002_fcnn2", tidy.loc["002/FCNN2", MEAN])
    glue_value("rd_002_fcnn1", tidy.loc["002/FCNN1", MEAN])
    reading_means = tidy[MEAN].groupby(tidy.index.str.split(" [", regex=False).str[0]).agg(["min", "max"])
    gaps = pd.Series({key: tidy.loc[key, MEAN] - published_means([key])[key] for key in keys})
    spread, gap = (
        float((reading_means["max"] - reading_means["min"]).loc[keys].max()),
        float(gaps.abs().max()),
    )
    glue_value("rd_002_spread", spread)
    glue_value("rd_002_gap", gap)
    glue_text(
        "rd_002_reading",
        f"No reading moves a model by more than {spread:.1f} points, less than the {gap:.1f}-point gap, so "
        "no choice the text leaves open explains that gap on its own."
        if spread < gap
        else f"The readings move a model by up to {spread:.1f} points, as much as the gap: the choices the "
        "text leaves open could explain it.",
    )
    glue_text("rd_002_gap_model", str(gaps.abs().idxmax()))
    seconds = tidy.loc[keys, "seconds_per_run"].sum()
    glue_value("rd_002_search_runs", (10 + 4) * len(keys) * rounds)
    glue_value("rd_002_search_hours", (10 + 4) * seconds * rounds / 3600)


def glue_003(report: Report, n_pairs: int) -> None:
    """Report 003: siamese-2 in its readings, the nearest one, and the learning rates."""
    tidy = report.tidy
    error = published_means(["003/siamese-2"])["003/siamese-2"] / 100
    glue_value("rd_003_floor", 100 * (error * (1 - error) / n_pairs) ** 0.5)
    glue_value("rd_003_s2", tidy.loc["003/siamese-2", MEAN])
    glue_value(
        "rd_003_s2_mean", tidy.loc[alternative_name("003/siamese-2", "auxiliary weight on the mean"), MEAN]
    )
    glue_value(
        "rd_003_s2_relu", tidy.loc[alternative_name("003/siamese-2", "ReLU before the 20-2 layer"), MEAN]
    )
    s2_readings = tidy[tidy.index.str.startswith("003/siamese-2")]
    nearest = (s2_readings[MEAN] - published_means(["003/siamese-2"])["003/siamese-2"]).abs().idxmin()
    glue_text("rd_003_nearest", nearest.removeprefix("003/siamese-2 ").strip("[]"))
    glue_value("rd_003_nearest_error", s2_readings.loc[nearest, MEAN])
    z = reproduction_z(*z_inputs(s2_readings.loc[nearest], published_row(*PUBLISHED_ROW["003/siamese-2"])))
    glue_text(
        "rd_003_nearest_verdict",
        f"that one is within two standard errors of the published figure (z = {signed(z)})"
        if abs(z) < 2
        else f"even that one lies {abs(z):.1f} standard errors {'above' if z > 0 else 'below'} the "
        "published figure",
    )
    glue_value("rd_003_s2_readings", len(s2_readings))
    best_lrs = {}
    for model in ("siamese-2", "siamese-10"):
        rates = {0.25: tidy.loc[f"003/{model}", MEAN]} | {
            lr: tidy.loc[alternative_name(f"003/{model}", f"lr {lr:g}"), MEAN]
            for lr in (0.001, 0.01, 0.1, 1.0)
        }
        best = min(rates, key=lambda lr: (pd.isna(rates[lr]), rates[lr]))
        glue_value(f"rd_003_best_lr_{model.replace('-', '')}", best)
        best_lrs[model] = best
    lrs = list(best_lrs.values())
    glue_text(
        "rd_003_best_lrs",
        f"{lrs[0]:g} for both models"
        if lrs[0] == lrs[1]
        else " and ".join(f"{lr:g} for {model}" for model, lr in best_lrs.items()),
    )
    diverged = tidy.loc[alternative_name("003/siamese-2", "lr 1"), "diverged_rounds"]
    glue_value("rd_003_s2_lr1_diverged", int(diverged))
    glue_value("rd_003_s10_nobn", tidy.loc[alternative_name("003/siamese-10", "no batch norm"), MEAN])
    glue_value("rd_003_s10", tidy.loc["003/siamese-10", MEAN])


def run_grid_004(p: Mapping[str, Any]) -> pd.DataFrame:
    """Report 004's validation grid rerun, on rounds of its own that no table uses."""
    return run_grid(
        grid_004(epochs=p["epochs"], n_pairs=p["n_pairs"]),
        Protocol.of(p, rounds=p["grid_rounds"], seed=p["grid_seed"]),
        record="final",
        diverged="record",
    )


def grid_choice(grid_frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grid's mean validation error per setting, and each model's lowest (CNN, WS, AL);
    glues the choices and whether the registry uses them."""
    validation = summarise(grid_frame)
    validation[["model", "setting"]] = validation.index.to_series().str.split(
        " | ", n=1, expand=True, regex=False
    )
    chosen = validation.sort_values("mean").groupby("model", sort=False).head(1).set_index("model")
    for model in ("CNN", "WS", "AL"):
        glue_text(f"rd_004_choice_{model.lower()}", chosen.loc[model, "setting"])
    glue_text("rd_004_registered", registry_against_grid(validation, chosen.loc[["CNN", "WS", "AL"]]))
    table = chosen.reindex(["CNN", "WS", "AL"]).reset_index()[["model", "setting", "mean", "std"]]
    return validation, table.rename(columns={"mean": "validation error (%)", "std": "std"})


def glue_004(report: Report) -> None:
    """Report 004's AL as drawn and in our first reading, against the published figure."""
    tidy = report.tidy
    old_al = alternative_name("004/AL", "one dropout rate, plain ends")
    glue_value("rd_004_al", tidy.loc["004/AL", MEAN])
    glue_value("rd_004_al_old", tidy.loc[old_al, MEAN])
    glue_value("rd_004_al_pub", published_means(["004/AL"])["004/AL"])
    glue_value("rd_004_al_digits", tidy.loc["004/AL", DIGITS])
    glue_value("rd_004_al_old_digits", tidy.loc[old_al, DIGITS])
    z_al = readings_table(report.table, ["004/AL"]).set_index("reading")["z"]
    glue_text(
        "rd_004_verdict",
        "built as drawn, AL reproduces the published figure"
        if abs(z_al["registered"]) < 2
        else "the output block brings AL nearer the published figure, but not within two standard errors"
        if abs(z_al["registered"]) < abs(z_al["one dropout rate, plain ends"])
        else "the output block does not explain the published figure",
    )


def overview(reports: Mapping[str, Report], grid_frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every reading's results (the grid's too) and, per published figure, the registered
    reading's gap against the nearest of any reading; glues the counts."""
    tidy = pd.concat(
        [*(r.table for r in reports.values()), results_table(grid_frame, published={})], ignore_index=True
    )
    gaps = reading_gaps(readings_table(tidy, [k for k in PUBLISHED_ROW if k in set(tidy["model_id"])]))
    glue_value("rd_figures", len(gaps))
    glue_value("rd_reproduced", int((gaps["z (registered)"].abs() < 2).sum()))
    glue_value("rd_any", int((gaps["lowest absolute z of any reading"] < 2).sum()))
    glue_value("rd_better", int((gaps["z (registered)"] <= -2).sum()))
    glue_value("rd_worse", int((gaps["z (registered)"] >= 2).sum()))
    return tidy, gaps


def record(tidy: pd.DataFrame, reports: Mapping[str, Report], grid_frame: pd.DataFrame) -> None:
    """Every reading's results and rounds, recorded for the summary and the scorecard."""
    save_results(tidy, "readings")
    save_rounds(pd.concat([*(r.frame for r in reports.values()), grid_frame]), "readings")
