# ---
# jupyter:
#   chapter:
#     quick:
#       epochs: 3
#       rounds: 2
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
# # Auxiliary losses
#
# Every pair comes with the classes of its two digits, although the task only asks for the
# comparison. A two-branch network can be told what its branches should output: an
# *auxiliary loss* compares each branch's ten outputs with the digit's class and is added to
# the loss on the target. Every report tried it. {cite:t}`grall_ee559`, {cite:t}`dong_ee559`
# and {cite:t}`salimbeni_ee559` found large gains; {cite:t}`savary_ee559` found their
# auxiliary-loss model *worse* than the same network trained on the target alone; and
# {cite:t}`ahmed_ee559` weighed the auxiliary loss by a factor they cross-validated. This
# chapter reproduces each comparison with the reports' own settings, asks how the auxiliary
# loss should be weighted (choosing the weight on held-out training pairs, never on the test
# pairs), and looks inside the branches to see what the auxiliary loss changes.
#
# ```{admonition} Key findings
# - Over the {glue:text}`al_aux_count` paired comparisons of the reports' models and our
#   controls (several of them report 004's one network at different weights), the auxiliary
#   loss lowers the mean test error in {glue:text}`al_aux_better`, clearly in
#   {glue:text}`al_aux_clear` after Holm's adjustment over the chapter's
#   {glue:text}`al_family` comparisons ([Methods](../book/methods.md)).
# - Report 004's worse auxiliary-loss model does not reproduce: over its whole (α, γ) grid at
#   learning rate {glue:text}`al_004_lr:g`, {glue:text}`al_004_help` of
#   {glue:text}`al_004_grid_cells` weightings clearly help and {glue:text}`al_004_hurt`
#   clearly hurt.
# - Chosen on held-out training pairs, {glue:}`al_choice_text` gives AL4
#   {glue:text}`al_chosen_test:.1f`% test error, {glue:}`al_choice_versus_own`.
# - {glue:}`al_short_mse`.
# ```

# %% tags=["parameters"]
rounds = 10  # rounds per configuration: new pairs, new initialisation and batch order each
epochs = 25  # training epochs of every configuration (the reports' value)
n_pairs = 1000  # training and test pairs per round (the course's value)
seed = 0  # round r draws its pairs and its initialisation from seed + r
device = "auto"  # "auto" (CUDA if present), "cpu" or "cuda"
valid_pairs = 200  # training pairs held out to choose the auxiliary weight and learning rate

# %% tags=["remove-cell"]
from pairlib.chapters import auxiliary_loss as al
from pairlib.chapters import auxiliary_loss_tables as tables
from pairlib.page import comparison_display, glue_figure, glue_value, integer, setup_chapter, show_table

VALID = {"valid_pairs": integer(10, 900, why="held out of the training pairs; the rest still trains")}
p = setup_chapter(
    VALID,
    glue="al_",
    rounds=rounds,
    epochs=epochs,
    n_pairs=n_pairs,
    seed=seed,
    device=device,
    valid_pairs=valid_pairs,
)
study = al.run_study(**p)
glue_value("al_train_pairs", p["n_pairs"] - p["valid_pairs"])

# %% [markdown]
# ## What is compared
#
# A two-branch network runs each image through a branch that ends in ten outputs, and a
# comparator turns the two sets of ten outputs into the answer. Without an auxiliary loss,
# only the target's loss trains it, and nothing asks the ten outputs to mean digits. With it,
# the loss is
#
# $$\mathcal{L} = \mathcal{L}_\text{target} + \lambda\,\mathcal{L}_\text{digits},$$
#
# where $\mathcal{L}_\text{digits}$ is the cross-entropy (or, where said, the mean squared
# error between the raw outputs and one-hot, the reading of report 000's MSE loss that
# {doc}`readings` registers) of the two branches' outputs against the two classes,
# averaged over both digits of every pair. Every configuration is trained for
# {glue:text}`al_rounds` rounds; round r draws its {glue:text}`al_n_pairs` training and test
# pairs and its initial weights from seed r, the same for every configuration, so that two
# configurations are compared round by round (mean per-round difference, 95% confidence
# interval, Wilcoxon signed-rank test). The models, by report:
#
# - **Report 002's grid** {cite:p}`salimbeni_ee559`: sharing × auxiliary loss, for fully
#   connected branches (FCNN3, WS2, AL1, AL3) and ConvNet branches (WS1, WS3, AL2, AL4), with
#   binary cross-entropy on the target, Adam and batches of 20, each model at the learning
#   rate the report's grid search gave it. Two of the four pairs it compares also change the
#   learning rate (FCNN3 to AL1, WS3 to AL4), so we add FCNN3 at AL1's learning rate and AL4
#   at WS3's: the auxiliary loss is then the only difference.
# - **Report 000's Section IV** {cite:p}`grall_ee559`: Model A (three conv and two linear
#   layers per shared branch, a learned two-layer comparator), with and without the
#   unweighted sum of target and class losses, cross-entropy, SGD at 0.1, batches of 100,
#   recorded at every epoch for the curves; and the same models with MSE losses.
# - **Report 001** {cite:p}`dong_ee559`: three models near 70k parameters trained with Adam
#   (a merged MLP, a merged ConvNet and a ConvNet per digit with an auxiliary loss), to
#   which we add the third without its auxiliary loss.
# - **Report 004** {cite:p}`savary_ee559`: a merged ConvNet, the shared-branch model WS and
#   the same with auxiliary losses (AL), SGD with batches of 50. Its loss is
#   $\gamma\,\mathcal{L}_\text{target} + \alpha(\mathcal{L}_1 + \mathcal{L}_2)$, with $\alpha$
#   and $\gamma$ grid-searched in {0.2, 0.5, 0.8, 1}: $\lambda = 2\alpha/\gamma$ in our terms.
#   The report does not say which point of its grid it kept; our registered reading takes one
#   point of it, the one our first run of that grid ranked best, fixed before this chapter's
#   rounds ({doc}`readings` reruns the grid and ranks this point among the others):
#   $\alpha$ = {glue:text}`al_004_alpha:g`, $\gamma$ = {glue:text}`al_004_gamma:g` at a
#   learning rate of {glue:text}`al_004_lr:g`, where WS's is {glue:text}`al_004_ws_lr:g`.
#   Beside it we train the two ends of their grid's range of $\lambda$, and WS at AL's
#   learning rate, so that one comparison changes nothing else.
#
# Each report keeps its own optimiser, learning rates and batch size. The question is whether
# a report's claim holds where the report made it, not which recipe is best, and a claim
# tested under another recipe could fail for reasons that have nothing to do with the
# auxiliary loss.
#
# The reports give three reasons why the auxiliary loss should help, and they predict
# different things. If it only adds gradient to the branches, it should speed up training
# and matter less once training has converged. If it regularises, it should lower the test
# error more than the training error. If it teaches the branches the digits, the branches'
# outputs should read as digits, which the last section probes. The sections below look for
# the second and the third; the first is not measured here (see below).

# %% tags=["remove-cell"]
d = study.design

# %% [markdown]
# ## Results
#
# {numref}`tab-al-results` lists every configuration trained on the full training set: our
# test error over {glue:text}`al_rounds` rounds beside the published one where the report
# gave the model, the training error, the digit error of the branches (the argmax of the ten
# outputs against the class, on the test images: meaningful only with an auxiliary loss, see
# the last section) and the parameter count. Names are the reports' own (report/model); a
# row whose name goes on after a comma is that model with what follows the comma changed.
# {numref}`fig-al-errors` shows the rounds one by one.
#
# Read the table by group, not down the column: each group is one report's models under that
# report's optimiser, batch size and learning rates, so an error in one group is not
# comparable with one in another. Within a group, the rows differ in what the
# configuration column names and in nothing else, which is what makes the paired comparisons
# of the next section meaningful. The published column is the report's mean over its own
# rounds and pairs; a gap to ours is a question of reproduction, taken up in
# {doc}`readings`, not a test of the auxiliary loss. The training error tells apart a
# model that does not fit its pairs from one that fits them and does not generalise: the
# auxiliary loss can only help the second kind by regularising, and the first kind by
# making the fit easier.
#
# A mean ± std hides how the rounds spread, and over a few rounds one bad draw moves a mean
# visibly. The figure draws every round: where two configurations of a group overlap round
# for round, no mean difference between them should be read as a finding before the paired
# test says so.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    tables.grouped_results_table(d.groups, study.final, skip=d.grid_only),
    "tab-al-results",
    f"Every configuration over {p['rounds']} rounds of {p['epochs']} epochs on {p['n_pairs']} "
    "training and test pairs: errors in %, mean ± std, beside the published test error.",
)

# %% tags=["remove-cell"]
glue_figure("fig-al-errors", al.errors_figure(study))

# %% [markdown]
# ```{glue:figure} fig-al-errors
# :name: fig-al-errors
#
# Test error of every round (dots), our mean (bar) and the published mean (cross) for each
# configuration of {numref}`tab-al-results`, coloured by group.
# ```
#
# Where a cross sits outside the spread of our dots, our model does not reproduce the
# report's mean; {doc}`readings` runs the other readings of the report's text for such
# models. The paired comparisons below do not depend on it: they ask what the auxiliary
# loss changes in the model as we built it.

# %% tags=["remove-cell"]
al.glue_sweep(study)

# %% tags=["remove-cell"]
al.glue_family(study)

# %% [markdown]
# ## Does the auxiliary loss help?
#
# All the reports but 004 found that the auxiliary loss helps; they differ on how much.
# Report 000's abstract says that
# "the use of weight sharing and an auxiliary loss was shown to improve performance
# significantly"; report 002 that "adding the auxiliary loss indeed drastically improves the
# prediction performance"; report 001 that its "model with auxiliary loss outperforms CNN
# Model stably" over its rounds, and adds a mechanism: an auxiliary loss "can help to
# mitigate gradient vanishing problem by generating additional gradient". Report 002 gives
# another: with the auxiliary loss, "the back-propagation signal contains more information
# and provides regularization". Report 004 alone found the opposite (its own section below).
# None of them paired its rounds or tested the difference: each compared two means with their
# standard deviations, which is what the table below replaces. Report 001's mechanism is not
# measured here: the per-layer gradient norms of {doc}`weight_sharing` are taken with and
# without batch norm, not with and without the auxiliary loss.
#
# {numref}`tab-al-aux` compares each model with the auxiliary loss against the same model
# without it, round by round, and {numref}`fig-al-paired` draws the differences. For each
# comparison the table gives both mean test errors, the mean per-round difference b − a
# with its 95% confidence interval, the paired-t p adjusted (Holm) over the chapter's
# comparisons, the exact Wilcoxon p (unadjusted), the rounds in which the model with the
# auxiliary loss did better, and whether the difference is clear. The
# auxiliary loss lowers the mean test error in {glue:text}`al_aux_better` of the
# {glue:text}`al_aux_count` comparisons, clearly in {glue:text}`al_aux_clear` (Holm-adjusted
# paired-t p < 0.05 over all {glue:text}`al_family` comparisons of the chapter, and a 95%
# interval below zero; see [Methods](../book/methods.md): {glue:text}`al_family_raw` of them
# have an unadjusted p below 0.05, {glue:text}`al_family_clear` survive the adjustment); it
# clearly raises it {glue:}`al_aux_worse`. The
# largest gain, {glue:text}`al_aux_largest:.1f` points, is in "{glue:}`al_aux_largest_name`".
#
# In report 002's grid, two comparisons also change the learning rate. At the same
# learning rate, the auxiliary loss {glue:}`al_aux_002_fc_separate_same_lr_effect` the
# separate fully connected branches' error by {glue:text}`al_aux_002_fc_separate_same_lr_diff:.1f` points
# ({glue:}`al_aux_002_fc_separate_same_lr_clear`, 95% CI {glue:}`al_aux_002_fc_separate_same_lr_ci`) and
# {glue:}`al_aux_002_convnet_shared_same_lr_effect` the shared
# ConvNet's (AL4 against WS3) by {glue:text}`al_aux_002_convnet_shared_same_lr_diff:.1f` points
# ({glue:}`al_aux_002_convnet_shared_same_lr_clear`, CI {glue:}`al_aux_002_convnet_shared_same_lr_ci`).
# Report 000's unweighted sum
# {glue:}`al_aux_000_model_a_cross_entropy_effect` Model A's error from
# {glue:text}`al_aux_000_model_a_cross_entropy_a:.1f`% to
# {glue:text}`al_aux_000_model_a_cross_entropy_b:.1f`% ({glue:}`al_aux_000_model_a_cross_entropy_clear`,
# better in {glue:}`al_aux_000_model_a_cross_entropy_won`
# rounds), and report 001's auxiliary loss {glue:}`al_aux_001_model_3_effect` its ConvNet's from
# {glue:text}`al_aux_001_model_3_a:.1f`% to {glue:text}`al_aux_001_model_3_b:.1f`%
# ({glue:}`al_aux_001_model_3_clear`).
# Report 001 also ranks its merged ConvNet above its MLP (published
# {glue:text}`al_001_pub_m2:.1f`% against {glue:text}`al_001_pub_m1:.1f`%). In our runs,
# going from the MLP to the ConvNet {glue:}`al_other_001_mlp_to_convnet_effect` the error by
# {glue:text}`al_other_001_mlp_to_convnet_diff:.1f` points ({glue:}`al_other_001_mlp_to_convnet_clear`, CI
# {glue:}`al_other_001_mlp_to_convnet_ci`): our runs {glue:}`al_001_ranking` the report's ranking.
#
# Report 001 matched the size of its models so that the comparison isolates what it studied:
# "to better show the influence of weight sharing and auxiliary loss, we control the number
# of parameters of the three models". Its own step to the auxiliary loss, though, goes from
# the merged ConvNet (model 2) to a ConvNet per digit with the auxiliary loss and a learning
# rate of its own (model 3), which changes the layout as well as the loss. The row "001 Model
# 3" of {numref}`tab-al-aux` trains model 3 without its auxiliary loss, so that the loss is
# the only difference; the row "001: ConvNet to ConvNet + aux" of {numref}`tab-al-other` is
# the report's own step.
#
# With the auxiliary loss, the shared MLP (AL3) ends at {glue:text}`al_train_al3:.1f`%
# training error against {glue:text}`al_train_ws2:.1f`% without it (WS2), and the separate
# MLPs at {glue:text}`al_train_al1:.1f`% against {glue:text}`al_train_fcnn3:.1f`%; the
# shared ConvNet with the auxiliary loss (AL4) ends at {glue:text}`al_train_al4:.1f`%.
# These training errors separate the reasons given above: a gain that comes with a lower
# training error is a gain in fitting the pairs, one that comes with the same or a higher
# training error is a gain in generalising from them.
# Report 002 does not give its MLPs' width: their hidden layer of
# {glue:text}`al_fc_hidden` units is our choice, like every detail a report leaves out; the chapter
# {doc}`readings` runs them with 256 units as well, which says whether the fully connected
# branches lack room for a second task or were simply made too narrow by us.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    comparison_display(study.aux),
    "tab-al-aux",
    f"The auxiliary loss over {p['rounds']} paired rounds: test error without (a) and with (b) "
    "it. Negative differences favour the auxiliary loss.",
)

# %% [markdown]
# The reports made other claims around their auxiliary-loss models, and
# {numref}`tab-al-other` tests them on the same rounds. Report 002 found that "the hybrid
# models (mix of auxiliary loss and weight sharing) achieved the best performance": with the
# auxiliary loss, sharing the branches {glue:}`al_other_002_sharing_fc_with_aux_effect` the fully connected
# models' error ({glue:}`al_other_002_sharing_fc_with_aux_clear`, AL1 to AL3) and
# {glue:}`al_other_002_sharing_convnet_with_aux_effect` the
# ConvNets' ({glue:}`al_other_002_sharing_convnet_with_aux_clear`, AL2 to AL4). Report 000's MSE model is
# compared with
# its cross-entropy one in its own section below, report 001's steps from its MLP and its
# merged ConvNet to its auxiliary-loss ConvNet change the architecture with the loss, and
# report 004's step from its merged CNN to AL is taken up in the section on that report.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    comparison_display(study.other),
    "tab-al-other",
    "Other comparisons the reports made around their auxiliary-loss models (same layout as the "
    "previous table; negative differences favour b).",
)

# %% tags=["remove-cell"]
glue_figure("fig-al-paired", al.paired_figure(study))

# %% [markdown]
# ```{glue:figure} fig-al-paired
# :name: fig-al-paired
#
# Per-round differences (dots) and their mean with its 95% confidence interval (black) for
# the comparisons of {numref}`tab-al-aux` (green: without to with the auxiliary loss) and
# {numref}`tab-al-other` (orange). Left of zero, b is better.
# ```
#
# The figure is the table's evidence drawn out: a comparison whose dots all sit on one side
# of zero is a difference every round agrees on, whatever its size; one whose dots straddle
# zero is decided, if at all, by its mean, and its interval says how far that mean can be
# trusted. The orange rows change more than the auxiliary loss (sharing, the loss function,
# the whole architecture), so they say what the reports' other claims around their
# auxiliary-loss models are worth, not what the auxiliary loss does.

# %% tags=["remove-cell"]
al.glue_loss_terms(study)
glue_figure("fig-al-000", al.loss_terms_figure(study))

# %% [markdown]
# ## Report 000: what the two losses do over training
#
# Report 000 adds its two losses without weights ("the total loss is simply a non-weighted
# sum of a loss on the classes and a loss on the targets") and reads two things off its
# Fig. 3: that "the magnitude of the loss on the targets is much smaller than the magnitude
# of the loss on the classes", so that a weighted sum "could be balanced", and that "guiding
# the network with the auxiliary class results in a faster learning at the beginning, and
# also a much smaller final error". Both are claims about the curves, and both are checked
# here on ours.
#
# {numref}`fig-al-000` reproduces report 000's Fig. 3. Left, the training losses of Model A
# with the auxiliary loss (the sum that is minimised and its two terms) and without it.
# The class loss is {glue:text}`al_ratio_first:.1f` times the target loss in the first epoch
# and {glue:text}`al_ratio_last:.1f` times in epoch {glue:text}`al_last_epoch` (the report
# found the target loss "much smaller").
# An unweighted sum is still a choice of weights, and the section on weighting below asks
# whether another weight does better. Right, the
# training error (running, during each epoch) and the test error, with the auxiliary loss
# and without. {glue:}`al_plateau` The model with the auxiliary loss ends at
# {glue:text}`al_aux_000_model_a_cross_entropy_b:.1f`% test error against the report's
# {glue:text}`al_pub_000_aux:.1f`%.
#
# ```{glue:figure} fig-al-000
# :name: fig-al-000
#
# Report 000's Model A with and without the auxiliary loss: mean (line) ± std (band) over
# the rounds. Left: training losses per epoch (log scale); with the auxiliary loss, the
# minimised sum (red) and its target (orange) and class (green) terms. Right: training error
# (solid, running average during the epoch) and test error (dashed).
# ```
#
# With MSE instead of cross-entropy (on the raw target and digit outputs), the
# auxiliary loss {glue:}`al_aux_000_model_a_mse_effect` the error from
# {glue:text}`al_aux_000_model_a_mse_a:.1f`% to
# {glue:text}`al_aux_000_model_a_mse_b:.1f`% ({glue:}`al_aux_000_model_a_mse_clear`), and MSE with the
# auxiliary loss is
# {glue:text}`al_other_000_mse_instead_of_ce_with_aux_diff:.1f` points {glue:}`al_mse_word` than
# cross-entropy with it
# ({glue:}`al_other_000_mse_instead_of_ce_with_aux_clear`, CI
# {glue:}`al_other_000_mse_instead_of_ce_with_aux_ci`). The MSE auxiliary loss teaches the
# branches the digits less well in {glue:text}`al_epochs` epochs: they misread
# {glue:text}`al_digit_mse:.1f`% of the test digits (argmax), against
# {glue:text}`al_digit_ce:.1f`% with cross-entropy. (On the softmax instead of the raw
# outputs the MSE has small gradients where the softmax is confidently wrong, exactly where
# cross-entropy's are largest, and that reading barely trains; {doc}`readings` runs it.)
#
# Report 000 read its MSE results differently: "MSELoss was accompanied by good train
# results in the case of *Model B* trained on the targets, but the less good test results
# indicated an overfit". That claim is about Model B, which {doc}`weight_sharing` trains;
# the figures here are for Model A with the auxiliary loss. Overfitting and undertraining both raise
# the test error and are
# told apart by the training error: an overfitting model fits its training pairs and fails
# on the test pairs, an undertrained one fails on both. With the auxiliary loss, our MSE
# Model A ends at {glue:text}`al_mse_train:.1f`% training error, against
# {glue:text}`al_train_000_aux:.1f`% for the same model with cross-entropy.

# %% tags=["remove-cell"]
al.glue_mse(study)

# %% tags=["remove-cell"]
al.glue_004(study)

# %% [markdown]
# ## Report 004: why was the auxiliary loss worse?
#
# Report 004 found its AL model ({glue:text}`al_004_pub_al:.1f`% test error) worse than
# WS ({glue:text}`al_004_pub_ws:.1f`%), the same network trained on the target alone, and
# suspected the weights $\alpha$ and $\gamma$ or branches too small for a ten-class task.
# In our runs of its architecture (WS: {glue:text}`al_aux_004_ws_to_al_alpha_0_5_gamma_0_5_a:.1f`%, published
# {glue:text}`al_004_pub_ws:.1f`%), the auxiliary loss at the weights of our registered reading
# {glue:}`al_aux_004_ws_to_al_alpha_0_5_gamma_0_5_effect` WS's error from
# {glue:text}`al_aux_004_ws_to_al_alpha_0_5_gamma_0_5_a:.1f`% to
# {glue:text}`al_aux_004_ws_to_al_alpha_0_5_gamma_0_5_b:.1f`%
# ({glue:}`al_aux_004_ws_to_al_alpha_0_5_gamma_0_5_clear`); at the low end of their grid
# ($\lambda$ = {glue:text}`al_004_low_lambda:.1f`) it {glue:}`al_aux_004_ws_to_al_alpha_0_2_gamma_1_effect`
# it to
# {glue:text}`al_aux_004_ws_to_al_alpha_0_2_gamma_1_b:.1f`%
# ({glue:}`al_aux_004_ws_to_al_alpha_0_2_gamma_1_clear`), and at the high end
# ($\lambda$ = {glue:text}`al_004_high_lambda:.0f`, the target's weight cut to
# {glue:text}`al_004_high_gamma:.1f`) it {glue:}`al_aux_004_ws_to_al_alpha_1_gamma_0_2_effect` it to
# {glue:text}`al_aux_004_ws_to_al_alpha_1_gamma_0_2_b:.1f`%
# ({glue:}`al_aux_004_ws_to_al_alpha_1_gamma_0_2_clear`). {glue:}`al_004_reading`
#
# {glue:}`al_004_budget` ({glue:text}`al_004_train:.1f`% training error against
# {glue:text}`al_004_pub_train:.1f`%; the report's WS reached
# {glue:text}`al_004_pub_train_ws:.2f`%). Our models are built as the report's Figs. 1.2
# and 1.4 draw them: each branch is its 2-channel CNN given one input channel and ten
# outputs, and that CNN ends in a ReLU, a batch norm and a dropout of 0.3 *after* its last
# linear layer, so the ten digit outputs the auxiliary loss reads are rectified,
# renormalised and partly dropped at every step. Even so, at the registered learning rate
# and weights, the auxiliary loss {glue:}`al_aux_004_ws_to_al_both_at_als_lr_effect` the error of WS
# trained at
# the same learning rate by {glue:text}`al_aux_004_ws_to_al_both_at_als_lr_diff:.1f` points
# ({glue:}`al_aux_004_ws_to_al_both_at_als_lr_clear`).
# The chapter {doc}`readings` runs the same models with plain outputs.

# %% tags=["remove-cell"]
grid_rows = al.grid_table(study)

# %% [markdown]
# Report 004 searched $\alpha$ and $\gamma$ over {0.2, 0.5, 0.8, 1} and the learning rate
# over {0.05, 0.1, 0.5, 1}. We ran the whole (α, γ) grid, {glue:text}`al_004_grid_cells`
# pairs, at AL's learning rate of {glue:text}`al_004_lr:g` only
# ({numref}`tab-al-004-grid`): {glue:text}`al_004_help` clearly help and
# {glue:text}`al_004_hurt` clearly hurt; the mean difference AL − WS runs from
# {glue:text}`al_004_best_gain` to {glue:text}`al_004_least_gain` points. The grid's lowest
# mean test error is {glue:text}`al_004_grid_best_test`% ({glue:}`al_004_grid_best`); picked
# on the test pairs, it is an optimistic figure, and the next section chooses on validation
# pairs instead. Other learning rates, which the report's search also covered, were not run.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    grid_rows,
    "tab-al-004-grid",
    f"Report 004's (α, γ) grid at learning rate {d.groups['004, SGD']['004/AL'].lr:g}: test error (%, "
    f"mean over {p['rounds']} rounds) and, in brackets, the mean per-round difference AL − WS "
    "(points; negative favours the auxiliary loss) and whether it is clear after Holm's adjustment "
    "over the chapter's comparisons.",
)

# %% [markdown]
# Every cell of {numref}`tab-al-004-grid` is compared with the same WS runs, round by round:
# round r of each cell trains on the pairs of round r from the same initialisation stream, so
# a cell's difference is what its weights change, not another draw of the data. Along a row,
# $\gamma$ scales the target's loss against a fixed weight on the digits; down a column,
# $\alpha$ scales the digits' loss. With plain SGD the step grows with the scale of the
# loss, so moving along a row or a column also changes the effective learning rate, one
# reason why report 004 searched the weights and the learning rate together. A weighting
# that made AL worse than WS would show as a positive difference marked clear; the report's
# own AL ({glue:text}`al_004_pub_al:.1f`% against WS's {glue:text}`al_004_pub_ws:.1f`%)
# would be such a cell. The grid thus rules out the weights as the cause at this learning
# rate; it says nothing of the report's other learning rates, nor of any difference in how
# the report trained or scored its runs that its text does not give.

# %% [markdown]
# ## How should the auxiliary loss be weighted?
#
# Report 002 set $\lambda = 1$ "as both losses have similar scale"; report 003 found
# $\lambda = 10^{-0.5}$ its "most consistently best performer (highest mean and lowest
# standard deviation)", although its single best results came at 0.1. Report 003 weights
# the sum of the two digits' losses, and our $\lambda$ weights their mean, so its values are
# half of ours: its $10^{-0.5}$ is our $2 \times 10^{-0.5}$. Report 000's
# curves show the class loss dominating an unweighted sum. We sweep $\lambda$ on a log grid
# for AL4, report 002's best model (shared ConvNet branches, Adam), and cross it with the
# learning rate, since with Adam a larger $\lambda$ shifts how the step is shared between
# the two losses. Every cell is trained on the first {glue:text}`al_train_pairs` training
# pairs of its round and scored on the last {glue:text}`al_valid_pairs`, held out: the
# *validation* error. The test pairs are not looked at. The cell with the lowest mean
# validation error gives the learning rate and $\lambda$, and that configuration, trained
# on all {glue:text}`al_n_pairs` training pairs, is scored on the test pairs once.
#
# Report 003 chose its weight on the test sets ("Performances are estimated using the
# accuracy over the test sets ... per combination of parameters"), which our search avoids,
# and read from it that "even in the siamese 2 model the best performances are already
# better when increasing the weight of the auxiliary losses". Its search, like ours, is a search
# over a handful of values, and a choice at the
# edge of such a grid says only that the best value may lie beyond it.

# %% tags=["remove-cell"]
glue_figure("fig-al-lambda", al.weight_sweep_figure(study))

# %% [markdown]
# ```{glue:figure} fig-al-lambda
# :name: fig-al-lambda
#
# AL4's validation error (mean over the rounds). Left: against the auxiliary weight λ at
# report 002's learning rate (line ± std band; the dashed line and grey band: λ = 0). Right:
# learning rate × λ (mean validation error in each cell).
# ```
#
# Two things are read off the figure. On the left, how much the weight matters at all: a
# curve that stays inside the grey band of λ = 0 says the auxiliary loss does not change the
# validation error at that learning rate, and a curve that bends says where its weight starts
# to hurt. On the right, whether the best weight moves with the learning rate: with Adam,
# which normalises each parameter's step, λ changes the direction of a step more than its
# size, but the best step size depends on the loss surface λ shapes, so a weight chosen at
# one learning rate need not be the best at another. The validation errors carry the noise of
# {glue:text}`al_valid_pairs` pairs per round, so neighbouring cells that differ by less than
# their spread are not told apart by this search.
#
# At report 002's learning rate ({glue:text}`al_al4_lr:g`), the validation error is
# {glue:text}`al_valid_zero:.1f`% without the auxiliary loss and
# {glue:text}`al_valid_one:.1f`% at λ = 1; it is lowest at λ =
# {glue:text}`al_best_lambda_at_lr:.3g` along the sweep
# ({numref}`fig-al-lambda`){glue:}`al_003_remark`. Over all {glue:text}`al_cells` cells of
# the sweep and the grid, the lowest mean validation error ({glue:text}`al_chosen_valid:.1f`
# ± {glue:text}`al_chosen_valid_std:.1f`%) is at {glue:}`al_choice_text`{glue:}`al_edge`.
# {glue:}`al_choice_result`; against WS3, the same network without the auxiliary loss, it
# {glue:}`al_choice_ws3_to_the_chosen_al4_effect` the error by
# {glue:text}`al_choice_ws3_to_the_chosen_al4_diff:.1f` points
# ({glue:}`al_choice_ws3_to_the_chosen_al4_clear`, CI {glue:}`al_choice_ws3_to_the_chosen_al4_ci`).

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
# A choice of report 002's own setting has no comparisons of its own to show (the prose says so).
if not study.chosen_is_own:
    show_table(
        comparison_display(study.family["lambda choice"]),
        "tab-al-choice",
        f"AL4 at the learning rate and λ chosen on validation (lr {study.chosen_lr:g}, λ "
        f"{study.chosen_lambda:.3g}) against AL4 as report 002 set it and against WS3 (no auxiliary "
        "loss), round by round.",
    )
al.glue_choice_table(study, p["n_pairs"])

# %% [markdown]
# ```{glue:md} al_choice_table
# :format: myst
# ```

# %% tags=["remove-cell"]
al.glue_probes(study)

# %% [markdown]
# ## What the auxiliary loss changes inside the network
#
# Report 000 ends on the branches' ten outputs: they allow "the network to use a onehot
# encoding for the classes and even enforcing it in some cases (auxiliary loss [...])". The
# question is whether the auxiliary loss only names the outputs, putting digit d on output
# d where the target alone would have spread the same knowledge along other directions, or
# makes the branches better digit readers. The two call for different probes.
#
# The branches' digit error in {numref}`tab-al-results` is the argmax of the ten outputs
# against the class, and without an auxiliary loss nothing tells a branch to put digit d on
# output d. Two probes read the same ten outputs more fairly: the best one-to-one relabelling
# of the outputs, and a linear read-out (multinomial logistic regression), both fitted on the
# training images and scored on the test images.
# {numref}`tab-al-probes` gives them for report 002's shared models with and without the
# auxiliary loss, for both bodies, whose widths are our choice (the
# report states none), so a reading that holds for one body and not the other says more
# about the branch than about the auxiliary loss. Without it, a linear read-out of the shared
# ConvNet's outputs misreads {glue:text}`al_probe_ws3_linear:.1f`% of the test digits (best
# relabelling: {glue:text}`al_probe_ws3_permutation:.1f`%). With it, the plain argmax
# misreads {glue:text}`al_probe_al4_argmax:.1f`% and the linear read-out
# {glue:text}`al_probe_al4_linear:.1f`%. {glue:}`al_probe_reading`

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    tables.probe_table(study.probes, study.probed),
    "tab-al-probes",
    f"What the branches' ten outputs say about the digits: pair error and the digit error of three "
    f"read-outs on the test images (mean ± std over {p['rounds']} rounds).",
)

# %% [markdown]
# The three digit-error columns read the same ten outputs with more and more freedom. The
# argmax asks output d to be digit d; the relabelling allows any one-to-one naming of the
# outputs; the linear probe allows any linear combination of them. A branch whose argmax
# error is high but whose linear error is low knows the digits without naming them, and a
# learned comparator can still read them; a branch whose linear error is high does not
# separate the digits linearly, and leaves the comparator the harder task of telling them
# apart as well as ordering them.

# %% tags=["remove-cell"]
al.record(study)

# %% tags=["remove-cell"]
al.glue_short(study)

# %% [markdown]
# ## In short
#
# - Over the {glue:text}`al_aux_count` paired comparisons of the reports' models and our
#   controls ({numref}`tab-al-aux`; several are report 004's one network at different
#   weights), the auxiliary loss lowers the test error in {glue:text}`al_aux_better`, clearly in
#   {glue:text}`al_aux_clear`, by up to
#   {glue:text}`al_aux_largest:.1f` points.
# - With the auxiliary loss, {glue:}`al_short_sharing` ({numref}`tab-al-other`).
# - {glue:}`al_short_mse`.
# - {glue:}`al_short_004`.
# - Inside the network, a linear read-out of AL4's branch outputs misreads
#   {glue:text}`al_probe_al4_linear:.1f`% of the test digits, and of WS3's (no auxiliary
#   loss) {glue:text}`al_probe_ws3_linear:.1f`% ({numref}`tab-al-probes`).
# - Chosen on held-out training pairs, {glue:}`al_choice_text` gives AL4
#   {glue:text}`al_chosen_test:.1f` ± {glue:text}`al_chosen_test_std:.1f`% test
#   error{glue:}`al_short_choice_versus`.
#
# This chapter trained {glue:text}`al_configurations` configurations for
# {glue:text}`al_rounds` rounds each, {glue:text}`al_runs` runs in
# {glue:text}`al_train_minutes:.0f` minutes of training on one core;
# {glue:text}`al_sweep_cells` of those configurations are cells of the validation sweep,
# which the results table leaves out, and the probes read models trained here.
#
# What these runs cannot say: every comparison is at {glue:text}`al_epochs` epochs and the
# reports' own learning rates, so an auxiliary loss that only speeds training up counts here
# as a gain and might vanish with a longer budget; and the weight is chosen for one model,
# AL4, and carried to no other.
