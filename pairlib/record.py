"""The execution record: what a chapter's execution depends on, hashed, and whether its
committed notebook is what executing it now would produce.

Each execution writes a record into the executed notebook's metadata (``pairlib``), committed
with it: the :func:`fingerprint` of its inputs (the chapter's cells, its parameters, the code
of the ``pairlib`` modules it imports, the lock file, the results tables and notebooks it
gathers) and the hashes of the tables it published. :func:`is_current` compares it with
today's: a fresh clone of a current book executes nothing, and a docstring edit of the
library nothing at all.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pairlib.paths import REPO_ROOT, RESULTS_DIR
from pairlib.sync import source_notebook
from pairlib.toc import Chapter, plain_chapters, shown

PACKAGE_DIR = REPO_ROOT / "pairlib"

SHOWS_SOURCE = re.compile(r"\binspect\.getsource\b")
"""A chapter that prints library source on its page depends on that source's every character."""


def _module_file(name: str) -> Path | None:
    """The file of module ``pairlib.x.y`` (a module or a package's ``__init__``), or None."""
    parts = name.split(".")
    if parts[0] != "pairlib":
        return None
    base = PACKAGE_DIR.parent.joinpath(*parts)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imported_modules(source: str, package: str = "") -> set[str]:
    """The ``pairlib`` modules that ``source`` imports (anywhere in it, deferred imports too).
    ``package`` is the importing module's package, for relative imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from pairlib import page`
    modules = set()
    for name in names:
        parts = name.split(".")
        # `import pairlib.framework.modules` imports every package on the way
        modules.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return {name for name in modules if _module_file(name) is not None}


def library_closure(sources: Sequence[str]) -> list[Path]:
    """The files of every ``pairlib`` module that ``sources`` import, directly or through
    other modules: what a chapter's execution can depend on, and nothing else."""
    todo = set().union(*(_imported_modules(source) for source in sources)) if sources else set()
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        assert path is not None
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        todo |= _imported_modules(path.read_text(), package) - seen
    return sorted(path for name in seen if (path := _module_file(name)) is not None)


def dependencies(chapter: Chapter, nb: Any = None) -> list[Path]:
    """The files besides its own cells that a chapter's executed record depends on.

    The ``pairlib`` modules its cells import, directly or not (:func:`library_closure`), the
    lock file (the versions that computed everything), the transcribed published table, and
    what an aggregator gathers (``chapter.gathers``, :mod:`pairlib.toc`): the plain chapters'
    results tables, and their executed notebooks. The MNIST files are verified by
    checksum when provisioned, so they are not hashed again here.
    """
    nb = nb if nb is not None else source_notebook(chapter)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    files = [*library_closure(code), REPO_ROOT / "requirements.lock", RESULTS_DIR / "published.csv"]
    if "results" in chapter.gathers:
        # The plain chapters' tables (<name>.csv, <name>_comparisons.csv), never an
        # aggregator's own (the summary writes comparisons.csv): a chapter that read its own
        # output would never be current.
        names = [c.name for c in plain_chapters()]
        files += sorted(
            p
            for p in RESULTS_DIR.glob("*.csv")
            if any(p.stem == name or p.stem.startswith(f"{name}_") for name in names)
        )
    if "notebooks" in chapter.gathers:
        files += [c.notebook for c in plain_chapters()]
    return [p for p in dict.fromkeys(files) if p.is_file()]


def fingerprint(chapter: Chapter, parameters: Mapping[str, Any]) -> str:
    """What an execution of ``chapter`` with ``parameters`` depends on, hashed: if it equals the
    one recorded in the executed notebook, executing again would reproduce it.

    Library modules count by their code alone (:func:`pairlib.cache.code_only`): a docstring
    or comment edit re-executes nothing, unless the chapter prints library source."""
    from pairlib.cache import code_only

    nb = source_notebook(chapter)
    cells = [(c.cell_type, c.source) for c in nb.cells]
    shows_source = any(SHOWS_SOURCE.search(c.source) for c in nb.cells if c.cell_type == "code")
    digest = hashlib.sha256()
    digest.update(json.dumps([cells, dict(parameters)], sort_keys=True, default=str).encode())
    for path in dependencies(chapter, nb):
        if path.suffix == ".py" and path.is_relative_to(PACKAGE_DIR) and not shows_source:
            content = code_only(path.read_text()).encode()
        else:
            content = path.read_bytes()
        digest.update(shown(path).encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()[:20]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def execution_record(notebook: Path) -> dict[str, Any]:
    """What the build recorded in an executed notebook's metadata (``pairlib``), or {}."""
    import nbformat

    try:
        return dict(nbformat.read(notebook, as_version=4).metadata.get("pairlib", {}))
    except (OSError, ValueError, KeyError, AttributeError):
        return {}


def is_current(chapter: Chapter, parameters: Mapping[str, Any]) -> bool:
    """Whether ``chapter``'s executed notebook is what executing it now would produce.

    The record travels with the notebook (its metadata, committed with it, like Jupyter
    Book's ``execute_notebooks: cache``): the :func:`fingerprint` of the inputs it was executed
    from, and the hash of every results table it published. True only if today's fingerprint
    is the recorded one and every such table is still the one it published (a deleted or
    replaced table re-executes the chapter). A fresh clone of a current book therefore
    executes nothing.
    """
    if not chapter.notebook.is_file():
        return False
    record = execution_record(chapter.notebook)
    try:
        tables = {REPO_ROOT / name: digest for name, digest in record["results_sha256"].items()}
        if any(not table.is_file() or _sha256(table) != digest for table, digest in tables.items()):
            return False
        return record["fingerprint"] == fingerprint(chapter, parameters)
    except (ValueError, KeyError, TypeError, AttributeError):
        return False  # a notebook without a readable record: execute again


def write_record(
    chapter: Chapter,
    executed: Path,
    stamp: str,
    parameters: Mapping[str, Any],
    tables: Mapping[str, Path],
    jobs: tuple[int, int, int],
) -> None:
    """Write the execution record into the executed notebook's metadata, before it is published.

    papermill records its input and output paths (the temporary files, absolute): the
    committed notebook names the files a reader knows instead. The ``pairlib`` record holds
    what :func:`is_current` compares (the fingerprint, the published tables' hashes), the
    processor and numerics the trained figures came from (the execution appendix shows them)
    and how many runs it read and trained (the next execution's time estimate).
    """
    import nbformat

    from pairlib.cache import cpu_numerics

    nb = nbformat.read(executed, as_version=4)
    record = nb.metadata.get("papermill", {})
    record["input_path"] = shown(chapter.source)
    record["output_path"] = shown(chapter.notebook)
    trained, _, cached = jobs
    nb.metadata["pairlib"] = {
        "fingerprint": stamp,
        "parameters": dict(parameters),
        "results_sha256": {name: _sha256(path) for name, path in sorted(tables.items())},
        "runs": {"trained": trained, "from_cache": cached},
        "numerics": cpu_numerics(),
    }
    nbformat.write(nb, executed)


def expected_runs(chapter: Chapter) -> int:
    """How many runs the chapter's last execution read or trained (its notebook's record)."""
    runs = execution_record(chapter.notebook).get("runs", {}) if chapter.notebook.is_file() else {}
    return int(runs.get("trained", 0)) + int(runs.get("from_cache", 0))
