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
# ```{raw} latex
# % The landing page opens the PDF as its abstract: an unnumbered chapter, so that the
# % Introduction is chapter 1 as in the HTML.
# \setcounter{secnumdepth}{-1}
# ```
#
# # Weight sharing, auxiliary losses and a mini framework
#
# ## Abstract
#
# *A reproducible study of the two mini-projects of EPFL's deep-learning course EE-559.*
#
# Can a network that compares two handwritten digits learn better when its two branches share
# their weights, and when it is also taught to name each digit? Five student reports answered
# with test errors from {glue:text}`abs_worst_published:.0f`% down to
# {glue:text}`abs_best_published:.0f`%, on the same small task but with
# different networks, losses and training protocols. This book reruns their experiments under
# one protocol, every result a mean ± standard deviation over independent rounds set beside
# the published one, and rebuilds the course's second exercise, a deep-learning framework
# without autograd.

# %% tags=["parameters", "remove-cell"]
results_dir = ""  # folder of the chapters' results tables; "" means the book's results/

# %% tags=["remove-cell"]
from pathlib import Path

from pairlib.chapters.summary import (
    ABSTRACT_CHAPTERS,
    glue_abstract,
    headline_steps,
    report_sentences,
    sharing_aux_cells,
)
from pairlib.curves import headline_figure, sharing_aux_figure
from pairlib.page import glue_figure, glue_text, setup_figures
from pairlib.published import load_published
from pairlib.results import RESULTS_DIR, load_comparisons, load_results

setup_figures()
folder = Path(results_dir) if results_dir else RESULTS_DIR
results = load_results(ABSTRACT_CHAPTERS, folder)
scorecard = glue_abstract(results, load_published(), load_comparisons(ABSTRACT_CHAPTERS, folder))
for report, sentence in report_sentences(scorecard).items():
    glue_text(f"abs_report_{report}", sentence)

# %% tags=["remove-cell"]
# NBVAL_CHECK_OUTPUT
print(f"abstract read from {', '.join(results)}; {len(scorecard)} published models rerun")

# %% tags=["remove-cell"]
glue_figure("fig-abstract", headline_figure(headline_steps(results)))
glue_figure("fig-abstract-2x2", sharing_aux_figure(sharing_aux_cells(results), "report 002's ConvNet"))

# %% [markdown]
# ```{glue:figure} fig-abstract
# :name: fig-abstract
#
# The book in one picture: test error (mean and 95% confidence interval over our rounds),
# the published means marked. Report 004's networks change one thing per step: the
# two-channel CNN split into two branches, the branches shared, the shared model trained at
# the learning rate of the report's auxiliary-loss model, then that loss added (ours lies far below its
# published figure; the readings chapter looks for why). Below them, report 000's engineered
# comparator, report 003's digits compared by argmax, and our best model.
# ```
#
# 1. **Weight sharing.** With everything else equal, sharing the two branches' weights
#    changes the mean test error of report 000's Model B ({glue:}`abs_ws_000`) and of report
#    004's network ({glue:}`abs_ws_004`; {doc}`../notebooks/weight_sharing`). *Clearly*
#    means a paired test over the rounds, Holm-adjusted within its chapter.
#    {numref}`fig-abstract-2x2` crosses sharing with an auxiliary loss on one network.
# 2. **An auxiliary loss on the digits.** Adding it to the training loss changes the mean
#    test error of report 000's Model A ({glue:}`abs_aux_000`), of report 004's shared
#    network trained at the learning rate of its auxiliary-loss model
#    ({glue:}`abs_aux_004`) and of report 001's CNN ({glue:}`abs_aux_001`;
#    {doc}`../notebooks/auxiliary_loss`).
# 3. **The best model.** Our best digit-pair model, {glue:}`abs_best_model` (designed on
#    validation pairs of data drawn for its design alone), errs on {glue:}`abs_best_error`% of
#    the test pairs of {glue:}`abs_best_rounds` further draws that no choice saw, {glue:}`abs_best_vs`
#    the best published figure,
#    {glue:text}`abs_best_published:.1f`% for {glue:}`abs_best_published_model`. A model that
#    always answers 1 errs on {glue:text}`abs_floor:.1f`%.
# 4. **The published figures.** Of the {glue:}`abs_reproduced` published figures we
#    reran (digit pairs and the framework), {glue:}`abs_agree` agree with ours within two
#    standard errors, ours is lower for {glue:}`abs_lower` and higher for
#    {glue:}`abs_higher`; {glue:}`abs_descriptive` was published without a spread and is
#    compared in words ({doc}`summary`).
# 5. **The mini framework.** Report 004's recipe reaches {glue:}`abs_fw_recipe`%
#    test error on the disk problem (published: {glue:text}`abs_fw_published:.1f`%); the
#    network its chapter chose on validation sets (hidden activations, loss, optimiser and
#    schedule: {glue:}`abs_fw_best_model`) errs on
#    {glue:}`abs_fw_best`%
#    ({doc}`../notebooks/mini_framework`).
# 6. **Report by report**, against what each published:
#    - Report 000 {cite:p}`grall_ee559`: {glue:}`abs_report_000`.
#    - Report 001 {cite:p}`dong_ee559`: {glue:}`abs_report_001`.
#    - Report 002 {cite:p}`salimbeni_ee559`: {glue:}`abs_report_002`.
#    - Report 003 {cite:p}`ahmed_ee559`: {glue:}`abs_report_003`.
#    - Report 004 {cite:p}`savary_ee559`: {glue:}`abs_report_004`.
#
# ```{glue:figure} fig-abstract-2x2
# :name: fig-abstract-2x2
#
# Weight sharing and the auxiliary loss on one network: report 002's ConvNet with separate
# or shared branch weights, without (grey) or with (blue) an auxiliary loss on the digits;
# mean and 95% confidence interval over our rounds, published means marked.
# ```
#
# Every page is generated from code that ran to produce it: the chapters are notebooks
# executed by the build, and their numbers and figures are computed, never typed. The
# {doc}`intro` introduces the five reports and explains how to read the book; the appendices
# give the full results tables, the execution statistics and
# {doc}`how to reproduce it <reproduce>`.
#
# ```{only} html
# The book is also a single <a href="../book.pdf">PDF</a>, built from the same sources.
# ```
#
# ```{raw} latex
# % Chapters are numbered again from the Introduction on (the class's default depth).
# \setcounter{secnumdepth}{2}
# ```
