"""Data augmentation for digit pairs, on the device and from a private generator.

With only 1000 training pairs, the cheapest extra data is the data itself, moved: each digit
shifted by a pixel or two (a handwritten 3 is still a 3 one pixel to the left), and the two
images of a pair swapped (the target is then recomputed from the swapped classes: it flips
unless the digits are equal). Both draw from a generator owned by the training run, so a run
stays reproducible and the caller's global RNG is untouched.

Stronger moves, for the best model: a small random rotation and scaling of each digit (an
affine warp, resampled bilinearly: a 3 turned by ten degrees or drawn a tenth larger is still a
3), and random erasing of a small rectangle (the model must not lean on any one stroke).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

#: The side, in pixels, of the square that random erasing blanks (about a third of a 14-pixel digit).
ERASE_SIZE = 4


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
    return _same_layout(padded[batch, channel, rows, cols], images)


def _same_layout(result: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """``result`` in ``like``'s memory format (channels_last runs stay channels_last)."""
    nhwc = like.is_contiguous(memory_format=torch.channels_last) and not like.is_contiguous()
    return result.contiguous(memory_format=torch.channels_last if nhwc else torch.contiguous_format)


def warp_images(
    images: torch.Tensor, max_degrees: float, max_scale: float, fill: float, generator: torch.Generator
) -> torch.Tensor:
    """Rotate every image of (B, C, H, W) by its own angle in [-max_degrees, max_degrees] and
    scale it by its own factor in [1 - max_scale, 1 + max_scale], about the centre.

    Bilinear resampling; what comes from outside the image is ``fill`` (the background). With
    both amounts 0 the images come back untouched and the generator is not drawn from, so a
    configuration without warping keeps its random stream.
    """
    if max_degrees == 0 and max_scale == 0:
        return images
    b, c, h, w = images.shape
    angle = (torch.rand(b * c, generator=generator) * 2 - 1) * math.radians(max_degrees)
    scale = 1 + (torch.rand(b * c, generator=generator) * 2 - 1) * max_scale
    cos, sin, zero = angle.cos() / scale, angle.sin() / scale, torch.zeros(b * c)
    # theta maps output coordinates to input ones: the inverse of the rotation and scaling
    theta = torch.stack([torch.stack([cos, -sin, zero], -1), torch.stack([sin, cos, zero], -1)], -2)
    theta = theta.to(images.device, images.dtype)
    flat = images.reshape(b * c, 1, h, w) - fill  # zero padding is then the background
    grid = F.affine_grid(theta, [b * c, 1, h, w], align_corners=False)
    warped = F.grid_sample(flat, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return _same_layout((warped + fill).reshape(b, c, h, w), images)


def erase_images(
    images: torch.Tensor, probability: float, size: int, fill: float, generator: torch.Generator
) -> torch.Tensor:
    """Set a ``size`` x ``size`` square at a random place of each image to ``fill``, with
    ``probability`` per image (random erasing). ``probability`` 0 draws nothing."""
    if probability == 0:
        return images
    b, c, h, w = images.shape
    device = images.device
    erase = torch.rand(b, c, generator=generator) < probability
    top = torch.randint(0, h - size + 1, (b, c), generator=generator)
    left = torch.randint(0, w - size + 1, (b, c), generator=generator)
    rows = torch.arange(h).view(1, 1, h, 1)
    cols = torch.arange(w).view(1, 1, 1, w)
    inside = (
        (rows >= top[..., None, None])
        & (rows < top[..., None, None] + size)
        & (cols >= left[..., None, None])
        & (cols < left[..., None, None] + size)
    )
    mask = (inside & erase[..., None, None]).to(device)
    return _same_layout(images.masked_fill(mask, fill), images)


def swap_pairs(
    pairs: torch.Tensor, classes: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Swap the two images of about half the pairs; return (pairs, target, classes)."""
    flip = (torch.rand(pairs.size(0), generator=generator) < 0.5).to(pairs.device)
    pairs = torch.where(flip.view(-1, 1, 1, 1), pairs.flip(1), pairs)
    classes = torch.where(flip.view(-1, 1), classes.flip(1), classes)
    return pairs, (classes[:, 0] <= classes[:, 1]).long(), classes
