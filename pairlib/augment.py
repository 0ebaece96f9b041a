"""Data augmentation for digit pairs, on the device and from a private generator.

With only 1000 training pairs, the cheapest extra data is the data itself, moved: each digit
shifted by a pixel or two (a handwritten 3 is still a 3 one pixel to the left), and the two
images of a pair swapped (the target is then recomputed from the swapped classes: it flips
unless the digits are equal). Both draw from a generator owned by the training run, so a run
stays reproducible and the caller's global RNG is untouched.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def shift_images(
    images: torch.Tensor, max_shift: int, fill: float, generator: torch.Generator
) -> torch.Tensor:
    """Shift every image of (B, C, H, W) by its own random (dy, dx) in [-max_shift, max_shift].

    The uncovered border is ``fill`` (the background value of the normalised images).
    """
    if max_shift == 0:
        return images
    b, c, h, w = images.shape
    device = images.device
    padded = F.pad(images, (max_shift,) * 4, value=fill)
    offsets = torch.randint(0, 2 * max_shift + 1, (2, b, c), generator=generator).to(device)
    rows = (offsets[0].unsqueeze(-1) + torch.arange(h, device=device)).unsqueeze(-1)  # (B, C, H, 1)
    cols = (offsets[1].unsqueeze(-1) + torch.arange(w, device=device)).unsqueeze(-2)  # (B, C, 1, W)
    batch = torch.arange(b, device=device).view(b, 1, 1, 1)
    channel = torch.arange(c, device=device).view(1, c, 1, 1)
    shifted = padded[batch, channel, rows, cols]
    nhwc = images.is_contiguous(memory_format=torch.channels_last) and not images.is_contiguous()
    return shifted.contiguous(memory_format=torch.channels_last if nhwc else torch.contiguous_format)


def swap_pairs(
    pairs: torch.Tensor, classes: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Swap the two images of about half the pairs; return (pairs, target, classes)."""
    flip = (torch.rand(pairs.size(0), generator=generator) < 0.5).to(pairs.device)
    pairs = torch.where(flip.view(-1, 1, 1, 1), pairs.flip(1), pairs)
    classes = torch.where(flip.view(-1, 1), classes.flip(1), classes)
    return pairs, (classes[:, 0] <= classes[:, 1]).long(), classes
