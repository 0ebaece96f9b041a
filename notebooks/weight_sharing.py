# ---
# jupyter:
#   chapter:
#     quick: {rounds: 2, epochs: 3}
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
# # Weight sharing
#
# Both images of a pair show a handwritten digit, so the network that recognises the first
# could recognise the second: *weight sharing* runs both images through one branch with one
# set of weights. Every report tried it, and they disagree on what it brings:
# {cite:t}`grall_ee559` and {cite:t}`savary_ee559` found large gains,
# {cite:t}`salimbeni_ee559` a small one. This chapter reproduces each of their comparisons
# with their own settings, then asks the questions their designs leave open: is the gain
# from sharing itself or from the change of size that comes with it, and do the
# architectural details that {cite:t}`ahmed_ee559` studied (batch norm, skip connections,
# learning rate, widths) change the answer?
#
# ```{admonition} Key findings
# :class: tip
# - **Sharing helps where the learning rate is held fixed.** Of the {glue:text}`ws_share_count`
#   comparisons in which a model and its unshared twin differ only in sharing (and, in the two
#   equal-size rows, in the hidden width that equalises their parameter counts), sharing lowers
#   the mean error {glue:}`ws_share_tally` (Holm-adjusted within the chapter, see
#   [Methods](../book/methods.md)). For report
#   004's branches at equal parameter count it
#   {glue:text}`ws_share_convnet_004_same_parameter_count_effect` the error by
#   {glue:text}`ws_share_convnet_004_same_parameter_count_diff:.1f` points (95% CI
#   {glue:}`ws_share_convnet_004_same_parameter_count_ci`,
#   {glue:text}`ws_share_convnet_004_same_parameter_count_clear`).
# - **Report 002's ConvNets at one learning rate**: WS1 to WS3 at WS3's learning rate
#   {glue:text}`ws_share_convnet_002_same_learning_rate_effect` the error by
#   {glue:text}`ws_share_convnet_002_same_learning_rate_diff:.1f` points (CI
#   {glue:}`ws_share_convnet_002_same_learning_rate_ci`,
#   {glue:text}`ws_share_convnet_002_same_learning_rate_clear`).
# - **Merged to two branches**: report 004's 2-channel CNN to separate branches
#   {glue:text}`ws_merge_004_cnn_to_separate_branches_effect` the error by
#   {glue:text}`ws_merge_004_cnn_to_separate_branches_diff:.1f` points
#   ({glue:text}`ws_merge_004_cnn_to_separate_branches_clear`, adjusted
#   {glue:text}`ws_merge_004_cnn_to_separate_branches_p`).
# - {glue:text}`ws_family` comparisons are made in this chapter; {glue:text}`ws_family_clear`
#   are clear after Holm's adjustment, against {glue:text}`ws_family_raw` at an unadjusted
#   p < 0.05.
# ```


# %% tags=["parameters"]
rounds = 10  # rounds per configuration: new pairs, new initialisation and batch order each
epochs = 25  # training epochs of every configuration (the reports' value)
n_pairs = 1000  # training and test pairs per round (the course's value)
seed = 0  # round r draws its pairs and its initialisation from seed + r
device = "auto"  # "auto" (CUDA if present), "cpu" or "cuda"
grad_steps = 40  # minibatches whose gradient norms are recorded (report 003's Fig. 2)

# %% tags=["remove-cell"]
from pairlib import page
from pairlib.chapters import weight_sharing as ws

p = page.check_parameters(
    {"grad_steps": page.integer(2, 500)},
    rounds=rounds,
    epochs=epochs,
    n_pairs=n_pairs,
    seed=seed,
    device=device,
    grad_steps=grad_steps,
)
page.setup_figures()
for name in ("rounds", "epochs", "n_pairs", "grad_steps"):
    page.glue_value(f"ws_{name}", p[name])
study = ws.run_study(**p)

# %% [markdown]
# ## What is compared
#
# Three layouts recur in the reports. A *merged* network reads the pair as one 2-channel
# image and outputs the target directly. A *two-branch* network runs each image through its
# own branch, which ends in ten outputs (one per digit, although nothing tells it so here:
# every model of this chapter learns from the target alone), and a comparator (a small
# learned layer, or report 000's fixed formula) turns the two outputs into the answer. The
# two branches either have separate weights or *share* them. A convolution is itself a form
# of weight sharing, across positions instead of across images: {cite:t}`dong_ee559` count
# their ConvNet as the weight-sharing model.
#
# Every configuration below is trained for {glue:text}`ws_rounds` rounds. Round r draws its
# {glue:text}`ws_n_pairs` training and test pairs and its initial weights from seed r, the
# same for every configuration, so that two configurations can be compared round by round:
# the differences between draws, which are large, cancel. Each comparison reports the mean
# of the per-round differences with its 95% confidence interval and the Wilcoxon signed-rank
# test. Models follow their report's description (layer sizes, optimiser, learning rate,
# batch size, loss); details a report leaves out are filled in, and the readings chapter runs
# the alternatives. Where a report compared models that differ in more than sharing, we
# add the missing controls:
#
# - **Fully connected** {cite:p}`salimbeni_ee559,dong_ee559`: a merged MLP (002 FCNN1,
#   001 Model 1), one MLP per image concatenated (002 FCNN3) and the same with shared layers
#   (002 WS2). Report 002 trained FCNN3 at a learning rate
#   {glue:text}`ws_lr_ratio_002_fc:.1f` times lower than WS2, so we add FCNN3 at WS2's
#   learning rate (same architecture) and, with hidden layers halved, at WS2's parameter
#   count.
# - **ConvNets**: a merged 2-channel ConvNet (003 pair, 004 CNN, 001 Model 2) against two
#   ConvNet branches without sharing (002 WS1) and with it (002 WS3, 004 WS). Report 002
#   tuned WS1 and WS3 to different learning rates, so we add WS1 at WS3's learning rate, which
#   makes sharing the only difference between them. Report 004's
#   branches are the 2-channel model's body with one input channel; we add the same model
#   without sharing, and report 003's siamese ConvNet trained on the target alone (its
#   report adds an auxiliary loss, which the next chapter studies).
# - **Equal size**: sharing halves the parameters of the two branches. Report 001 held its
#   models to one parameter budget (its MLP has {glue:text}`ws_params_001:,` in our
#   rebuild); report 004's shared model has {glue:text}`ws_params_004_ws:,`, so we compare
#   it with its unshared twin at the same architecture (twice the branch parameters) and at
#   the same parameter count (each branch's hidden layer narrowed).
# - **Report 000's Section III**: its Model B (three conv and two linear layers per branch,
#   the fixed power-6 comparator, MSE on the target, SGD at {glue:text}`ws_lr_000:g`, batches
#   of {glue:text}`ws_batch_000`) with and without sharing.

# %% [markdown]
# The configurations themselves, with every comparison the chapter makes, are defined once
# in the book's code, whose tests check that each control differs from its model in the one
# thing it controls for. One call trains them all, or reads them from the cache when
# another chapter has already trained the same configuration on the same rounds.
#
# ## Results
#
# {numref}`tab-ws-results` lists every configuration, in four groups: our test
# error over {glue:text}`ws_rounds` rounds beside the published one where the report gave
# the model, the training error, the parameter count and the time a run took on this
# machine (one CPU thread). {numref}`fig-ws-errors` shows the rounds one by one.
#
# Read the table by group. Within a group, the rows after a report's own model are our
# controls: the same model with one thing changed, named after the comma. They are there
# because most published "weight sharing" gains compare models that differ in more than
# sharing: in layout, in the width of their layers, in their learning rate.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
page.show_table(
    ws.results_rows(study),
    "tab-ws-results",
    f"Test error (mean ± std over {p['rounds']} rounds of {p['epochs']} epochs, "
    f"{p['n_pairs']} training and test pairs) of every configuration, the published figure of "
    "the report row it reproduces, the final training error, the parameter count and the "
    "training time of one run. Names are the reports' (report/model); the rows after a name "
    "change what is written after its comma.",
)

# %% tags=["remove-cell"]
page.glue_figure("fig-ws-errors", ws.errors_figure(study))

# %% [markdown]
# ```{glue:figure} fig-ws-errors
# :name: fig-ws-errors
#
# Test error of every round (dots, one per round), our mean (bar) and the published mean
# (cross) for each configuration of {numref}`tab-ws-results`, coloured by group.
# ```

# %% [markdown]
# The spread of the dots is the reason for the protocol. Within one configuration the
# rounds spread out (the standard deviations of {numref}`tab-ws-results` measure how far), because
# each round draws other pairs and other initial weights, so two configurations with close
# means can swap places from one round to the next. A comparison of two single runs, or of
# two means with overlapping standard deviations, cannot tell which is better. Comparing the
# two on the same rounds removes the part of the spread they share, and that is what every
# table below does.

# %% tags=["remove-cell"]
ws.glue_sharing(study, p["rounds"])
sharing, merged = study.family["sharing"], study.family["merged"]

# %% [markdown]
# ## Does sharing help?
#
# {numref}`tab-ws-sharing` compares each shared model with the same model without sharing,
# round by round, and {numref}`fig-ws-paired` draws the differences. Two of its rows, at the
# learning rates report 002 tuned for each model, change the learning rate as well as the
# sharing; they are shown because the report compared them, but only the
# {glue:text}`ws_share_count` rows that hold everything else fixed count as evidence (in the
# two equal-size rows the unshared twin also has narrower hidden layers, which is what makes
# its parameter count equal).
# Among those, sharing lowers the mean test error {glue:}`ws_share_tally`. *Clear* means, throughout
# the book, a
# paired-t p below 0.05 after Holm's adjustment over all {glue:text}`ws_family` comparisons
# of this chapter, with a 95% interval that excludes zero ([Methods](../book/methods.md));
# {glue:text}`ws_family_raw` of them have an unadjusted p below 0.05 and
# {glue:text}`ws_family_clear` survive the adjustment. The exact Wilcoxon p is shown as a
# check: {glue:text}`ws_family_floor` of the chapter's comparisons sit at its floor of
# {glue:text}`ws_floor` for {glue:text}`ws_rounds` rounds, which says only that every round
# went the same way.
#
# - **ConvNet branches, report 004's architecture.** At the same architecture, sharing
#   {glue:text}`ws_share_convnet_004_same_architecture_effect` the test error from
#   {glue:text}`ws_share_convnet_004_same_architecture_a:.1f`% to
#   {glue:text}`ws_share_convnet_004_same_architecture_b:.1f`% (difference
#   {glue:text}`ws_share_convnet_004_same_architecture_diff:.1f` points, 95% CI
#   {glue:}`ws_share_convnet_004_same_architecture_ci`, better in
#   {glue:text}`ws_share_convnet_004_same_architecture_won` rounds). But the shared
#   model has {glue:text}`ws_params_004_ws:,` parameters and its unshared twin
#   {glue:text}`ws_params_004_unshared:,`. Narrowing the unshared branches' hidden layer from
#   {glue:text}`ws_hidden_004` to {glue:text}`ws_hidden_004_small` units brings it to
#   {glue:text}`ws_params_004_small:,` parameters; against that model sharing
#   {glue:text}`ws_share_convnet_004_same_parameter_count_effect` the error by
#   {glue:text}`ws_share_convnet_004_same_parameter_count_diff:.1f` points (CI
#   {glue:}`ws_share_convnet_004_same_parameter_count_ci`,
#   {glue:text}`ws_share_convnet_004_same_parameter_count_clear`): {glue:text}`ws_size_reading`
# - **Report 002's ConvNets.** WS1 to WS3, each at its own tuned learning rate
#   ({glue:text}`ws_lr_002_ws1:g` and {glue:text}`ws_lr_002_ws3:g` in the report's
#   configuration), {glue:text}`ws_share_convnet_002_reports_learning_rates_effect` the error by
#   {glue:text}`ws_share_convnet_002_reports_learning_rates_diff:.1f` points (CI
#   {glue:}`ws_share_convnet_002_reports_learning_rates_ci`), but changes two
#   things. With WS1 trained at WS3's learning rate, sharing alone
#   {glue:text}`ws_share_convnet_002_same_learning_rate_effect` the error by
#   {glue:text}`ws_share_convnet_002_same_learning_rate_diff:.1f` points (CI
#   {glue:}`ws_share_convnet_002_same_learning_rate_ci`,
#   {glue:text}`ws_share_convnet_002_same_learning_rate_clear`, better in
#   {glue:text}`ws_share_convnet_002_same_learning_rate_won` rounds).
# - **Fully connected branches.** Report 002's FCNN3 to WS2 changes both the sharing and the
#   learning rate: {glue:text}`ws_share_fc_report_002s_learning_rates_a:.1f`% to
#   {glue:text}`ws_share_fc_report_002s_learning_rates_b:.1f`% (published:
#   {glue:text}`ws_pub_002_FCNN3:.1f`% to {glue:text}`ws_pub_002_WS2:.1f`%). At the same
#   learning rate sharing {glue:text}`ws_share_fc_same_architecture_effect` the error by
#   {glue:text}`ws_share_fc_same_architecture_diff:.1f` points (CI
#   {glue:}`ws_share_fc_same_architecture_ci`,
#   {glue:text}`ws_share_fc_same_architecture_clear`), and at the same parameter count by
#   {glue:text}`ws_share_fc_same_parameter_count_diff:.1f` points (CI
#   {glue:}`ws_share_fc_same_parameter_count_ci`,
#   {glue:text}`ws_share_fc_same_parameter_count_clear`).
# - **Report 000's Model B** (the fixed power-6 comparator, MSE on the target): sharing
#   {glue:text}`ws_share_report_000_model_b_effect` the error from
#   {glue:text}`ws_share_report_000_model_b_a:.1f`% to
#   {glue:text}`ws_share_report_000_model_b_b:.1f`% (CI {glue:}`ws_share_report_000_model_b_ci`,
#   {glue:text}`ws_share_report_000_model_b_clear`);
#   the report found
#   {glue:text}`ws_pub_000_model_B_no_ws:.1f`% and {glue:text}`ws_pub_000_model_B:.1f`%.
#
# Why sharing should help: with {glue:text}`ws_n_pairs` pairs, each branch of an unshared
# model sees each training image once per epoch, in one position only, while a shared branch
# sees both images of every pair and must treat a digit alike whichever side it is on, a
# symmetry the task has.
# Without an auxiliary loss, though, nothing tells the branch what its ten outputs mean:
# the comparator must learn the order of the digits from the target alone, and the
# next chapter shows how much of the remaining error that costs.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
page.show_table(
    page.comparison_display(sharing),
    "tab-ws-sharing",
    f"Sharing the branches' weights, round by round: test error without (a) and with (b) sharing, "
    f"the mean per-round difference b − a with its 95% confidence interval, the paired-t p "
    f"adjusted (Holm) over the chapter's comparisons, the exact Wilcoxon p (unadjusted), the rounds "
    f"(of {p['rounds']}) in which the shared model did better and whether the difference is clear. "
    "Negative differences favour sharing. The rows at the report's learning rates change the "
    "learning rate too.",
)

# %% [markdown]
# Report 000 gave the symmetry reason above. Reports 002 and 003 describe sharing by what it
# saves instead: fewer parameters. Report 002 wrote that "the advantage is a reduction in the number
# of parameters which
# ultimately leads to faster training", and report 003 that sharing "reduces the amount of
# free parameters of the model". The equal-size rows of {numref}`tab-ws-sharing` separate
# the two readings: if fewer parameters were the point, an unshared model narrowed to the
# shared one's size would do as well as the shared one, and sharing would bring nothing
# more at the same parameter count.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
page.show_table(
    page.comparison_display(merged),
    "tab-ws-merged",
    "From a merged network on the 2-channel pair to two branches, as the reports compared them "
    "(same layout as the previous table; negative differences favour b).",
)

# %% tags=["remove-cell"]
page.glue_figure("fig-ws-paired", ws.paired_figure(study))

# %% [markdown]
# ```{glue:figure} fig-ws-paired
# :name: fig-ws-paired
#
# Per-round differences (dots) and their mean with its 95% confidence interval (black) for
# the comparisons of {numref}`tab-ws-sharing` (green: without to with sharing) and
# {numref}`tab-ws-merged` (orange: merged to two branches). Left of zero, b is better.
# ```

# %% [markdown]
# ## Merged pair or two branches
#
# Several reports compared a network that reads the 2-channel pair with a two-branch one,
# a change of more than sharing ({numref}`tab-ws-merged`; its first row is report 001's
# step from a merged MLP to a merged ConvNet, which that report counts as weight sharing). Going
# from report 004's
# 2-channel CNN ({glue:text}`ws_merge_004_cnn_to_separate_branches_a:.1f`%) to separate branches
# {glue:text}`ws_merge_004_cnn_to_separate_branches_effect` the error by
# {glue:text}`ws_merge_004_cnn_to_separate_branches_diff:.1f` points (CI
# {glue:}`ws_merge_004_cnn_to_separate_branches_ci`,
# {glue:text}`ws_merge_004_cnn_to_separate_branches_clear`); going to shared branches
# {glue:text}`ws_merge_004_cnn_to_shared_branches_effect` it by
# {glue:text}`ws_merge_004_cnn_to_shared_branches_diff:.1f` points (CI
# {glue:}`ws_merge_004_cnn_to_shared_branches_ci`,
# {glue:text}`ws_merge_004_cnn_to_shared_branches_clear`); the report
# published {glue:text}`ws_pub_004_CNN:.1f`% and {glue:text}`ws_pub_004_WS:.1f`%. Report
# 003's pair ConvNet to its siamese network trained on the target alone:
# {glue:text}`ws_merge_003_pair_to_siamese_a:.1f`% to {glue:text}`ws_merge_003_pair_to_siamese_b:.1f`% (CI
# {glue:}`ws_merge_003_pair_to_siamese_ci`, {glue:text}`ws_merge_003_pair_to_siamese_clear`). A likely
# reason, which these
# runs do not test: the two-branch layout builds in what the task is (two independent
# digits, then a comparison), which a merged network must discover from {glue:text}`ws_n_pairs` examples.
#
# ## Report 000's curves
#
# Report 000 drew its argument for sharing as curves, not as a test: "enabling weight
# sharing leads to quicker learning and better final performance", it concluded from the
# training loss and error of its runs, "in spite of large standard deviations".
#
# {numref}`fig-ws-000` redraws report 000's Fig. 2: the training loss and the training
# error of Model B with and without sharing, mean and standard deviation over the rounds.
# The training error is the running error over the minibatches of each epoch.
#
# ```{glue:figure} fig-ws-000
# :name: fig-ws-000
#
# Report 000's Model B (power-6 comparator, MSE on the target, SGD at 0.1) with and without
# weight sharing: training loss and running training error per epoch, mean ± std over the
# rounds.
# ```

# %% tags=["remove-cell"]
page.glue_figure("fig-ws-000", ws.model_b_figure(study))

# %% [markdown]
# Each band is one standard deviation either side of the mean over the rounds. Where the
# bands overlap, the curves alone cannot say which model does better in a given round;
# whether the final difference is more than noise is what the paired comparison of Model B
# in {numref}`tab-ws-sharing` answers, on the same rounds as these curves.
#
# {numref}`fig-ws-curves` follows report 004's models and our controls epoch by epoch: the
# training error (running, over each epoch's minibatches) and the test error.
#
# ```{glue:figure} fig-ws-curves
# :name: fig-ws-curves
#
# Training and test error per epoch (mean ± std over the rounds) of report 004's 2-channel
# CNN, its shared two-branch model, and the same model without sharing at equal
# architecture and at equal parameter count.
# ```


# %% tags=["remove-cell"]
page.glue_figure("fig-ws-curves", ws.curves_figure(study))

# %% [markdown]
# With {glue:text}`ws_n_pairs` training pairs, every one of these models ends with a
# training error far below its test error ({numref}`tab-ws-results`): they all fit their
# training pairs, and what separates them is how well that carries over to new pairs. That
# is where the argument for sharing, a branch that sees every image of the pair, should
# show, and the test panel is the one to read.

# %% tags=["remove-cell"]
ws.glue_ablations(study, p["rounds"])
page.glue_figure("fig-ws-ablation", ws.ablation_figure(study))

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
page.show_table(
    ws.ablation_rows(study),
    "tab-ws-ablation",
    f"Report 003's ablations on its pair ConvNet (learning rate 1) and on its siamese ConvNet "
    f"with shared branches trained on the target (learning rate 0.25): test error, mean ± std "
    f"over {p['rounds']} rounds, and the per-round difference between the two with its 95% "
    "CI, Holm-adjusted paired-t p, exact Wilcoxon p and whether it is clear (fragile: one round "
    "decides it). Each row changes the named setting of "
    "both models (64 channels and 64 hidden units otherwise).",
)

# %% tags=["remove-cell"]
ws.glue_gradients(study, p["grad_steps"])
page.glue_figure("fig-ws-gradients", ws.gradients_figure(study))

# %% [markdown]
# ## Report 003's ablations
#
# {cite:t}`ahmed_ee559` varied the details of a pair ConvNet and of a siamese one: batch
# norm, skip connections, the learning rate, the widths. {numref}`tab-ws-ablation` runs
# each variation on both models (the siamese one trained on the target alone, so that only
# the layout differs) and {numref}`fig-ws-ablation` draws them. With the report's settings
# the siamese model {glue:text}`ws_abl_base_effect` the pair model's error by
# {glue:text}`ws_abl_base_diff:.1f` points (CI {glue:}`ws_abl_base_ci`), and it is
# clearly better in {glue:text}`ws_abl_siamese_wins` of the {glue:text}`ws_abl_settings`
# settings in which both models trained in every round.
#
# Report 003 credits batch norm with better accuracy "in all the three cases" and with
# keeping the pair model's gradients alive ("Normalization preserved the gradients"); its
# Table I trains that model at a learning rate of one. Removing batch norm there
# {glue:}`ws_abl_pair_no_batch_norm`. Counting divergences alone understates it:
# of the {glue:text}`ws_rounds` rounds without batch norm, {glue:text}`ws_nobn_pair_diverged`
# diverged and {glue:text}`ws_nobn_pair_stuck` more finished at a training error of
# {glue:text}`ws_nobn_pair_stuck_train:.0f`%, about what a constant answer scores: in all,
# {glue:text}`ws_nobn_pair_failed` of {glue:text}`ws_rounds` rounds learned nothing. At a
# learning rate of 0.1 instead (two changes against the base model: no batch norm and a
# lower rate), it {glue:}`ws_abl_pair_no_batch_norm_lr_0_1`. For the siamese model, removing batch norm
# {glue:}`ws_abl_siamese_no_batch_norm`. {glue:}`ws_abl_skip`. Settings under which a
# model diverged in at least one round (its loss became NaN; those rounds are reported, not
# averaged away): pair model, {glue:}`ws_abl_diverged_pair`; siamese model,
# {glue:}`ws_abl_diverged_siamese`. Widths from 8 to 64 channels and from 64 to 512 hidden
# units move the pair model's mean error between {glue:text}`ws_width_low_pair:.1f`% and
# {glue:text}`ws_width_high_pair:.1f`% and the siamese model's between
# {glue:text}`ws_width_low_siamese:.1f`% and {glue:text}`ws_width_high_siamese:.1f`%.
# Report 003 concluded that "the dimensions of the layers do not affect the performance".
# Our runs test that claim width by width against the report's setting: of the
# {glue:text}`ws_width_settings` other widths, {glue:text}`ws_width_clear_pair` change the
# pair model's error clearly (Holm-adjusted) and {glue:text}`ws_width_clear_siamese` the
# siamese model's: the claim {glue:}`ws_width_verdict`.
#
# ```{glue:figure} fig-ws-ablation
# :name: fig-ws-ablation
#
# Report 003's ablations: test error (mean ± std over the rounds) of the pair ConvNet and of
# the siamese ConvNet trained on the target, for each setting of {numref}`tab-ws-ablation`.
# ```
#
# The report explains batch norm's effect with the gradients: without it, those of its pair
# ConvNet fall to zero after a few minibatches. {numref}`fig-ws-gradients` measures the norm
# of every layer's gradient over the first {glue:text}`ws_grad_steps` minibatches of each
# round. Over the last {glue:text}`ws_half_steps` of them, the convolutions' gradients were
# zero (or not finite) throughout in {glue:text}`ws_dead_pair_nobn` of
# {glue:text}`ws_rounds` rounds for the pair model without batch norm, against
# {glue:text}`ws_dead_pair_bn` with it; for the siamese model, {glue:text}`ws_dead_siamese_nobn`
# without and {glue:text}`ws_dead_siamese_bn` with. The report adds that "the effect was the
# same also for the siamese network"; {glue:}`ws_grad_siamese_verdict`.
#
# ```{glue:figure} fig-ws-gradients
# :name: fig-ws-gradients
#
# Gradient norm of each weight layer over the first minibatches (median over the rounds,
# band: quartiles; zero drawn at the bottom) for the pair and siamese ConvNets of report 003,
# with and without batch norm, at the report's learning rates.
# ```

# %% tags=["remove-cell"]
ws.record(study, p["rounds"])

# %% [markdown]
# ## What holds
#
# - **Sharing, with the learning rate held fixed.** Of the {glue:text}`ws_share_count` such
#   comparisons of {numref}`tab-ws-sharing`, it lowers the mean test error
#   {glue:}`ws_share_tally`. For report 004's
#   ConvNets the gain against an unshared model of the same parameter count is
#   {glue:text}`ws_share_convnet_004_same_parameter_count_diff:.1f` points
#   ({glue:text}`ws_share_convnet_004_same_parameter_count_clear`), against one of the
#   same architecture {glue:text}`ws_share_convnet_004_same_architecture_diff:.1f`
#   ({glue:text}`ws_share_convnet_004_same_architecture_clear`).
# - **The size of the gain depends on the model**: {glue:text}`ws_share_report_000_model_b_diff:.1f` points
#   for
#   report 000's Model B ({glue:text}`ws_share_report_000_model_b_clear`),
#   {glue:text}`ws_share_convnet_004_same_architecture_diff:.1f` for
#   report 004's branches, {glue:text}`ws_share_convnet_002_same_learning_rate_diff:.1f` for report 002's
#   ConvNets at one
#   learning rate ({glue:text}`ws_share_convnet_002_same_learning_rate_clear`) and
#   {glue:text}`ws_share_fc_same_architecture_diff:.1f` for its
#   MLPs ({glue:text}`ws_share_fc_same_architecture_clear`).
# - **The reports' "CNN against WS" comparisons may mix two effects.** Splitting report
#   004's 2-channel CNN into two separate branches
#   {glue:text}`ws_merge_004_cnn_to_separate_branches_effect` the error
#   by {glue:text}`ws_merge_004_cnn_to_separate_branches_diff:.1f` points
#   ({glue:text}`ws_merge_004_cnn_to_separate_branches_clear`, Holm-adjusted
#   {glue:text}`ws_merge_004_cnn_to_separate_branches_p`; {numref}`tab-ws-merged`); sharing
#   them then {glue:text}`ws_share_convnet_004_same_architecture_effect` it by
#   {glue:text}`ws_share_convnet_004_same_architecture_diff:.1f` points
#   ({glue:text}`ws_share_convnet_004_same_architecture_clear`; {numref}`tab-ws-sharing`).
# - **Report 003's batch norm finding holds for its pair ConvNet.** Without batch norm, its pair ConvNet at a
#   learning rate of one learns nothing in {glue:text}`ws_nobn_pair_failed` of
#   {glue:text}`ws_rounds` rounds (diverged or stuck at a constant answer), and its convolutions' gradients
#   are zero or not finite through the second half of the first {glue:text}`ws_grad_steps`
#   minibatches in {glue:text}`ws_dead_pair_nobn` of {glue:text}`ws_rounds` rounds
#   ({glue:text}`ws_dead_pair_bn` with batch norm). For its siamese ConvNet, removing batch
#   norm {glue:}`ws_abl_siamese_no_batch_norm`. The report adds that the effect on the
#   gradients was the same for it; {glue:}`ws_grad_siamese_verdict`.
#
# This chapter trained {glue:text}`ws_configurations` configurations for
# {glue:text}`ws_rounds` rounds each ({glue:text}`ws_runs` runs, {glue:text}`ws_train_minutes:.0f`
# minutes of single-thread training).
