"""The named configurations of the book: each published model as its report describes it.

Keys are ``"<report>/<model id>"`` with the report's own IDs (``"002/AL4"``, ``"003/siamese-10"``),
so that a chapter's table can sit our figure beside the matching row of the transcribed
published results. Where a report leaves a detail out (a width, a learning rate), the choice
made here is written next to it; ``PUBLISHED_ROW`` maps each key to its row in
``results/published.csv``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pairlib.models import ModelSpec
from pairlib.published import published_row
from pairlib.train import TrainConfig

# Report 000: three conv layers take each 14x14 image to 256 channels of 1x1, then two linear
# layers to 10 outputs (widths of the conv and linear layers not given: 32, 64, 256 and 128).
BRANCH_000 = ModelSpec(channels=(32, 64, 256), kernels=(5, 3, 3), pools=(2, 1, 1), hidden=(128,))
# Report 003: conv 3x3, max-pool 2, ReLU, conv 6x6 (to 1x1), batch norm, then a linear layer.
BODY_003 = ModelSpec(channels=(64, 64), kernels=(3, 6), pools=(2, 1), hidden=(64,), batch_norm=True)
# Report 004: conv 32 and 64 channels (3x3, max-pool 2), batch norm and dropout, 200 hidden units
# (its 0.2 conv / 0.3 linear dropouts are merged into one rate of 0.2).
BODY_004 = ModelSpec(
    channels=(32, 64), kernels=(3, 3), pools=(2, 2), hidden=(200,), batch_norm=True, dropout=0.2
)
# Report 002: fully connected layers of unstated width (128 here); CNN 32 and 64 channels.
MLP_002 = ModelSpec(body="mlp", hidden=(128,))
CNN_002 = ModelSpec(channels=(32, 64), kernels=(3, 3), pools=(2, 2), hidden=(128,))

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
        target_loss="mse",
        aux_loss="mse",
        aux_weight=1.0,
        **_SGD_000,
    ),
    "000/model-B-targets-ce": TrainConfig(BRANCH_000.replace(comparator="power"), **_SGD_000),
    "000/model-B-classes-mse": TrainConfig(
        BRANCH_000.replace(comparator="power"),
        target_weight=0.0,
        aux_loss="mse",
        aux_weight=1.0,
        **_SGD_000,
    ),
    "000/model-B-classes-ce": TrainConfig(
        BRANCH_000.replace(comparator="power"), target_weight=0.0, aux_weight=1.0, **_SGD_000
    ),
    # --- 001: ~70k parameters each, Adam, 15 rounds in the report
    "001/model-1": TrainConfig(
        ModelSpec(layout="merged", body="mlp", hidden=(160, 64), batch_norm=True, dropout=0.5),
        optimizer="adam",
        lr=5e-4,
    ),
    "001/model-2": TrainConfig(
        ModelSpec(
            layout="merged",
            channels=(16, 20),
            kernels=(5, 3),
            padding=3,
            hidden=(100,),
            batch_norm=True,
            dropout=0.5,
        ),
        optimizer="adam",
        lr=5e-4,
    ),
    "001/model-3": TrainConfig(
        ModelSpec(channels=(16, 20), kernels=(5, 3), padding=3, hidden=(90,), batch_norm=True),
        aux_weight=1.0,
        optimizer="adam",
        lr=1e-3,
    ),
    # --- 002: fully connected and CNN, x weight sharing x auxiliary loss; BCE, Adam, batch 20
    "002/FCNN1": TrainConfig(MLP_002.replace(layout="merged"), lr=5e-4, **_ADAM_002),
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
    "003/siamese-2": TrainConfig(BODY_003, aux_weight=10**-0.5, lr=0.25),
    "003/siamese-10": TrainConfig(
        BODY_003.replace(comparator="argmax"), target_weight=0.0, aux_weight=1.0, lr=0.25
    ),
    # --- 004: CNN vs weight sharing vs auxiliary losses; SGD, batch 50, 15 rounds in the report
    "004/CNN": TrainConfig(BODY_004.replace(layout="merged"), **_SGD_004),
    "004/WS": TrainConfig(BODY_004.replace(comparator_hidden=(100, 20)), **_SGD_004),
    "004/AL": TrainConfig(BODY_004.replace(comparator_hidden=(100, 20)), aux_weight=1.0, **_SGD_004),
}

#: Registry key -> (report file prefix, model_id) of the transcribed published table.
PUBLISHED_ROW: dict[str, tuple[str, str]] = {
    "000/model-B": ("000", "Model B (Sec. III)"),
    "000/model-B-no-ws": ("000", "Model B no WS (Sec. III)"),
    "000/model-A": ("000", "Model A"),
    "000/model-A-aux": ("000", "Model A + aux (CE)"),
    "000/model-A-aux-mse": ("000", "Model A + aux (MSE)"),
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

#: Report 000 lists "Model B, weight sharing, trained on targets only (MSE)" twice (Sec. III
#: and Table IV): both rows describe the configuration "000/model-B".
PUBLISHED_ALIASES = {("000", "Model B targets (MSE)"): "000/model-B"}


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


def registered(name: str, epochs: int, n_pairs: int) -> TrainConfig:
    """The registered configuration ``name`` at a chapter's protocol (its ``epochs`` and
    ``n_pairs`` parameters; unchanged at the book's defaults, so the runs are shared)."""
    return get_config(name).replace(epochs=epochs, n_pairs=n_pairs)
