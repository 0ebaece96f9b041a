"""The weight-sharing chapter's study: what it trains, and which comparisons it makes.

The chapter reproduces every report's comparison of shared and unshared models, adds the
controls those comparisons lack (the same learning rate, the same parameter count) and reruns
report 003's ablations on both of its ConvNets. Kept here rather than in the chapter so that
the chapter reads as an argument, and so that a test can check the design itself: that each
control differs from its model in the one thing it controls for. Numbers only; the words the
page puts on them are :mod:`pairlib.sharing_page`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pairlib.configs import registered
from pairlib.diagnostics import gradient_grid
from pairlib.models import match_parameters
from pairlib.stats import adjust_family, labelled_comparisons, summarise
from pairlib.train import TrainConfig, run_grid

ABLATION_BASES = {"pair": "003/pair", "siamese": "003/siamese, target only"}
"""Report 003's two ConvNets, by the short name the ablation rows use."""

BASE_SETTING = "as in report 003"
WIDTH_CHANNELS = (8, 16, 32)  # the reports' 64 channels is the base
WIDTH_HIDDEN = (128, 256, 512)  # the reports' 64 hidden units is the base
WIDTHS = tuple(f"{c} channels" for c in WIDTH_CHANNELS) + tuple(f"{h} hidden units" for h in WIDTH_HIDDEN)
LEARNING_RATES = (0.1, 0.25, 0.5, 1.0)

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
"""Without (a) to with (b) sharing: the reports' pairs and our controls."""

LR_CONFOUNDED = {"FC, report 002's learning rates", "ConvNet 002, report's learning rates"}
"""Rows of :data:`SHARING` that change the learning rate too: shown, not counted as evidence."""

MERGED = [
    ("001: MLP to ConvNet", "001/model-1", "001/model-2"),
    ("002: merged to separate MLPs", "002/FCNN1", "002/FCNN3"),
    ("002: merged to shared MLPs", "002/FCNN1", "002/WS2"),
    ("003: pair to siamese", "003/pair", "003/siamese, target only"),
    ("004: CNN to separate branches", "004/CNN", "004/WS unshared"),
    ("004: CNN to shared branches", "004/CNN", "004/WS"),
]
"""From a merged network on the 2-channel pair to two branches, as the reports compared them."""


def groups(epochs: int, n_pairs: int) -> dict[str, dict[str, TrainConfig]]:
    """The chapter's configurations by group: the reports' models and the controls that make
    sharing the one difference (same learning rate, same parameter count, no auxiliary loss)."""

    def reg(name: str) -> TrainConfig:
        return registered(name, epochs=epochs, n_pairs=n_pairs)

    ws004, fc_ws2 = reg("004/WS"), reg("002/WS2")
    fc_same_lr = reg("002/FCNN3").replace(lr=fc_ws2.lr)
    fc_same_size = fc_same_lr.replace(
        model=match_parameters(fc_same_lr.model, fc_ws2.parameter_count(), "hidden", target_outputs=1)
    )
    unshared004 = ws004.replace(model__shared=False)
    unshared004_small = unshared004.replace(
        model=match_parameters(
            unshared004.model, ws004.parameter_count(), "hidden", target_outputs=ws004.target_outputs
        )
    )
    return {
        "fully connected": {
            "001/model-1": reg("001/model-1"),
            "002/FCNN1": reg("002/FCNN1"),
            "002/FCNN3": reg("002/FCNN3"),
            "002/FCNN3, WS2's lr": fc_same_lr,
            "002/FCNN3, WS2's lr and size": fc_same_size,
            "002/WS2": fc_ws2,
        },
        "ConvNets": {
            "001/model-2": reg("001/model-2"),
            "003/pair": reg("003/pair"),
            "003/siamese, target only": reg("003/siamese-2").replace(aux_weight=0.0),
            "002/WS1": reg("002/WS1"),
            "002/WS1, WS3's lr": reg("002/WS1").replace(lr=reg("002/WS3").lr),
            "002/WS3": reg("002/WS3"),
        },
        "equal size": {
            "004/CNN": reg("004/CNN"),
            "004/WS": ws004,
            "004/WS unshared": unshared004,
            "004/WS unshared, WS's size": unshared004_small,
        },
        "report 000": {
            "000/model-B": reg("000/model-B"),
            "000/model-B-no-ws": reg("000/model-B-no-ws"),
        },
    }


CURVES_GROUP = "equal size"
"""The group recorded per epoch, for the learning curves; the others record the final epoch."""


def ablations(base: TrainConfig) -> dict[str, TrainConfig]:
    """Report 003's ablations around one of its models: one or two changes at a time."""
    return {
        BASE_SETTING: base,
        "no batch norm": base.replace(model__batch_norm=False),
        "skip connections": base.replace(model__skip=True),
        "no batch norm, skip": base.replace(model__batch_norm=False, model__skip=True),
        **{f"lr {lr:g}": base.replace(lr=lr) for lr in LEARNING_RATES},
        "no batch norm, lr 0.1": base.replace(model__batch_norm=False, lr=0.1),
        **{f"{c} channels": base.replace(model__channels=(c, c)) for c in WIDTH_CHANNELS},
        **{f"{h} hidden units": base.replace(model__hidden=(h,)) for h in WIDTH_HIDDEN},
    }


def ablation_cells(convnets: dict[str, TrainConfig]) -> dict[tuple[str, str], tuple[str, TrainConfig]]:
    """(setting, model) -> (run name, configuration) of every ablation of both ConvNets. A
    setting equal to the report's own choice (its own learning rate) keeps the base's name,
    so that it is the same run and not a second one."""
    cells = {}
    for model, base_name in ABLATION_BASES.items():
        base = convnets[base_name]
        for setting, config in ablations(base).items():
            cells[(setting, model)] = (base_name if config == base else f"{base_name}, {setting}", config)
    return cells


def gradient_runs(convnets: dict[str, TrainConfig]) -> dict[str, tuple[str, bool, TrainConfig]]:
    """Run name -> (model, batch norm, configuration): report 003's Fig. 2, both ConvNets with and
    without batch norm at the report's learning rates."""
    runs = {}
    for model, base_name in ABLATION_BASES.items():
        for batch_norm in (True, False):
            config = convnets[base_name]
            config = config if batch_norm else config.replace(model__batch_norm=False)
            runs[f"{model}, batch norm {batch_norm}"] = (model, batch_norm, config)
    return runs


@dataclass
class Study:
    """Everything the chapter measured, as frames: ``main`` (the four groups), ``ablation``
    (report 003's ablations with their bases), ``everything`` (both, each run once), ``final``
    (:func:`pairlib.stats.summarise` of it), ``grads`` (gradient norms) and ``family`` (every
    comparison, Holm-adjusted together)."""

    groups: dict[str, dict[str, TrainConfig]]
    cells: dict[tuple[str, str], tuple[str, TrainConfig]]
    main: pd.DataFrame
    ablation: pd.DataFrame
    everything: pd.DataFrame
    final: pd.DataFrame
    grads: pd.DataFrame
    family: dict[str, pd.DataFrame]

    @property
    def settings(self) -> list[str]:
        """The ablation settings, the report's own first."""
        return list(dict.fromkeys(setting for setting, _ in self.cells))

    def cell(self, setting: str, model: str) -> str:
        """The run name of one ablation of one model."""
        return self.cells[(setting, model)][0]

    def stable(self, *names: str) -> bool:
        """Whether every round of these configurations finished (none diverged)."""
        return not self.final.loc[list(names), "diverged"].any()

    def group_of(self, name: str) -> str:
        """The group a run belongs to in the results table."""
        return next((g for g, configs in self.groups.items() if name in configs), "report 003 ablations")

    def config(self, name: str) -> TrainConfig:
        """The configuration of a run of the main groups."""
        return next(configs[name] for configs in self.groups.values() if name in configs)


def comparisons(
    main: pd.DataFrame, ablation: pd.DataFrame, everything: pd.DataFrame, final: pd.DataFrame, cells: dict
) -> dict[str, pd.DataFrame]:
    """The chapter's one family of paired comparisons, Holm-adjusted together: sharing, merged to
    two branches, pair against siamese per ablation setting (where both trained in every round)
    and each ablation against its model's report setting (where both did)."""

    def stable(*names: str) -> bool:
        return not final.loc[list(names), "diverged"].any()

    settings = list(dict.fromkeys(setting for setting, _ in cells))
    name = {key: value[0] for key, value in cells.items()}
    effects = [
        (f"{model}: {setting}", name[(BASE_SETTING, model)], name[(setting, model)])
        for model in ABLATION_BASES
        for setting in settings[1:]
        if name[(setting, model)] != name[(BASE_SETTING, model)]
        and stable(name[(BASE_SETTING, model)], name[(setting, model)])
    ]
    both = [s for s in settings if stable(name[(s, "pair")], name[(s, "siamese")])]
    return adjust_family(
        {
            "sharing": labelled_comparisons(main, SHARING),
            "merged": labelled_comparisons(main, MERGED),
            "pair vs siamese": labelled_comparisons(
                ablation, [(s, name[(s, "pair")], name[(s, "siamese")]) for s in both]
            ),
            "ablations": labelled_comparisons(everything, effects),
        }
    )


def run_study(rounds: int, epochs: int, n_pairs: int, seed: int, device: str, grad_steps: int) -> Study:
    """Train (or read from the cache) every run of the chapter and make its comparisons.

    Some ablations are unstable (a learning rate of 1 without batch norm): a round whose loss
    becomes NaN is recorded as diverged and shown as such, never averaged away.
    """
    chosen = groups(epochs, n_pairs)
    grid = {"rounds": rounds, "seed": seed, "device": device}
    main = pd.concat(
        [
            run_grid(
                {n: c for g, cs in chosen.items() if g != CURVES_GROUP for n, c in cs.items()},
                **grid,
                record="final",
            ),
            run_grid(chosen[CURVES_GROUP], **grid, record="epoch"),
        ],
        ignore_index=True,
    )
    cells = ablation_cells(chosen["ConvNets"])
    bases = set(ABLATION_BASES.values())
    only = {name: config for name, config in cells.values() if name not in bases}
    ablation = pd.concat(
        [run_grid(only, **grid, record="final", diverged="record"), main[main["name"].isin(bases)]],
        ignore_index=True,
    )
    runs = gradient_runs(chosen["ConvNets"])
    grads = gradient_grid(
        {name: config for name, (_, _, config) in runs.items()},
        rounds,
        seed,
        steps=grad_steps,
        device=device,
    )
    grads["model"] = grads["name"].map(lambda name: runs[name][0])
    grads["batch_norm"] = grads["name"].map(lambda name: runs[name][1])
    everything = pd.concat([main, ablation[~ablation["name"].isin(main["name"])]], ignore_index=True)
    final = summarise(everything)
    family = comparisons(main, ablation, everything, final, cells)
    return Study(chosen, cells, main, ablation, everything, final, grads, family)


def dead_rounds(grads: pd.DataFrame, steps: int) -> pd.Series:
    """Rounds, per (model, batch norm), whose convolutions' gradients were zero or not finite
    throughout the second half of the recorded minibatches: report 003's "the gradients fall to
    zero", counted rather than eyeballed."""
    late = grads[grads["layer"].str.startswith("conv") & (grads["step"] > steps // 2)]
    dead = late.groupby(["model", "batch_norm", "round"])["grad_norm"].apply(
        lambda v: bool(((v == 0) | ~np.isfinite(v)).all())
    )
    return dead.groupby(level=[0, 1]).sum()
