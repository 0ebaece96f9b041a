"""A small Sphinx extension for the reader's HTML (listed in _config.yml, local_extensions).

Why: Sphinx gives an image without ``alt`` its file name as alt text, and every figure of
the book is a glued image named by a hash. A figure's caption is what a reader who cannot see
the image needs, so an image without alt text gets its figure's caption (an image outside a
figure gets the title of its section). Explicit ``:alt:`` options are kept.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes

ALT_LIMIT = 300
"""Screen readers read alt text in one breath: long captions are cut at a sentence."""


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= ALT_LIMIT:
        return text
    cut = text.rfind(". ", 0, ALT_LIMIT)
    return text[: cut + 1] if cut > 0 else text[:ALT_LIMIT].rsplit(" ", 1)[0] + "…"


def alt_text(image: nodes.image) -> str:
    """The alt text an image gets: its figure's caption, else its section's title."""
    parent = image.parent
    while parent is not None and not isinstance(parent, (nodes.figure, nodes.section)):
        parent = parent.parent
    if isinstance(parent, nodes.figure):
        captions = list(parent.findall(nodes.caption))
        if captions:
            return _shorten(captions[0].astext())
    if isinstance(parent, nodes.section) and parent.children and isinstance(parent[0], nodes.title):
        return _shorten(f"Figure in the section “{parent[0].astext()}”")
    return "Figure"


def add_alt_text(app: Any, doctree: nodes.document, docname: str) -> None:
    """Give every image without alt text one (see :func:`alt_text`)."""
    for image in doctree.findall(nodes.image):
        if not image.get("alt"):
            image["alt"] = alt_text(image)


def setup(app: Any) -> dict[str, Any]:
    app.connect("doctree-resolved", add_alt_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
