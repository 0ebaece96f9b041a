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
# ```{admonition} Key findings
# :class: tip
# - {glue:}`sum_agree` of the {glue:}`sum_reproduced` published digit-pair and framework
#   results we reran agree with ours within two standard errors; ours is lower for
#   {glue:}`sum_lower` and higher for {glue:}`sum_higher` ({numref}`tab-scorecard`).
# - Every chapter's best model is listed in {numref}`tab-summary-best` of the appendix
#   {doc}`results_tables`, with how it was chosen.
# - No model may be judged against 50%: answering 1 always errs on
#   {glue:text}`sum_floor:.1f`% of the test pairs.
# ```
#
# This page reads the results table every chapter recorded in `results/` when the book was
# built, so it always shows what the chapters measured. The full tables, every published
# model beside our rerun and each chapter's best model, are in the appendix
# {doc}`results_tables`.

# %% tags=["parameters", "remove-cell"]
results_dir = ""  # folder of the chapters' results tables; "" means the book's results/

# %% tags=["remove-cell"]
from pathlib import Path

from pairlib.curves import ours_published_figure
from pairlib.page import (
    RESULTS_DIR,
    glue_figure,
    glue_scorecard,
    glue_value,
    load_results,
    reproduction_scorecard,
    setup_figures,
    show_table,
    toc_chapters,
)
from pairlib.published import load_published

setup_figures()
folder = Path(results_dir) if results_dir else RESULTS_DIR
results = load_results(toc_chapters(), folder)
published = load_published()
scorecard = reproduction_scorecard(results, published)
glue_scorecard("sum", scorecard)
balance = results["pairs"]
glue_value("sum_floor", 100 * (1 - balance.loc[balance["split"] == "test", "positive_fraction"].mean()))
glue_value("sum_test_sets", int((balance["split"] == "test").sum()))

# %% [markdown]
# ## The reproduction scorecard
#
# A published figure *agrees* with ours when the two means differ by less than two standard
# errors of their difference, computed from both standard deviations and round counts (ours
# alone where a report gave no spread). {numref}`tab-scorecard` counts the verdicts per
# report; {numref}`fig-summary-errors` shows every published digit-pair result with our rerun
# beside it, and the appendix lists them model by model.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
per_report = (
    scorecard.groupby("report")["verdict"]
    .value_counts()
    .unstack(fill_value=0)
    .reindex(columns=["agrees", "ours lower", "ours higher"], fill_value=0)
)
per_report.insert(0, "models rerun", per_report.sum(axis=1))
show_table(
    per_report.rename_axis("report").reset_index(),
    "tab-scorecard",
    "The reproduction scorecard: published models rerun per report, and whether the published "
    "mean agrees with ours within two standard errors, or ours is lower or higher.",
)

# %% tags=["remove-cell"]
pairs_published = published[published["weight_sharing"] != "n/a"]
glue_figure("fig-summary-errors", ours_published_figure(pairs_published, results))

# %% [markdown]
# ```{glue:figure} fig-summary-errors
# :name: fig-summary-errors
#
# Test error of every digit-pair model in the five reports (mean ± std over their rounds),
# and of our rerun of the same model where a chapter recorded one.
# ```

# %% [markdown]
# ## The floor set by the data
#
# The data chapter measured the share of positive targets in {glue:}`sum_test_sets` test
# sets: a network that always answers 1 errs on {glue:text}`sum_floor:.1f`% of the test
# pairs. Every model in this book must be judged against that floor, not against 50%.

# %% tags=["remove-input"]
# Every paired comparison of the book in one table, results/comparisons.csv (Methods page).
from pairlib.page import load_comparisons, save_results, show_markdown
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
