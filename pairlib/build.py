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
2. Execute with papermill, in the repository root, one chapter at a time, unless this
   checkout already executed it from what it is now: each execution leaves a record in
   ``_build/executed/`` (local, like Jupyter Book's own execution cache) holding the
   :func:`fingerprint` of its inputs (the chapter's cells, its parameters, the code of
   ``pairlib``, the lock file, the results tables it reads) and the hash of the notebook
   it published. A prose edit thus re-executes its own chapter only (its runs come from
   the results cache), a library edit every chapter, and a fresh clone every chapter.
   Chapters named on the command line, or all with ``--force``, are executed regardless.
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
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pairlib.files import write_atomically
from pairlib.paths import BUILD_DIR, REPO_ROOT, RESULTS_DIR, TMP_DIR, TOC, toc_files

LATEX_DIR = BUILD_DIR / "latex"
LATEX_PDF = LATEX_DIR / "pairlib.pdf"  # latex_documents.targetname in _config.yml
PDF_PATH = BUILD_DIR / "pdf" / "book.pdf"
"""Where the finished PDF is copied: a stable path for the README."""
EXECUTED_DIR = BUILD_DIR / "executed"
"""One record per chapter this checkout executed (see :func:`is_current`); never committed."""

AGGREGATORS = ("index", "summary", "results_tables", "execution")
"""Pages that read other chapters' results: executed after them, whenever another one ran."""

READS_NOTEBOOKS = ("execution",)
"""Aggregators that also read the other chapters' executed notebooks (their timings)."""

RESULTS_ENV = "PAIRLIB_RESULTS_DIR"
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


PLUMBING = re.compile(r"\bglue_\w*\(|NBVAL_CHECK_OUTPUT")
"""What marks a code cell as plumbing: it glues values for the prose, or nbval checks it."""

HIDDEN_TAGS = frozenset({"remove-cell", "remove-input", "hide-input", "hide-cell"})


def hide_plumbing(nb: Any) -> Any:
    """Tag ``remove-input`` on code cells that glue values or carry nbval markers (in place).

    Why: their code is bookkeeping (``glue_value("x", ...)``, ``# NBVAL_CHECK_OUTPUT``), not
    something a reader learns from, and a chapter author should not have to remember a tag
    for each. Outputs (a table a checked cell shows) stay; cells already hidden are left alone.
    """
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and PLUMBING.search(cell.source) and not HIDDEN_TAGS & set(tags):
            cell.metadata["tags"] = [*tags, "remove-input"]
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


def dependencies(chapter: Chapter) -> list[Path]:
    """The files besides its own cells that a chapter's executed record depends on.

    The whole ``pairlib`` package (any module may shape a table or a figure), the lock file
    (the versions that computed everything), the transcribed published table, and for an
    aggregator the other chapters' results tables. The MNIST files are verified by checksum
    when provisioned, so they are not hashed again here.
    """
    files = [*sorted((REPO_ROOT / "pairlib").rglob("*.py")), REPO_ROOT / "requirements.lock"]
    files.append(RESULTS_DIR / "published.csv")
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
    one recorded in the executed notebook, executing again would reproduce it."""
    digest = hashlib.sha256()
    cells = [(c.cell_type, c.source) for c in source_notebook(chapter).cells]
    digest.update(json.dumps([cells, dict(parameters)], sort_keys=True, default=str).encode())
    for path in dependencies(chapter):
        digest.update(shown(path).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:20]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_execution(
    chapter: Chapter, stamp: str, results: Sequence[Path] = (), record_dir: Path = EXECUTED_DIR
) -> None:
    """Note that ``chapter.notebook`` and its ``results`` tables were just published from
    inputs fingerprinted ``stamp``."""
    record = {
        "fingerprint": stamp,
        "notebook_sha256": _sha256(chapter.notebook),
        "results_sha256": {shown(path): _sha256(path) for path in results},
    }
    write_atomically(record_dir / f"{chapter.name}.json", json.dumps(record).encode())


def is_current(chapter: Chapter, parameters: Mapping[str, Any], record_dir: Path = EXECUTED_DIR) -> bool:
    """Whether this checkout executed ``chapter`` from what it is now and what it published is there.

    True only if the record of its last execution holds today's :func:`fingerprint`, the
    notebook on disk is the one that execution published (a checkout or merge that brings
    another notebook makes it stale), and so is every results table it published (a deleted
    or replaced table re-executes the chapter).
    """
    path = record_dir / f"{chapter.name}.json"
    if not (path.is_file() and chapter.notebook.is_file()):
        return False
    try:
        record = json.loads(path.read_text())
        tables = {REPO_ROOT / name: digest for name, digest in record["results_sha256"].items()}
        if any(not table.is_file() or _sha256(table) != digest for table, digest in tables.items()):
            return False
        return record["notebook_sha256"] == _sha256(chapter.notebook) and record[
            "fingerprint"
        ] == fingerprint(chapter, parameters)
    except (ValueError, KeyError, TypeError, AttributeError):
        return False  # an unreadable record: execute again


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


def papermill_execute(source: Path, output: Path, parameters: Mapping[str, Any]) -> None:
    """Run the notebook ``source`` with papermill into ``output``, in the repository root."""
    import papermill

    papermill.execute_notebook(
        str(source),
        str(output),
        parameters=dict(parameters),
        kernel_name=KERNEL,
        cwd=str(REPO_ROOT),
        progress_bar=sys.stderr.isatty(),  # cells done, on a terminal; not in logs
        log_output=False,
        record_timing=False,  # nbclient's per-message timestamps: noise in every diff
    )


def _record_paths(chapter: Chapter, executed: Path) -> None:
    # papermill records its input and output paths: the temporary files, absolute. The
    # committed notebook should name the files a reader knows instead.
    import nbformat

    from pairlib.cache import cpu_numerics

    nb = nbformat.read(executed, as_version=4)
    record = nb.metadata.get("papermill", {})
    record["input_path"] = shown(chapter.source)
    record["output_path"] = shown(chapter.notebook)
    # The processor decides the last bits of every trained figure: the execution appendix names it.
    nb.metadata["pairlib"] = {"numerics": cpu_numerics()}
    nbformat.write(nb, executed)


def describe_error(error: BaseException) -> str:
    """One line: the exception that stopped the notebook (papermill keeps its name/value)."""
    ename = getattr(error, "ename", None)
    evalue = getattr(error, "evalue", None)
    text = f"{ename}: {evalue}" if ename is not None else f"{type(error).__name__}: {error}"
    return " ".join(text.split())


Executor = Callable[[Path, Path, Mapping[str, Any]], None]
"""(input notebook, output notebook, parameters) -> None; papermill, or a stand-in in tests."""


def execute_chapter(
    chapter: Chapter,
    parameters: Mapping[str, Any] | None = None,
    *,
    results_dir: Path = RESULTS_DIR,
    staging_parent: Path = BUILD_DIR / "staging",
    record_dir: Path = EXECUTED_DIR,
    executor: Executor = papermill_execute,
) -> list[Path]:
    """Execute one chapter; publish its notebook and results only if it ran to the end.

    Returns the results files published, and records the execution in ``record_dir`` (see
    :func:`is_current`). On any exception (including KeyboardInterrupt)
    the temporary notebook and the staged results are deleted and the exception is
    re-raised, with ``notebook`` and ``results_dir`` untouched.
    """
    import nbformat

    stamp = fingerprint(chapter, parameters or {})
    staging_parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{chapter.name}.{os.getpid()}.", dir=staging_parent))
    temp = chapter.temp_notebook
    temp.parent.mkdir(parents=True, exist_ok=True)
    try:
        nbformat.write(source_notebook(chapter), chapter.temp_input)
        with (
            _environment(RESULTS_ENV, str(staging)),
            _environment(
                "PYTHONPATH",
                os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
            ),
        ):
            executor(chapter.temp_input, temp, parameters or {})
        _record_paths(chapter, temp)
        staged = sorted(staging.glob("*.csv"))
        results_dir.mkdir(parents=True, exist_ok=True)
        with _signals_blocked():
            published = []
            for path in staged:
                os.replace(path, results_dir / path.name)
                published.append(results_dir / path.name)
            os.replace(temp, chapter.notebook)
        record_execution(chapter, stamp, published, record_dir)
        return published
    finally:
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
    """Delete what killed builds left in ``folders``: entries named ``<chapter>.<pid>.…`` whose
    process is gone (SIGKILL runs no cleanup). Entries of a build still running are kept."""
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
    log(f"finished in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
