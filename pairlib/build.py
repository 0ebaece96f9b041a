"""Build the book: sync each chapter from its .py, execute it, then render HTML and PDF.

    python -m pairlib.build [chapters...] [--no-pdf] [--no-html] [--execute-only]
                            [--no-execute] [-p NAME VALUE]...

Why a module rather than a Makefile recipe: the published record (``notebooks/X.ipynb`` and
``results/X.csv``) must change only when a chapter ran to its end. Each chapter is therefore
executed into a temporary notebook, its results are staged in a temporary folder (given to
the notebook as ``$PAIRLIB_RESULTS_DIR``, see ``pairlib.results.save_results``), and both are
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
   imports, the lock file, what it gathers of the other chapters) and the hashes of the tables it
   published. A fresh clone of a current book thus executes nothing, a prose edit
   re-executes its own chapter (its runs come from the results cache), and a docstring edit
   of the library nothing at all. Chapters named on the command line, or all with
   ``--force``, are executed regardless. Progress goes to the terminal, never the notebook
   (:class:`ChapterConsole`).
3. ``jupyter-book build --builder html -W`` -> ``_build/html/index.html``.
4. ``jupyter-book build --builder pdflatex -W`` -> ``_build/latex/pairlib.pdf``, copied to
   ``PDF_PATH``. Missing TeX packages are named (``make tex`` installs them).

One job per module: :mod:`pairlib.toc` (the chapters and what they declare),
:mod:`pairlib.sync` (step 1), :mod:`pairlib.kernels` (running a notebook),
:mod:`pairlib.record` (the execution record, whether a chapter is current); this module
publishes executed chapters atomically, renders the book and is the command line.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pairlib.console import CONSOLE_ENV
from pairlib.kernels import ChapterConsole, Executor, describe_error, log, papermill_execute, raise_interrupt
from pairlib.paths import BUILD_DIR, REPO_ROOT, RESULTS_DIR, TMP_DIR
from pairlib.record import expected_runs, fingerprint, is_current, write_record
from pairlib.results import RESULTS_ENV
from pairlib.sync import declared_parameters, in_sync, source_notebook
from pairlib.toc import BuildError, Chapter, shown, toc_chapters

LATEX_DIR = BUILD_DIR / "latex"
LATEX_PDF = LATEX_DIR / "pairlib.pdf"  # latex_documents.targetname in _config.yml
PDF_PATH = BUILD_DIR / "pdf" / "book.pdf"
"""Where the finished PDF is copied: a stable path for the README."""
NEAR_PREFIX = ".pairlib-"
"""Files staged beside a target before the final rename: ``.pairlib-<pid>-<name>.tmp``."""

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
    "placeins.sty": "texlive-latex-extra",
    "pict2e.sty": "texlive-pictures",
    "pzdr.tfm": "texlive-fonts-recommended",
    "FreeSerif.otf": "fonts-freefont-otf",
    # The HTML's math, rendered at build time to SVG (sphinx.ext.imgmath): no MathJax, no network.
    "latex": "texlive-latex-base",
    "dvisvgm": "dvisvgm",
    "anyfontsize.sty": "texlive-latex-extra",
    "preview.sty": "preview-latex-style",
}
"""What the PDF and the HTML's math need (xelatex with Sphinx's own LaTeX style, latex and
dvisvgm for imgmath, see _config.yml), as read from a build's .fls file list: about 90 MB of
Debian packages, installed in under a minute."""


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
        write_record(chapter, temp, stamp, parameters, staged, console.counts)
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
        wanted |= {c.name for c in chapters if c.gathers}
    # Aggregators last, whatever their place in the toc (the landing page comes first).
    return sorted((c for c in chapters if c.name in wanted), key=lambda c: bool(c.gathers))


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
