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
# # Appendix: the results tables
#
# The full tables behind the {doc}`summary`: every published model a chapter reran, our test
# error beside the published one with the scorecard's verdict, and each chapter's best
# model. They are read from the tables the chapters recorded in the results folder.

# %% tags=["parameters", "remove-cell"]
results_dir = ""  # folder of the chapters' results tables; "" means the book's results/

# %% tags=["remove-cell"]
from pathlib import Path

import pandas as pd

from pairlib.page import (
    best_per_chapter,
    compare_with_published,
    reproduction_scorecard,
    show_markdown,
    show_table,
)
from pairlib.published import load_published
from pairlib.results import RESULTS_DIR, gathered_chapters, load_results

folder = Path(results_dir) if results_dir else RESULTS_DIR
results = load_results(gathered_chapters(), folder)
published = load_published()

# %% [markdown]
# ## Every rerun published model

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
comparison = compare_with_published(results, published)
scorecard = reproduction_scorecard(results, published)
if comparison.empty:
    show_markdown("No chapter has recorded a model's test error yet.")
else:
    table = pd.DataFrame(
        {
            "report": comparison["report"],
            "published model": comparison["published model"],
            "published (%)": comparison["published (%)"],
            "ours (%)": comparison["ours (%)"],
            "verdict": scorecard["verdict"],
            "chapter": comparison["chapter"].str.replace("_", " "),
        }
    )
    show_table(
        table,
        "tab-summary",
        "Published test error (%) of every rerun model beside ours (mean ± std over rounds), "
        "the scorecard's verdict (agreement within two standard errors) and the chapter that "
        "measured it.",
    )

# %% [markdown]
# ## Each chapter's best model
#
# Where a chapter chose among its models on validation pairs, the row is that choice;
# elsewhere it is the row with the lowest mean test error, a choice made on the test pairs
# themselves, which flatters it a little.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
best = best_per_chapter(results)
if best.empty:
    show_markdown("No chapter has recorded a model's test error yet.")
else:
    show_table(
        best.assign(chapter=best["chapter"].str.replace("_", " ")),
        "tab-summary-best",
        "Each chapter's best model, how it was chosen (on validation pairs, or as the lowest mean "
        "test error of the chapter's table) and its test error, mean ± std over rounds.",
    )
