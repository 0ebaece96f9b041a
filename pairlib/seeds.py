"""Independent random streams for each round and each ensemble member.

Round r's pairs are drawn as the course draws them, after ``torch.manual_seed(seed)``. Every
other source of randomness in a run (the initial weights, the minibatch order, augmentation,
dropout) gets its own stream, derived from the round's seed, the ensemble member and the
stream's name through :class:`numpy.random.SeedSequence`. So no stream of one round or member
is another's: before, round r's augmentation generator was seeded ``seed + 1``, exactly round
r+1's minibatch order, and one integer seeded the pairs, the weights and the order alike.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Stream = Literal["init", "order", "augment", "dropout"]
STREAMS: tuple[Stream, ...] = ("init", "order", "augment", "dropout")


def stream_seed(seed: int, stream: Stream, member: int = 0) -> int:
    """A 63-bit seed for ``torch.Generator().manual_seed`` or ``torch.manual_seed``.

    ``SeedSequence(seed, spawn_key=(member, index))`` is what ``SeedSequence(seed).spawn``
    gives its children: hashed, so nearby seeds give unrelated streams.
    """
    if stream not in STREAMS:
        raise ValueError(f"stream must be one of {STREAMS}, got {stream!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    sequence = np.random.SeedSequence(seed, spawn_key=(member, STREAMS.index(stream)))
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))
