# ---
# jupyter:
#   chapter:
#     quick: {rounds: 2}
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: chapter
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
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
# own data function draws them. This chapter states that protocol, looks at what it
# produces, checks how balanced the targets and digits are, and collects the results the
# five reports published, which later chapters try to reproduce.
#
# ```{admonition} Key findings
# :class: tip
# - The targets are slightly unbalanced: {glue:text}`test_positive:.3f` of the test pairs
#   are positive on average, so answering 1 always errs on {glue:text}`trivial_error:.1f`%,
#   the error every model must beat.
# - The digits are close to uniform, from {glue:text}`least_common_pct:.1f`% to
#   {glue:text}`most_common_pct:.1f`% of the images.
# - The {glue:text}`n_published` published test errors span
#   {glue:text}`worst_error:.1f`% down to {glue:text}`best_error:.1f`%, the lowest from a
#   report that chose its settings by their accuracy on the test sets.
# ```

# %% tags=["parameters"]
n_pairs = 1000  # pairs in each of the training and test sets
seed = 0  # the draw shown in the figures
rounds = 10  # draws (seeds 0..rounds-1) for the balance statistics

# %% tags=["remove-cell"]
from pairlib.chapters import pairs
from pairlib.curves import balance_figure, sample_pairs_figure
from pairlib.data import TEST_IMAGES, TRAIN_IMAGES, generate_pair_sets
from pairlib.page import glue_facts, glue_figure, save_results, setup_chapter, show_table
from pairlib.published import load_published

p = setup_chapter(n_pairs=n_pairs, seed=seed, rounds=rounds, glue="")
glue_facts({"train_images": TRAIN_IMAGES, "test_images": TEST_IMAGES})

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
# testing; reports 000, 001 and 003 say that they draw new sets in every round, and 002 and
# 004 do not say. This chapter draws
# n = {glue:text}`n_pairs` pairs; every chapter draws round r from seed r, so that all
# the models of a chapter see the same pairs in round r.
#
# {numref}`fig-sample-pairs` shows the first pairs of one draw. The inputs are fed to the
# networks after standardising them with the mean and standard deviation of the training
# pixels, as report 003 says it does {cite:p}`ahmed_ee559`.

# %% tags=["remove-cell"]
glue_figure("fig-sample-pairs", sample_pairs_figure(generate_pair_sets(p["n_pairs"], seed=p["seed"])))

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
balance, freq = pairs.target_balance(p["n_pairs"], p["rounds"])
save_results(balance, "pairs")
facts = pairs.balance_facts(balance, freq, p["n_pairs"])
glue_facts(facts)

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    pairs.balance_table(pairs.balance_by_split(balance)),
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
# {glue:text}`trivial_error:.1f`% of the test pairs, the error every model of the following
# chapters must beat.
#
# The digits themselves are close to uniform ({numref}`fig-digit-balance`): the most common,
# {glue:text}`most_common`, makes {glue:text}`most_common_pct:.1f`% of the images, the
# rarest, {glue:text}`least_common`, {glue:text}`least_common_pct:.1f`%, so a branch that
# classifies digits sees every class often enough.

# %% tags=["remove-cell"]
glue_figure("fig-digit-balance", balance_figure(freq, balance, facts["expected_positive"]))

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
# {numref}`tab-published` lists every digit-pair result the five reports published
# {cite:p}`grall_ee559,dong_ee559,salimbeni_ee559,ahmed_ee559,savary_ee559`, read from
# the book's transcription of their tables. Test errors are in percent, mean ± standard deviation over the
# report's rounds (a fresh draw of pairs each round where the report says so). "WS" is
# weight sharing ("conv only": only a convolution's sharing of its filters across the image,
# the two images going through separate branches), "aux" the auxiliary loss ("classes only"
# when the network is trained on the digits alone and the comparison is fixed).
# The models differ in much more than these two switches (architecture, optimiser, number of
# parameters), so the table is a map of the ground, not a controlled comparison; the next
# chapters supply that.

# %% tags=["remove-input"]
pair_rows = pairs.pair_models(load_published())
show_table(
    pairs.published_table(pair_rows),
    "tab-published",
    "Test error of every digit-pair model in the five reports, as published.",
)
glue_facts(pairs.published_facts(pair_rows))

# %% [markdown]
# The {glue:text}`n_published` published errors span a wide range: from
# {glue:text}`worst_error:.1f`% for {glue:}`worst_model` ({glue:}`worst_report`) down to
# {glue:text}`best_error:.1f`% for {glue:}`best_model` ({glue:}`best_report`:
# {glue:}`best_description`). That report chose its settings by their accuracy on the test
# sets ("Performances are estimated using the accuracy over the test sets"), so its best
# figure is an optimistic one. The {glue:text}`n_labels` models that use the digit labels,
# as an auxiliary loss or as their only training signal, average
# {glue:text}`labels_error:.1f`% test error; the {glue:text}`n_targets_only` trained on the
# targets alone average {glue:text}`targets_only_error:.1f`%. Whether that gap comes from the
# labels themselves, from weight sharing, or from the many other differences between the
# reports is what the following chapters measure under one protocol.
