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
# - **Sharing helps where only the sharing differs.** Of the {glue:text}`ws_share_count`
#   comparisons in which a model and its unshared twin differ in nothing else, sharing lowers
#   the mean error in {glue:text}`ws_share_better` and clearly (Holm-adjusted within the
#   chapter, see [Methods](../book/methods.md)) in {glue:text}`ws_share_clear`. For report
#   004's branches at equal parameter count it {glue:text}`ws_share6_effect` the error by
#   {glue:text}`ws_share6_diff:.1f` points (95% CI {glue:text}`ws_share6_ci`,
#   {glue:text}`ws_share6_clear`).
# - **Report 002's ConvNets at one learning rate**: WS1 to WS3 at WS3's learning rate
#   {glue:text}`ws_share4_effect` the error by {glue:text}`ws_share4_diff:.1f` points (CI
#   {glue:text}`ws_share4_ci`, {glue:text}`ws_share4_clear`).
# - **Merged to two branches**: report 004's 2-channel CNN to separate branches
#   {glue:text}`ws_merge4_effect` the error by {glue:text}`ws_merge4_diff:.1f` points
#   ({glue:text}`ws_merge4_clear`, adjusted {glue:text}`ws_merge4_p`).
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
import functools
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pairlib.configs import PUBLISHED_ROW, published_means
from pairlib.configs import registered as registered_config
from pairlib.curves import paired_differences_figure, plot_band, round_errors_figure
from pairlib.diagnostics import gradient_grid
from pairlib.models import match_parameters
from pairlib.page import (
    check_parameters,
    comparison_display,
    effect_phrase,
    glue_comparison,
    glue_comparisons,
    glue_figure,
    glue_text,
    glue_value,
    integer,
    p_text,
    published_text,
    save_comparisons,
    save_results,
    setup_figures,
    show_table,
    summary_text,
)
from pairlib.published import published_row
from pairlib.stats import adjust_family, labelled_comparisons, results_table, summarise, wilcoxon_floor
from pairlib.train import TrainConfig, run_grid

p = check_parameters(
    {"grad_steps": integer(2, 500)},
    rounds=rounds,
    epochs=epochs,
    n_pairs=n_pairs,
    seed=seed,
    device=device,
    grad_steps=grad_steps,
)
setup_figures()
for name in ("rounds", "epochs", "n_pairs", "grad_steps"):
    glue_value(f"ws_{name}", p[name])


registered = functools.partial(registered_config, epochs=p["epochs"], n_pairs=p["n_pairs"])


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
# batch size, loss); details a report leaves out are filled in and listed in
# `pairlib/configs.py`. Where a report compared models that differ in more than sharing, we
# add the missing controls:
#
# - **Fully connected** {cite:p}`salimbeni_ee559,dong_ee559`: a merged MLP (002 FCNN1,
#   001 Model 1), one MLP per image concatenated (002 FCNN3) and the same with shared layers
#   (002 WS2). Report 002 trained FCNN3 at a learning rate 3.3 times lower than WS2, so we
#   add FCNN3 at WS2's learning rate (same architecture) and, with hidden layers halved, at
#   WS2's parameter count.
# - **ConvNets**: a merged 2-channel ConvNet (003 pair, 004 CNN, 001 Model 2) against two
#   ConvNet branches without sharing (002 WS1) and with it (002 WS3, 004 WS). Report 002
#   tuned WS1 and WS3 to different learning rates, so we add WS1 at WS3's learning rate, which
#   makes sharing the only difference between them. Report 004's
#   branches are the 2-channel model's body with one input channel; we add the same model
#   without sharing, and report 003's siamese ConvNet trained on the target alone (its
#   report adds an auxiliary loss, which the next chapter studies).
# - **Equal size**: sharing halves the parameters of the two branches. Report 001 held its
#   models near 70k parameters; report 004's shared model has 77k, so we compare it with
#   its unshared twin at the same architecture (twice the branch parameters) and at the
#   same parameter count (each branch's hidden layer narrowed).
# - **Report 000's Section III**: its Model B (three conv and two linear layers per branch,
#   the fixed power-6 comparator, MSE on the target, SGD at 0.1, batches of 100) with and
#   without sharing.

# %% tags=["remove-cell"]
ws004 = registered("004/WS")
fc_ws2 = registered("002/WS2")
fc_same_lr = registered("002/FCNN3").replace(lr=fc_ws2.lr)
fc_same_size = fc_same_lr.replace(
    model=match_parameters(fc_same_lr.model, fc_ws2.parameter_count(), "hidden", target_outputs=1)
)
unshared004 = ws004.replace(model__shared=False)
unshared004_small = unshared004.replace(
    model=match_parameters(
        unshared004.model, ws004.parameter_count(), "hidden", target_outputs=ws004.target_outputs
    )
)
siamese003 = registered("003/siamese-2").replace(aux_weight=0.0)

GROUPS: dict[str, dict[str, TrainConfig]] = {
    "fully connected": {
        "001/model-1": registered("001/model-1"),
        "002/FCNN1": registered("002/FCNN1"),
        "002/FCNN3": registered("002/FCNN3"),
        "002/FCNN3, WS2's lr": fc_same_lr,
        "002/FCNN3, WS2's lr and size": fc_same_size,
        "002/WS2": fc_ws2,
    },
    "ConvNets": {
        "001/model-2": registered("001/model-2"),
        "003/pair": registered("003/pair"),
        "003/siamese, target only": siamese003,
        "002/WS1": registered("002/WS1"),
        "002/WS1, WS3's lr": registered("002/WS1").replace(lr=registered("002/WS3").lr),
        "002/WS3": registered("002/WS3"),
    },
    "equal size": {
        "004/CNN": registered("004/CNN"),
        "004/WS": ws004,
        "004/WS unshared": unshared004,
        "004/WS unshared, WS's size": unshared004_small,
    },
    "report 000": {
        "000/model-B": registered("000/model-B"),
        "000/model-B-no-ws": registered("000/model-B-no-ws"),
    },
}
CURVES = GROUPS["equal size"]  # recorded per epoch for the learning curves
group_of = {name: group for group, configs in GROUPS.items() for name in configs}

# %% tags=["remove-cell"]
main_final = run_grid(
    {n: c for g, cs in GROUPS.items() if g != "equal size" for n, c in cs.items()},
    p["rounds"],
    p["seed"],
    device=p["device"],
    record="final",
    progress=False,
)
main_epoch = run_grid(CURVES, p["rounds"], p["seed"], device=p["device"], record="epoch", progress=False)
main = pd.concat([main_final, main_epoch], ignore_index=True)

# %% tags=["remove-cell"]
ABLATION_BASES = {"pair": "003/pair", "siamese": "003/siamese, target only"}
WIDTH_CHANNELS = (8, 16, 32)  # the reports' 64 channels is the base
WIDTH_HIDDEN = (128, 256, 512)  # the reports' 64 hidden units is the base
LEARNING_RATES = (0.1, 0.25, 0.5, 1.0)


def ablations(base: TrainConfig) -> dict[str, TrainConfig]:
    """Report 003's ablations around one of its models: one or two changes at a time."""
    return {
        "as in report 003": base,
        "no batch norm": base.replace(model__batch_norm=False),
        "skip connections": base.replace(model__skip=True),
        "no batch norm, skip": base.replace(model__batch_norm=False, model__skip=True),
        **{f"lr {lr:g}": base.replace(lr=lr) for lr in LEARNING_RATES},
        "no batch norm, lr 0.1": base.replace(model__batch_norm=False, lr=0.1),
        **{f"{c} channels": base.replace(model__channels=(c, c)) for c in WIDTH_CHANNELS},
        **{f"{h} hidden units": base.replace(model__hidden=(h,)) for h in WIDTH_HIDDEN},
    }


ABLATION: dict[str, TrainConfig] = {}
ablation_cells = []  # (setting, model, run name)
for model, base_name in ABLATION_BASES.items():
    base = GROUPS["ConvNets"][base_name]
    for setting, config in ablations(base).items():
        # A setting equal to the report's choice (its own learning rate) is the same run.
        name = base_name if config == base else f"{base_name}, {setting}"
        ABLATION[name] = config
        ablation_cells.append((setting, model, name))
ablation_only = {n: c for n, c in ABLATION.items() if n not in ABLATION_BASES.values()}
ablation = pd.concat(
    [
        # Some settings are unstable (a learning rate of 1 without batch norm): a round whose
        # loss becomes NaN is recorded as diverged and shown as such, never averaged away.
        run_grid(
            ablation_only,
            p["rounds"],
            p["seed"],
            device=p["device"],
            record="final",
            progress=False,
            diverged="record",
        ),
        main[main["name"].isin(ABLATION_BASES.values())],
    ],
    ignore_index=True,
)

# %% tags=["remove-cell"]
GRADIENT_RUNS = {
    ("pair", True): GROUPS["ConvNets"]["003/pair"],
    ("pair", False): GROUPS["ConvNets"]["003/pair"].replace(model__batch_norm=False),
    ("siamese", True): siamese003,
    ("siamese", False): siamese003.replace(model__batch_norm=False),
}
GRADIENT_NAMES = {f"{model}, batch norm {bn}": (model, bn) for model, bn in GRADIENT_RUNS}
grads = gradient_grid(
    {name: GRADIENT_RUNS[key] for name, key in GRADIENT_NAMES.items()},
    p["rounds"],
    p["seed"],
    steps=p["grad_steps"],
    device=p["device"],
    progress=False,
)
grads["model"] = grads["name"].map(lambda name: GRADIENT_NAMES[name][0])
grads["batch_norm"] = grads["name"].map(lambda name: GRADIENT_NAMES[name][1])

# %% tags=["remove-cell"]
everything = pd.concat([main, ablation[~ablation["name"].isin(main["name"])]], ignore_index=True)
final = summarise(everything)
tidy = results_table(everything)
tidy.insert(1, "group", tidy["model_id"].map(lambda n: group_of.get(n, "report 003 ablations")))


def layout(config: TrainConfig) -> str:
    """The layout in words: what differs between the rows of the results table."""
    m = config.model
    body = "ConvNet" if m.body == "conv" else "MLP"
    if m.layout == "merged":
        return f"2-channel {body}"
    text = f"two {body} branches, {'shared' if m.shared else 'separate'}"
    return text + (", power-6 comparator" if m.comparator == "power" else "")


def stable(*names: str) -> bool:
    """Whether every round of these configurations finished (none diverged)."""
    return not final.loc[list(names), "diverged"].any()


def effect(a: str, b: str) -> str:
    """What going from configuration a to b does to the test error, in words, divergence included."""
    if a == b:
        return "is the report's own setting"
    if not stable(b):
        return f"makes training diverge ({summary_text(final, b)})"
    if not stable(a):
        return f"avoids the divergence ({summary_text(final, a)} before; {summary_text(final, b)}% after)"
    effects = family["ablations"]
    return effect_phrase(effects[(effects["a"] == a) & (effects["b"] == b)].iloc[0])


# %% [markdown]
# ## Results
#
# {numref}`tab-ws-results` lists every configuration of the first four groups: our test
# error over {glue:text}`ws_rounds` rounds beside the published one where the report gave
# the model, the training error, the parameter count and the time a run took on this
# machine (one CPU thread). {numref}`fig-ws-errors` shows the rounds one by one.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
rows = []
for group, configs in GROUPS.items():
    for name, config in configs.items():
        rows.append(
            {
                "group": group,
                "model": name,
                "layout": layout(config),
                "parameters": f"{config.parameter_count():,}",
                "test error (%)": summary_text(final, name),
                "published (%)": published_text(name),
                "train error (%)": f"{final.loc[name, 'train_error']:.1f}",
                "time / run": f"{final.loc[name, 'seconds']:.1f} s",  # "s": nbval's sanitizer drops timings
            }
        )
show_table(
    pd.DataFrame(rows),
    "tab-ws-results",
    f"Test error (mean ± std over {p['rounds']} rounds of {p['epochs']} epochs, "
    f"{p['n_pairs']} training and test pairs) of every configuration, the published figure of "
    "the report row it reproduces, the final training error, the parameter count and the "
    "training time of one run. Names are the reports' (report/model); the rows after a name "
    "change what is written after its comma.",
)

# %% tags=["remove-cell"]
GROUP_COLOURS = {
    "fully connected": "tab:blue",
    "ConvNets": "tab:orange",
    "equal size": "tab:green",
    "report 000": "tab:purple",
}
names = [n for cs in GROUPS.values() for n in cs]
fig = round_errors_figure(
    everything, names, {n: GROUP_COLOURS[group_of[n]] for n in names}, published_means(names)
)
glue_figure("fig-ws-errors", fig)

# %% [markdown]
# ```{glue:figure} fig-ws-errors
# :name: fig-ws-errors
#
# Test error of every round (dots, one per round), our mean (bar) and the published mean
# (cross) for each configuration of {numref}`tab-ws-results`, coloured by group.
# ```

# %% tags=["remove-cell"]
SHARING = [
    ("FC, report 002's learning rates", "002/FCNN3", "002/WS2"),
    ("FC, same architecture", "002/FCNN3, WS2's lr", "002/WS2"),
    ("FC, same parameter count", "002/FCNN3, WS2's lr and size", "002/WS2"),
    ("ConvNet 002, report's learning rates", "002/WS1", "002/WS3"),
    ("ConvNet 002, same learning rate", "002/WS1, WS3's lr", "002/WS3"),
    ("ConvNet 004, same architecture", "004/WS unshared", "004/WS"),
    ("ConvNet 004, same parameter count", "004/WS unshared, WS's size", "004/WS"),
    ("report 000, Model B", "000/model-B-no-ws", "000/model-B"),
]
MERGED = [
    ("001: MLP to ConvNet", "001/model-1", "001/model-2"),
    ("002: merged to separate MLPs", "002/FCNN1", "002/FCNN3"),
    ("002: merged to shared MLPs", "002/FCNN1", "002/WS2"),
    ("003: pair to siamese", "003/pair", "003/siamese, target only"),
    ("004: CNN to separate branches", "004/CNN", "004/WS unshared"),
    ("004: CNN to shared branches", "004/CNN", "004/WS"),
]


SETTINGS = list(ablations(siamese003))
cell_name = {(setting, model): name for setting, model, name in ablation_cells}
both_stable = [
    s
    for s in SETTINGS
    if not final.loc[[cell_name[(s, "pair")], cell_name[(s, "siamese")]], "diverged"].any()
]
# Each ablation against its model's base setting, where both trained in every round.
ABLATION_EFFECTS = [
    (f"{model}: {setting}", cell_name[("as in report 003", model)], cell_name[(setting, model)])
    for model in ABLATION_BASES
    for setting in SETTINGS[1:]
    if cell_name[(setting, model)] != cell_name[("as in report 003", model)]
    and not final.loc[[cell_name[("as in report 003", model)], cell_name[(setting, model)]], "diverged"].any()
]
# One family: every comparison of the chapter, Holm-adjusted together (see the Methods page).
family = adjust_family(
    {
        "sharing": labelled_comparisons(main, SHARING),
        "merged": labelled_comparisons(main, MERGED),
        "pair vs siamese": labelled_comparisons(
            ablation, [(s, cell_name[(s, "pair")], cell_name[(s, "siamese")]) for s in both_stable]
        ),
        "ablations": labelled_comparisons(everything, ABLATION_EFFECTS),
    }
)
sharing, merged = family["sharing"], family["merged"]
glue_comparisons("ws_share", sharing)
glue_comparisons("ws_merge", merged)
# Only the rows where sharing is the one difference count as evidence on sharing: the rows at
# the reports' own learning rates change the learning rate too.
LR_CONFOUNDED = {"FC, report 002's learning rates", "ConvNet 002, report's learning rates"}
controlled = sharing[~sharing["comparison"].isin(LR_CONFOUNDED)]
glue_value("ws_share_clear", int(controlled["clear"].sum()))
glue_value("ws_share_count", len(controlled))
glue_value("ws_share_better", int((controlled["difference"] < 0).sum()))
whole = pd.concat(family.values(), ignore_index=True)
glue_value("ws_family", len(whole))
glue_value("ws_family_clear", int(whole["clear"].sum()))
glue_value("ws_family_raw", int((whole["t_test_p"] < 0.05).sum()))
glue_value("ws_family_floor", int((whole["wilcoxon_p"] <= wilcoxon_floor(p["rounds"]) * 1.0001).sum()))
glue_text("ws_floor", p_text(wilcoxon_floor(p["rounds"])))
same_size = sharing.set_index("comparison").loc["ConvNet 004, same parameter count"]
glue_text(
    "ws_size_reading",
    "the gain is about sharing rather than size."
    if same_size["clear"] and same_size["difference"] < 0
    else "at equal size the runs do not show a clear gain, so part of the gain at equal "
    "architecture may be the size.",
)
for name in ("000/model-B", "000/model-B-no-ws", "002/FCNN3", "002/WS2", "004/WS", "004/CNN"):
    row = published_row(*PUBLISHED_ROW[name])
    glue_value(f"ws_pub_{name.replace('/', '_').replace('-', '_')}", float(row["test_error_mean_pct"]))
glue_value("ws_params_004_ws", ws004.parameter_count())
glue_value("ws_params_004_unshared", unshared004.parameter_count())
glue_value("ws_params_004_small", unshared004_small.parameter_count())
glue_value("ws_hidden_004_small", unshared004_small.model.hidden[0])
glue_value("ws_hidden_004", ws004.model.hidden[0])

# %% [markdown]
# ## Does sharing help?
#
# {numref}`tab-ws-sharing` compares each shared model with the same model without sharing,
# round by round, and {numref}`fig-ws-paired` draws the differences. Two of its rows, at the
# learning rates report 002 tuned for each model, change the learning rate as well as the
# sharing; they are shown because the report compared them, but only the
# {glue:text}`ws_share_count` rows in which sharing is the one difference count as evidence.
# Among those, sharing lowers the mean test error in {glue:text}`ws_share_better`, and the
# difference is clear in {glue:text}`ws_share_clear`. *Clear* means, throughout the book, a
# paired-t p below 0.05 after Holm's adjustment over all {glue:text}`ws_family` comparisons
# of this chapter, with a 95% interval that excludes zero ([Methods](../book/methods.md));
# {glue:text}`ws_family_raw` of them have an unadjusted p below 0.05 and
# {glue:text}`ws_family_clear` survive the adjustment. The exact Wilcoxon p is shown as a
# check: {glue:text}`ws_family_floor` of the chapter's comparisons sit at its floor of
# {glue:text}`ws_floor` for {glue:text}`ws_rounds` rounds, which says only that every round
# went the same way.
#
# - **ConvNet branches, report 004's architecture.** At the same architecture, sharing
#   {glue:text}`ws_share5_effect` the test error from {glue:text}`ws_share5_a:.1f`% to
#   {glue:text}`ws_share5_b:.1f`% (difference {glue:text}`ws_share5_diff:.1f` points, 95% CI
#   {glue:text}`ws_share5_ci`, better in {glue:text}`ws_share5_won` rounds). But the shared
#   model has {glue:text}`ws_params_004_ws:,` parameters and its unshared twin
#   {glue:text}`ws_params_004_unshared:,`. Narrowing the unshared branches' hidden layer from
#   {glue:text}`ws_hidden_004` to {glue:text}`ws_hidden_004_small` units brings it to
#   {glue:text}`ws_params_004_small:,` parameters; against that model sharing
#   {glue:text}`ws_share6_effect` the error by {glue:text}`ws_share6_diff:.1f` points (CI
#   {glue:text}`ws_share6_ci`, {glue:text}`ws_share6_clear`): {glue:text}`ws_size_reading`
# - **Report 002's ConvNets.** WS1 to WS3, each at its own tuned learning rate (8e-4 and
#   1.3e-3 in the report's configuration), {glue:text}`ws_share3_effect` the error by
#   {glue:text}`ws_share3_diff:.1f` points (CI {glue:text}`ws_share3_ci`), but changes two
#   things. With WS1 trained at WS3's learning rate, sharing alone
#   {glue:text}`ws_share4_effect` the error by {glue:text}`ws_share4_diff:.1f` points (CI
#   {glue:text}`ws_share4_ci`, {glue:text}`ws_share4_clear`, better in
#   {glue:text}`ws_share4_won` rounds).
# - **Fully connected branches.** Report 002's FCNN3 to WS2 changes both the sharing and the
#   learning rate: {glue:text}`ws_share0_a:.1f`% to {glue:text}`ws_share0_b:.1f`% (published:
#   {glue:text}`ws_pub_002_FCNN3:.1f`% to {glue:text}`ws_pub_002_WS2:.1f`%). At the same
#   learning rate sharing {glue:text}`ws_share1_effect` the error by
#   {glue:text}`ws_share1_diff:.1f` points (CI {glue:text}`ws_share1_ci`,
#   {glue:text}`ws_share1_clear`), and at the same parameter count by
#   {glue:text}`ws_share2_diff:.1f` points (CI {glue:text}`ws_share2_ci`,
#   {glue:text}`ws_share2_clear`).
# - **Report 000's Model B** (the fixed power-6 comparator, MSE on the target): sharing
#   {glue:text}`ws_share7_effect` the error from {glue:text}`ws_share7_a:.1f`% to
#   {glue:text}`ws_share7_b:.1f`% (CI {glue:text}`ws_share7_ci`, {glue:text}`ws_share7_clear`);
#   the report found
#   {glue:text}`ws_pub_000_model_B_no_ws:.1f`% and {glue:text}`ws_pub_000_model_B:.1f`%.
#
# Why sharing should help: with 1000 pairs, each branch of an unshared model sees each
# training image once per epoch, in one position only, while a shared branch sees all 2000
# images and must treat a digit alike whichever side it is on, a symmetry the task has.
# Without an auxiliary loss, though, nothing tells the branch what its ten outputs mean:
# the comparator must learn the order of the digits from the target alone, and the
# next chapter shows how much of the remaining error that costs.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    comparison_display(sharing),
    "tab-ws-sharing",
    f"Sharing the branches' weights, round by round: test error without (a) and with (b) sharing, "
    f"the mean per-round difference b − a with its 95% confidence interval, the paired-t p "
    f"adjusted (Holm) over the chapter's comparisons, the exact Wilcoxon p (unadjusted), the rounds "
    f"(of {p['rounds']}) in which the shared model did better and whether the difference is clear. "
    "Negative differences favour sharing. The rows at the report's learning rates change the "
    "learning rate too.",
)

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    comparison_display(merged),
    "tab-ws-merged",
    "From a merged network on the 2-channel pair to two branches, as the reports compared them "
    "(same layout as the previous table; negative differences favour b).",
)

# %% tags=["remove-cell"]
fig = paired_differences_figure(
    main, {"sharing": sharing, "merged": merged}, {"sharing": "tab:green", "merged": "tab:orange"}
)
glue_figure("fig-ws-paired", fig)

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
# The reports mostly compared a network that reads the 2-channel pair with a two-branch one,
# a change of more than sharing ({numref}`tab-ws-merged`). Going from report 004's
# 2-channel CNN ({glue:text}`ws_merge4_a:.1f`%) to separate branches
# {glue:text}`ws_merge4_effect` the error by {glue:text}`ws_merge4_diff:.1f` points (CI
# {glue:text}`ws_merge4_ci`, {glue:text}`ws_merge4_clear`), and to shared branches by
# {glue:text}`ws_merge5_diff:.1f` points ({glue:text}`ws_merge5_effect` it; CI
# {glue:text}`ws_merge5_ci`, {glue:text}`ws_merge5_clear`); the report
# published {glue:text}`ws_pub_004_CNN:.1f`% and {glue:text}`ws_pub_004_WS:.1f`%. Report
# 003's pair ConvNet to its siamese network trained on the target alone:
# {glue:text}`ws_merge3_a:.1f`% to {glue:text}`ws_merge3_b:.1f`% (CI
# {glue:text}`ws_merge3_ci`, {glue:text}`ws_merge3_clear`). A likely reason, which these
# runs do not test: the two-branch layout builds in what the task is (two independent
# digits, then a comparison), which a merged network must discover from 1000 examples.
#
# ## Report 000's curves
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
fig, axes = plt.subplots(1, 2, figsize=(6.4, 2.8))
styles = {"000/model-B": ("with sharing", "tab:blue"), "000/model-B-no-ws": ("without sharing", "tab:red")}
for name, (label, colour) in styles.items():
    runs = main[main["name"] == name]
    plot_band(axes[0], runs, "target_term", label, colour)
    plot_band(axes[1], runs, "running_train_error", label, colour)
axes[0].set(xlabel="epoch", ylabel="training loss (MSE)")
axes[1].set(xlabel="epoch", ylabel="training error (%)")
axes[0].legend(fontsize=8)
glue_figure("fig-ws-000", fig)

# %% tags=["remove-cell"]
fig, axes = plt.subplots(1, 2, figsize=(6.4, 2.9), sharey=True)
curve_colours = dict(zip(CURVES, ("tab:grey", "tab:blue", "tab:red", "tab:orange"), strict=True))
for name, colour in curve_colours.items():
    runs = main_epoch[main_epoch["name"] == name]
    plot_band(axes[0], runs, "running_train_error", name, colour, alpha=0.15)
    plot_band(axes[1], runs, "test_error", name, colour, alpha=0.15)
axes[0].set(xlabel="epoch", ylabel="error (%)", title="training (running, during the epoch)")
axes[1].set(xlabel="epoch", title="test")
axes[0].set_ylim(0, 50)
axes[1].legend(fontsize=7)
glue_figure("fig-ws-curves", fig)

# %% tags=["remove-cell"]
ablation_stats = family["pair vs siamese"].set_index("comparison")
ablation_rows = []
for setting in SETTINGS:
    pair_name, siamese_name = cell_name[(setting, "pair")], cell_name[(setting, "siamese")]
    cells = {"siamese − pair [95% CI]": "", "p (Holm)": "", "Wilcoxon p": ""}
    if setting in ablation_stats.index:
        row = ablation_stats.loc[setting]
        interval = f"[{row['ci_low']:+.1f}, {row['ci_high']:+.1f}]"
        cells = {
            "siamese − pair [95% CI]": f"{row['difference']:+.1f} {interval}",
            "p (Holm)": p_text(row["p_adjusted"]),
            "Wilcoxon p": p_text(row["wilcoxon_p"]),
        }
    ablation_rows.append(
        {
            "setting": setting,
            "pair (%)": summary_text(final, pair_name),
            "siamese (%)": summary_text(final, siamese_name),
            **cells,
        }
    )
glue_comparison("ws_abl_base", ablation_stats.loc["as in report 003"])
siamese_clear = ablation_stats[ablation_stats["clear"] & (ablation_stats["difference"] < 0)]
glue_value("ws_abl_siamese_wins", len(siamese_clear))
glue_value("ws_abl_settings", len(ablation_stats))
glue_value("ws_abl_unstable", len(SETTINGS) - len(ablation_stats))
for model in ABLATION_BASES:
    base_name = cell_name[("as in report 003", model)]
    for setting in SETTINGS[1:]:
        slug = re.sub(r"[^a-z0-9]+", "_", f"{model} {setting}")
        glue_text(f"ws_abl_{slug}", effect(base_name, cell_name[(setting, model)]))
    diverged = [s for s in SETTINGS if not stable(cell_name[(s, model)])]
    glue_text(f"ws_abl_diverged_{model}", ", ".join(diverged) if diverged else "none")
for model in ABLATION_BASES:
    widths = [f"{w} channels" for w in WIDTH_CHANNELS] + [f"{h} hidden units" for h in WIDTH_HIDDEN]
    means = final.loc[[cell_name[(w, model)] for w in ["as in report 003", *widths]], "mean"].dropna()
    glue_value(f"ws_width_low_{model}", float(means.min()))
    glue_value(f"ws_width_high_{model}", float(means.max()))

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    pd.DataFrame(ablation_rows),
    "tab-ws-ablation",
    f"Report 003's ablations on its pair ConvNet (learning rate 1) and on its siamese ConvNet "
    f"with shared branches trained on the target (learning rate 0.25): test error, mean ± std "
    f"over {p['rounds']} rounds, and the per-round difference between the two with its 95% "
    "CI, Holm-adjusted paired-t p and exact Wilcoxon p. Each row changes the named setting of "
    "both models (64 channels and 64 hidden units otherwise).",
)

# %% tags=["remove-cell"]
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for offset, (model, colour) in zip(
    (-0.15, 0.15), (("pair", "tab:grey"), ("siamese", "tab:blue")), strict=True
):
    for y, setting in enumerate(SETTINGS[::-1]):
        name = cell_name[(setting, model)]
        if not stable(name):  # drawn as a word at the right edge, not as a point
            ax.text(
                0.99,
                y + offset,
                "diverged",
                transform=ax.get_yaxis_transform(),
                ha="right",
                va="center",
                fontsize=7,
                color=colour,
            )
            continue
        ax.errorbar(
            final.loc[name, "mean"],
            y + offset,
            xerr=final.loc[name, "std"],
            fmt="o",
            ms=4,
            color=colour,
            capsize=2,
            label=model if y == 0 else None,
        )
ax.set_yticks(range(len(SETTINGS)), SETTINGS[::-1], fontsize=8)
ax.set_xlabel("test error (%), mean ± std")
ax.grid(axis="x", alpha=0.3)
ax.legend(fontsize=8, loc="lower right")
glue_figure("fig-ws-ablation", fig)

# %% tags=["remove-cell"]
LAYER_COLOURS = {
    "conv1": "tab:blue",
    "conv2": "tab:orange",
    "fc1": "tab:green",
    "fc2": "tab:red",
    "comparator fc1": "tab:purple",
}
FLOOR = 1e-6  # zero gradients are drawn at this height on the log scale
fig, axes = plt.subplots(2, 2, figsize=(6.4, 4.6), sharex=True, sharey=True)
for (model, batch_norm), config in GRADIENT_RUNS.items():
    ax = axes[0 if model == "pair" else 1, 0 if batch_norm else 1]
    sub = grads[(grads["model"] == model) & (grads["batch_norm"] == batch_norm)]
    for layer, colour in LAYER_COLOURS.items():
        layer_rows = sub[sub["layer"] == layer]
        if layer_rows.empty:
            continue
        # Median and quartiles over rounds; a diverged round (inf or NaN) counts as above all.
        values = layer_rows.pivot(index="step", columns="round", values="grad_norm")
        values = values.fillna(np.inf).clip(lower=FLOOR)
        q = values.quantile([0.25, 0.5, 0.75], axis=1).T
        ax.plot(q.index, q[0.5], color=colour, label=layer, lw=1.2)
        ax.fill_between(q.index, q[0.25], q[0.75].clip(upper=1e4), color=colour, alpha=0.15, lw=0)
    ax.set_yscale("log")
    ax.set_ylim(FLOOR / 2, 1e3)
    ax.set_title(f"{model}, lr {config.lr:g}, {'with' if batch_norm else 'without'} batch norm", fontsize=9)
for ax in axes[1]:
    ax.set_xlabel("minibatch")
for ax in axes[:, 0]:
    ax.set_ylabel("gradient norm")
axes[1, 0].legend(fontsize=7, ncols=2)
glue_figure("fig-ws-gradients", fig)

late = grads[grads["layer"].str.startswith("conv") & (grads["step"] > p["grad_steps"] // 2)]
dead = late.groupby(["model", "batch_norm", "round"])["grad_norm"].apply(
    lambda v: bool(((v == 0) | ~np.isfinite(v)).all())
)
for (model, batch_norm), share in dead.groupby(level=[0, 1]).sum().items():
    glue_value(f"ws_dead_{model}_{'bn' if batch_norm else 'nobn'}", int(share))
peak = grads[(grads["model"] == "pair") & ~grads["batch_norm"] & np.isfinite(grads["grad_norm"])]
glue_value("ws_peak_nobn", float(peak.groupby("round")["grad_norm"].max().median()))
glue_value("ws_half_steps", p["grad_steps"] // 2)

# %% [markdown]
# ## Report 003's ablations
#
# {cite:t}`ahmed_ee559` varied the details of a pair ConvNet and of a siamese one: batch
# norm, skip connections, the learning rate, the widths. {numref}`tab-ws-ablation` runs
# each variation on both models (the siamese one trained on the target alone, so that only
# the layout differs) and {numref}`fig-ws-ablation` draws them. With the report's settings
# the siamese model {glue:text}`ws_abl_base_effect` the pair model's error by
# {glue:text}`ws_abl_base_diff:.1f` points (CI {glue:text}`ws_abl_base_ci`), and it is
# clearly better in {glue:text}`ws_abl_siamese_wins` of the {glue:text}`ws_abl_settings`
# settings in which both models trained in every round.
#
# Report 003 credits batch norm for training its pair model at its learning rate of one.
# Removing it {glue:}`ws_abl_pair_no_batch_norm`; at a learning rate of 0.1 instead, it
# {glue:}`ws_abl_pair_no_batch_norm_lr_0_1`. For the siamese model, removing batch norm
# {glue:}`ws_abl_siamese_no_batch_norm`. Skip connections
# {glue:}`ws_abl_pair_skip_connections` for the pair model and
# {glue:}`ws_abl_siamese_skip_connections` for the siamese one. Settings under which a
# model diverged in at least one round (its loss became NaN; those rounds are reported, not
# averaged away): pair model, {glue:}`ws_abl_diverged_pair`; siamese model,
# {glue:}`ws_abl_diverged_siamese`. Widths from 8 to 64 channels and from 64 to 512 hidden
# units move the pair model's mean error between {glue:text}`ws_width_low_pair:.1f`% and
# {glue:text}`ws_width_high_pair:.1f`% and the siamese model's between
# {glue:text}`ws_width_low_siamese:.1f`% and {glue:text}`ws_width_high_siamese:.1f`%.
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
# without and {glue:text}`ws_dead_siamese_bn` with.
#
# ```{glue:figure} fig-ws-gradients
# :name: fig-ws-gradients
#
# Gradient norm of each weight layer over the first minibatches (median over the rounds,
# band: quartiles; zero drawn at the bottom) for the pair and siamese ConvNets of report 003,
# with and without batch norm, at the report's learning rates.
# ```

# %% tags=["remove-cell"]
save_results(tidy, "weight_sharing")
glue_value("ws_configurations", len(tidy))
glue_value("ws_runs", int(len(tidy) * p["rounds"]))
glue_value("ws_train_minutes", float(final["seconds"].mul(final["count"]).sum() / 60))
save_comparisons("weight_sharing", family)

# %% [markdown]
# ## What holds
#
# - **Sharing, where it is the one difference.** It lowers the mean test error in
#   {glue:text}`ws_share_better` of the {glue:text}`ws_share_count` such comparisons of
#   {numref}`tab-ws-sharing`, clearly in {glue:text}`ws_share_clear`. For report 004's
#   ConvNets the gain against an unshared model of the same parameter count is
#   {glue:text}`ws_share6_diff:.1f` points ({glue:text}`ws_share6_clear`), against one of the
#   same architecture {glue:text}`ws_share5_diff:.1f` ({glue:text}`ws_share5_clear`).
# - **The size of the gain depends on the model**: {glue:text}`ws_share7_diff:.1f` points for
#   report 000's Model B ({glue:text}`ws_share7_clear`), {glue:text}`ws_share5_diff:.1f` for
#   report 004's branches, {glue:text}`ws_share4_diff:.1f` for report 002's ConvNets at one
#   learning rate ({glue:text}`ws_share4_clear`) and {glue:text}`ws_share1_diff:.1f` for its
#   MLPs ({glue:text}`ws_share1_clear`).
# - **The reports' "CNN against WS" comparisons mix two effects.** Splitting report 004's
#   2-channel CNN into two separate branches already {glue:text}`ws_merge4_effect` the error
#   by {glue:text}`ws_merge4_diff:.1f` points ({glue:text}`ws_merge4_clear`, Holm-adjusted
#   {glue:text}`ws_merge4_p`); sharing them then does the rest ({numref}`tab-ws-merged`).
# - **Report 003's batch norm finding holds.** Without batch norm, its pair ConvNet at a
#   learning rate of one {glue:}`ws_abl_pair_no_batch_norm`, and its convolutions' gradients
#   are zero or not finite through the second half of the first {glue:text}`ws_grad_steps`
#   minibatches in {glue:text}`ws_dead_pair_nobn` of {glue:text}`ws_rounds` rounds
#   ({glue:text}`ws_dead_pair_bn` with batch norm).
#
# This chapter trained {glue:text}`ws_configurations` configurations for
# {glue:text}`ws_rounds` rounds each ({glue:text}`ws_runs` runs, {glue:text}`ws_train_minutes:.0f`
# minutes of single-thread training).
