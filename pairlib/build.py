"""Build the book: sync each chapter from its .py, execute it, then render HTML and PDF.

    python -m pairlib.build [chapters...] [--no-pdf] [--no-html] [--execute-only]
                            [--no-execute] [-p NAME VALUE]...

Why a module rather than a Makefile recipe: the published record (``notebooks/X.ipynb`` and
``results/X.csv``) must change only when a chapter ran to its end. Each chapter is therefore
executed into a temporary notebook, its results are staged in a temporary folder (given to
the notebook as ``$PAIRLIB_RESULTS_DIR``, see ``pairlib.page.save_results``), and both are
moved into place with ``os.replace`` only on success. A failure, Ctrl-C or SIGTERM leaves the
previous notebook and results exactly as they were.

Steps:

1. Sync: the ``.py`` (jupytext py:percent) is the source of truth. Each chapter to execute is
   read from it (kernel set to python3 if missing); chapters not executed are only checked,
   with a warning if their executed notebook no longer matches the source.
2. Execute with papermill, in the repository root, one chapter at a time, unless its
   committed notebook is current: each execution writes an execution record into the
   notebook's metadata (``pairlib``), committed with it, holding the :func:`fingerprint` of
   its inputs (the chapter's cells, its parameters, the code of the ``pairlib`` modules it
   imports, the lock file, the results tables it reads) and the hashes of the tables it
   published. A fresh clone of a current book thus executes nothing, a prose edit
   re-executes its own chapter (its runs come from the results cache), and a docstring edit
   of the library nothing at all. Chapters named on the command line, or all with
   ``--force``, are executed regardless. Progress goes to the terminal, never the notebook
   (:class:`ChapterConsole`).
3. ``jupyter-book build --builder html -W`` -> ``_build/html/index.html``.
4. ``jupyter-book build --builder pdflatex -W`` -> ``_build/latex/pairlib.pdf``, copied to
   ``PDF_PATH``. Missing TeX packages are named (``make tex`` installs them).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pairlib.console import CONSOLE_ENV
from pairlib.paths import BUILD_DIR, REPO_ROOT, RESULTS_DIR, TMP_DIR, TOC, toc_files

LATEX_DIR = BUILD_DIR / "latex"
LATEX_PDF = LATEX_DIR / "pairlib.pdf"  # latex_documents.targetname in _config.yml
PDF_PATH = BUILD_DIR / "pdf" / "book.pdf"
"""Where the finished PDF is copied: a stable path for the README."""
AGGREGATORS = ("index", "summary", "results_tables", "execution")
"""Pages that read other chapters' results: executed after them, whenever another one ran."""

READS_NOTEBOOKS = ("execution",)
"""Aggregators that also read the other chapters' executed notebooks (their timings)."""

RESULTS_ENV = "PAIRLIB_RESULTS_DIR"
NEAR_PREFIX = ".pairlib-"
"""Files staged beside a target before the final rename: ``.pairlib-<pid>-<name>.tmp``."""
KERNEL = "python3"

TEX_REQUIREMENTS: dict[str, str] = {
    # file that must be found (an executable, else by kpsewhich) -> Debian package shipping it
    "make": "make",
    "latexmk": "latexmk",
    "xelatex": "texlive-xetex",
    "fontspec.sty": "texlive-latex-recommended",
    "polyglossia.sty": "texlive-latex-recommended",
    "cmap.sty": "texlive-latex-recommended",
    "tabulary.sty": "texlive-latex-extra",
    "capt-of.sty": "texlive-latex-extra",
    "needspace.sty": "texlive-latex-extra",
    "titlesec.sty": "texlive-latex-extra",
    "wrapfig.sty": "texlive-latex-extra",
    "pict2e.sty": "texlive-pictures",
    "pzdr.tfm": "texlive-fonts-recommended",
    "FreeSerif.otf": "fonts-freefont-otf",
    # The HTML's math, rendered at build time to SVG (sphinx.ext.imgmath): no MathJax, no network.
    "latex": "texlive-latex-base",
    "dvisvgm": "dvisvgm",
    "anyfontsize.sty": "texlive-latex-extra",
}
"""What the PDF and the HTML's math need (xelatex with Sphinx's own LaTeX style, latex and
dvisvgm for imgmath, see _config.yml), as read from a build's .fls file list: about 90 MB of
Debian packages, installed in under a minute."""


class BuildError(RuntimeError):
    """A step failed; the message is the one line printed before exiting non-zero."""


@dataclass(frozen=True)
class Chapter:
    """A toc entry that is a jupytext pair: ``source`` (.py) and ``notebook`` (.ipynb)."""

    name: str
    source: Path
    notebook: Path

    @property
    def temp_notebook(self) -> Path:
        # Under _build/tmp, where pytest never collects (a notebook left by a killed build
        # must not become a test), in the repository (same filesystem: os.replace is atomic),
        # named after this process so that a later build can tell a stale one.
        return TMP_DIR / f"{self.name}.{os.getpid()}.tmp.ipynb"

    @property
    def temp_input(self) -> Path:
        """The notebook as synced from the .py, papermill's input (deleted afterwards)."""
        return TMP_DIR / f"{self.name}.{os.getpid()}.input.ipynb"


def shown(path: Path) -> str:
    """``path`` relative to the repository when inside it (messages, notebook metadata)."""
    path = path.resolve()
    return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path)


def log(message: str) -> None:
    """One progress line, flushed at once (the build is often piped to a log)."""
    print(f"[build] {message}", flush=True)


# --------------------------------------------------------------------------- toc


def toc_chapters(toc: Path = TOC) -> list[Chapter]:
    """The toc entries that are jupytext pairs (a .py next to the entry), in toc order."""
    chapters = []
    for stem in toc_files(toc):
        source = stem.with_suffix(".py")
        if source.is_file():
            chapters.append(Chapter(stem.name, source, stem.with_suffix(".ipynb")))
    return chapters


# --------------------------------------------------------------------------- sync


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
    for an aggregator the other chapters' results tables. The MNIST files are verified by
    checksum when provisioned, so they are not hashed again here.
    """
    nb = nb if nb is not None else source_notebook(chapter)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    files = [*library_closure(code), REPO_ROOT / "requirements.lock", RESULTS_DIR / "published.csv"]
    if chapter.name in AGGREGATORS:
        # The chapters' tables (<name>.csv, <name>_comparisons.csv), never an aggregator's own
        # (the summary writes comparisons.csv): a chapter that read its own output would never
        # be current.
        names = [c.name for c in toc_chapters() if c.name not in AGGREGATORS]
        files += sorted(
            p
            for p in RESULTS_DIR.glob("*.csv")
            if any(p.stem == name or p.stem.startswith(f"{name}_") for name in names)
        )
    if chapter.name in READS_NOTEBOOKS:
        files += [c.notebook for c in toc_chapters() if c.name not in AGGREGATORS]
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


# --------------------------------------------------------------------------- execute


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    # The kernel inherits this process's environment: that is how the notebook learns
    # where to stage its results and how it imports pairlib from the checkout.
    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    # The commit is two os.replace calls (results, notebook); a signal between them would
    # publish half a chapter. Blocked signals are delivered right after.
    blocked = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _ipc_kernel_manager() -> type:
    """A kernel manager whose kernel talks over local IPC sockets, not TCP.

    Why: over TCP, ipykernel warns at every start that the traffic is unencrypted, a line
    users read as a problem. IPC sockets are files in Jupyter's private runtime folder, so
    there is nothing to warn about (the cause removed, not the warning filtered)."""
    from jupyter_client.manager import KernelManager
    from traitlets import default

    class IPCKernelManager(KernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:
            # The sockets' path prefix: in Jupyter's private runtime folder, unique to this
            # kernel (jupyter_client's default is "kernel-ipc" in the working directory,
            # which would put sockets in the repository and collide between two builds).
            from jupyter_core.paths import jupyter_runtime_dir

            folder = Path(jupyter_runtime_dir())
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            return str(folder / f"pairlib-{os.getpid()}-{secrets.token_hex(4)}-ipc")

    return IPCKernelManager


def papermill_execute(source: Path, output: Path, parameters: Mapping[str, Any]) -> None:
    """Run the notebook ``source`` with papermill into ``output``, in the repository root.

    The kernel manager is the build's, not papermill's: on Ctrl-C or SIGTERM the kernel is
    killed at once, instead of nbclient waiting for the interrupted cell to finish."""
    import papermill

    manager = _ipc_kernel_manager()(kernel_name=KERNEL)
    finished = False
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=dict(parameters),
            kernel_name=KERNEL,
            cwd=str(REPO_ROOT),
            progress_bar=False,  # the build prints one progress line per chapter (ChapterConsole)
            log_output=False,
            record_timing=False,  # nbclient's per-message timestamps: noise in every diff
            km=manager,
        )
        finished = True
    finally:
        if finished:
            manager.shutdown_kernel(now=True)
            manager.cleanup_resources()
        else:
            # Interrupted or failed: kill the kernel at once, synchronously. jupyter_client's
            # async API would first resume the interrupted cell's wait for its reply.
            process = getattr(getattr(manager, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)


class ChapterConsole:
    """The console file of one executing chapter (``$PAIRLIB_CONSOLE``, see
    :mod:`pairlib.console`), echoed to the build's terminal while the chapter runs.

    Notices and warnings are printed as they come; progress lines are summed over every
    batch of jobs into one line: jobs trained of those to train, elapsed time and an
    estimate of the time left (from the rate so far). On a terminal the line is rewritten in
    place; in a log it is printed at most once a minute.
    """

    def __init__(self, chapter: Chapter, expected_jobs: int = 0, every: float = 60.0):
        self.chapter, self.expected, self.every = chapter, expected_jobs, every
        self.path = TMP_DIR / f"{chapter.name}.{os.getpid()}.console"
        self.batches: dict[str, tuple[int, int, int]] = {}
        self.start = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._offset = 0
        self._printed = 0.0
        self._tty = sys.stdout.isatty()
        self._batch = 0

    def __enter__(self) -> ChapterConsole:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("")
        self._thread = threading.Thread(target=self._follow, daemon=True, name="pairlib-console")
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._read()
        if self._tty and self.batches:
            print(flush=True)
        self.path.unlink(missing_ok=True)

    @property
    def counts(self) -> tuple[int, int, int]:
        """(trained, to train, read from the cache) over every batch so far."""
        done = sum(b[0] for b in self.batches.values())
        total = sum(b[1] for b in self.batches.values())
        cached = sum(b[2] for b in self.batches.values())
        return done, total, cached

    def line(self) -> str:
        done, total, cached = self.counts
        elapsed = time.monotonic() - self.start
        text = f"{self.chapter.name}: {done} of {total} runs trained, {cached} from the cache"
        text += f", {_minutes(elapsed)}"
        remaining = max(self.expected - done - cached, total - done)
        if done and remaining > 0:
            text += f", about {_minutes(elapsed / done * remaining)} left"
        return text

    def _follow(self) -> None:
        while not self._stop.wait(1.0):
            self._read()

    def _read(self) -> None:
        try:
            with self.path.open(encoding="utf-8", errors="replace") as handle:
                handle.seek(self._offset)
                text = handle.read()
                # only whole lines: a line being written is read next time
                text = text[: text.rfind("\n") + 1]
                self._offset += len(text.encode("utf-8"))
        except OSError:
            return
        changed = False
        for raw in text.splitlines():
            parts = raw.split(" ", 4)
            if parts[0] == "progress" and len(parts) >= 4 and all(p.isdigit() for p in parts[1:4]):
                done, total, cached = (int(p) for p in parts[1:4])
                if done == 0:  # a new batch starts
                    self._batch += 1
                self.batches[str(self._batch)] = (done, total, cached)
                changed = True
            elif raw.strip():
                if self._tty:
                    print("\r\033[K", end="")
                log(f"  {self.chapter.name}: {raw}")
        now = time.monotonic()
        if changed and self._tty:
            print(f"\r\033[K[build] {self.line()}", end="", flush=True)
        elif changed and now - self._printed >= self.every:
            self._printed = now
            log(self.line())


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def describe_error(error: BaseException) -> str:
    """One line: the exception that stopped the notebook (papermill keeps its name/value)."""
    ename = getattr(error, "ename", None)
    evalue = getattr(error, "evalue", None)
    text = f"{ename}: {evalue}" if ename is not None else f"{type(error).__name__}: {error}"
    return " ".join(text.split())


Executor = Callable[[Path, Path, Mapping[str, Any]], None]
"""(input notebook, output notebook, parameters) -> None; papermill, or a stand-in in tests."""


def _record(
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


def execute_chapter(
    chapter: Chapter,
    parameters: Mapping[str, Any] | None = None,
    *,
    results_dir: Path = RESULTS_DIR,
    staging_parent: Path = BUILD_DIR / "staging",
    executor: Executor = papermill_execute,
) -> list[Path]:
    """Execute one chapter; publish its notebook and results only if it ran to the end.

    Returns the results files published. The execution record (:func:`is_current`) is
    written into the executed notebook before anything is published, so a notebook is never
    published without it. On any exception (including KeyboardInterrupt) the temporary
    notebook and the staged results are deleted and the exception is re-raised, with
    ``notebook`` and ``results_dir`` untouched.
    """
    import nbformat

    parameters = dict(parameters or {})
    stamp = fingerprint(chapter, parameters)
    staging_parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{chapter.name}.{os.getpid()}.", dir=staging_parent))
    temp = chapter.temp_notebook
    temp.parent.mkdir(parents=True, exist_ok=True)
    ready: list[tuple[Path, Path]] = []
    try:
        nbformat.write(source_notebook(chapter), chapter.temp_input)
        with (
            ChapterConsole(chapter, expected_runs(chapter)) as console,
            _environment(RESULTS_ENV, str(staging)),
            _environment(CONSOLE_ENV, str(console.path)),
            _environment(
                "PYTHONPATH",
                os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
            ),
        ):
            executor(chapter.temp_input, temp, parameters)
        staged = {shown(results_dir / path.name): path for path in sorted(staging.glob("*.csv"))}
        _record(chapter, temp, stamp, parameters, staged, console.counts)
        results_dir.mkdir(parents=True, exist_ok=True)
        # Staged beside their targets first (the same filesystem, even when _build is a mount
        # or a link elsewhere): the commit below is then renames only, which cannot fail half way.
        for path in staged.values():
            near = results_dir / f"{NEAR_PREFIX}{os.getpid()}-{path.name}.tmp"
            shutil.copyfile(path, near)
            ready.append((near, results_dir / path.name))
        near_notebook = chapter.notebook.with_name(f"{NEAR_PREFIX}{os.getpid()}-{chapter.notebook.name}.tmp")
        shutil.copyfile(temp, near_notebook)
        ready.append((near_notebook, chapter.notebook))
        with _signals_blocked():
            for near, target in ready:
                os.replace(near, target)
        return [target for _, target in ready[:-1]]
    finally:
        for near, _target in ready:
            near.unlink(missing_ok=True)
        temp.unlink(missing_ok=True)
        chapter.temp_input.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------- render


def jupyter_book(builder: str) -> None:
    """``jupyter-book build`` with warnings as errors; raise BuildError if it fails."""
    exe = Path(sys.executable).with_name("jupyter-book")
    command = [str(exe) if exe.exists() else "jupyter-book", "build", str(REPO_ROOT)]
    command += ["--builder", builder, "--all", "-W", "--keep-going", "-q"]
    start = time.monotonic()
    output = BUILD_DIR / ("html" if builder == "html" else "latex")
    # A clean output folder: no page of a removed chapter survives, and Jupyter Book writes
    # its index.html redirect (to the toc's root) only when none exists.
    shutil.rmtree(output, ignore_errors=True)
    # Sphinx and LaTeX are verbose: their output goes to a log, shown only when it matters.
    log_path = BUILD_DIR / f"{builder}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log(f"{builder}: {' '.join(command[1:])} (log: {shown(log_path)})")
    with log_path.open("w") as handle:
        done = subprocess.run(command, cwd=REPO_ROOT, stdout=handle, stderr=subprocess.STDOUT)
    lines = log_path.read_text(errors="replace").splitlines()
    warnings = [line for line in lines if "WARNING" in line or "ERROR" in line or line.startswith("!")]
    if done.returncode != 0:
        for line in (warnings or lines)[-40:]:
            print(f"    {line}", flush=True)
        raise BuildError(
            f"jupyter-book {builder} build failed (exit {done.returncode}); full output in {shown(log_path)}"
        )
    log(f"{builder}: done in {time.monotonic() - start:.0f} s")


def missing_tex() -> dict[str, str]:
    """TEX_REQUIREMENTS entries not found on this machine: file -> Debian package."""
    kpsewhich = shutil.which("kpsewhich")
    missing = {}
    for name, package in TEX_REQUIREMENTS.items():
        if "." in name:
            found = (
                bool(kpsewhich)
                and subprocess.run([kpsewhich, name], capture_output=True, text=True).stdout.strip()
            )
        else:
            found = shutil.which(name) is not None
        if not found:
            missing[name] = package
    return missing


def tex_packages() -> list[str]:
    """The Debian packages that would provide the missing TeX files (``make tex`` installs them)."""
    return sorted(set(missing_tex().values()))


def check_tex() -> None:
    """Say exactly what the PDF lacks, in one line, before LaTeX fails on it.

    Installing is the Makefile's business (``make tex``, run by ``make book``), not the
    library's: a Python package that calls apt-get surprises its users.
    """
    missing = missing_tex()
    if missing:
        raise BuildError(
            f"the PDF needs {', '.join(sorted(missing))}; install them with: sudo apt-get install -y "
            f"--no-install-recommends {' '.join(tex_packages())} (make tex does it as root), "
            "or build without the PDF: --no-pdf"
        )


PDF_IN_HTML = BUILD_DIR / "html" / "book.pdf"
"""Where the HTML book links the PDF (the landing page and the sidebar of every page)."""


def copy_pdf_into_html() -> Path | None:
    """Put the built PDF beside the HTML pages, so that the HTML's link to it resolves offline.

    Returns the copy, or None when there is no PDF yet or no HTML to put it in."""
    if not (PDF_PATH.is_file() and PDF_IN_HTML.parent.is_dir()):
        return None
    shutil.copyfile(PDF_PATH, PDF_IN_HTML)
    return PDF_IN_HTML


def build_pdf() -> Path:
    """Render the PDF through Jupyter Book's LaTeX route and copy it to ``PDF_PATH``."""
    check_tex()
    LATEX_PDF.unlink(missing_ok=True)
    jupyter_book("pdflatex")
    if not LATEX_PDF.is_file():
        raise BuildError(f"LaTeX finished but {shown(LATEX_PDF)} is missing")
    PDF_PATH.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(LATEX_PDF, PDF_PATH)
    return PDF_PATH


# --------------------------------------------------------------------------- command line


def parse_value(text: str) -> Any:
    """A ``-p`` value as papermill's own CLI reads it: bool, None, int, float, else text."""
    special = {"True": True, "False": False, "None": None}
    if text in special:
        return special[text]
    for kind in (int, float):
        with contextlib.suppress(ValueError):
            return kind(text)
    return text


def select(chapters: Sequence[Chapter], names: Sequence[str]) -> list[Chapter]:
    """The chapters to execute, in toc order but aggregators last; they follow whenever anything runs."""
    by_name = {c.name: c for c in chapters}
    wanted = {Path(n).stem for n in names} if names else set(by_name)
    unknown = sorted(wanted - set(by_name))
    if unknown:
        raise BuildError(f"unknown chapter {', '.join(unknown)}: the toc's chapters are {', '.join(by_name)}")
    if wanted:
        wanted |= set(AGGREGATORS) & set(by_name)
    # Aggregators last, whatever their place in the toc (the landing page comes first).
    return sorted((c for c in chapters if c.name in wanted), key=lambda c: c.name in AGGREGATORS)


def chapter_parameters(selected: Sequence[Chapter], given: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each chapter gets the ``-p`` values it declares; a name no chapter declares fails."""
    declared = {c.name: declared_parameters(source_notebook(c)) for c in selected}
    unused = sorted(set(given) - set().union(*declared.values()))
    if unused:
        raise BuildError(f"parameter {', '.join(unused)} is declared by none of {', '.join(declared)}")
    return {c: {k: v for k, v in given.items() if k in names} for c, names in declared.items()}


def remove_stale(folders: Sequence[Path] = (BUILD_DIR / "staging", TMP_DIR)) -> list[Path]:
    """Delete what killed builds left: entries of ``folders`` named ``<chapter>.<pid>.…``, and
    files staged beside the published record (``.pairlib-<pid>-….tmp`` in ``results/`` and the
    chapters' folders), whose process is gone (SIGKILL runs no cleanup). Entries of a build
    still running are kept."""
    removed = []
    for folder in folders:
        for entry in folder.glob("*") if folder.is_dir() else []:
            parts = entry.name.split(".")
            if len(parts) < 2 or not parts[1].isdigit() or _alive(int(parts[1])):
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
    published = {RESULTS_DIR, *(c.notebook.parent for c in toc_chapters())}
    for folder in published:
        for entry in folder.glob(f"{NEAR_PREFIX}*.tmp"):
            pid = entry.name[len(NEAR_PREFIX) :].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                entry.unlink(missing_ok=True)
                removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def raise_interrupt(signum: int, frame: Any) -> None:
    # SIGTERM (a CI timeout, `kill`) takes the same path as Ctrl-C: the finally blocks of
    # execute_chapter delete the temporary files and the published record stays as it was.
    raise KeyboardInterrupt(f"signal {signum}")


LOCK_PATH = BUILD_DIR / "build.lock"


def build_lock(path: Path | None = None) -> Any:
    """Hold the build's lock for as long as the returned file is open.

    Two builds at once would delete each other's ``_build/html`` and interleave their logs:
    the second one stops at once, in one line, naming the first (its pid is in the lock
    file). The lock is the kernel's (``flock``): it is released when the holder exits, even
    when killed, so a stale lock file never blocks a later build.
    """
    import fcntl

    path = path or LOCK_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise BuildError(
            f"another build is running in this checkout (pid {holder}); wait for it, or stop it"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m pairlib.build", description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="*", help="chapters to execute (default: all in _toc.yml)")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML book")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF book")
    parser.add_argument("--execute-only", action="store_true", help="execute, render nothing")
    parser.add_argument(
        "--no-execute", action="store_true", help="render the committed notebooks as they are"
    )
    parser.add_argument(
        "--force", action="store_true", help="execute every chapter, even those whose notebook is current"
    )
    parser.add_argument(
        "-p",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="papermill parameter for the chapters that declare it (repeatable)",
    )
    parser.add_argument(
        "--tex-packages", action="store_true", help="print the Debian packages the PDF still needs, and exit"
    )
    args = parser.parse_args(argv)
    if args.tex_packages:
        print(" ".join(tex_packages()))
        return 0
    if args.no_execute and (args.chapters or args.p or args.force):
        parser.error("--no-execute renders the committed notebooks: it takes no chapters, -p or --force")
    signal.signal(signal.SIGTERM, raise_interrupt)
    start = time.monotonic()
    republished: list[str] = []
    running = ""
    try:
        lock = build_lock()
    except BuildError as error:
        log(f"ERROR {error}")
        return 1
    try:
        remove_stale()
        chapters = toc_chapters()
        selected = [] if args.no_execute else select(chapters, args.chapters)
        given = {name: parse_value(value) for name, value in args.p}
        parameters = chapter_parameters(selected, given)
        if given:
            log(f"parameters {given}: the recorded notebooks and results will reflect them")
        named = {Path(name).stem for name in args.chapters}
        for chapter in selected:
            if not (args.force or chapter.name in named) and is_current(chapter, parameters[chapter.name]):
                log(f"{chapter.name}: current (same cells, parameters, code and inputs), not re-executed")
                continue
            log(f"{chapter.name}: executing {shown(chapter.source)}")
            t0 = time.monotonic()
            running = chapter.name
            try:
                results = execute_chapter(chapter, parameters[chapter.name])
            except Exception as error:
                raise BuildError(
                    f"{chapter.name}: FAILED after {time.monotonic() - t0:.0f} s: "
                    f"{describe_error(error)} (previous notebook and results kept)"
                ) from error
            running = ""
            republished.append(chapter.name)
            names = ", ".join(p.name for p in results) or "no results table"
            log(f"{chapter.name}: done in {time.monotonic() - t0:.0f} s ({names})")
        for chapter in chapters:
            if chapter not in selected and not in_sync(chapter):
                what = "is missing" if not chapter.notebook.exists() else "does not match its .py"
                log(f"WARNING {shown(chapter.notebook)} {what}: run python -m pairlib.build {chapter.name}")
        if not (args.execute_only or args.no_html):
            check_tex()  # the HTML's math is typeset by LaTeX too
            jupyter_book("html")
            log(f"HTML: {shown(BUILD_DIR / 'html' / 'index.html')}")
        if not (args.execute_only or args.no_pdf):
            log(f"PDF: {shown(build_pdf())}")
        if not args.execute_only and copy_pdf_into_html() is None and not args.no_html:
            log(f"WARNING the HTML links {shown(PDF_IN_HTML)}, but there is no PDF yet: build it")
    except BuildError as error:
        log(f"ERROR {error}")
        return 1
    except KeyboardInterrupt:
        message = "interrupted"
        if running:
            message += f" during {running} (its notebook and results are left as they were)"
        done = f"already republished: {', '.join(republished)}" if republished else "nothing was republished"
        log(f"{message}; {done}")
        return 130
    finally:
        lock.close()
    log(f"finished in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
