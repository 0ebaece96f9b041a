"""The HTML book as a reader meets it: every page loaded in headless Chromium, network off.

Why a real browser: what a reader sees (math typeset or raw ``\\(p = 6\\)``, an image that
loads, a link that resolves) only exists once a browser has run the page's scripts, and an
offline reader is the case a CDN silently breaks. Chromium is driven over its DevTools
protocol with tornado's websocket client (already installed with Jupyter), so the test needs
no extra Python package. It skips, saying why, where Chromium or the built HTML is missing
(``make test`` installs Chromium when run as root; ``python -m pairlib.build`` builds the HTML).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pairlib.paths import BUILD_DIR

HTML_DIR = BUILD_DIR / "html"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
PLUMBING = re.compile(r"glue_(?:text|value|figure|comparison)|NBVAL_CHECK_OUTPUT")
FILE_NAME_ALT = re.compile(r"^[0-9a-f]{16,}|\.(?:png|svg|pdf|jpe?g)$")

# What each page reports once loaded: its text, its math, its images and its links to the PDF.
PAGE_FACTS = """
JSON.stringify({
  text: document.body.innerText,
  prose: (() => {
    const copy = document.body.cloneNode(true);
    // Code blocks written as such in the prose (not notebook outputs, not code cells' inputs).
    copy.querySelectorAll('div[class*="highlight-"]').forEach(e => {
      if (!e.classList.contains('output') && !e.closest('.cell_input')) e.remove();
    });
    return copy.innerText;
  })(),
  rawMath: [...document.querySelectorAll('.math')]
      .filter(e => /\\\\[\\(\\[]|\\$\\$/.test(e.textContent)).length,
  mathImages: [...document.querySelectorAll('img.math')]
      .filter(i => !(i.complete && i.naturalWidth > 0)).length,
  images: [...document.images].map(i => ({src: i.currentSrc || i.src, alt: i.getAttribute('alt') || '',
      loaded: i.complete && i.naturalWidth > 0})),
  pdfLinks: [...document.querySelectorAll('a[href$="book.pdf"]')].map(a => a.href),
})
"""


def browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def pages() -> list[Path]:
    return sorted(
        p for p in HTML_DIR.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts
    )


class DevTools:
    """A minimal DevTools-protocol session: send a command, wait for its answer, keep events."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        await self.connection.write_message(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = await asyncio.wait_for(self.connection.read_message(), 30)
            if message is None:
                raise RuntimeError("Chromium closed the DevTools connection")
            data = json.loads(message)
            if data.get("id") == self.next_id:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return data.get("result", {})
            self.events.append(data)

    async def until(self, method: str, timeout: float = 30) -> None:
        while not any(e.get("method") == method for e in self.events):
            message = await asyncio.wait_for(self.connection.read_message(), timeout)
            if message is None:
                raise RuntimeError("Chromium closed the DevTools connection")
            self.events.append(json.loads(message))


def end_process_group(process: subprocess.Popen) -> None:
    """SIGTERM to the browser and every helper it started, SIGKILL to what is left after 10 s."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(wait)
            time.sleep(0.5)  # helpers exit just after the browser
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 0)
                continue  # some helper is still alive
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def chromium() -> Iterator[str]:
    """A headless Chromium with no network at all (every host name fails to resolve)."""
    executable = browser()
    if executable is None:
        pytest.skip("no Chromium installed (apt-get install chromium; make test does it as root)")
    if not (HTML_DIR / "index.html").is_file():
        pytest.skip(f"no HTML book in {HTML_DIR}: build it with python -m pairlib.build --no-execute")
    # Chromium's helper processes (renderer, GPU, network) may still write the profile for a
    # moment after the browser exits: the whole process group is ended, then the folder goes.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--allow-file-access-from-files",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            for line in process.stderr:
                match = re.search(r"DevTools listening on (ws://\S+)", line)
                if match:
                    break
            else:
                pytest.fail("Chromium did not start its DevTools server")
            port = match[1].split("/")[2]  # host:port of the DevTools server, on this machine
            with urllib.request.urlopen(f"http://{port}/json/list", timeout=10) as answer:
                targets = json.loads(answer.read())
            yield next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        finally:
            end_process_group(process)


# Every table's fit at the current width: cut off when wider than the column that holds it and
# no ancestor scrolls it; a caption is cut off when it reaches past the viewport's edges.
TABLE_FACTS = """
JSON.stringify([...document.querySelectorAll('.bd-article table')].map(t => {
  let scrolls = false;
  for (let e = t.parentElement; e && e !== document.body; e = e.parentElement) {
    const style = getComputedStyle(e);
    if (['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth - 1) {
      scrolls = true;
      break;
    }
  }
  const rect = t.getBoundingClientRect();
  const column = t.closest('.bd-article').getBoundingClientRect();
  const box = t.closest('.pst-scrollable-table-container') || t;
  const moved = box.previousElementSibling;
  const above = moved && moved.classList.contains('table-caption') ? moved : null;
  const caption = t.querySelector('caption') || above;
  const cbox = caption ? caption.getBoundingClientRect() : null;
  return {
    id: t.id || (caption ? caption.innerText.slice(0, 40) : '?'),
    overflows: rect.width > column.width + 1,
    scrolls: scrolls,
    captionCut: !!cbox && (cbox.left < -1 || cbox.right > window.innerWidth + 1 || cbox.width < 20),
  };
}))
"""

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


async def visit(
    url: str, page: Path, width: tuple[int, int] | None = None, screenshot: Path | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Load ``page`` (at ``width``, if given); return its facts and the requests that failed or
    left the machine. With ``screenshot``, also save the whole page as a PNG there."""
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(url, max_message_size=64 * 2**20)
    try:
        tools = DevTools(connection)
        if width is not None:
            await tools.send(
                "Emulation.setDeviceMetricsOverride",
                width=width[0],
                height=width[1],
                deviceScaleFactor=1,
                mobile=width[0] < 600,
            )
        await tools.send("Network.enable")
        await tools.send("Page.enable")
        await tools.send("Page.navigate", url=page.as_uri())
        await tools.until("Page.loadEventFired")
        await asyncio.sleep(0.3)  # scripts that run on load (theme, search) settle
        facts = json.loads((await tools.send("Runtime.evaluate", expression=PAGE_FACTS))["result"]["value"])
        facts["tables"] = json.loads(
            (await tools.send("Runtime.evaluate", expression=TABLE_FACTS))["result"]["value"]
        )
        if screenshot is not None:
            import base64

            shot = await tools.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        requested = {
            e["params"]["requestId"]: e["params"]["request"]["url"]
            for e in tools.events
            if e.get("method") == "Network.requestWillBeSent"
        }
        problems = [
            f"request failed: {requested.get(e['params']['requestId'], '?')} ({e['params'].get('errorText')})"
            for e in tools.events
            if e.get("method") == "Network.loadingFailed"
        ]
        problems += [f"network request: {u}" for u in requested.values() if u.startswith(("http:", "https:"))]
        return facts, problems
    finally:
        connection.close()


def test_every_page_reads_offline(chromium):
    checked, problems = 0, []
    for page in pages():
        facts, failed = asyncio.run(visit(chromium, page))
        name = page.relative_to(HTML_DIR).as_posix()
        problems += [f"{name}: {p}" for p in failed]
        if facts["rawMath"] or facts["mathImages"]:
            problems.append(
                f"{name}: math not typeset ({facts['rawMath']} raw, {facts['mathImages']} unloaded)"
            )
        if "??" in facts["text"]:
            problems.append(f"{name}: an unresolved reference (??)")
        if PLUMBING.search(facts["text"]):
            problems.append(f"{name}: plumbing shown ({PLUMBING.search(facts['text'])[0]})")
        for image in facts["images"]:
            alt = image["alt"].strip()
            if not image["loaded"]:
                problems.append(f"{name}: image does not load: {image['src'][:80]}")
            if not alt or FILE_NAME_ALT.search(alt):
                problems.append(f"{name}: image without real alt text ({alt or 'none'})")
        for link in facts["pdfLinks"]:
            if not (link.startswith("file:") and Path(link.removeprefix("file://")).is_file()):
                problems.append(f"{name}: the PDF link does not resolve: {link}")
        if name == "book/index.html" and not facts["pdfLinks"]:
            problems.append(f"{name}: the landing page does not link the PDF")
        checked += 1
    assert checked > 5, f"only {checked} pages in {HTML_DIR}"
    assert not problems, "\n".join(problems)


def test_every_table_fits_or_scrolls_with_its_caption_whole_at_desktop_and_phone_widths(chromium):
    problems = []
    for label, width in WIDTHS.items():
        for page in pages():
            facts, _ = asyncio.run(visit(chromium, page, width))
            name = page.relative_to(HTML_DIR).as_posix()
            for table in facts["tables"]:
                if table["overflows"] and not table["scrolls"]:
                    problems.append(f"{name} at {label} width: table {table['id']!r} is cut off")
                if table["captionCut"]:
                    problems.append(f"{name} at {label} width: the caption of {table['id']!r} is cut off")
    assert not problems, "\n".join(problems)


NOT_FOR_READERS = re.compile(
    r"\d+%\|[^\n]*\||\d+it/s|results staged|PosixPath|_build/|Traceback|\\frac|\\bar|\$\$|`|\?\?"
)
"""What a reader must never meet: progress bars, build output, raw LaTeX, backticks and
unresolved references ("??")."""

CODE_LINE = re.compile(r"^\s*(?:from pairlib|import |def |print\(|glue_|[A-Z_0-9]+ = )", re.MULTILINE)
"""A line of code outside a code block that a page presents as code."""


def test_no_page_shows_build_output_code_raw_latex_or_backticks(chromium):
    # Code a page presents as code (a listing in a code block: the API appendix's example, the
    # framework's own source) is content; code lines anywhere else are plumbing.
    problems = []
    for page in pages():
        facts, _ = asyncio.run(visit(chromium, page))
        for pattern, text in ((NOT_FOR_READERS, facts["text"]), (CODE_LINE, facts["prose"])):
            for found in pattern.finditer(text):
                start = max(0, found.start() - 40)
                problems.append(
                    f"{page.relative_to(HTML_DIR)}: {found[0]!r} in {text[start : start + 100]!r}"
                )
    assert not problems, "\n".join(problems[:40])


SEARCH_FACTS = """JSON.stringify({
  results: document.querySelectorAll("#search-results ul.search li").length,
  excerpts: [...document.querySelectorAll("#search-results ul.search li p.context")].map(p => p.textContent),
})"""


async def search(url: str, query: str) -> dict[str, Any]:
    """Open the search page from files with ``query``; the results and their excerpts."""
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(url, max_message_size=64 * 2**20)
    try:
        tools = DevTools(connection)
        await tools.send("Page.enable")
        await tools.send("Page.navigate", url=f"{(HTML_DIR / 'search.html').as_uri()}?q={query}")
        await tools.until("Page.loadEventFired")
        facts: dict[str, Any] = {"results": 0, "excerpts": []}
        for _ in range(50):  # the index loads, then each result's excerpt
            await asyncio.sleep(0.2)
            found = await tools.send("Runtime.evaluate", expression=SEARCH_FACTS)
            facts = json.loads(found["result"]["value"])
            if facts["results"] and len(facts["excerpts"]) == facts["results"]:
                break
        return facts
    finally:
        connection.close()


def test_search_shows_excerpts_when_the_book_is_opened_from_files(chromium):
    facts = asyncio.run(search(chromium, "sharing"))
    assert facts["results"] >= 3, facts
    assert len(facts["excerpts"]) == facts["results"], "search results without excerpts"
    assert all(len(text.strip()) > 40 for text in facts["excerpts"]), facts["excerpts"]
