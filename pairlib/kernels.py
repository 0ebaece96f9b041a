"""Running a chapter's notebook: papermill in a kernel that dies with the build, and the
chapter's console echoed to the build's terminal while it runs.

The kernel talks over local IPC sockets (no warning about unencrypted TCP), is killed at once
on Ctrl-C or SIGTERM (:func:`raise_interrupt` turns SIGTERM into the same path), and prints
nothing of its progress into the notebook: progress goes to ``$PAIRLIB_CONSOLE``
(:mod:`pairlib.console`), which :class:`ChapterConsole` follows and sums into one line.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pairlib.paths import REPO_ROOT, TMP_DIR
from pairlib.toc import Chapter

KERNEL = "python3"


def log(message: str) -> None:
    """One progress line, flushed at once (the build is often piped to a log)."""
    print(f"[build] {message}", flush=True)


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


def raise_interrupt(signum: int, frame: Any) -> None:
    # SIGTERM (a CI timeout, `kill`) takes the same path as Ctrl-C: the finally blocks of
    # execute_chapter delete the temporary files and the published record stays as it was.
    raise KeyboardInterrupt(f"signal {signum}")
