"""A small Sphinx extension for the reader's HTML (listed in _config.yml, local_extensions).

Why: Sphinx gives an image without ``alt`` its file name as alt text, and every figure of
the book is a glued image named by a hash. A figure's caption is what a reader who cannot see
the image needs, so an image without alt text gets its figure's caption (an image outside a
figure gets the title of its section). Explicit ``:alt:`` options are kept.

Also: search excerpts offline. Sphinx's search page fetches each result's page to show an
excerpt, and a browser refuses that fetch for a book opened from files (``file://``): results
come without excerpts. The page texts are therefore written once into ``_static/pagetexts.js``,
which the search page alone loads and which answers those fetches from memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes

PAGE_TEXTS = "pagetexts.js"
"""The search page's copy of every page's text (see the module's docstring)."""

FETCH_FROM_MEMORY = """
// Sphinx's search fetches each result's page for its excerpt; opened from files, a browser
// refuses the fetch. Answer it from the texts above instead.
(() => {
  const realFetch = window.fetch.bind(window);
  const root = new URL(document.documentElement.dataset.content_root || "./", location.href);
  window.fetch = (url, ...rest) => {
    const target = new URL(String(url), location.href);
    const key = decodeURIComponent(target.pathname.slice(root.pathname.length));
    if (target.protocol === "file:" && key in PAIRLIB_PAGE_TEXTS) {
      return Promise.resolve(new Response(PAIRLIB_PAGE_TEXTS[key]));
    }
    return realFetch(url, ...rest);
  };
})();
"""


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


def search_page_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Only the search page loads the page texts."""
    if pagename == "search":
        app.add_js_file(PAGE_TEXTS)


def main_content(html: str) -> str:
    """A page's main block as the search reads it, without what it never reads (images, math
    drawn as SVG, scripts, styles), its section anchors kept for excerpts of a section."""
    from bs4 import BeautifulSoup

    main = BeautifulSoup(html, "html.parser").select_one('[role="main"]')
    if main is None:
        return ""
    for element in main.select("img, svg, script, style, .headerlink"):
        element.decompose()
    return str(main)


def write_page_texts(app: Any, exception: Exception | None) -> None:
    """Write every page's main block, keyed by its file, for the search page."""
    if exception is not None or app.builder.format != "html":
        return
    outdir, suffix = Path(app.outdir), app.builder.out_suffix
    pages = {
        f"{name}{suffix}": main_content(path.read_text(encoding="utf-8"))
        for name in sorted(app.env.found_docs)
        if (path := outdir / f"{name}{suffix}").is_file()
    }
    script = f"const PAIRLIB_PAGE_TEXTS = {json.dumps(pages, ensure_ascii=False)};\n{FETCH_FROM_MEMORY}"
    (outdir / "_static" / PAGE_TEXTS).write_text(script, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    app.connect("doctree-resolved", add_alt_text)
    app.connect("html-page-context", search_page_scripts)
    app.connect("build-finished", write_page_texts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
