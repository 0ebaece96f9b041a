"""Tables for both forms of the book: a MyST ``{table}`` directive is numbered and referenceable
and becomes a real LaTeX table, where a pandas table would print as plain text in the PDF.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

LONG_TABLE_ROWS = 15
"""Tables longer than this may break across PDF pages (LaTeX longtable)."""


_MINUS = re.compile(r"(?<![\w.])-(?=\.?\d)")
"""A hyphen that is a minus sign: before a digit, not inside a word or a range ("1-9")."""


_INTERVAL = re.compile(r" ?\[([^\[\]]*), ([^\[\]]*)\]")
"""A confidence interval "[a, b]", with the space before it: kept on one line."""


NBSP = "\u00a0"
"""A no-break space: LaTeX's ``~`` and HTML's ``&nbsp;``, so "2.4 ± 0.3" never breaks."""


ZWSP = "\u200b"
"""A zero-width space: where a long name may break in a narrow column, without a hyphen
(the PDF's preamble makes it a break point, as browsers do)."""


NOT_APPLICABLE = "—"
"""What an empty table cell prints: an em dash."""


_NAME_BREAK = re.compile(r"(?<=[A-Za-z0-9]/)(?=[A-Za-z])|(?<=[A-Za-z0-9]-)(?=[A-Za-z0-9]{2})")
"""Where a model name such as "000/model-B-classes-mse" may break: after its report's "/",
and after a hyphen followed by a word of two characters or more ("model-B-" / "no-ws";
"000/model-" / "B" never happens)."""


def _cell(value: Any, floatfmt: str) -> str:
    # Empty for missing values; pipes escaped because they would split the Markdown row.
    # A printed minus is the real one (−), and "mean ± std" or "d [lo, hi]" is one unbreakable
    # unit: a line break inside an interval leaves "-" alone at a line's end.
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        value = format(value, floatfmt)
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool) and abs(value) >= 10_000:
        value = f"{value:,}"  # a parameter count reads as the prose writes it: 201,226
    text = str(value).replace("|", r"\|").replace("\n", " ")
    if "{" in text:  # a MyST role (a citation): its text is not ours to retypeset
        return text
    text = _MINUS.sub("\u2212", text).replace(" ± ", f"{NBSP}±{NBSP}")
    text = _INTERVAL.sub(lambda m: f"{NBSP}[{m[1]},{NBSP}{m[2]}]", text)
    return _NAME_BREAK.sub(ZWSP, text)


def _is_number(text: str) -> bool:
    # Right-aligned: numbers and number-like cells ("16.4 ± 4.6", "−2.1 [−2.7, −1.5]", "8/10"),
    # never text that merely starts with a digit, such as the model name "000/model-B".
    without_exponents = re.sub(r"\de[−+-]?\d", "", text)
    return bool(re.match(r"[−+-]?\.?\d", text)) and not re.search(r"[A-Za-z]", without_exponents)


LINE_CHARS = 104
"""About how many characters of a table's text (\\small FreeSerif) fill the PDF's line: 10 pt
text, A4 with 2.2 cm margins (``_config.yml``)."""


def _column_widths(header: str, cells: pd.Series) -> tuple[int, int]:
    # (preferred, minimum) width in characters. Short columns (numbers, yes/no) get their
    # full length so they never wrap; long text columns prefer 3/4 of theirs and may wrap
    # down to their longest word (cells are never hyphenated; a long name breaks only at
    # its ZWSP break points).
    # +2: the padding between columns. Header words count 30% wider: they are set in bold
    # sans serif. Words are split at plain spaces only: a no-break space joins an interval
    # into one "word".
    header_word = max((math.ceil(1.3 * len(word)) for word in header.split(" ")), default=0)
    words = [word for text in cells for word in re.split(f"[ {ZWSP}]", text)]
    longest = max((len(text.replace(ZWSP, "")) for text in cells), default=0)
    longest_word = max([len(word) for word in words] + [header_word]) + 2
    if longest <= 14:
        width = max(longest + 2, longest_word)
        return width, width
    return max(longest_word, round(0.75 * longest)), longest_word


SMALL_SCALE = 1.12
"""How many more characters a line holds in \\footnotesize than in \\small."""


def _latex(command: str) -> str:
    # A raw LaTeX block: the PDF sees it, the HTML does not.
    return f"```{{raw}} latex\n{command}\n```\n\n"


def fit_widths(columns: list[tuple[int, int]], line: int = LINE_CHARS) -> list[int]:
    """Relative column widths for the PDF that fit ``line`` characters when they can.

    Why: LaTeX scales relative widths to the line, so a table whose preferred widths add up
    past the line squeezes every column, and a number or a word then sticks out of its cell
    ("12.8!" clipped, overfull boxes). Only the columns that can wrap give up room, in
    proportion to what they can give, down to their longest word."""
    preferred = [p for p, _ in columns]
    slack = [p - m for p, m in columns]
    room = line - 2 * len(columns)  # the rules and the padding LaTeX adds per column
    excess = sum(preferred) - room
    if excess <= 0 or not any(slack):
        return preferred
    share = min(1.0, excess / sum(slack))
    return [round(p - share * s) for p, s in zip(preferred, slack, strict=True)]


def table_markdown(
    df: pd.DataFrame,
    name: str,
    caption: str,
    *,
    floatfmt: str = ".2f",
    index: bool = False,
    widths: Iterable[int] | None = None,
    long: bool | None = None,
) -> str:
    """The MyST ``{table}`` block that ``show_table`` displays (separate for testing)."""
    if not re.fullmatch(r"[A-Za-z][\w-]*", name):
        raise ValueError(f"table name {name!r} must be a label: letters, digits, - and _")
    frame = df.reset_index() if index else df
    cells = frame.map(lambda v: _cell(v, floatfmt))
    # Numbers (including "16.4 ± 4.6") read best right-aligned; text left-aligned.
    numeric = [
        bool(column.ne("").any()) and all(_is_number(text) for text in column if text)
        for _, column in cells.items()
    ]
    colalign = ["right" if is_number else "left" for is_number in numeric]
    # An empty cell (nothing measured, or nothing that applies) reads as a dash, as in a
    # printed table: left blank, a reader cannot tell it from a value lost in typesetting
    # (and LaTeX would set its empty paragraph as a blank line under the row).
    cells = cells.map(lambda text: text or NOT_APPLICABLE)
    body = cells.to_markdown(index=False, disable_numparse=True, colalign=colalign)
    options = f":name: {name}\n"
    if long is None:
        long = len(frame) > LONG_TABLE_ROWS
    if long:
        # Sphinx's default LaTeX table (tabulary) cannot break across pages; a longtable can.
        options += ":class: longtable\n"
    small = False
    if widths is None:
        # Every table gets its widths (ragged-right columns, see _config.yml): tabulary,
        # left to itself, squeezes a column below its longest word in a wide table. A table
        # whose words cannot fit the line even wrapped is set a size smaller in the PDF.
        columns = [_column_widths(str(header), column) for header, column in cells.items()]
        small = sum(minimum for _, minimum in columns) > LINE_CHARS - 2 * len(columns)
        widths = fit_widths(columns, round(LINE_CHARS * SMALL_SCALE) if small else LINE_CHARS)
    options += ":widths: " + " ".join(str(w) for w in widths) + "\n"
    # A tilde fence: a backtick fence's info string (the caption) may not contain
    # backticks, and captions cite with {cite:p}`key`.
    table = f"~~~{{table}} {caption}\n{options}\n{body}\n~~~\n"
    if small:  # the preamble's \pairlibtablesize (_config.yml), for this table only
        table = _latex(r"\renewcommand{\pairlibtablesize}{\footnotesize}") + table
        table += _latex(r"\renewcommand{\pairlibtablesize}{\small}")
    return table


def show_table(df: pd.DataFrame, name: str, caption: str, **options: Any) -> None:
    """Display ``df`` as a numbered table labelled ``name`` (cite it with ``{numref}``).

    ``options`` are :func:`table_markdown`'s: floats are formatted with ``floatfmt``;
    pre-format columns as strings for anything else (e.g. "16.4 ± 4.6"). Cells may hold MyST
    roles such as ``{cite:p}`key```. ``long`` (default: more than ``LONG_TABLE_ROWS`` rows)
    lets the PDF break the table across pages. Keep captions plain text: links in a LaTeX
    longtable caption break the PDF build.
    """
    from IPython.display import Markdown, display

    display(Markdown(table_markdown(df, name, caption, **options)))


def show_markdown(text: str) -> None:
    """Display MyST text from code: prose whose content depends on what was computed
    (e.g. a paragraph that cites a table only when the table exists)."""
    from IPython.display import Markdown, display

    display(Markdown(text))
