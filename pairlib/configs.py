"""The named configurations of the book: each published model as its report describes it.

Keys are ``"<report>/<model id>"`` with the report's own IDs (``"002/AL4"``, ``"003/siamese-10"``),
so that a chapter's table can sit our figure beside the matching row of the transcribed
published results. Where a report leaves a detail out (a width, a learning rate), the choice
made here is written next to it; ``PUBLISHED_ROW`` maps each key to its row in
``results/published.csv``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pairlib.fitting import TrainConfig
from pairlib.models import ModelSpec
from pairlib.published import published_row

# Report 000: three conv layers take each 14x14 image to 256 channels of 1x1, then two linear
# layers to 10 outputs (widths of the conv and linear layers not given: 32, 64, 256 and 128).
BRANCH_000 = ModelSpec(channels=(32, 64, 256), kernels=(5, 3, 3), pools=(2, 1, 1), hidden=(128,))
# Report 003: conv 3x3, max-pool 2, ReLU, conv 6x6 (to 1x1), batch norm, then a linear layer.
BODY_003 = ModelSpec(channels=(64, 64), kernels=(3, 6), pools=(2, 1), hidden=(64,), batch_norm=True)
# Report 004, Fig. 1.2: conv 32 and 64 channels (3x3, max-pool 2, ReLU, BatchNorm2d, Dropout(0.2)),
# Linear(256, 200) ReLU BatchNorm1d Dropout(0.3), and the output layer followed by the same block.
BODY_004 = ModelSpec(
    channels=(32, 64),
    kernels=(3, 3),
    pools=(2, 2),
    hidden=(200,),
    batch_norm=True,
    conv_dropout=0.2,
    dropout=0.3,
    out_block=True,
)
# Its Fig. 1.4 comparator: Linear(20, 100) ReLU BN Dropout(0.2), Linear(100, 20) ReLU BN Dropout(0.2),
# Linear(20, 2) ReLU.
COMPARATOR_004 = {
    "comparator_hidden": (100, 20),
    "comparator_batch_norm": True,
    "comparator_dropout": 0.2,
    "comparator_out_relu": True,
}
# Report 001, Table II: Conv, BN, ReLU, Maxpool twice; then BN on the 720 features,
# Linear(720, 100), ReLU, Dropout(0.5), Linear(100, 2): 77,530 parameters, as the report counts.
CNN_001 = ModelSpec(
    layout="merged",
    channels=(16, 20),
    kernels=(5, 3),
    padding=3,
    hidden=(100,),
    batch_norm=True,
    norm_first=True,
    head_input_norm=True,
    hidden_norm=False,
    conv_dropout=0.0,
    dropout=0.5,
)
# Report 002: fully connected layers of unstated width (128 here); CNN 32 and 64 channels,
# without pooling: "we simply use convolution layer without applying padding", with
# "Max-Pooling" named as future work (the max-pooling reading runs as an alternative).
MLP_002 = ModelSpec(body="mlp", hidden=(128,))
CNN_002 = ModelSpec(channels=(32, 64), kernels=(3, 3), pools=(1, 1), hidden=(128,))

_SGD_000 = {"optimizer": "sgd", "lr": 0.1, "batch_size": 100, "epochs": 25}
_ADAM_002 = {"optimizer": "adam", "target_loss": "bce", "batch_size": 20, "epochs": 25}
_SGD_004 = {"optimizer": "sgd", "lr": 0.1, "batch_size": 50, "epochs": 25}

REGISTRY: dict[str, TrainConfig] = {
    # --- 000: Model A (learned two-layer comparator) and Model B (power-6 comparator)
    "000/model-B": TrainConfig(BRANCH_000.replace(comparator="power"), target_loss="mse", **_SGD_000),
    "000/model-B-no-ws": TrainConfig(
        BRANCH_000.replace(comparator="power", shared=False), target_loss="mse", **_SGD_000
    ),
    "000/model-A": TrainConfig(BRANCH_000.replace(comparator_hidden=(64,)), **_SGD_000),
    "000/model-A-aux": TrainConfig(BRANCH_000.replace(comparator_hidden=(64,)), aux_weight=1.0, **_SGD_000),
    "000/model-A-aux-mse": TrainConfig(
        BRANCH_000.replace(comparator_hidden=(64,)),
        target_loss="mse-raw",
        aux_loss="mse-raw",
        aux_weight=1.0,
        **_SGD_000,
    ),
    "000/model-B-targets-ce": TrainConfig(BRANCH_000.replace(comparator="power"), **_SGD_000),
    "000/model-B-classes-mse": TrainConfig(
        BRANCH_000.replace(comparator="power"),
        target_weight=0.0,
        aux_loss="mse-raw",
        aux_weight=1.0,
        **_SGD_000,
    ),
    "000/model-B-classes-ce": TrainConfig(
        BRANCH_000.replace(comparator="power"), target_weight=0.0, aux_weight=1.0, **_SGD_000
    ),
    # --- 001: ~70k parameters each, Adam, 15 rounds in the report
    # Table I: Linear 392 -> 160, BN, ReLU, Maxpool(2), Dropout, Linear 80 -> 128, BN, ReLU,
    # Maxpool(2), Dropout, Linear 64 -> 2: a 1-D max-pool over features; 73,954 parameters.
    "001/model-1": TrainConfig(
        ModelSpec(
            layout="merged",
            body="mlp",
            hidden=(160, 128),
            batch_norm=True,
            norm_first=True,
            feature_pool=2,
            dropout=0.5,
        ),
        optimizer="adam",
        lr=5e-4,
    ),
    "001/model-2": TrainConfig(CNN_001, optimizer="adam", lr=5e-4),
    # "Based on the CNN Model above": its branch is Table II's on one digit, with 90 hidden units
    # (the report's 120 -> 10 class layer would give 93k parameters against its 69,849).
    "001/model-3": TrainConfig(
        CNN_001.replace(layout="siamese", hidden=(90,)), aux_weight=1.0, optimizer="adam", lr=1e-3
    ),
    # --- 002: fully connected and CNN, x weight sharing x auxiliary loss; BCE, Adam, batch 20
    "002/FCNN1": TrainConfig(MLP_002.replace(layout="merged"), lr=5e-4, **_ADAM_002),
    # FCNN2 "with 3 hidden layers" has no published test error; its appendix's Table II gives
    # its learning rate, 0.00015.
    "002/FCNN2": TrainConfig(
        MLP_002.replace(layout="merged", hidden=(128, 128, 128)), lr=1.5e-4, **_ADAM_002
    ),
    "002/FCNN3": TrainConfig(MLP_002.replace(shared=False), lr=1.5e-4, **_ADAM_002),
    "002/WS2": TrainConfig(MLP_002, lr=5e-4, **_ADAM_002),
    "002/WS1": TrainConfig(CNN_002.replace(shared=False), lr=8e-4, **_ADAM_002),
    "002/WS3": TrainConfig(CNN_002, lr=1.3e-3, **_ADAM_002),
    "002/AL1": TrainConfig(MLP_002.replace(shared=False), lr=5e-4, aux_weight=1.0, **_ADAM_002),
    "002/AL2": TrainConfig(CNN_002.replace(shared=False), lr=8e-4, aux_weight=1.0, **_ADAM_002),
    "002/AL3": TrainConfig(MLP_002, lr=5e-4, aux_weight=1.0, **_ADAM_002),
    "002/AL4": TrainConfig(CNN_002, lr=2e-3, aux_weight=1.0, **_ADAM_002),
    # --- 003: pair ConvNet vs siamese with learned (2) or argmax (10) comparison; SGD
    "003/pair": TrainConfig(BODY_003.replace(layout="merged"), lr=1.0),
    # "the weights for the two losses were 1 and 10^-0.5": one weight on the auxiliary losses of
    # both digits, summed; our digit loss averages the two, so the weight doubles.
    "003/siamese-2": TrainConfig(BODY_003, aux_weight=2 * 10**-0.5, lr=0.25),
    "003/siamese-10": TrainConfig(
        BODY_003.replace(comparator="argmax"), target_weight=0.0, aux_weight=1.0, lr=0.25
    ),
    # --- 004: CNN vs weight sharing vs auxiliary losses; SGD, batch 50, 15 rounds in the report.
    # The report tunes the learning rate, alpha and gamma on its own validation grid but never
    # states the values it chose. Ours are one point of that grid each, registered before the
    # grid was rerun (CNN and WS lr 0.1; AL lr 0.5, alpha 0.5, gamma 0.5): the readings chapter
    # reruns the grid and shows where this point ranks, which is not first. Its loss
    # alpha (L_1 + L_2) + gamma L_target is ours with aux_weight 2 alpha (our digit loss
    # averages the two digits) and target_weight gamma.
    "004/CNN": TrainConfig(BODY_004.replace(layout="merged"), **_SGD_004),
    "004/WS": TrainConfig(BODY_004.replace(**COMPARATOR_004), **_SGD_004),
    "004/AL": TrainConfig(
        BODY_004.replace(**COMPARATOR_004), aux_weight=1.0, target_weight=0.5, **(_SGD_004 | {"lr": 0.5})
    ),
}
# Report 000's Table IV lists "Model B, weight sharing, trained on targets only (MSELoss)" twice
# (the row of its Sec. III comparison and the row its Sec. V cites): two published rows of one
# configuration, hence one set of runs.
REGISTRY["000/model-B-targets-mse"] = REGISTRY["000/model-B"]

# --- the best model (issue 18), chosen in the comparator chapter on validation pairs of design
# rounds: a small VGG-like branch (3x3 convs of 32, 48 and 48 channels, padded, max-pool after
# the first and the third, batch norm, 128 hidden units) trained on the digit classes with Adam,
# a cosine schedule over 50 epochs, digits shifted by a pixel, rotated by up to 15 degrees and
# scaled by up to 10%, with label smoothing of 0.1 on the class loss; an ensemble of 10. Read it
# with the readout the chapter chose (exact or argmax, with test-time augmentation: a readout,
# not a training choice, pairlib.analysis.Readout).
BRANCH_BEST = ModelSpec(
    channels=(32, 48, 48),
    kernels=(3, 3, 3),
    pools=(2, 1, 2),
    padding=1,
    hidden=(128,),
    batch_norm=True,
    comparator="exact",
)
REGISTRY["best"] = TrainConfig(
    BRANCH_BEST,
    target_weight=0.0,
    aux_weight=1.0,
    optimizer="adam",
    lr=2e-3,
    epochs=50,
    batch_size=100,
    schedule="cosine",
    augment_shift=1,
    augment_rotate=15.0,
    augment_scale=0.1,
    label_smoothing=0.1,
    ensemble=10,
)

#: Registry key -> (report file prefix, model_id) of the transcribed published table.
PUBLISHED_ROW: dict[str, tuple[str, str]] = {
    "000/model-B": ("000", "Model B (Sec. III)"),
    "000/model-B-no-ws": ("000", "Model B no WS (Sec. III)"),
    "000/model-A": ("000", "Model A"),
    "000/model-A-aux": ("000", "Model A + aux (CE)"),
    "000/model-A-aux-mse": ("000", "Model A + aux (MSE)"),
    "000/model-B-targets-mse": ("000", "Model B targets (MSE)"),
    "000/model-B-targets-ce": ("000", "Model B targets (CE)"),
    "000/model-B-classes-mse": ("000", "Model B classes (MSE)"),
    "000/model-B-classes-ce": ("000", "Model B classes (CE)"),
    "001/model-1": ("001", "Model 1 Baseline"),
    "001/model-2": ("001", "Model 2 CNN"),
    "001/model-3": ("001", "Model 3 CNN + aux"),
    **{f"002/{m}": ("002", m) for m in ("FCNN1", "FCNN3", "WS1", "WS2", "AL1", "AL2", "AL3", "AL4")},
    "003/pair": ("003", "pair"),
    "003/siamese-2": ("003", "siamese 2"),
    "003/siamese-10": ("003", "siamese 10"),
    "004/CNN": ("004", "CNN"),
    "004/WS": ("004", "WS"),
    "004/AL": ("004", "AL"),
}


def _alternatives() -> dict[str, dict[str, TrainConfig]]:
    """Other readings of each report's text: registry key -> {what differs: configuration}.

    Each is a choice the text leaves open or that our first reading made differently; the
    readings chapter runs them all beside the registered reading, and the reproduction
    scorecard lists them (``tested_by``)."""
    r = REGISTRY
    relu_end = {
        "model__out_block": True
    }  # "Rectified linear units are used at the end of most of the layers"
    alternatives: dict[str, dict[str, TrainConfig]] = {
        "000/model-B": {"branch ends in ReLU": r["000/model-B"].replace(**relu_end)},
        "000/model-B-no-ws": {"branch ends in ReLU": r["000/model-B-no-ws"].replace(**relu_end)},
        "000/model-B-targets-ce": {"branch ends in ReLU": r["000/model-B-targets-ce"].replace(**relu_end)},
        # the same configuration as 000/model-B (report 000 prints it twice), hence the same runs
        "000/model-B-targets-mse": {"branch ends in ReLU": r["000/model-B-targets-mse"].replace(**relu_end)},
        "000/model-A-aux": {
            "both class losses summed": r["000/model-A-aux"].replace(aux_weight=2.0),
            "branch widths halved": r["000/model-A-aux"].replace(
                model__channels=(16, 32, 128), model__hidden=(64,)
            ),
        },
        "000/model-A-aux-mse": {
            "MSE on softmax outputs": r["000/model-A-aux-mse"].replace(target_loss="mse", aux_loss="mse"),
        },
        "000/model-B-classes-mse": {
            "MSE on eq. V.1 probabilities": r["000/model-B-classes-mse"].replace(aux_loss="mse-power"),
            "MSE on softmax outputs": r["000/model-B-classes-mse"].replace(aux_loss="mse"),
        },
        "001/model-1": {
            "hidden 160-64, no feature pooling": r["001/model-1"].replace(
                model__hidden=(160, 64), model__feature_pool=1, model__norm_first=False
            ),
        },
        "001/model-2": {
            "dropout after every block": r["001/model-2"].replace(
                model__conv_dropout=None,
                model__norm_first=False,
                model__head_input_norm=False,
                model__hidden_norm=None,
            ),
        },
        "001/model-3": {
            "no dropout, BN after ReLU": r["001/model-3"].replace(
                model__conv_dropout=None,
                model__dropout=0.0,
                model__norm_first=False,
                model__head_input_norm=False,
                model__hidden_norm=None,
            ),
            "hidden 120 as its text says": r["001/model-3"].replace(model__hidden=(120,)),
        },
        "003/siamese-2": {
            "auxiliary weight on the mean": r["003/siamese-2"].replace(aux_weight=10**-0.5),
            "ReLU before the 20-2 layer": r["003/siamese-2"].replace(model__comparator_input="relu"),
        },
        "003/siamese-10": {},
        "004/CNN": {"one dropout rate, plain output layer": r["004/CNN"].replace(**_PLAIN_004)},
        "004/WS": {
            "one dropout rate, plain ends": r["004/WS"].replace(**_PLAIN_004, **_PLAIN_COMPARATOR_004)
        },
        "004/AL": {
            "one dropout rate, plain ends": r["004/AL"].replace(**_PLAIN_004, **_PLAIN_COMPARATOR_004)
        },
    }
    # Report 001 uses "L2 regularization" without its strength: one value, 1e-3, as Adam's weight decay.
    for key in ("001/model-1", "001/model-2", "001/model-3"):
        alternatives[key]["L2 weight decay 1e-3"] = r[key].replace(weight_decay=1e-3)
    # Report 002: its CNNs "simply use convolution layer without applying padding" and name
    # max-pooling as future work (registered without it; our first reading pooled); the
    # comparator of its siamese models is not drawn in the text.
    for name in ("FCNN3", "WS1", "WS2", "AL1", "AL2", "AL3", "AL4"):
        config = r[f"002/{name}"]
        readings = alternatives.setdefault(f"002/{name}", {})
        readings["hidden layer in the comparator"] = config.replace(model__comparator_hidden=(64,))
        if config.model.body == "conv":
            readings["max-pooling"] = config.replace(model__pools=(2, 2))
        else:
            readings["256 hidden units"] = config.replace(model__hidden=(256,))
        if name in ("FCNN3", "AL1", "AL2", "AL3", "AL4"):  # no epoch count in the report
            readings["50 epochs"] = config.replace(epochs=50)
    alternatives["002/FCNN1"] = {  # its Fig. 5: widths of the merged network
        f"{width} hidden units": r["002/FCNN1"].replace(model__hidden=(width,)) for width in (64, 256)
    }
    # Report 003's Fig. 1a-d, run on its siamese models: batch norm x skip connections, the
    # learning-rate grid, the widths, and (siamese-2) the weight of the auxiliary losses, summed
    # as it sums them.
    for key in ("003/siamese-2", "003/siamese-10"):
        config, readings = r[key], alternatives[key]
        readings["no batch norm"] = config.replace(model__batch_norm=False)
        readings["skip connections"] = config.replace(model__skip=True)
        readings["no batch norm, skip connections"] = config.replace(
            model__batch_norm=False, model__skip=True
        )
        for lr in (0.001, 0.01, 0.1, 1.0):
            readings[f"lr {lr:g}"] = config.replace(lr=lr)
        # Fig. 1d: "the number of channels of the two hidden layers (8, 16, 32, 64), the number
        # of hidden units of the first fully connected layer (64, 128, 256, 512)"; one at a time.
        for channels in (8, 16, 32):
            readings[f"{channels} channels"] = config.replace(model__channels=(channels, channels))
        for hidden in (128, 256, 512):
            readings[f"{hidden} hidden units"] = config.replace(model__hidden=(hidden,))
    for weight in (0.01, 0.1, 1.0):
        alternatives["003/siamese-2"][f"auxiliary weight {weight:g}"] = r["003/siamese-2"].replace(
            aux_weight=2 * weight
        )
    return alternatives


_PLAIN_004 = {"model__conv_dropout": None, "model__dropout": 0.2, "model__out_block": False}
_PLAIN_COMPARATOR_004 = {
    "model__comparator_batch_norm": False,
    "model__comparator_dropout": 0.0,
    "model__comparator_out_relu": False,
}
ALTERNATIVES = _alternatives()


#: Report 004's grid search: "4 values for the learning rate: [5e-2, 1e-1, 5e-1, 1] and 4 for
#: alpha and gamma: [0.2, 0.5, 0.8, 1]", each trained on 500 pairs and validated on 500.
GRID_004_LR = (0.05, 0.1, 0.5, 1.0)
GRID_004_WEIGHTS = (0.2, 0.5, 0.8, 1.0)


def grid_004(epochs: int = 25, n_pairs: int = 1000) -> dict[str, TrainConfig]:
    """Report 004's validation grid, named ``"<model> | <setting>"``: CNN and WS over the
    learning rates, AL over learning rate x alpha x gamma (loss alpha (L_1 + L_2) + gamma L,
    so aux_weight 2 alpha on our mean digit loss), half the pairs held out for validation."""
    grid: dict[str, TrainConfig] = {}
    for model in ("CNN", "WS"):
        for lr in GRID_004_LR:
            config = at_protocol(REGISTRY[f"004/{model}"], epochs, n_pairs)
            grid[f"{model} | lr {lr:g}"] = config.replace(lr=lr, valid_pairs=n_pairs // 2)
    for lr in GRID_004_LR:
        for alpha in GRID_004_WEIGHTS:
            for gamma in GRID_004_WEIGHTS:
                config = at_protocol(REGISTRY["004/AL"], epochs, n_pairs)
                grid[f"AL | lr {lr:g}, α {alpha:g}, γ {gamma:g}"] = config.replace(
                    lr=lr, aux_weight=2 * alpha, target_weight=gamma, valid_pairs=n_pairs // 2
                )
    return grid


def grid_004_setting(key: str) -> str:
    """The registered configuration of report 004's model ``key`` ("004/WS") named as a setting
    of :func:`grid_004`, so that the chapter can show where it ranks on the rerun grid."""
    config = REGISTRY[key]
    if key == "004/AL":
        return f"lr {config.lr:g}, α {config.aux_weight / 2:g}, γ {config.target_weight:g}"
    return f"lr {config.lr:g}"


def alternative_name(key: str, label: str) -> str:
    """The model id of an alternative reading in the chapters' tables: ``"001/model-2 [label]"``."""
    return f"{key} [{label}]"


def alternative_configs(keys: Iterable[str] | None = None) -> dict[str, TrainConfig]:
    """Every alternative reading of ``keys`` (all by default), by its model id."""
    return {
        alternative_name(key, label): config
        for key, readings in ALTERNATIVES.items()
        if keys is None or key in keys
        for label, config in readings.items()
    }


def get_config(name: str) -> TrainConfig:
    """The registered configuration ``name``, or a KeyError listing the names that exist."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown configuration {name!r}; known: {', '.join(REGISTRY)}") from None


def published_means(names: Iterable[str]) -> dict[str, float]:
    """The published mean test error (%) of every name that reproduces a report's row."""
    return {
        n: float(published_row(*PUBLISHED_ROW[n])["test_error_mean_pct"]) for n in names if n in PUBLISHED_ROW
    }


def published_mean(name: str) -> float:
    """The published mean test error (%) of the report row ``name`` reproduces."""
    return published_means([name])[name]


def at_protocol(config: TrainConfig, epochs: int, n_pairs: int) -> TrainConfig:
    """``config`` at a chapter's protocol: its ``n_pairs``, and its epochs scaled by
    ``epochs`` / 25 (the reports' count), so a 50-epoch reading stays twice as long in a
    quick profile; unchanged at the book's defaults, so the runs are shared."""
    return config.replace(epochs=max(1, round(config.epochs * epochs / 25)), n_pairs=n_pairs)


def registered(name: str, epochs: int, n_pairs: int) -> TrainConfig:
    """The registered configuration ``name`` at a chapter's protocol (see :func:`at_protocol`)."""
    return at_protocol(get_config(name), epochs, n_pairs)


def readings(keys: Iterable[str], epochs: int = 25, n_pairs: int = 1000) -> dict[str, TrainConfig]:
    """The registered configurations ``keys`` and every alternative reading of them, by model
    id, at a chapter's protocol."""
    keys = list(keys)
    every = {key: get_config(key) for key in keys} | alternative_configs(keys)
    return {name: at_protocol(config, epochs, n_pairs) for name, config in every.items()}


_RELU_END_CAUSE = "Ours is lower; a ReLU ending the branch makes it far worse, not closer."
_MODEL_B_CAUSE = (
    "Ours is lower, with a third of the report's spread: rounds that fail to train would give"
    " such a spread, and none of ours did; a ReLU ending the branch makes it far worse."
)
AFTER_THE_FACT = "(a reading picked among several after seeing their runs: no evidence of the report's model)"
"""The caveat of a cause that names the closest of several readings (said once in a list)."""

#: Registry key -> the cause of a remaining gap to the published figure, in one line, as far as
#: the runs of the readings chapter show it (the reproduction scorecard's ``cause`` column). A
#: cause that names the one reading, of several run, that comes closest says so: picking it
#: after seeing the runs is a search over readings, not evidence of what the report did.
CAUSES: dict[str, str] = {
    "000/model-B": _MODEL_B_CAUSE,
    "000/model-B-no-ws": _MODEL_B_CAUSE,
    "000/model-B-targets-mse": _MODEL_B_CAUSE,  # the very runs of Model B (Sec. III)
    "000/model-A-aux": "Widths unstated; summing the two class losses narrows the gap, halved widths do not.",
    "000/model-A-aux-mse": "MSE on raw outputs trains (on softmax, poorly); the rest is unexplained.",
    "000/model-B-targets-ce": _RELU_END_CAUSE,
    "001/model-1": "Built as Table I, parameter count exact; every reading errs well below the report, and"
    " ours fits its training pairs far better than the report's training error says: another protocol.",
    "001/model-2": "Built as Table II, parameter count exact; its L2 reading is within two standard errors.",
    "002/FCNN3": "Width, a comparator layer and more epochs each narrow the gap a little, none closes it.",
    "002/WS1": "Registered without max-pooling, as the text says; with it (our first reading) ours is lower.",
    "002/AL1": "Its learning rate came from a “brute force search” on pairs it does not name; a hidden "
    "comparator layer narrows the gap " + AFTER_THE_FACT + ".",
    "002/AL2": "A hidden comparator layer, not in the text, closes the gap " + AFTER_THE_FACT + ".",
    "002/AL3": "A hidden comparator layer narrows it " + AFTER_THE_FACT + "; most of the gap remains.",
    "002/AL4": "A hidden comparator layer, not in the text, narrows the gap most " + AFTER_THE_FACT + ".",
    "003/siamese-2": "Doubtful: chosen on test accuracy; its std is below a fresh test set's binomial floor.",
    "003/siamese-10": "Chosen on test accuracy among many settings; every reading lies above it.",
    "004/AL": "Every reading errs far less; the report's AL fits its training pairs worse than its WS.",
    "report 004's recipe, 1 output": "One published run (“approximately 10%”), no spread: no z.",
}
