"""The terminal of whoever runs the book: progress, notices and warnings, never the page.

A chapter executes in a Jupyter kernel, where everything written to stdout or stderr (even
at the file-descriptor level) becomes an output of the executed notebook, and so part of the
published page. Progress bars, "results staged" notices and library warnings are for the
person at the terminal, not for the reader. So they go to a *console file* named by
``$PAIRLIB_CONSOLE``: the build creates it for each chapter it executes and echoes it to its
own terminal (one progress line per chapter, see :mod:`pairlib.build`).

- Outside a kernel (a script, ``make bench``, pytest) the console is the process's stderr.
- In a kernel without ``$PAIRLIB_CONSOLE`` (a hand run with papermill or Jupyter), progress
  and notices are dropped: papermill shows its own progress, and the notebook stays clean.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from typing import IO, TextIO

CONSOLE_ENV = "PAIRLIB_CONSOLE"


def _in_kernel() -> bool:
    return "ipykernel" in sys.modules and type(sys.stdout).__module__.startswith("ipykernel")


def _stream() -> tuple[IO[str] | None, bool]:
    """Where console lines go now, and whether the caller must close it."""
    path = os.environ.get(CONSOLE_ENV)
    if path:
        try:
            return open(path, "a", encoding="utf-8"), True
        except OSError:
            return None, False
    if _in_kernel():
        return None, False
    return sys.stderr, False


def say(message: str) -> None:
    """One line for the person running the book (never the notebook's outputs)."""
    stream, owned = _stream()
    if stream is None:
        return
    try:
        stream.write(message.rstrip("\n") + "\n")
        stream.flush()
    finally:
        if owned:
            stream.close()


class Progress:
    """Jobs done of a total, as console lines ``progress <done> <total> <cached> <desc>``
    (``cached``: the batch's jobs read from the results cache, which cost nothing).

    The build reads these lines (summing every batch a chapter submits) to print its one
    progress line per chapter; outside a kernel they are printed every few seconds.
    """

    def __init__(
        self, total: int, desc: str = "jobs", enabled: bool = True, every: float = 5.0, cached: int = 0
    ):
        self.total, self.desc, self.enabled, self.every, self.cached = total, desc, enabled, every, cached
        self.done = 0
        self._last = 0.0
        self._emit(force=True)

    def _emit(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled:
            return
        if os.environ.get(CONSOLE_ENV):  # the build's console file: every step (it times the ETA)
            say(f"progress {self.done} {self.total} {self.cached} {self.desc}")
        elif self.total and (force or now - self._last >= self.every):  # a terminal: every few seconds
            say(f"{self.desc}: {self.done}/{self.total} trained ({self.cached} from the cache)")
        self._last = now

    def update(self, n: int = 1) -> None:
        self.done += n
        self._emit(force=self.done == self.total)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    say(f"warning: {category.__name__}: {message} ({os.path.basename(filename)}:{lineno})")


def warnings_to_console() -> None:
    """Send this process's warnings to the console instead of the notebook's stderr.

    A chapter's kernel calls it at setup: a warning is a note for the author (the build's
    terminal shows it), not a line of the published page."""
    warnings.showwarning = _show_warning
