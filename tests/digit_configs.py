"""Small configurations shared by the tests of the best model's recipe."""

from __future__ import annotations

from pairlib.fitting import TrainConfig
from pairlib.models import ModelSpec


def digits_only(
    channels: tuple[int, ...] = (4, 8), hidden: tuple[int, ...] = (16,), **changes: object
) -> TrainConfig:
    """The best model's recipe in miniature: a small siamese ConvNet trained on the digit
    classes alone with Adam, read by the exact comparator. ``changes`` set the rest."""
    return TrainConfig(
        ModelSpec(channels=channels, hidden=hidden, comparator="exact"),
        target_weight=0.0,
        aux_weight=1.0,
        optimizer="adam",
        lr=3e-3,
        **changes,
    )
