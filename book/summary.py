# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Summary
#
# This page gathers the results table that every chapter recorded in `results/` when the
# book was built, and sets each of our test errors beside the published one it reproduces.
# Chapters that have not recorded a table are skipped. Numbers cross pages only through
# these tables, so this page always shows what the chapters actually measured.

# %% tags=["parameters", "remove-cell"]
results_dir = ""  # folder of the chapters' results tables; "" means the book's results/

# %% tags=["remove-cell"]
from pathlib import Path

import matplotlib.pyplot as plt

from pairlib.book import (
    RESULTS_DIR,
    best_per_chapter,
    compare_with_published,
    glue_figure,
    load_results,
    setup_figures,
    show_markdown,
    show_table,
    toc_chapters,
)
from pairlib.published import REPORTS, load_published

setup_figures()
folder = Path(results_dir) if results_dir else RESULTS_DIR
results = load_results(toc_chapters(), folder)
published = load_published()

# %% [markdown]
# ## Our results beside the published ones

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
comparison = compare_with_published(results, published)
if comparison.empty:
    show_markdown(
        "No chapter has recorded a model's test error yet; the table of our results beside "
        "the published ones appears here once the experiment chapters are built."
    )
else:
    show_markdown(
        "{numref}`tab-summary` lists every published model that a chapter reproduced, in the "
        "order of the reports, with the published test error and ours (mean ± standard "
        "deviation over the rounds). The chapters give the details of each configuration, "
        "and the controls the reports did not run."
    )
    show_table(
        comparison,
        "tab-summary",
        "Published test error (%) of every reproduced model beside ours (mean ± std over "
        "rounds), and the chapter that measured it.",
    )

# %% [markdown]
# ## Beyond the reports

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
best = best_per_chapter(results)
if best.empty:
    show_markdown("No chapter has recorded a model's test error yet.")
else:
    show_markdown(
        "{numref}`tab-summary-best` gives each chapter's best model. Where a chapter chose "
        "among its models on validation pairs, it is that choice; elsewhere it is the row with "
        "the lowest mean test error, a choice made on the test pairs themselves, so its figure "
        "flatters it a little. Some rows reproduce a published model, others are the chapters' "
        "own additions."
    )
    show_table(
        best,
        "tab-summary-best",
        "Each chapter's best model, how it was chosen (on validation pairs, or as the lowest mean "
        "test error of the chapter's table) and its test error, mean ± std over rounds.",
    )

# %% tags=["remove-cell"]
pairs_published = published[published["weight_sharing"] != "n/a"].copy()
pairs_published["label"] = [
    f"{REPORTS[r]}: {m}" for r, m in zip(pairs_published["report"], pairs_published["model_id"], strict=True)
]
pairs_published = pairs_published.sort_values("test_error_mean_pct", ascending=False)
ours = {
    (row.report, row.published_model_id): row
    for table in results.values()
    if {"report", "published_model_id", "test_error_mean_pct"} <= set(table.columns)
    for row in table.itertuples()
}
fig, ax = plt.subplots(figsize=(6.4, 0.2 * len(pairs_published) + 0.9))
y = range(len(pairs_published))
ax.errorbar(
    pairs_published["test_error_mean_pct"],
    y,
    xerr=pairs_published["test_error_std_pct"].fillna(0),
    fmt="o",
    color="tab:gray",
    ms=4,
    capsize=2,
    label="published",
)
matched = [
    (k, ours[(row.report, row.model_id)])
    for k, row in enumerate(pairs_published.itertuples())
    if (row.report, row.model_id) in ours
]
if matched:
    ax.errorbar(
        [m.test_error_mean_pct for _, m in matched],
        [k + 0.25 for k, _ in matched],
        xerr=[getattr(m, "test_error_std_pct", 0) for _, m in matched],
        fmt="D",
        color="tab:red",
        ms=4,
        capsize=2,
        label="this book",
    )
ax.set_yticks(list(y))
ax.set_yticklabels(pairs_published["label"], fontsize=7)
ax.set_xlabel("test error (%)")
ax.set_xlim(left=0)
ax.grid(axis="x", lw=0.3)
ax.legend(fontsize=8, loc="upper right")
glue_figure("fig-summary-errors", fig)

# %% [markdown]
# {numref}`fig-summary-errors` shows all published digit-pair results at once, with ours
# beside them.
#
# ```{glue:figure} fig-summary-errors
# :name: fig-summary-errors
#
# Test error of every digit-pair model in the five reports (grey, mean ± std over their
# rounds), and of our runs of the same models where a chapter recorded one (red).
# ```

# %% [markdown]
# ## The floor set by the data

# %% tags=["remove-input"]
if "pairs" in results:
    balance = results["pairs"]
    test = balance[balance["split"] == "test"]["positive_fraction"]
    show_markdown(
        f"The data chapter measured a positive fraction of {test.mean():.3f} in "
        f"{len(test)} test sets of {int(balance['n_pairs'].iloc[0])} pairs, so a network "
        f"that always answers 1 has a test error of {100 * (1 - test.mean()):.1f}%. Every "
        "model in this book must be judged against that floor, not against 50%."
    )
else:
    show_markdown("The data chapter has not recorded its class-balance table yet.")

# %% tags=["remove-input"]
# Every paired comparison of the book in one table, results/comparisons.csv (Methods page).
from pairlib.book import load_comparisons, save_results
from pairlib.stats import wilcoxon_floor

comparisons = load_comparisons(toc_chapters(), folder)
if len(comparisons):
    save_results(comparisons, "comparisons")
    floor = comparisons["rounds"].map(wilcoxon_floor)
    counts = (
        comparisons.assign(
            unadjusted=comparisons["p_value"] < 0.05, at_floor=comparisons["wilcoxon_p"] <= floor * 1.0001
        )
        .groupby("chapter", sort=False)[["clear", "unadjusted", "at_floor"]]
        .agg(["sum", "size"])
    )
    show_markdown(
        "## Every comparison\n\n"
        f"The chapters made {len(comparisons)} paired comparisons, all listed with their mean "
        "difference, 95% interval, paired-t p (raw and Holm-adjusted within the chapter), exact "
        "Wilcoxon p and verdict in `results/comparisons.csv`. "
        + " ".join(
            f"{chapter}: {int(row[('clear', 'sum')])} of {int(row[('clear', 'size')])} clear after "
            f"Holm's adjustment ({int(row[('unadjusted', 'sum')])} with an unadjusted p below 0.05; "
            f"{int(row[('at_floor', 'sum')])} at the Wilcoxon floor 2/2^n of their n rounds)."
            for chapter, row in counts.iterrows()
        )
    )
