"""Sync: a chapter's notebook as read from its jupytext .py, and whether an executed one matches it.

The ``.py`` is the source of truth. The notebook papermill runs is read from it with stable
cell ids, every code cell's input hidden on the page (:func:`hide_plumbing`) and a
``parameters`` cell required first; :func:`in_sync` tells whether an executed notebook still
has the cells of its source.
"""

from __future__ import annotations

import ast
import hashlib
from typing import Any

from pairlib.kernels import KERNEL
from pairlib.toc import BuildError, Chapter, shown


def source_notebook(chapter: Chapter) -> Any:
    """The chapter's notebook as read from its .py, ready for papermill."""
    import jupytext

    nb = jupytext.read(chapter.source)
    nb.metadata.setdefault(
        "kernelspec", {"name": KERNEL, "display_name": "Python 3 (ipykernel)", "language": "python"}
    )
    nb.metadata.get("jupytext", {}).pop("text_representation", None)
    for index, cell in enumerate(nb.cells):
        # Stable ids (jupytext draws random ones): re-executing an unchanged chapter then
        # changes only its outputs and timings in git, not every cell's id.
        cell.id = hashlib.sha1(f"{index}:{cell.source}".encode()).hexdigest()[:8]
    hide_plumbing(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if not code or "parameters" not in code[0].metadata.get("tags", []):
        raise BuildError(
            f"{shown(chapter.source)}: the first code cell must be tagged "
            'parameters (# %% tags=["parameters"])'
        )
    return nb


HIDDEN_TAGS = frozenset({"remove-cell", "remove-input", "hide-input", "hide-cell"})


def hide_plumbing(nb: Any) -> Any:
    """Hide every code cell's input on the page (in place): the book shows prose, tables and
    figures, never code.

    Why: a chapter's code is bookkeeping (``glue_value("x", ...)``, ``# NBVAL_CHECK_OUTPUT``,
    a list of keys), not something a reader learns from, and a chapter author should not have
    to remember a tag for each. The parameters cell goes entirely (``remove-cell``): the
    execution appendix lists every chapter's parameters with their meaning. Outputs of other
    cells stay; cells already hidden are left alone, and a cell tagged ``show-input`` keeps
    its code on the page.
    """
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or HIDDEN_TAGS & set(tags) or "show-input" in tags:
            continue
        hidden = "remove-cell" if "parameters" in tags else "remove-input"
        cell.metadata["tags"] = [*tags, hidden]
    return nb


def declared_parameters(nb: Any) -> set[str]:
    """Names assigned in the notebook's ``parameters`` cell."""
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    names: set[str] = set()
    for node in ast.parse(cell.source).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def in_sync(chapter: Chapter) -> bool:
    """Whether the executed notebook's cells are those of the .py (sources and types)."""
    import nbformat

    if not chapter.notebook.is_file():
        return False
    executed = nbformat.read(chapter.notebook, as_version=4)
    source = source_notebook(chapter)

    def cells(nb: Any) -> list[tuple[str, str]]:
        return [
            (c.cell_type, c.source.strip())
            for c in nb.cells
            if "injected-parameters" not in c.metadata.get("tags", [])
        ]

    return cells(executed) == cells(source)
