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
# - With the reports' own models, the auxiliary loss lowers the mean test error in
#   {glue:text}`al_aux_better` of {glue:text}`al_aux_count` paired comparisons, clearly in
#   {glue:text}`al_aux_clear` after Holm's adjustment over the chapter's
#   {glue:text}`al_family` comparisons ([Methods](../book/methods.md)).
# - Report 004's worse auxiliary-loss model does not reproduce: over its whole (α, γ) grid at
#   learning rate {glue:text}`al_004_lr:g`, {glue:text}`al_004_help` of
#   {glue:text}`al_004_grid_cells` weightings clearly help and {glue:text}`al_004_hurt`
#   clearly hurt.
# - Chosen on held-out training pairs, {glue:}`al_choice_text` gives AL4
#   {glue:text}`al_chosen_test:.1f`% test error, against {glue:text}`al_al4_test:.1f`% with
#   report 002's setting ({glue:}`al_choice0_clear` different).
# - MSE against cross-entropy is left open: with MSE, report 000's Model A hardly trains
#   ({glue:text}`al_mse_train:.1f`% training error).
# ```

# %% tags=["parameters"]
rounds = 10  # rounds per configuration: new pairs, new initialisation and batch order each
epochs = 25  # training epochs of every configuration (the reports' value)
n_pairs = 1000  # training and test pairs per round (the course's value)
seed = 0  # round r draws its pairs and its initialisation from seed + r
device = "auto"  # "auto" (CUDA if present), "cpu" or "cuda"
valid_pairs = 200  # training pairs held out to choose the auxiliary weight and learning rate

# %% tags=["remove-cell"]
import functools
import math

import matplotlib.pyplot as plt
import pandas as pd

from pairlib.configs import PUBLISHED_ROW, published_means
from pairlib.configs import registered as registered_config
from pairlib.curves import paired_differences_figure, plot_band, round_errors_figure
from pairlib.page import (
    check_parameters,
    comparison_display,
    glue_comparisons,
    glue_figure,
    glue_text,
    glue_value,
    integer,
    mean_std,
    published_text,
    save_comparisons,
    save_results,
    setup_figures,
    show_table,
    summary_text,
)
from pairlib.probes import probe_grid
from pairlib.published import published_row
from pairlib.stats import adjust_family, labelled_comparisons, results_table, summarise
from pairlib.train import TrainConfig, final_epoch, run_grid

p = check_parameters(
    {"valid_pairs": integer(10, 900, why="held out of the training pairs; the rest still trains")},
    rounds=rounds,
    epochs=epochs,
    n_pairs=n_pairs,
    seed=seed,
    device=device,
    valid_pairs=valid_pairs,
)
if p["valid_pairs"] >= p["n_pairs"]:
    raise ValueError(f"parameter valid_pairs={p['valid_pairs']} is not allowed: expected < n_pairs")
setup_figures()
for name in ("rounds", "epochs", "n_pairs", "valid_pairs"):
    glue_value(f"al_{name}", p[name])
glue_value("al_train_pairs", p["n_pairs"] - p["valid_pairs"])


registered = functools.partial(registered_config, epochs=p["epochs"], n_pairs=p["n_pairs"])


def grid(configs: dict[str, TrainConfig], record: str = "final") -> pd.DataFrame:
    return run_grid(configs, p["rounds"], p["seed"], device=p["device"], record=record, progress=False)


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
# error between softmax and one-hot) of the two branches' outputs against the two classes,
# averaged over both digits of every pair. Every configuration is trained for
# {glue:text}`al_rounds` rounds; round r draws its {glue:text}`al_n_pairs` training and test
# pairs and its initial weights from seed r, the same for every configuration, so that two
# configurations are compared round by round (mean per-round difference, 95% confidence
# interval, Wilcoxon signed-rank test). The models, by report:
#
# - **Report 002's grid** {cite:p}`salimbeni_ee559`: sharing x auxiliary loss, for fully
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
#   the same with auxiliary losses (AL), SGD at 0.1, batches of 50. Its loss is
#   $\gamma\,\mathcal{L}_\text{target} + \alpha(\mathcal{L}_1 + \mathcal{L}_2)$, with $\alpha$
#   and $\gamma$ grid-searched in {0.2, 0.5, 0.8, 1}: $\lambda = 2\alpha/\gamma$ in our terms.
#   Beside the registry's $\alpha = 0.5, \gamma = 1$ ($\lambda = 1$) we train the two ends
#   of their grid's range of $\lambda$.

# %% tags=["remove-cell"]
fcnn3, al1 = registered("002/FCNN3"), registered("002/AL1")
ws3, al4 = registered("002/WS3"), registered("002/AL4")
model_a = registered("000/model-A")
al004 = registered("004/AL")
GRID_004 = (0.2, 0.5, 0.8, 1.0)  # report 004's values of α and of γ
GROUPS: dict[str, dict[str, TrainConfig]] = {
    "002, fully connected": {
        "002/FCNN3": fcnn3,
        "002/FCNN3, AL1's lr": fcnn3.replace(lr=al1.lr),
        "002/AL1": al1,
        "002/WS2": registered("002/WS2"),
        "002/AL3": registered("002/AL3"),
    },
    "002, ConvNet": {
        "002/WS1": registered("002/WS1"),
        "002/AL2": registered("002/AL2"),
        "002/WS3": ws3,
        "002/AL4": al4,
        "002/AL4, WS3's lr": al4.replace(lr=ws3.lr),
    },
    "000, Model A": {
        "000/model-A": model_a,
        "000/model-A-aux": registered("000/model-A-aux"),
        "000/model-A, MSE": model_a.replace(target_loss="mse"),
        "000/model-A-aux-mse": registered("000/model-A-aux-mse"),
    },
    "001, ~70k parameters": {
        "001/model-1": registered("001/model-1"),
        "001/model-2": registered("001/model-2"),
        "001/model-3, no aux": registered("001/model-3").replace(aux_weight=0.0),
        "001/model-3": registered("001/model-3"),
    },
    "004, SGD": {
        "004/CNN": registered("004/CNN"),
        "004/WS": registered("004/WS"),
        # Report 004's whole (α, γ) grid at the registry's learning rate; α = 0.5, γ = 1 is
        # the registry's own 004/AL. Its loss γ L_target + α (L_1 + L_2) is ours with
        # target_weight γ and aux_weight 2α (our digit loss averages the two digits).
        **{
            (
                "004/AL" if (alpha, gamma) == (0.5, 1.0) else f"004/AL, α={alpha:g}, γ={gamma:g}"
            ): al004.replace(aux_weight=2 * alpha, target_weight=gamma)
            for alpha in GRID_004
            for gamma in GRID_004
        },
    },
}
CURVES = ("000/model-A", "000/model-A-aux")  # recorded per epoch for report 000's Fig. 3
# The grid's cells beyond the registry's weights and the two ends of its range: shown in their
# own table, not in the results table and figure.
GRID_ONLY = {n for n in GROUPS["004, SGD"] if n.startswith("004/AL, α=")} - {
    "004/AL, α=0.2, γ=1",
    "004/AL, α=1, γ=0.2",
}
group_of = {name: group for group, configs in GROUPS.items() for name in configs}
ALL = {name: config for configs in GROUPS.values() for name, config in configs.items()}

main = pd.concat(
    [
        grid({n: c for n, c in ALL.items() if n not in CURVES}),
        grid({n: ALL[n] for n in CURVES}, record="epoch"),
    ],
    ignore_index=True,
)
final = summarise(main)


def what(config: TrainConfig) -> str:
    """The configuration in words: what differs between the rows of the results table."""
    m = config.model
    body = "ConvNet" if m.body == "conv" else "MLP"
    if m.layout == "merged":
        return f"2-channel {body}; lr {config.lr:g}"
    target = config.target_loss.upper()
    if config.target_weight != 1:
        target = f"{config.target_weight:g} x {target}"
    loss = (
        f"{target} + {config.aux_weight:g} x {config.aux_loss.upper()} digits"
        if config.aux_weight
        else target
    )
    return f"{body} branches, {'shared' if m.shared else 'separate'}; {loss}; lr {config.lr:g}"


# %% [markdown]
# ## Results
#
# {numref}`tab-al-results` lists every configuration trained on the full training set: our
# test error over {glue:text}`al_rounds` rounds beside the published one where the report
# gave the model, the training error, the digit error of the branches (the argmax of the ten
# outputs against the class, on the test images: meaningful only with an auxiliary loss, see
# the last section) and the parameter count.
# {numref}`fig-al-errors` shows the rounds one by one.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
rows = []
for group, configs in GROUPS.items():
    for name, config in configs.items():
        if name in GRID_ONLY:
            continue
        rows.append(
            {
                "group": group,
                "model": name,
                "configuration": what(config),
                "parameters": f"{config.parameter_count():,}",
                "test error (%)": summary_text(final, name),
                "published (%)": published_text(name),
                "train error (%)": f"{final.loc[name, 'train_error']:.1f}",
                "digit error (%)": ""
                if math.isnan(final.loc[name, "test_digit_error"])
                else f"{final.loc[name, 'test_digit_error']:.1f}",
            }
        )
show_table(
    pd.DataFrame(rows),
    "tab-al-results",
    f"Test error (mean ± std over {p['rounds']} rounds of {p['epochs']} epochs, {p['n_pairs']} "
    "training and test pairs) of every configuration, the published figure of the report row it "
    "reproduces, the final training error, the test digit error of the branches (argmax), the "
    "parameter count. Names are the reports' (report/model); "
    "the rows after a name change what is written after its comma.",
)

# %% tags=["remove-cell"]
finals = final_epoch(main)
colours = dict(
    zip(GROUPS, ("tab:blue", "tab:cyan", "tab:orange", "tab:purple", "tab:green", "tab:red"), strict=False)
)
names = [n for n in ALL if n not in GRID_ONLY]
fig = round_errors_figure(
    main, names, {n: colours[group_of[n]] for n in names}, published_means(names), height=6.4
)
glue_figure("fig-al-errors", fig)

# %% [markdown]
# ```{glue:figure} fig-al-errors
# :name: fig-al-errors
#
# Test error of every round (dots), our mean (bar) and the published mean (cross) for each
# configuration of {numref}`tab-al-results`, coloured by group.
# ```

# %% tags=["remove-cell"]
LAMBDAS = (0.0, 0.1, 10**-0.5, 1.0, 10**0.5, 10.0)  # the sweep, at AL4's learning rate
HEAT_LAMBDAS = (0.0, 0.1, 1.0, 10.0)  # crossed with the learning rates
LRS = (al4.lr / 4, al4.lr, al4.lr * 4)
valid_base = al4.replace(valid_pairs=p["valid_pairs"])


def cell_name(lr: float, weight: float) -> str:
    return f"AL4 valid, lr {lr:g}, λ {weight:.3g}"


CELLS = {(al4.lr, w): valid_base.replace(aux_weight=w) for w in LAMBDAS}
CELLS |= {(lr, w): valid_base.replace(lr=lr, aux_weight=w) for lr in LRS for w in HEAT_LAMBDAS}
sweep = grid({cell_name(lr, w): c for (lr, w), c in CELLS.items()})
valid = summarise(sweep)
cell_table = pd.DataFrame(
    [
        {
            "lr": lr,
            "lambda": w,
            "mean": valid.loc[cell_name(lr, w), "mean"],
            "std": valid.loc[cell_name(lr, w), "std"],
        }
        for lr, w in CELLS
    ]
)
best = cell_table.loc[cell_table["mean"].idxmin()]
chosen_lr, chosen_lambda = float(best["lr"]), float(best["lambda"])
chosen = al4.replace(lr=chosen_lr, aux_weight=chosen_lambda)
CHOSEN = "002/AL4, chosen lr and λ"
chosen_runs = grid({CHOSEN: chosen})
test_runs = pd.concat([main, chosen_runs], ignore_index=True)
final_all = summarise(test_runs)

at_lr = cell_table[cell_table["lr"] == al4.lr].set_index("lambda")
glue_value("al_chosen_lr", chosen_lr)
glue_value("al_chosen_lambda", chosen_lambda)
glue_value("al_chosen_valid", float(best["mean"]))
glue_value("al_chosen_valid_std", float(best["std"]))
glue_value("al_chosen_test", float(final_all.loc[CHOSEN, "mean"]))
glue_value("al_chosen_test_std", float(final_all.loc[CHOSEN, "std"]))
glue_value("al_al4_test", float(final.loc["002/AL4", "mean"]))
glue_value("al_al4_test_std", float(final.loc["002/AL4", "std"]))
glue_value("al_al4_pub", float(published_row(*PUBLISHED_ROW["002/AL4"])["test_error_mean_pct"]))
glue_value("al_valid_zero", float(at_lr.loc[0.0, "mean"]))
glue_value("al_valid_one", float(at_lr.loc[1.0, "mean"]))
best_at_lr = at_lr["mean"].idxmin()
glue_value("al_best_lambda_at_lr", float(best_at_lr))
glue_value("al_al4_lr", al4.lr)
glue_text(
    "al_choice_text",
    f"λ = {chosen_lambda:.3g} at learning rate {chosen_lr:g}"
    + (" (report 002's own choice)" if chosen == al4 else ""),
)
glue_value("al_cells", len(CELLS))
glue_text(
    "al_003_remark",
    ", the value report 003 found the most consistent"
    if math.isclose(best_at_lr, 10**-0.5)
    else f" (report 003 found λ = {10**-0.5:.3g} the most consistent)",
)
edges = [
    label
    for label, at_edge in (
        ("the largest learning rate", chosen_lr == max(LRS)),
        ("the smallest learning rate", chosen_lr == min(LRS)),
        ("the largest λ", chosen_lambda == max(LAMBDAS)),
    )
    if at_edge
]
glue_text(
    "al_edge",
    f", {' and '.join(edges)} of the grid (values beyond it, which we did not try, might do better still)"
    if edges
    else ", inside the grid",
)

# %% tags=["remove-cell"]
AUX = [
    ("002 FC, separate, report's lrs", "002/FCNN3", "002/AL1"),
    ("002 FC, separate, same lr", "002/FCNN3, AL1's lr", "002/AL1"),
    ("002 FC, shared", "002/WS2", "002/AL3"),
    ("002 ConvNet, separate", "002/WS1", "002/AL2"),
    ("002 ConvNet, shared, report's lrs", "002/WS3", "002/AL4"),
    ("002 ConvNet, shared, same lr", "002/WS3", "002/AL4, WS3's lr"),
    ("000 Model A, cross-entropy", "000/model-A", "000/model-A-aux"),
    ("000 Model A, MSE", "000/model-A, MSE", "000/model-A-aux-mse"),
    ("001 Model 3", "001/model-3, no aux", "001/model-3"),
    ("004 WS to AL, α=0.5, γ=1", "004/WS", "004/AL"),
    ("004 WS to AL, α=0.2, γ=1", "004/WS", "004/AL, α=0.2, γ=1"),
    ("004 WS to AL, α=1, γ=0.2", "004/WS", "004/AL, α=1, γ=0.2"),
]
OTHER = [
    ("002: sharing, FC with aux", "002/AL1", "002/AL3"),
    ("002: sharing, ConvNet with aux", "002/AL2", "002/AL4"),
    ("000: MSE instead of CE, with aux", "000/model-A-aux", "000/model-A-aux-mse"),
    ("001: MLP to ConvNet + aux", "001/model-1", "001/model-3"),
    ("001: ConvNet to ConvNet + aux", "001/model-2", "001/model-3"),
    ("004: CNN to AL", "004/CNN", "004/AL"),
]
GRID_NAMES = {
    (alpha, gamma): "004/AL" if (alpha, gamma) == (0.5, 1.0) else f"004/AL, α={alpha:g}, γ={gamma:g}"
    for alpha in GRID_004
    for gamma in GRID_004
}
in_aux = {b for _, a, b in AUX if a == "004/WS"}
GRID_PAIRS = [
    (f"004 WS to AL, α={alpha:g}, γ={gamma:g}", "004/WS", name)
    for (alpha, gamma), name in GRID_NAMES.items()
    if name not in in_aux
]
# One family: every comparison of the chapter, Holm-adjusted together (see the Methods page).
family = adjust_family(
    {
        "auxiliary loss": labelled_comparisons(main, AUX),
        "other": labelled_comparisons(main, OTHER),
        "report 004 grid": labelled_comparisons(main, GRID_PAIRS),
        "lambda choice": labelled_comparisons(
            test_runs,
            [("AL4 to the chosen AL4", "002/AL4", CHOSEN), ("WS3 to the chosen AL4", "002/WS3", CHOSEN)],
        ),
    }
)
aux, other, choice_cmp = family["auxiliary loss"], family["other"], family["lambda choice"]
glue_comparisons("al_choice", choice_cmp)
whole = pd.concat(family.values(), ignore_index=True)
glue_value("al_family", len(whole))
glue_value("al_family_clear", int(whole["clear"].sum()))
glue_value("al_family_raw", int((whole["t_test_p"] < 0.05).sum()))
glue_comparisons("al_aux", aux)
glue_comparisons("al_other", other)
glue_value("al_aux_count", len(aux))
for key, name in (
    ("al3", "002/AL3"),
    ("ws2", "002/WS2"),
    ("al1", "002/AL1"),
    ("fcnn3", "002/FCNN3, AL1's lr"),
    ("al4", "002/AL4"),
):
    glue_value(f"al_train_{key}", float(final.loc[name, "train_error"]))
glue_value("al_fc_hidden", al1.model.hidden[0])
glue_value("al_aux_better", int((aux["difference"] < 0).sum()))
glue_value("al_aux_clear", int((aux["clear"] & (aux["difference"] < 0)).sum()))
worse = aux[aux["clear"] & (aux["difference"] > 0)]
glue_text(
    "al_aux_worse",
    "in none"
    if worse.empty
    else f"in {len(worse)}: " + ", ".join(f'"{label}"' for label in worse["comparison"]),
)
glue_value("al_aux_largest", float(-aux["difference"].min()))
glue_text("al_aux_largest_name", aux.loc[aux["difference"].idxmin(), "comparison"])

# %% [markdown]
# ## Does the auxiliary loss help?
#
# {numref}`tab-al-aux` compares each model with the auxiliary loss against the same model
# without it, round by round, and {numref}`fig-al-paired` draws the differences. The
# auxiliary loss lowers the mean test error in {glue:text}`al_aux_better` of the
# {glue:text}`al_aux_count` comparisons, clearly in {glue:text}`al_aux_clear` (Holm-adjusted
# paired-t p < 0.05 over all {glue:text}`al_family` comparisons of the chapter, and a 95%
# interval below zero; see [Methods](../book/methods.md): {glue:text}`al_family_raw` of them
# have an unadjusted p below 0.05, {glue:text}`al_family_clear` survive the adjustment); it
# clearly raises it {glue:}`al_aux_worse`. The
# largest gain, {glue:text}`al_aux_largest:.1f` points, is in "{glue:}`al_aux_largest_name`".
#
# In report 002's grid, two comparisons also change the learning rate. At the same
# learning rate, the auxiliary loss {glue:}`al_aux1_effect` the
# separate fully connected branches' error by {glue:text}`al_aux1_diff:.1f` points
# ({glue:}`al_aux1_clear`, 95% CI {glue:}`al_aux1_ci`) and {glue:}`al_aux5_effect` the shared
# ConvNet's (AL4 against WS3) by {glue:text}`al_aux5_diff:.1f` points
# ({glue:}`al_aux5_clear`, CI {glue:}`al_aux5_ci`). Report 000's unweighted sum
# {glue:}`al_aux6_effect` Model A's error from {glue:text}`al_aux6_a:.1f`% to
# {glue:text}`al_aux6_b:.1f`% ({glue:}`al_aux6_clear`, better in {glue:}`al_aux6_won`
# rounds), and report 001's auxiliary loss {glue:}`al_aux8_effect` its ConvNet's from
# {glue:text}`al_aux8_a:.1f`% to {glue:text}`al_aux8_b:.1f`% ({glue:}`al_aux8_clear`).
#
# With the auxiliary loss, the shared MLP (AL3) ends at {glue:text}`al_train_al3:.1f`%
# training error against {glue:text}`al_train_ws2:.1f`% without it (WS2), and the separate
# MLPs at {glue:text}`al_train_al1:.1f`% against {glue:text}`al_train_fcnn3:.1f`%; the
# shared ConvNet with the auxiliary loss (AL4) ends at {glue:text}`al_train_al4:.1f`%.
# Report 002 does not give its MLPs' width: their hidden layer of
# {glue:text}`al_fc_hidden` units is our choice (`pairlib/configs.py`), and no run varies
# it, so these runs cannot say whether the fully connected branches lack room for a second
# task or were simply made too narrow by us.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    comparison_display(aux),
    "tab-al-aux",
    f"The auxiliary loss, round by round: test error without (a) and with (b) it, the mean "
    f"per-round difference b − a with its 95% confidence interval, the paired-t p adjusted (Holm) "
    f"over the chapter's comparisons, the exact Wilcoxon p (unadjusted), the rounds (of "
    f"{p['rounds']}) in which the model with the auxiliary loss did better and whether the "
    "difference is clear. Negative differences favour the auxiliary loss.",
)

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    comparison_display(other),
    "tab-al-other",
    "Other comparisons the reports made around their auxiliary-loss models (same layout as the "
    "previous table; negative differences favour b).",
)

# %% tags=["remove-cell"]
fig = paired_differences_figure(
    main, {"aux": aux, "other": other}, {"aux": "tab:green", "other": "tab:orange"}, height=4.6
)
glue_figure("fig-al-paired", fig)

# %% [markdown]
# ```{glue:figure} fig-al-paired
# :name: fig-al-paired
#
# Per-round differences (dots) and their mean with its 95% confidence interval (black) for
# the comparisons of {numref}`tab-al-aux` (green: without to with the auxiliary loss) and
# {numref}`tab-al-other` (orange). Left of zero, b is better.
# ```

# %% tags=["remove-cell"]
curves = main[main["name"].isin(CURVES)]
with_aux = curves[curves["name"] == "000/model-A-aux"]
ratio = with_aux.groupby("epoch")[["digit_loss", "target_term"]].mean()
ratio = ratio["digit_loss"] / ratio["target_term"]
glue_value("al_ratio_first", float(ratio.iloc[0]))
glue_value("al_ratio_last", float(ratio.iloc[-1]))
glue_value("al_ratio_min", float(ratio.min()))
glue_text("al_ratio_dominates", "dominates" if ratio.min() > 1 else "does not always dominate")
glue_value("al_last_epoch", int(ratio.index[-1]))
PLATEAU = 30.0  # training error (%) that marks the end of the initial plateau
below = {}
for name in CURVES:
    mean_error = curves[curves["name"] == name].groupby("epoch")["running_train_error"].mean()
    reached = mean_error[mean_error < PLATEAU]
    below[name] = int(reached.index[0]) if len(reached) else None


def epoch_words(epoch: int | None) -> str:
    return f"by epoch {epoch}" if epoch is not None else f"in none of the {p['epochs']} epochs"


sooner = below["000/model-A-aux"] is not None and (
    below["000/model-A"] is None or below["000/model-A-aux"] < below["000/model-A"]
)
glue_text(
    "al_plateau",
    f"With the auxiliary loss, the mean training error falls below {PLATEAU:g}% "
    f"{epoch_words(below['000/model-A-aux'])}; without it, {epoch_words(below['000/model-A'])}: "
    + (
        "guided by the classes, the network leaves its initial plateau sooner, as in the report."
        if sooner
        else "the auxiliary loss does not shorten the initial plateau here."
    ),
)
glue_value("al_pub_000_aux", float(published_row(*PUBLISHED_ROW["000/model-A-aux"])["test_error_mean_pct"]))

fig, axes = plt.subplots(1, 2, figsize=(6.4, 2.9))
plot_band(axes[0], with_aux, "loss", "with aux: sum", "tab:red")
plot_band(axes[0], with_aux, "target_term", "with aux: target", "tab:orange")
plot_band(axes[0], with_aux, "digit_loss", "with aux: classes", "tab:green")
plot_band(axes[0], curves[curves["name"] == "000/model-A"], "target_term", "without: target", "tab:blue")
axes[0].set(xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log")
axes[0].legend(fontsize=7)
for name, colour in zip(CURVES, ("tab:blue", "tab:red"), strict=True):
    runs = curves[curves["name"] == name]
    label = "with aux" if "aux" in name else "without"
    plot_band(axes[1], runs, "running_train_error", f"{label}: train", colour)
    plot_band(axes[1], runs, "test_error", f"{label}: test", colour, ls="--")
axes[1].set(xlabel="epoch", ylabel="error (%)", ylim=(0, 50))
axes[1].legend(fontsize=7)
glue_figure("fig-al-000", fig)

# %% [markdown]
# ## Report 000: what the two losses do over training
#
# {numref}`fig-al-000` reproduces report 000's Fig. 3. Left, the training losses of Model A
# with the auxiliary loss (the sum that is minimised and its two terms) and without it.
# The class loss {glue:}`al_ratio_dominates` the target loss (the report saw it dominate):
# it is {glue:text}`al_ratio_first:.1f` times the target loss in the first epoch and
# {glue:text}`al_ratio_last:.1f` times in epoch {glue:text}`al_last_epoch`. Right, the
# training error (running, during each epoch) and the test error, with the auxiliary loss
# and without. {glue:}`al_plateau` The model with the auxiliary loss ends at
# {glue:text}`al_aux6_b:.1f`% test error against the report's
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
# With MSE instead of cross-entropy (on the softmax of the target and digit outputs), the
# auxiliary loss {glue:}`al_aux7_effect` the error from {glue:text}`al_aux7_a:.1f`% to
# {glue:text}`al_aux7_b:.1f`% ({glue:}`al_aux7_clear`), and MSE with the auxiliary loss is
# {glue:text}`al_other2_diff:.1f` points {glue:}`al_mse_word` than cross-entropy with it
# ({glue:}`al_other2_clear`, CI {glue:}`al_other2_ci`). The MSE auxiliary loss hardly
# teaches the branches the digits in {glue:text}`al_epochs` epochs: they misread
# {glue:text}`al_digit_mse:.1f`% of the test digits (argmax), against
# {glue:text}`al_digit_ce:.1f`% with cross-entropy. The MSE between a softmax and a one-hot
# vector has small gradients where the softmax is confidently wrong, exactly where
# cross-entropy's are largest, and at report 000's learning rate it barely moves.

# %% tags=["remove-cell"]
glue_text("al_mse_word", "worse" if other.loc[2, "difference"] > 0 else "better")
glue_value("al_digit_mse", float(final.loc["000/model-A-aux-mse", "test_digit_error"]))
glue_value("al_digit_ce", float(final.loc["000/model-A-aux", "test_digit_error"]))

# %% tags=["remove-cell"]
al004_rows = pd.concat([aux[aux["a"] == "004/WS"], family["report 004 grid"]], ignore_index=True)
n_help = int((al004_rows["clear"] & (al004_rows["difference"] < 0)).sum())
n_hurt = int((al004_rows["clear"] & (al004_rows["difference"] > 0)).sum())
n_grid = len(al004_rows)
if n_help == n_grid:
    reading = (
        f"All {n_grid} (α, γ) pairs of the report's grid help, clearly, at this learning rate: the "
        "weights cannot explain the report's result."
    )
elif n_hurt:
    reading = (
        f"Of the {n_grid} (α, γ) pairs of the report's grid, {n_help} clearly help and {n_hurt} "
        "clearly hurt: the choice of weights can reverse the effect in this architecture."
    )
elif n_help:
    reading = (
        f"Of the {n_grid} (α, γ) pairs of the report's grid, {n_help} clearly help and none "
        "clearly hurts: the weights change how much the auxiliary loss helps, not whether it does."
    )
else:
    reading = (
        f"None of the {n_grid} (α, γ) pairs of the report's grid clearly helps or hurts after "
        "Holm's adjustment: these runs do not tell the report's weightings apart from WS."
    )
glue_text("al_004_reading", reading)
al004_train = float(final.loc["004/AL", "train_error"])
pub_al004 = published_row(*PUBLISHED_ROW["004/AL"])
pub_ws004 = published_row(*PUBLISHED_ROW["004/WS"])
glue_value("al_004_train", al004_train)
glue_value("al_004_pub_train", float(pub_al004["train_error_mean_pct"]))
glue_value("al_004_pub_train_ws", float(pub_ws004["train_error_mean_pct"]))
glue_value("al_004_pub_al", float(pub_al004["test_error_mean_pct"]))
glue_value("al_004_pub_ws", float(pub_ws004["test_error_mean_pct"]))
low, high = GROUPS["004, SGD"]["004/AL, α=0.2, γ=1"], GROUPS["004, SGD"]["004/AL, α=1, γ=0.2"]
glue_value("al_004_low_lambda", low.aux_weight / low.target_weight)
glue_value("al_004_high_lambda", high.aux_weight / high.target_weight)
glue_value("al_004_high_gamma", high.target_weight)
budget_ok = n_help > 0 and al004_train <= float(pub_al004["train_error_mean_pct"])
glue_text(
    "al_004_budget",
    "The training budget does not explain it either: in the report's 25 epochs our AL fits its "
    "training pairs as well as or better than the report's"
    if budget_ok
    else "The training budget may play a part: in the report's 25 epochs our AL fits its training "
    "pairs less well than the report's",
)

# %% [markdown]
# ## Report 004: why was the auxiliary loss worse?
#
# Report 004 found its AL model ({glue:text}`al_004_pub_al:.1f`% test error) worse than
# WS ({glue:text}`al_004_pub_ws:.1f`%), the same network trained on the target alone, and
# suspected the weights $\alpha$ and $\gamma$ or branches too small for a ten-class task.
# In our runs of its architecture (WS: {glue:text}`al_aux9_a:.1f`%, published
# {glue:text}`al_004_pub_ws:.1f`%), the auxiliary loss at the registry's weights
# {glue:}`al_aux9_effect` WS's error from {glue:text}`al_aux9_a:.1f`% to
# {glue:text}`al_aux9_b:.1f`% ({glue:}`al_aux9_clear`); at the low end of their grid
# ($\lambda$ = {glue:text}`al_004_low_lambda:.1f`) it {glue:}`al_aux10_effect` it to
# {glue:text}`al_aux10_b:.1f`% ({glue:}`al_aux10_clear`), and at the high end
# ($\lambda$ = {glue:text}`al_004_high_lambda:.0f`, the target's weight cut to
# {glue:text}`al_004_high_gamma:.1f`) it {glue:}`al_aux11_effect` it to
# {glue:text}`al_aux11_b:.1f`% ({glue:}`al_aux11_clear`). {glue:}`al_004_reading`
#
# {glue:}`al_004_budget` ({glue:text}`al_004_train:.1f`% training error against
# {glue:text}`al_004_pub_train:.1f`%; the report's WS reached
# {glue:text}`al_004_pub_train_ws:.2f`%). What differs is the architecture as the report's
# code built it: its branch is its 2-channel CNN given ten outputs, and that CNN ends in a
# ReLU, a batch norm and a dropout of 0.3 *after* its last linear layer (its Fig. 1.2).
# The ten digit outputs its auxiliary loss reads are therefore rectified, renormalised and
# partly dropped at every step, a poor input for a ten-class cross-entropy; our branches
# end in a plain linear layer, as the report's text describes them. (Training that output
# block would need an option the model library does not have yet.)

# %% tags=["remove-cell"]
grid_table = family["report 004 grid"].set_index("b")
grid_cells = pd.concat([aux[aux["a"] == "004/WS"].set_index("b"), grid_table])
grid_rows = []
for alpha in GRID_004:
    row = {"α": f"{alpha:g}"}
    for gamma in GRID_004:
        cell = grid_cells.loc[GRID_NAMES[(alpha, gamma)]]
        row[f"γ = {gamma:g}"] = f"{cell['difference']:+.1f} ({'clear' if cell['clear'] else 'not clear'})"
    grid_rows.append(row)
glue_value("al_004_lr", al004.lr)
glue_value("al_004_grid_cells", len(GRID_NAMES))
glue_value("al_004_help", n_help)
glue_value("al_004_hurt", n_hurt)
glue_value("al_004_best_gain", float(grid_cells["difference"].min()))
glue_value("al_004_least_gain", float(grid_cells["difference"].max()))

# %% [markdown]
# Report 004 searched $\alpha$ and $\gamma$ over {0.2, 0.5, 0.8, 1} and the learning rate
# over {0.05, 0.1, 0.5, 1}. We ran the whole (α, γ) grid, {glue:text}`al_004_grid_cells`
# pairs, at the registry's learning rate of {glue:text}`al_004_lr:g` only
# ({numref}`tab-al-004-grid`): {glue:text}`al_004_help` clearly help and
# {glue:text}`al_004_hurt` clearly hurt; the mean difference AL − WS runs from
# {glue:text}`al_004_best_gain:.1f` to {glue:text}`al_004_least_gain:.1f` points. Other
# learning rates, which the report's search also covered, were not run.

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    pd.DataFrame(grid_rows),
    "tab-al-004-grid",
    f"Report 004's (α, γ) grid at learning rate {al004.lr:g}: mean per-round difference AL − WS "
    f"of the test error (points, over {p['rounds']} rounds; negative favours the auxiliary loss) "
    "and whether it is clear after Holm's adjustment over the chapter's comparisons.",
)

# %% [markdown]
# ## How should the auxiliary loss be weighted?
#
# Report 002 set $\lambda = 1$ "as both losses have similar scale"; report 003 found
# $\lambda = 10^{-0.5}$ the most consistent and 0.1 the best on average; report 000's
# curves show the class loss dominating an unweighted sum. We sweep $\lambda$ on a log grid
# for AL4, report 002's best model (shared ConvNet branches, Adam), and cross it with the
# learning rate, since with Adam a larger $\lambda$ shifts how the step is shared between
# the two losses. Every cell is trained on the first {glue:text}`al_train_pairs` training
# pairs of its round and scored on the last {glue:text}`al_valid_pairs`, held out: the
# *validation* error. The test pairs are not looked at. The cell with the lowest mean
# validation error gives the learning rate and $\lambda$, and that configuration, trained
# on all {glue:text}`al_n_pairs` training pairs, is scored on the test pairs once.

# %% tags=["remove-cell"]
fig, axes = plt.subplots(1, 2, figsize=(6.4, 2.9), gridspec_kw={"width_ratios": [1.1, 1]})
ax = axes[0]
positive = at_lr[at_lr.index > 0]
ax.plot(positive.index, positive["mean"], "o-", color="tab:blue", label="λ > 0")
ax.fill_between(
    positive.index, positive["mean"] - positive["std"], positive["mean"] + positive["std"], alpha=0.2, lw=0
)
zero = at_lr.loc[0.0]
ax.axhline(zero["mean"], color="tab:grey", ls="--", label="λ = 0 (no aux)")
ax.axhspan(zero["mean"] - zero["std"], zero["mean"] + zero["std"], color="tab:grey", alpha=0.12, lw=0)
ax.set(xscale="log", xlabel="auxiliary weight λ", ylabel="validation error (%)", title=f"lr {al4.lr:g}")
ax.legend(fontsize=7)
ax = axes[1]
heat = cell_table[cell_table["lambda"].isin(HEAT_LAMBDAS) & cell_table["lr"].isin(LRS)]
matrix = heat.pivot_table(index="lr", columns="lambda", values="mean").loc[list(LRS), list(HEAT_LAMBDAS)]
image = ax.imshow(matrix.to_numpy(), cmap="viridis_r", aspect="auto")
for i in range(matrix.shape[0]):
    for j in range(matrix.shape[1]):
        value = matrix.iloc[i, j]
        ax.text(
            j,
            i,
            f"{value:.1f}",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if value > matrix.to_numpy().mean() else "black",
        )
ax.set_xticks(range(len(HEAT_LAMBDAS)), [f"{w:g}" for w in HEAT_LAMBDAS])
ax.set_yticks(range(len(LRS)), [f"{lr:g}" for lr in LRS])
ax.set(xlabel="auxiliary weight λ", ylabel="Adam learning rate")
fig.colorbar(image, ax=ax, label="validation error (%)", shrink=0.9)
glue_figure("fig-al-lambda", fig)

# %% [markdown]
# ```{glue:figure} fig-al-lambda
# :name: fig-al-lambda
#
# AL4's validation error (mean over the rounds). Left: against the auxiliary weight λ at
# report 002's learning rate (line ± std band; the dashed line and grey band: λ = 0). Right:
# learning rate × λ (mean validation error in each cell).
# ```
#
# At report 002's learning rate ({glue:text}`al_al4_lr:g`), the validation error is
# {glue:text}`al_valid_zero:.1f`% without the auxiliary loss and {glue:text}`al_valid_one:.1f`%
# at λ = 1; it is lowest at λ = {glue:text}`al_best_lambda_at_lr:.3g` along the sweep
# ({numref}`fig-al-lambda`){glue:}`al_003_remark`. Over all {glue:text}`al_cells` cells of the sweep and the
# grid, the lowest mean validation error ({glue:text}`al_chosen_valid:.1f`% ±
# {glue:text}`al_chosen_valid_std:.1f`) is at {glue:}`al_choice_text`{glue:}`al_edge`. Trained on all
# training pairs, this configuration reaches {glue:text}`al_chosen_test:.1f`% ±
# {glue:text}`al_chosen_test_std:.1f` test error ({numref}`tab-al-choice`), against
# {glue:text}`al_al4_test:.1f`% ± {glue:text}`al_al4_test_std:.1f` for AL4 as report 002 set
# it (published: {glue:text}`al_al4_pub:.1f`%): the choice {glue:}`al_choice0_effect` the
# error by {glue:text}`al_choice0_diff:.1f` points ({glue:}`al_choice0_clear`, CI
# {glue:}`al_choice0_ci`); against WS3, the same network without the auxiliary loss, it
# {glue:}`al_choice1_effect` the error by {glue:text}`al_choice1_diff:.1f` points
# ({glue:}`al_choice1_clear`, CI {glue:}`al_choice1_ci`).

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    comparison_display(choice_cmp),
    "tab-al-choice",
    f"Test error of AL4 at the learning rate and λ chosen on validation (lr {chosen_lr:g}, "
    f"λ {chosen_lambda:.3g}), trained on all {p['n_pairs']} training pairs, against AL4 as "
    "report 002 set it and against WS3 (no auxiliary loss), round by round.",
)

# %% tags=["remove-cell"]
PROBED = {"002/WS2": registered("002/WS2"), "002/AL3": registered("002/AL3"), "002/WS3": ws3, "002/AL4": al4}
probes = probe_grid(PROBED, p["rounds"], p["seed"], device=p["device"], progress=False)
probe_summary = probes.groupby("name", sort=False)[
    ["test_error", "argmax_digit_error", "permutation_digit_error", "linear_digit_error"]
].agg(["mean", "std"])
probe_rows = []
for name in PROBED:
    row = probe_summary.loc[name]
    probe_rows.append(
        {
            "model": name,
            "auxiliary loss": "yes" if PROBED[name].aux_weight else "no",
            "pair error (%)": mean_std(row[("test_error", "mean")], row[("test_error", "std")]),
            **{
                f"digit error, {probe} (%)": mean_std(
                    row[(f"{probe}_digit_error", "mean")], row[(f"{probe}_digit_error", "std")]
                )
                for probe in ("argmax", "permutation", "linear")
            },
        }
    )
linear = probe_summary[("linear_digit_error", "mean")]
glue_text(
    "al_probe_reading",
    "The auxiliary loss does not only name the outputs: it makes the branches better digit "
    "classifiers (the linear read-out errs less, for the ConvNet and for the MLP), and the "
    "comparator then reads a one-hot code instead of whatever features the target alone shaped."
    if linear["002/AL4"] < linear["002/WS3"] and linear["002/AL3"] < linear["002/WS2"]
    else "The linear read-outs do not rank the models the same way for the ConvNet and the MLP: "
    "the auxiliary loss mostly names the outputs rather than making the branches read digits "
    "better.",
)
for name in PROBED:
    key = name.split("/")[1].lower()
    for probe in ("argmax", "permutation", "linear"):
        glue_value(
            f"al_probe_{key}_{probe}", float(probe_summary.loc[name, (f"{probe}_digit_error", "mean")])
        )

# %% [markdown]
# ## What the auxiliary loss changes inside the network
#
# The branches' digit error in {numref}`tab-al-results` is the argmax of the ten outputs
# against the class, and without an auxiliary loss nothing tells a branch to put digit d on
# output d. Two probes read the same ten outputs more fairly: the best one-to-one
# relabelling of the outputs, and a linear read-out (multinomial logistic regression), both
# fitted on the training images and scored on the test images (`pairlib/probes.py`).
# {numref}`tab-al-probes` gives them for report 002's shared models with and without the
# auxiliary loss. Without it, a linear read-out of the shared ConvNet's outputs misreads
# {glue:text}`al_probe_ws3_linear:.1f`% of the test digits (best relabelling:
# {glue:text}`al_probe_ws3_permutation:.1f`%). With it, the plain argmax misreads
# {glue:text}`al_probe_al4_argmax:.1f`% and the linear read-out
# {glue:text}`al_probe_al4_linear:.1f`%. {glue:}`al_probe_reading`

# %% tags=["remove-input"]
# NBVAL_CHECK_OUTPUT
show_table(
    pd.DataFrame(probe_rows),
    "tab-al-probes",
    f"What the branches' ten outputs say about the digits (test images, mean ± std over "
    f"{p['rounds']} rounds): the pair error, and the digit error of three read-outs of the "
    "outputs: their argmax, argmax after the best relabelling of the outputs, and a linear "
    "probe, both fitted on the training images.",
)

# %% tags=["remove-cell"]
tidy = results_table(test_runs)
tidy.insert(1, "group", tidy["model_id"].map(lambda n: group_of.get(n, "lambda choice")))
save_results(tidy, "auxiliary_loss")
glue_value("al_configurations", len(tidy) + len(CELLS))
glue_value("al_runs", int((len(tidy) + len(CELLS) + len(PROBED)) * p["rounds"]))
runs_seconds = pd.concat([final_epoch(test_runs), final_epoch(sweep)])["seconds"].sum()
glue_value("al_train_minutes", float(runs_seconds / 60))
save_comparisons("auxiliary_loss", family)

# %% tags=["remove-cell"]
mse = other.set_index("comparison").loc["000: MSE instead of CE, with aux"]
mse_train = float(final.loc["000/model-A-aux-mse", "train_error"])
glue_value("al_mse_train", mse_train)
mse_effect = (
    f"MSE {'raises' if mse['difference'] > 0 else 'lowers'} the test error by "
    f"{abs(mse['difference']):.1f} points, {'clearly' if mse['clear'] else 'not clearly'}"
)
HARDLY_TRAINS = 20.0  # training error (%) above which a model is said to hardly train
glue_text(
    "al_short_mse",
    "MSE against cross-entropy is not settled by these runs: with MSE losses, report 000's "
    f"Model A with the auxiliary loss ends at {mse_train:.1f}% training error after "
    f"{p['epochs']} epochs at the report's learning rate, so the comparison ({mse_effect}) sets a "
    "model that trains against one that hardly does; it says nothing of the two losses once both train"
    if mse_train > HARDLY_TRAINS
    else f"With the auxiliary loss, report 000's Model A trained with MSE instead of cross-entropy: "
    f"{mse_effect}",
)
glue_text(
    "al_short_004",
    "Report 004's finding does not reproduce in its architecture as its text describes it: "
    f"the auxiliary loss clearly helps at {n_help} of the {n_grid} (α, γ) pairs of its grid, at "
    f"learning rate {al004.lr:g}. Its branches' output block (ReLU, batch norm and dropout on the "
    "ten digit outputs), which we did not train, remains an untested candidate"
    if n_help and not n_hurt
    else f"In report 004's architecture, {n_help} of the {n_grid} (α, γ) pairs of its grid "
    f"clearly help and {n_hurt} clearly hurt",
)

# %% [markdown]
# ## In short
#
# - With the reports' own models and settings, the auxiliary loss lowers the test error in
#   {glue:text}`al_aux_better` of {glue:text}`al_aux_count` paired comparisons
#   ({numref}`tab-al-aux`), clearly in {glue:text}`al_aux_clear`, by up to
#   {glue:text}`al_aux_largest:.1f` points.
# - {glue:}`al_short_mse`.
# - {glue:}`al_short_004`.
# - Inside the network, a linear read-out of AL4's branch outputs misreads
#   {glue:text}`al_probe_al4_linear:.1f`% of the test digits, and of WS3's (no auxiliary
#   loss) {glue:text}`al_probe_ws3_linear:.1f`% ({numref}`tab-al-probes`).
# - Chosen on held-out training pairs, {glue:}`al_choice_text` gives AL4
#   {glue:text}`al_chosen_test:.1f`% ± {glue:text}`al_chosen_test_std:.1f` test error
#   (report 002's AL4: {glue:text}`al_al4_test:.1f`% ± {glue:text}`al_al4_test_std:.1f` here,
#   {glue:text}`al_al4_pub:.1f`% published).
#
# This chapter trained {glue:text}`al_configurations` configurations for
# {glue:text}`al_rounds` rounds each ({glue:text}`al_runs` runs including the probes' own),
# {glue:text}`al_train_minutes:.0f` minutes of training on one core.
