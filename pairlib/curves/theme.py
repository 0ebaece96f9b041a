"""What every figure of the book shares: the look of "ours" and "published", the text size.

"Ours" and "published" keep one colour and one marker in every figure (:data:`OURS`,
:data:`PUBLISHED`), so a reader learns them once; the rest of the theme is
``pairlib.page.setup_figures``.
"""

from __future__ import annotations

from typing import Any

OURS: dict[str, Any] = {"color": "#0173b2", "marker": "o"}
"""Our result (a mean, or one round) in every figure: seaborn's colour-blind blue, a dot."""

PUBLISHED: dict[str, Any] = {"color": "#d55e00", "marker": "X"}
"""A report's published figure in every figure: seaborn's colour-blind vermilion, a cross."""

TICK_SIZE = 8.5
"""The smallest text of a figure: model names on an axis stay readable at print size."""


def _text_colour(image: Any, value: float) -> str:
    """Black or white, whichever reads on the colour ``image`` gives ``value`` (its luminance)."""
    red, green, blue, _ = image.cmap(image.norm(value))
    return "white" if 0.299 * red + 0.587 * green + 0.114 * blue < 0.5 else "black"
