# ---
# jupyter:
#   chapter:
#     gathers: [results, notebooks]
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
# # Appendix: execution statistics
#
# When, on which processor and how long each chapter ran, as the build recorded it in the
# executed notebook, with the runs its results table holds and the training time they took
# on one CPU thread (runs read from the results cache cost no training in that execution, so
# the two times differ). The runs are counted as the table's rows times their rounds: a
# readout or an ensemble built from runs already counted counts again, and runs that choose
# a setting on validation pairs, outside the table, are not counted, so a chapter's own count
# of the runs it trained differs. Then the parameters each chapter ran with and the versions that
# computed the book. PyTorch does not promise the same last bits on another processor: where
# two chapters ran on different machines, a configuration they share can differ between them
# in its last digits.

# %% tags=["parameters", "remove-cell"]
results_dir = ""  # folder of the chapters' results tables; "" means the book's results/

# %% tags=["remove-cell"]
import platform
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from pairlib.page import chapter_parameters_table, execution_statistics, show_markdown, show_table
from pairlib.results import RESULTS_DIR, load_results
from pairlib.toc import toc_chapters

folder = Path(results_dir) if results_dir else RESULTS_DIR
chapters = [(c.name, c.notebook) for c in toc_chapters() if not c.gathers]
results = load_results([name for name, _ in chapters], folder)

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_markdown(
    f"The build executed {len(chapters)} chapters, each with papermill in a fresh kernel, and "
    "then the pages that gather their results (the landing page, the summary and these "
    "appendices)."
)

# %% tags=["remove-input"]
statistics = execution_statistics(chapters, results)
show_table(
    statistics,
    "tab-execution",
    "Each chapter's last execution: its date, the processor it ran on and its numerics mode "
    "(native: the processor's own kernels; portable: capped at AVX2), its duration, the runs its "
    "results table holds (rows × rounds) and their training time (minutes on one CPU thread; empty where a "
    "chapter records none).",
    floatfmt=".1f",
)

# %% [markdown]
# Every chapter was executed with the parameters of {numref}`tab-parameters`: the defaults of
# its `parameters` cell, which papermill can change (the README shows how). The same values
# are recorded in each executed notebook's metadata, with the fingerprint of the sources it
# was executed from, which is how the build knows a committed chapter is current.

# %% tags=["remove-input"]
show_table(
    chapter_parameters_table(chapters),
    "tab-parameters",
    "The parameters each chapter was executed with, as its parameters cell describes them.",
)

# %% tags=["remove-input"]
packages = ["torch", "numpy", "pandas", "scipy", "matplotlib", "seaborn"]
packages += ["papermill", "jupyter-book", "myst-nb", "sphinx"]
versions = pd.DataFrame(
    {
        "software": ["Python", *packages],
        "version": [platform.python_version(), *[version(name) for name in packages]],
    }
)
show_markdown(
    f"The pages were computed on {platform.system()} {platform.machine()}, with the versions of "
    "{numref}`tab-versions` (the full list is `requirements.lock`)."
)
show_table(versions, "tab-versions", "The versions of Python and the main packages that computed the book.")
