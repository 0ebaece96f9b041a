"""The course's toy problem: points uniform in the unit square, label 1 inside the disk of
radius 1/sqrt(2*pi) centred at (0.5, 0.5). The disk's area is pi r^2 = 1/2, so the classes
are balanced. (Report 004 says *diameter* and *normal*; both are slips.)"""

import math

from torch import empty

from .modules import Tensor

CENTER = (0.5, 0.5)
RADIUS = 1 / math.sqrt(2 * math.pi)


def disk_labels(x: Tensor) -> Tensor:
    """1 (int64) for rows of x strictly inside the disk, else 0."""
    return (x.sub(0.5).pow(2).sum(1) < RADIUS**2).long()


def generate_disk_set(n: int, generator=None, dtype=None) -> tuple[Tensor, Tensor]:
    """n points ~ U([0, 1]^2), shape (n, 2), and their labels, shape (n,).

    torch.Generator is not importable under the course's rules, so for reproducible data the
    caller makes one, ``torch.Generator().manual_seed(seed)``, and passes it in; without it
    the global RNG (``torch.manual_seed``) is used.
    """
    x = empty(n, 2, dtype=dtype).uniform_(0, 1, generator=generator)
    return x, disk_labels(x)
