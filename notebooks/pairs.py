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
# # The digit-pair data set
#
# Every experiment in this book is trained and tested on the same kind of data: pairs of
# handwritten digits drawn from MNIST {cite:p}`lecun1998` exactly as the course's
# `generate_pair_sets` draws them. This chapter states that protocol, looks at what it
# produces, checks how balanced the targets and digits are, and collects the results the
# five reports published, which later chapters try to reproduce.
#
# ```{admonition} Key findings
# :class: tip
# - The targets are not balanced: {glue:text}`test_positive:.3f` of the test pairs are
#   positive on average, so answering 1 always errs on {glue:text}`trivial_error:.1f`%, the
#   floor every model must clear.
# - The digits are close to uniform, from {glue:text}`least_common_pct:.1f`% to
#   {glue:text}`most_common_pct:.1f`% of the images.
# - The {glue:text}`n_published` published test errors span
#   {glue:text}`worst_error:.1f`% down to {glue:text}`best_error:.1f`%.
# ```

# %% tags=["parameters"]
n_pairs = 1000  # pairs in each of the training and test sets
seed = 0  # the draw shown in the figures
rounds = 10  # draws (seeds 0..rounds-1) for the balance statistics

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from pairlib.data import TEST_IMAGES, TRAIN_IMAGES, generate_pair_sets
from pairlib.page import (
    check_parameters,
    glue_figure,
    glue_text,
    glue_value,
    mean_std_column,
    report_label,
    save_results,
    setup_figures,
    show_table,
)
from pairlib.published import load_published

p = check_parameters(n_pairs=n_pairs, seed=seed, rounds=rounds)
setup_figures()
glue_value("n_pairs", p["n_pairs"])
glue_value("rounds", p["rounds"])
glue_value("train_images", TRAIN_IMAGES)
glue_value("test_images", TEST_IMAGES)

# %% [markdown]
# ## The protocol
#
# MNIST holds {glue:text}`train_images:,` training and {glue:text}`test_images:,` test
# images of 28×28 pixels. The course's function average-pools every image by 2 to 14×14
# pixels (grey levels stay in 0..255), draws a random permutation of each set, and takes its
# first 2n indices as n pairs. Each input is therefore a 2×14×14 tensor whose two channels
# are two different images, the two class labels (the digits) come along, and the target is
# 1 when the first digit is less than or equal to the second. Training pairs come from the
# training images and test pairs from the test images, so no image is shared between them;
# the test set bounds n at half its size. The course sets n to 1000 for training and for
# testing, as do the reports, which draw new sets in every round. This chapter draws
# n = {glue:text}`n_pairs` pairs; every chapter draws round r from seed r, so that all
# the models of a chapter see the same pairs in round r.
#
# {numref}`fig-sample-pairs` shows the first pairs of one draw. The inputs are fed to the
# networks after standardising them with the mean and standard deviation of the training
# pixels, a step the reports share {cite:p}`ahmed_ee559`.

# %% tags=["remove-cell"]
pairs = generate_pair_sets(p["n_pairs"], seed=p["seed"])
shown = 8
fig, axes = plt.subplots(2, shown, figsize=(6.4, 2.3))
for k in range(shown):
    d1, d2 = pairs.train_classes[k].tolist()
    for row in range(2):
        axes[row, k].imshow(pairs.train_input[k, row], cmap="gray_r", vmin=0, vmax=255)
        axes[row, k].set_xticks([])
        axes[row, k].set_yticks([])
    axes[0, k].set_title(f"{d1} ≤ {d2}?\ntarget {pairs.train_target[k].item()}", fontsize=9)
axes[0, 0].set_ylabel("first", fontsize=9)
axes[1, 0].set_ylabel("second", fontsize=9)
glue_figure("fig-sample-pairs", fig)
glue_value("seed", p["seed"])

# %% [markdown]
# ```{glue:figure} fig-sample-pairs
# :name: fig-sample-pairs
#
# The first eight training pairs drawn with seed {glue:text}`seed`. Each column is one
# input: its two 14×14 channels, the two digits and the target (1 when the first digit is
# less than or equal to the second).
# ```

# %% [markdown]
# ## How balanced are the targets?
#
# If the two digits were independent and uniform over 0..9, the target would be 1 with
# probability 55/100 = 0.55: the ten pairs of equal digits plus half of the ninety others.
# MNIST's digits are not quite uniform, so the expected rate is $\sum_{i \le j} p_i p_j$
# with the measured digit frequencies $p_i$, and a single draw of $n$ pairs adds sampling
# noise of about $\sqrt{0.55 \cdot 0.45 / n}$.

# %% tags=["remove-cell"]
records, digit_counts = [], np.zeros(10)
for r in range(p["rounds"]):
    draw = generate_pair_sets(p["n_pairs"], seed=r)
    for split, target, classes in (
        ("train", draw.train_target, draw.train_classes),
        ("test", draw.test_target, draw.test_classes),
    ):
        records.append(
            {
                "seed": r,
                "split": split,
                "n_pairs": p["n_pairs"],
                "positive_fraction": target.float().mean().item(),
                "equal_fraction": (classes[:, 0] == classes[:, 1]).float().mean().item(),
            }
        )
        digit_counts += torch.bincount(classes.flatten(), minlength=10).numpy()
balance = pd.DataFrame(records)
save_results(balance, "pairs")

freq = digit_counts / digit_counts.sum()
expected = sum(freq[i] * freq[j] for i in range(10) for j in range(10) if i <= j)
by_split = balance.groupby("split")["positive_fraction"].agg(["mean", "std", "min", "max"])
glue_value("expected_positive", expected)
glue_value("train_positive", by_split.loc["train", "mean"])
glue_value("test_positive", by_split.loc["test", "mean"])
glue_value("positive_min", balance["positive_fraction"].min())
glue_value("positive_max", balance["positive_fraction"].max())
glue_value("sampling_sd", (0.55 * 0.45 / p["n_pairs"]) ** 0.5)
glue_value("trivial_error", 100 * (1 - by_split.loc["test", "mean"]))
glue_value("draw_sd", balance["positive_fraction"].std())
glue_value("draws", 2 * p["rounds"])
glue_value("most_common", int(freq.argmax()))
glue_value("most_common_pct", 100 * freq.max())
glue_value("least_common", int(freq.argmin()))
glue_value("least_common_pct", 100 * freq.min())

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
summary_table = pd.DataFrame(
    {
        "set": by_split.index,
        "draws": balance.groupby("split").size().to_numpy(),
        "positive fraction": mean_std_column(by_split["mean"], by_split["std"], 3),
        "min": by_split["min"].to_numpy(),
        "max": by_split["max"].to_numpy(),
    }
)
show_table(
    summary_table,
    "tab-target-balance",
    f"Fraction of positive targets over {p['rounds']} draws of {p['n_pairs']} pairs (mean ± std).",
    floatfmt=".3f",
)

# %% [markdown]
# Over {glue:text}`draws` sets of {glue:text}`n_pairs` pairs ({numref}`tab-target-balance`),
# the fraction of positive targets averages {glue:text}`train_positive:.3f` in the training
# sets and {glue:text}`test_positive:.3f` in the test sets, against
# {glue:text}`expected_positive:.3f` expected from the measured digit frequencies; single
# draws range from {glue:text}`positive_min:.3f` to {glue:text}`positive_max:.3f`, a
# standard deviation of {glue:text}`draw_sd:.3f` across draws against
# {glue:text}`sampling_sd:.3f` expected from sampling alone. The classes are thus slightly
# unbalanced: a classifier that always answers 1 errs on about
# {glue:text}`trivial_error:.1f`% of the test pairs, which is the floor every model below
# must clear.
#
# The digits themselves are close to uniform ({numref}`fig-digit-balance`): the most common,
# {glue:text}`most_common`, makes {glue:text}`most_common_pct:.1f`% of the images, the
# rarest, {glue:text}`least_common`, {glue:text}`least_common_pct:.1f`%, so a branch that
# classifies digits sees every class often enough.

# %% tags=["remove-cell"]
fig, (ax_digits, ax_targets) = plt.subplots(1, 2, figsize=(6.4, 2.6))
ax_digits.bar(range(10), 100 * freq, color="tab:blue")
ax_digits.axhline(10, color="black", lw=0.8, ls="--", label="uniform")
ax_digits.set_xticks(range(10))
ax_digits.set_xlabel("digit")
ax_digits.set_ylabel("share of images (%)")
ax_digits.set_ylim(0, 14)
ax_digits.legend(loc="upper right", fontsize=8)
for split, marker in (("train", "o"), ("test", "s")):
    sub = balance[balance["split"] == split]
    ax_targets.plot(sub["seed"], sub["positive_fraction"], marker=marker, ls="", label=split)
ax_targets.axhline(expected, color="black", lw=0.8, ls="--", label="expected")
ax_targets.set_xlabel("seed")
ax_targets.set_ylabel("positive fraction")
ax_targets.legend(fontsize=8, ncols=3, loc="upper center")
ax_targets.set_ylim(0.45, 0.65)
glue_figure("fig-digit-balance", fig)

# %% [markdown]
# ```{glue:figure} fig-digit-balance
# :name: fig-digit-balance
#
# Left: share of each digit among all images of the {glue:text}`draws` sets. Right:
# fraction of positive targets in each set, against the value expected from the digit
# frequencies.
# ```

# %% [markdown]
# ## What the reports found
#
# {numref}`tab-published` lists every result the five reports published
# {cite:p}`grall_ee559,dong_ee559,salimbeni_ee559,ahmed_ee559,savary_ee559`, read from
# `results/published.csv`. Test errors are in percent, mean ± standard deviation over the
# report's rounds, each round a fresh draw of 1000 + 1000 pairs. "WS" is weight sharing
# ("conv only" when only convolutional layers are shared), "aux" the auxiliary loss ("classes
# only" when the network is trained on the digits alone and the comparison is fixed).
# The models differ in much more than these two switches (architecture, optimiser, number of
# parameters), so the table is a map of the ground, not a controlled comparison; the next
# chapters supply that.

# %% tags=["remove-input"]
published = load_published()
pairs_rows = published[published["weight_sharing"] != "n/a"]
published_table = pd.DataFrame(
    {
        "report": pairs_rows["report"].map(lambda r: report_label(r, cite=False, short=True)),
        "model": pairs_rows["model_id"],
        "WS": pairs_rows["weight_sharing"],
        "aux": pairs_rows["aux_loss"],
        "comparator": pairs_rows["comparator"],
        "loss": pairs_rows["loss"],
        "rounds": pairs_rows["rounds"],
        "test error (%)": mean_std_column(
            pairs_rows["test_error_mean_pct"], pairs_rows["test_error_std_pct"]
        ),
    }
)
show_table(
    published_table,
    "tab-published",
    "Test error of every digit-pair model in the five reports, read from results/published.csv.",
)
best = pairs_rows.loc[pairs_rows["test_error_mean_pct"].idxmin()]
worst = pairs_rows.loc[pairs_rows["test_error_mean_pct"].idxmax()]
glue_value("n_published", len(pairs_rows))
glue_text("best_model", best["model_id"])
glue_text("best_report", report_label(best["report"], cite=False))
glue_value("best_error", best["test_error_mean_pct"])
glue_text("worst_model", worst["model_id"])
glue_text("worst_report", report_label(worst["report"], cite=False))
glue_value("worst_error", worst["test_error_mean_pct"])
glue_text("best_description", best["description"])
uses_labels = pairs_rows["aux_loss"] != "no"
glue_value("n_labels", int(uses_labels.sum()))
glue_value("n_targets_only", int((~uses_labels).sum()))
glue_value("labels_error", pairs_rows.loc[uses_labels, "test_error_mean_pct"].mean())
glue_value("targets_only_error", pairs_rows.loc[~uses_labels, "test_error_mean_pct"].mean())

# %% [markdown]
# The {glue:text}`n_published` published errors span a wide range: from
# {glue:text}`worst_error:.1f`% for {glue:}`worst_model` ({glue:}`worst_report`) down to
# {glue:text}`best_error:.1f`% for {glue:}`best_model` ({glue:}`best_report`:
# {glue:}`best_description`). The {glue:text}`n_labels` models that use the digit labels,
# as an auxiliary loss or as their only training signal, average
# {glue:text}`labels_error:.1f`% test error; the {glue:text}`n_targets_only` trained on the
# targets alone average {glue:text}`targets_only_error:.1f`%. Whether that gap comes from the
# labels themselves, from weight sharing, or from the many other differences between the
# reports is what the following chapters measure under one protocol.
