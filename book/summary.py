# ---
# jupyter:
#   chapter:
#     gathers: [results]
#     quick: {}
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: chapter
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
#   figures are reproduced within two standard errors (|z| < 2); our error is lower than
#   published on {glue:}`sum_lower` and higher on {glue:}`sum_higher` ({numref}`tab-scorecard`);
#   {glue:}`sum_descriptive` was published without a spread and is compared in words. Every
#   figure beyond |z| = 2 lists the other readings of its report that we ran.
# - Every chapter's best model is listed in {numref}`tab-summary-best` ({doc}`results_tables`),
#   with how it was chosen.
# ```
#
# Every figure in this chapter is read from the chapters' own results, so it always shows what
# the chapters measured. The full tables, every published model beside our rerun and each
# chapter's best model, are in {doc}`results_tables`.

# %% tags=["parameters", "remove-cell"]
results_dir = ""  # folder of the chapters' results tables; "" means the book's results/

# %% tags=["remove-cell"]
from pathlib import Path

from pairlib.chapters.summary import comparison_counts, constant_answer_error, verdicts_per_report
from pairlib.configs import CAUSES
from pairlib.curves import ours_published_figure, scorecard_figure
from pairlib.page import (
    causes_list,
    glue_figure,
    glue_scorecard,
    glue_value,
    reproduction_scorecard,
    save_results,
    scorecard_display,
    setup_figures,
    show_markdown,
    show_table,
)
from pairlib.published import load_published
from pairlib.results import RESULTS_DIR, gathered_chapters, load_comparisons, load_results, load_rounds
from pairlib.stats import STUCK_TRAIN_ERROR

setup_figures()
folder = Path(results_dir) if results_dir else RESULTS_DIR
results = load_results(gathered_chapters(), folder)
published = load_published()
scorecard = reproduction_scorecard(results, published, CAUSES)
glue_scorecard("sum", scorecard)
glue_value("sum_floor", constant_answer_error(results["pairs"]))
glue_value("sum_test_sets", int((results["pairs"]["split"] == "test").sum()))

# %% [markdown]
# ## The reproduction scorecard
#
# Every published figure is set beside our rerun of the reading we registered for it
# ({doc}`../notebooks/readings` explains each reading and runs the alternatives). The gap
# $z$ is the difference of the two means in standard errors, from both spreads and numbers of
# rounds ([Methods](methods.md)). A figure is *reproduced* when $|z| < 2$; otherwise our
# error is lower or higher than the published one (a gap either way is a discrepancy, not a win). A
# figure published without a spread, or from a single run, has no standard error and so no
# z: it is compared in words ({glue:}`sum_descriptive` such figure). Where a report gives a
# training error, ours stands beside it; no report's spread of it is in the published table,
# so these are shown, not tested. {numref}`tab-scorecard` lists every figure with the
# other readings that ran, and the list under it the cause of each remaining gap as far as the
# runs show it;
# {numref}`fig-summary-scorecard` draws them. The table is also written to the results
# folder as the reproduction table.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    scorecard_display(scorecard),
    "tab-scorecard",
    "The reproduction scorecard: every published figure, our rerun of the registered reading "
    "(mean ± std over our rounds), the gap z in standard errors, the verdict, both training "
    "errors where the report gives one, and how many other readings ran (listed in the "
    "reproduction table of the results folder). The causes of the remaining gaps follow it.",
    floatfmt=".1f",
)
show_markdown("Why the gaps remain, as far as the runs show it:\n\n" + causes_list(scorecard))
save_results(scorecard.drop(columns="chapter"), "reproduction")

# %% tags=["remove-cell"]
glue_figure("fig-summary-scorecard", scorecard_figure(scorecard))

# %% [markdown]
# ```{glue:figure} fig-summary-scorecard
# :name: fig-summary-scorecard
#
# Every published figure against our rerun (mean ± std both ways), coloured by verdict; a
# perfect reproduction sits on the diagonal.
# ```
#
# {numref}`tab-scorecard-reports` counts the verdicts per report, and
# {numref}`fig-summary-errors` shows every published digit-pair result with our rerun beside
# it, highest error on top.

# %% [markdown]
# A gap of more than two standard errors does not say the report was wrong. Most reports
# leave parts of their protocol unstated (the normalisation, the initialisation, layer
# widths, sometimes the number of rounds), some state more than a first reading takes in
# (where batch norm and dropout sit, drawn layer by layer in reports 001 and 004), and a
# figure we miss is first a figure whose reading we may have guessed wrong. That is why the
# scorecard names, for each
# such figure, the other readings the readings chapter ran, and the cause of the gap where
# the runs isolate one. A figure we beat is the same question turned round: a protocol
# difference that favours us, or rounds of the report's that failed to train (reports 001
# and 004 ran more rounds than we did, so the number of rounds is not the cause).

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    verdicts_per_report(scorecard),
    "tab-scorecard-reports",
    "The scorecard per report: published figures, and how many we reproduce (|z| < 2), beat or miss.",
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
#
# The rows of {numref}`fig-summary-errors` are ordered by published error, so the figure
# shows at a glance whether our reruns keep the reports' ranking of their own models, which
# is what most of the reports' conclusions rest on. Where one of our points sits far from
# its report's, {numref}`tab-scorecard` gives the gap in standard errors, and a published
# bar with nothing of ours beside it is a published model that no chapter reran.

# %% [markdown]
# ## The trivial baseline
#
# The data chapter measured the share of positive targets in {glue:}`sum_test_sets` test
# sets: a network that always answers 1 errs on {glue:text}`sum_floor:.1f`% of the test
# pairs. That, not 50%, is the error a model must beat to have learned anything.

# %% tags=["remove-cell"]
comparisons = load_comparisons(gathered_chapters(), folder)
if len(comparisons):
    save_results(comparisons, "comparisons")
rounds = load_rounds(gathered_chapters(), folder)
if len(rounds):
    save_results(rounds, "rounds")
glue_value("sum_rounds", len(rounds))
glue_value("sum_rounds_failed", int(rounds["failed"].sum()) if len(rounds) else 0)
glue_value("sum_stuck_train_error", STUCK_TRAIN_ERROR)
counts = comparison_counts(comparisons)
glue_value("sum_comparisons_fragile", int(counts["clear but fragile"].sum()))
glue_value("sum_comparisons", len(comparisons))
glue_value("sum_comparisons_clear", int(counts["clear after Holm"].sum()))
glue_value("sum_comparisons_unadjusted", int(counts["unadjusted p < 0.05"].sum()))

# %% [markdown]
# ## Every comparison
#
# The chapters' conclusions rest on paired comparisons: two configurations trained on the
# same rounds, their per-round differences averaged, with a 95% interval, a paired t-test and
# an exact Wilcoxon test ([Methods](methods.md)). The chapters made
# {glue:text}`sum_comparisons` of them, all listed with their mean difference, interval,
# paired-t p (raw and Holm-adjusted within the chapter), Wilcoxon p and verdict in
# the comparisons table of the results folder. {numref}`tab-summary-comparisons` counts them
# per chapter.
#
# A chapter that makes many comparisons will find some with a small p by chance alone, so a
# difference is called *clear* only when its p stays below 0.05 after Holm's adjustment over
# all the comparisons of its chapter, and its interval excludes zero. Over the book,
# {glue:text}`sum_comparisons_unadjusted` comparisons have an unadjusted p below 0.05 and
# {glue:text}`sum_comparisons_clear` are clear: the difference is what an unadjusted reading
# would have claimed in addition. The exact Wilcoxon test cannot go below $2/2^n$ with $n$ rounds;
# a comparison at that floor says only that every round went the same way, and more rounds
# would be needed to say more.
#
# With ten rounds, one round can carry a verdict. A clear comparison is *fragile* when
# leaving out one of its rounds (any one, the rest of its chapter's comparisons unchanged)
# would make it unclear: {glue:text}`sum_comparisons_fragile` of the clear ones are, and the
# chapters say so wherever they use one ("a verdict that one round decides"). Of the
# {glue:text}`sum_rounds` rounds behind the book's tables, {glue:text}`sum_rounds_failed`
# failed to train (diverged, or ended at a training error of
# {glue:text}`sum_stuck_train_error:.0f`% or more, the rule set before looking). Every round
# is in the rounds table of the results folder, with its chapter, model, seed, errors and
# whether it failed, so that anyone can recompute every comparison and verdict of the book.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    counts,
    "tab-summary-comparisons",
    "The book's paired comparisons per chapter: how many were made, how many are clear after "
    "Holm's adjustment within the chapter, how many of those one round decides (fragile), how "
    "many have an unadjusted paired-t p below 0.05, and how many sit at the exact Wilcoxon "
    "test's floor 2/2ⁿ of their n rounds.",
)
