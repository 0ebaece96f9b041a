"""What a chapter puts on the page: the helpers its cells call, so that notebooks hold
narrative and experiment calls. (Named ``page``, not ``book``: ``book/`` holds the book's
pages and ``build`` makes it.)

Four jobs, each with a rule the book depends on:

* ``check_parameters``: papermill injects parameters without looking at them; a chapter
  validates them first so that a typo fails in one line, before any training starts.
* ``show_table``: a pandas table shown as-is is HTML, which the PDF prints as plain text and
  which cannot be numbered. A MyST ``{table}`` directive is numbered, referenceable with
  ``{numref}`` and becomes a real LaTeX table (needs ``nb_render_markdown_format: myst``).
* ``glue_figure`` / ``glue_text`` / ``glue_value``: every number and figure in the prose goes
  through myst-nb's ``glue``, so the text can never disagree with the executed code.
* ``save_results``: a chapter's tidy results are the published record; only the build may
  write them (through a staging folder it owns), so a quick ``-p rounds 3`` re-run by hand
  can never overwrite them.
"""

from __future__ import annotations

import ast
import math
import numbers
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pairlib.configs import PUBLISHED_ROW, grid_004_setting
from pairlib.console import say
from pairlib.data import MAX_PAIRS, TEST_IMAGES
from pairlib.paths import RESULTS_DIR, toc_files
from pairlib.published import CITE_KEYS, published_row
from pairlib.stats import (
    COMPARISON_COLUMNS,
    ROUNDS_COLUMNS,
    adjust_family,
    comparisons_record,
    reproduction_z,
    rounds_record,
)

"""The published record: ``published.csv`` plus one tidy table per chapter."""

RESULTS_ENV = "PAIRLIB_RESULTS_DIR"
"""Set by ``python -m pairlib.build`` to a staging folder; unset means "do not record"."""

LONG_TABLE_ROWS = 15
"""Tables longer than this may break across PDF pages (LaTeX longtable)."""

FIGURE_DPI = 150
"""Enough for print (a 6.4 in figure is ~960 px) while keeping notebooks small."""

_CHAPTER_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Spec:
    """What one parameter may be: a type, optional bounds, optional choices.

    ``check(name, value)`` returns the normalised value or raises a one-line ValueError
    naming the parameter, the value received and what is allowed.
    """

    kind: type  # int, float or str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] | None = None
    why: str = ""  # appended to the error in parentheses: where a bound comes from

    def allowed(self) -> str:
        """Human description of the allowed values, as printed in errors."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        noun = {int: "an integer", float: "a number", str: "a string"}[self.kind]
        if self.low is not None and self.high is not None:
            return f"{noun} in {self.low}..{self.high}"
        if self.low is not None:
            return f"{noun} >= {self.low}"
        if self.high is not None:
            return f"{noun} <= {self.high}"
        return noun

    def check(self, name: str, value: Any) -> Any:
        """Validate ``value`` for parameter ``name``; return it normalised (int, float, str)."""
        ok_type = {
            # bool is an int to Python, never to a reader: n_pairs=True is a mistake.
            int: isinstance(value, numbers.Integral) and not isinstance(value, bool),
            float: isinstance(value, numbers.Real) and not isinstance(value, bool),
            str: isinstance(value, str),
        }[self.kind]
        in_range = ok_type and (
            (self.choices is None or value in self.choices)
            and (self.kind is str or math.isfinite(value))
            and (self.low is None or value >= self.low)
            and (self.high is None or value <= self.high)
        )
        if not in_range:
            got = f"{value!r} ({type(value).__name__})" if not ok_type else repr(value)
            why = f" ({self.why})" if self.why else ""
            raise ValueError(f"parameter {name}={got} is not allowed: expected {self.allowed()}{why}")
        return self.kind(value)


def integer(low: int | None = None, high: int | None = None, why: str = "") -> Spec:
    """An integer parameter, bounds inclusive."""
    return Spec(int, low, high, why=why)


def number(low: float | None = None, high: float | None = None, why: str = "") -> Spec:
    """A real parameter (ints accepted, returned as float), bounds inclusive."""
    return Spec(float, low, high, why=why)


def choice(*values: str, why: str = "") -> Spec:
    """A string parameter taking one of ``values``."""
    return Spec(str, choices=tuple(values), why=why)


STANDARD_PARAMETERS: dict[str, Spec] = {
    "n_pairs": integer(1, MAX_PAIRS, why=f"n pairs use 2n of the {TEST_IMAGES} MNIST test images"),
    "seed": integer(0, 2**32 - 1),
    "rounds": integer(2, why="a spread over rounds and a paired comparison need two rounds"),
    "epochs": integer(1),
    "batch_size": integer(1),
    "lr": number(low=1e-12),
    "device": choice("auto", "cpu", "cuda"),
}
"""Parameters shared by the chapters; a chapter adds its own through ``extra``."""


def _resolve_device(device: str) -> str:
    # "auto" is what a reader wants; an explicit "cuda" without a GPU is a mistake to report.
    import torch

    available = torch.cuda.is_available()
    if device == "cuda" and not available:
        raise ValueError(
            "parameter device='cuda' is not allowed: no CUDA GPU is visible to torch (use 'auto' or 'cpu')"
        )
    if device == "auto":
        return "cuda" if available else "cpu"
    return device


def injected_parameters() -> dict[str, Any]:
    """The names and values papermill injected into this kernel, or {} outside papermill.

    papermill only warns about a name the notebook does not declare, then runs the whole
    chapter with its defaults; its injected cell (``# Parameters`` then assignments) is in
    IPython's input history, so the check can see every name that was passed.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return {}
    shell = get_ipython()
    if shell is None:
        return {}
    for source in reversed(shell.user_ns.get("In", [])):
        if source.lstrip().startswith("# Parameters"):
            names = [
                target.id
                for node in ast.parse(source).body
                if isinstance(node, ast.Assign)
                for target in node.targets
                if isinstance(target, ast.Name)
            ]
            return {name: shell.user_ns.get(name) for name in names}
    return {}


def check_parameters(extra: Mapping[str, Spec] | None = None, /, **params: Any) -> dict[str, Any]:
    """Validate a chapter's papermill parameters; return them normalised.

    Call it in the cell after the ``parameters`` cell with every parameter by name::

        p = check_parameters(n_pairs=n_pairs, seed=seed, rounds=rounds, device=device)

    Known names are those of ``STANDARD_PARAMETERS`` plus ``extra`` (a chapter's own, e.g.
    ``{"alpha": number(0, 1)}``). Any failure is a ``ValueError`` with one line naming the
    parameter, the value and what is allowed. ``device`` comes back resolved to "cpu" or
    "cuda".
    """
    specs = {**STANDARD_PARAMETERS, **(extra or {})}
    for name, value in injected_parameters().items():
        if name not in params:  # papermill runs a misspelt name with a mere warning
            raise ValueError(
                f"parameter {name}={value!r} is not allowed: unknown name, this chapter declares "
                + ", ".join(sorted(params))
            )
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name not in specs:
            raise ValueError(
                f"parameter {name}={value!r} is not allowed: unknown name, expected one of "
                + ", ".join(sorted(specs))
            )
        out[name] = specs[name].check(name, value)
    if "device" in out:
        out["device"] = _resolve_device(out["device"])
    return out


def setup_chapter(
    extra: Mapping[str, Spec] | None = None, /, glue: str | None = None, **params: Any
) -> dict[str, Any]:
    """A chapter's one setup call: :func:`check_parameters`, the figure theme, and, when
    ``glue`` is a prefix, every parameter glued as ``<glue><name>`` so the prose can quote
    the rounds and epochs it ran with."""
    p = check_parameters(extra, **params)
    setup_figures()
    if glue is not None:
        glue_facts(p, glue)
    return p


# --------------------------------------------------------------------------- display


def processor_name(metadata: Mapping[str, Any]) -> str:
    """The processor an executed notebook records (``metadata["pairlib"]["numerics"]``, written by
    the build), short, with the numerics mode its kernels ran in (:mod:`pairlib.numerics`):
    "Intel Xeon, native numerics"; "not recorded" for a notebook without it."""
    numerics = metadata.get("pairlib", {}).get("numerics")
    if not numerics:
        return "not recorded"
    parts = str(numerics.get("cpu", "")).split(" / ")
    model = parts[1] if len(parts) > 1 else parts[0]
    name = " ".join(model.replace("(R)", "").replace("(TM)", "").replace(" Processor", "").split())
    return f"{name}, {numerics.get('mode', 'native')} numerics"


def execution_statistics(
    chapters: Iterable[tuple[str, Path]], results: Mapping[str, pd.DataFrame]
) -> pd.DataFrame:
    """One row per executed chapter: when it ran, on which processor, how long, and what its
    results table says it trained (runs = rounds summed over its rows; training = their
    ``seconds_per_run``). Runs on another processor differ in the last bits, so a figure that
    two chapters share may differ slightly where they were executed on different machines.

    Why here and not at a chapter's end: timings are facts about one machine and one cache,
    not findings, so the chapters carry none and this appendix gathers them from papermill's
    record in each executed notebook (``chapters`` are (name, notebook path) pairs)."""
    import nbformat

    rows = []
    for name, path in chapters:
        if not path.is_file():
            continue
        metadata = nbformat.read(path, as_version=4).metadata
        record = metadata.get("papermill", {})
        table = results.get(name, pd.DataFrame())
        runs = int(table["rounds"].sum()) if "rounds" in table else None
        training = (
            float((table["seconds_per_run"] * table["rounds"]).sum()) / 60
            if {"rounds", "seconds_per_run"} <= set(table.columns)
            else None
        )
        rows.append(
            {
                "chapter": name.replace("_", " "),
                "executed (UTC)": str(record.get("end_time", ""))[:16].replace("T", " "),
                "processor": processor_name(metadata),
                "execution (min)": record["duration"] / 60 if record.get("duration") else None,
                "runs": runs,
                "training (min)": training,
            }
        )
    columns = ["chapter", "executed (UTC)", "processor", "execution (min)", "runs", "training (min)"]
    return pd.DataFrame(rows, columns=columns).astype({"runs": "Int64"})


def chapter_parameters_table(chapters: Iterable[tuple[str, Path]]) -> pd.DataFrame:
    """One row per chapter parameter: its value in the executed notebook and what it means
    (the comment beside it in the chapter's parameters cell).

    Why an appendix table: the parameters cells are code, which the page does not show, yet a
    reader should know every setting a chapter ran with (the values papermill injected, if
    any, override the cell's defaults)."""
    import io
    import tokenize

    import nbformat

    rows = []
    for name, path in chapters:
        if not path.is_file():
            continue
        nb = nbformat.read(path, as_version=4)
        cell = next((c for c in nb.cells if "parameters" in c.metadata.get("tags", [])), None)
        if cell is None:
            continue
        given = nb.metadata.get("pairlib", {}).get("parameters", {})
        comments = {
            token.start[0]: token.string.lstrip("# ").strip()
            for token in tokenize.generate_tokens(io.StringIO(cell.source).readline)
            if token.type == tokenize.COMMENT
        }
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                key = node.targets[0].id
                value = given.get(key, ast.literal_eval(node.value))
                rows.append(
                    {
                        "chapter": name.replace("_", " "),
                        "parameter": key,
                        "value": repr(value) if isinstance(value, str) else str(value),
                        "meaning": comments.get(node.lineno, ""),
                    }
                )
    return pd.DataFrame(rows, columns=["chapter", "parameter", "value", "meaning"])


def change_phrase(table: pd.DataFrame, a: str, b: str) -> str:
    """How the mean test error moves from model ``a`` to model ``b`` of a results table, in
    words: "lowers it from 19.4% to 12.9%". The verb comes from the numbers, so an abstract
    stays true whatever a rerun measures (the chapters give the paired tests behind it)."""
    means = table.set_index("model_id")["test_error_mean_pct"]
    before, after = float(means[a]), float(means[b])
    if round(before, 1) == round(after, 1):
        return f"leaves it at {before:.1f}%"
    verb = "lowers" if after < before else "raises"
    return f"{verb} it from {before:.1f}% to {after:.1f}%"


VERDICTS = ("reproduced", "we are better", "we are worse", "no spread published")
"""The scorecard's verdicts: |z| < 2, or ours lower (better) or higher (worse) beyond it; a
figure published without a spread (or from one run) has no z and is compared descriptively."""


def reproduction_scorecard(
    results: Mapping[str, pd.DataFrame],
    published: pd.DataFrame,
    causes: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per published figure a chapter reproduced: both means, stds and round counts,
    z = (ours - published) / sqrt(se_ours^2 + se_published^2) with se = std / sqrt(rounds)
    and a verdict: "reproduced" when |z| < 2, else "we are better" (lower error) or "we are
    worse". Why not "within one std": a report's std is over few rounds, and a verdict should
    not depend on which spread is wider. A figure published without a spread or from a single
    run has no standard error, so no z (methods.md): its verdict is "no spread published" and
    the comparison is descriptive. Where the report publishes a training error, ours stands
    beside it (``published_train_mean``, ``train_mean``; no z: no report's spread of it is
    in the published table).

    ``tested_by`` lists every other reading of the same model that a chapter ran: the rows
    whose model id is ``"<model_id> [<what differs>]"``, separated by semicolons; ``cause``
    is the one-line explanation ``causes`` gives for that model id, if any."""
    readings: dict[str, list[str]] = {}
    for _, table in _model_tables(results):
        for name in table["model_id"].astype(str):
            base, bracket, _ = name.partition(" [")
            if bracket and name not in readings.setdefault(base, []):
                readings[base].append(name)
    rows = []
    for pub, chapter, row in _reproduced(results, published):
        ours, theirs = float(row["test_error_mean_pct"]), float(pub["test_error_mean_pct"])
        inputs = _z_inputs(row, pub)
        z = math.nan if inputs is None else reproduction_z(*inputs)
        if math.isnan(z):
            verdict = VERDICTS[3]
        else:
            verdict = VERDICTS[0] if abs(z) < 2 else VERDICTS[1] if z < 0 else VERDICTS[2]
        model_id = str(row["model_id"])
        rows.append(
            {
                "report": report_id(pub["report"]),
                "published_model_id": pub["model_id"],
                "published_mean": theirs,
                "published_std": pub["test_error_std_pct"],
                "published_rounds": pub["rounds"],
                "model_id": model_id,
                "mean": ours,
                "std": float(row["test_error_std_pct"]),
                "rounds": int(row["rounds"]),
                "z": z,
                "verdict": verdict,
                "published_train_mean": pub.get("train_error_mean_pct", math.nan),
                "train_mean": float(row.get("train_error_mean_pct", math.nan)),
                "tested_by": "; ".join(readings.get(model_id, [])),
                "cause": (causes or {}).get(model_id, ""),
                "chapter": chapter,
            }
        )
    columns = [
        "report",
        "published_model_id",
        "published_mean",
        "published_std",
        "published_rounds",
        "model_id",
        "mean",
        "std",
        "rounds",
        "z",
        "verdict",
        "published_train_mean",
        "train_mean",
        "tested_by",
        "cause",
        "chapter",
    ]
    return pd.DataFrame(rows, columns=columns)


def scorecard_display(scorecard: pd.DataFrame) -> pd.DataFrame:
    """The scorecard as the summary prints it: errors as mean ± std in one decimal, z in two
    (so that -2.01, beyond the |z| < 2 rule, never shows as -2.0), training errors side by
    side where the report gives one, and the count of other readings that ran."""
    train = [
        "" if pd.isna(theirs) else f"{theirs:.2f} / {ours:.2f}"
        for theirs, ours in zip(scorecard["published_train_mean"], scorecard["train_mean"], strict=True)
    ]
    return pd.DataFrame(
        {
            "report": scorecard["report"],
            "published model": scorecard["published_model_id"],
            "published": mean_std_column(scorecard["published_mean"], scorecard["published_std"]),
            "ours": mean_std_column(scorecard["mean"], scorecard["std"]),
            "z": ["" if pd.isna(z) else f"{z:.2f}" for z in scorecard["z"]],
            "verdict": scorecard["verdict"],
            "training error, published / ours": train,
            "other readings": scorecard["tested_by"].map(lambda text: len(text.split("; ")) if text else 0),
            "cause": scorecard["cause"],
        }
    )


def _z_inputs(
    row: pd.Series, pub: pd.Series
) -> tuple[tuple[float, float, int], tuple[float, float, int]] | None:
    """(ours, published) as :func:`pairlib.stats.reproduction_z` takes them, or None where the
    report gives no spread or a single run: such a figure has no standard error, and scaling
    the gap by ours alone would make a descriptive figure look exact (methods.md)."""
    ours = (float(row["test_error_mean_pct"]), float(row["test_error_std_pct"]), int(row["rounds"]))
    if pd.isna(pub["test_error_std_pct"]) or pd.isna(pub["rounds"]) or int(pub["rounds"]) < 2:
        return None
    return ours, (float(pub["test_error_mean_pct"]), float(pub["test_error_std_pct"]), int(pub["rounds"]))


def readings_table(tidy: pd.DataFrame, keys: Iterable[str]) -> pd.DataFrame:
    """Every reading of each registered model in ``keys`` that a chapter ran (rows of its
    :func:`pairlib.stats.results_table`: the key itself, then ``"<key> [<what differs>]"``),
    beside the published figure of the key with the gap in standard errors (z)."""
    rows = []
    by_name = tidy.set_index("model_id")
    for key in keys:
        pub = published_row(*PUBLISHED_ROW[key])
        names = [key, *(n for n in by_name.index if str(n).startswith(f"{key} ["))]
        for name in (n for n in names if n in by_name.index):
            row = by_name.loc[name]
            rows.append(
                {
                    "model": key,
                    "reading": "registered" if name == key else name[len(key) + 2 : -1],
                    "params": int(row["params"]),
                    "ours (%)": (
                        f"diverged in {int(row['diverged_rounds'])} of {int(row['rounds'])} rounds"
                        if row.get("diverged_rounds", 0)
                        else mean_std(row["test_error_mean_pct"], row["test_error_std_pct"])
                    ),
                    "published (%)": mean_std(pub["test_error_mean_pct"], pub["test_error_std_pct"]),
                    "z": reproduction_z(*_z_inputs(row, pub)),
                }
            )
    return pd.DataFrame(rows)


def registry_against_grid(
    validation: pd.DataFrame, chosen: pd.DataFrame, registered: Mapping[str, str] | None = None
) -> str:
    """Whether the registered settings are what report 004's rerun validation grid picks, in words.

    ``validation`` holds the grid's mean validation error by ``"<model> | <setting>"``,
    ``chosen`` the pick per model (``setting``, ``mean``), ``registered`` the registry's setting
    per model (by default :func:`pairlib.configs.grid_004_setting`). A grid rerun on another
    processor can pick differently when settings lie close; the chapter must then say which
    settings its test figures use, not claim they are the pick."""
    if registered is None:
        registered = {model: grid_004_setting(f"004/{model}") for model in chosen.index}
    differ = [model for model, setting in registered.items() if chosen.loc[model, "setting"] != setting]
    if not differ:
        return "The registered configurations use these values."

    def rank(model: str) -> str:
        rows = validation[validation.index.str.startswith(f"{model} | ")]["mean"].sort_values()
        place = list(rows.index).index(f"{model} | {registered[model]}") + 1
        return f"{place} of {len(rows)}"

    parts = [
        f"{model} {registered[model]} ({validation.loc[f'{model} | {registered[model]}', 'mean']:.1f}% "
        f"validation error, {rank(model)} on this grid, against {chosen.loc[model, 'mean']:.1f}% for "
        "its best setting)"
        for model in differ
    ]
    return (
        "The report does not state which settings its grid chose; the registered ones are one "
        f"point of the grid each, and for {' and '.join(differ)} not the one this rerun ranks "
        f"first: the test figures below use {' and '.join(parts)}."
    )


def reading_gaps(readings: pd.DataFrame) -> pd.DataFrame:
    """Per model of a :func:`readings_table`: the registered reading's z, the smallest |z| of
    any reading that ran (a search over readings, shown as such, never a result), and how
    many readings ran."""
    gaps = readings.assign(gap=readings["z"].abs()).groupby("model", sort=False)
    registered = readings[readings["reading"] == "registered"].set_index("model")["z"]
    return pd.DataFrame(
        {
            "model": registered.index,
            "z (registered)": registered.to_numpy(),
            "nearest reading, abs z": gaps["gap"].min().reindex(registered.index).to_numpy(),
            "readings": gaps.size().reindex(registered.index).to_numpy(),
        }
    )


def glue_scorecard(prefix: str, scorecard: pd.DataFrame) -> None:
    """Glue the scorecard's counts as ``<prefix>_reproduced`` (figures rerun), ``_agree``
    (|z| < 2), ``_lower`` (we are better), ``_higher`` (we are worse) and ``_descriptive``
    (no published spread, no z): the abstract and the summary state them alike."""
    counts = scorecard["verdict"].value_counts()
    glue_value(f"{prefix}_reproduced", len(scorecard))
    for key, verdict in zip(("agree", "lower", "higher", "descriptive"), VERDICTS, strict=True):
        glue_value(f"{prefix}_{key}", int(counts.get(verdict, 0)))


_MINUS = re.compile(r"(?<![\w.])-(?=\.?\d)")
"""A hyphen that is a minus sign: before a digit, not inside a word or a range ("1-9")."""

_INTERVAL = re.compile(r" ?\[([^\[\]]*), ([^\[\]]*)\]")
"""A confidence interval "[a, b]", with the space before it: kept on one line."""

NBSP = "\u00a0"
"""A no-break space: LaTeX's ``~`` and HTML's ``&nbsp;``, so "2.4 ± 0.3" never breaks."""

ZWSP = "\u200b"
"""A zero-width space: where a long name may break in a narrow column, without a hyphen
(the PDF's preamble makes it a break point, as browsers do)."""

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


LINE_CHARS = 92
"""About how many characters of a table's text (\\small FreeSerif) fill the PDF's line."""


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


def p_text(p: float) -> str:
    """A p-value as the book prints it: three decimals, or "< 0.001" rather than "0.000"."""
    return "< 0.001" if p < 0.0005 else f"{p:.3f}"


def p_equation(p: float) -> str:
    """ "p = 0.023" or "p < 0.001", for prose: a p-value never reads "p = < 0.001"."""
    text = p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def signed(value: float, digits: int = 1) -> str:
    """A difference with its sign, "+1.9" or "-0.4", and "0.0" where it rounds to zero: never
    "-0.0" or "+0.0", whose sign the rounding has made meaningless."""
    text = f"{value:+.{digits}f}"
    return f"{0:.{digits}f}" if float(text) == 0 else text


def interval(low: float, high: float, digits: int = 1, sign: bool = True) -> str:
    """A confidence interval "[-3.1, -1.2]", both ends to the same digits (:func:`signed`)."""
    if sign:
        return f"[{signed(low, digits)}, {signed(high, digits)}]"
    return f"[{low:.{digits}f}, {high:.{digits}f}]"


def comparison_display(table: pd.DataFrame, digits: int = 1) -> pd.DataFrame:
    """A :func:`pairlib.stats.labelled_comparisons` table as the book prints it: both means, the
    mean per-round difference b − a with its 95% CI, the paired-t p adjusted (Holm) within the
    chapter, the exact Wilcoxon p as a check, the rounds b won and the verdict."""
    m = f"{{:.{digits}f}}"
    return pd.DataFrame(
        {
            "comparison": table["comparison"],
            "from (a)": table["a"],
            "to (b)": table["b"],
            "a → b (%)": [
                f"{m.format(x)} → {m.format(y)}"
                for x, y in zip(table["mean_a"], table["mean_b"], strict=True)
            ],
            "b − a [95% CI]": [
                f"{signed(d, digits)} {interval(lo, hi, digits)}"
                for d, lo, hi in zip(table["difference"], table["ci_low"], table["ci_high"], strict=True)
            ],
            "p (Holm)": table["p_adjusted"].map(p_text),
            "Wilcoxon p": table["wilcoxon_p"].map(p_text),
            "b better": [f"{k}/{n}" for k, n in zip(table["b_better_rounds"], table["rounds"], strict=True)],
            "clear": [
                ("yes, fragile" if _fragile(row) else "yes") if row["clear"] else "no"
                for _, row in table.iterrows()
            ],
        }
    )


FRAGILE_NOTE = "a verdict that one round decides"
"""Said of every clear comparison that leaving out one round would make unclear (``fragile``)."""


def _fragile(row: Mapping[str, Any]) -> bool:
    return bool(row.get("fragile", False)) and bool(row["clear"])


def clear_word(row: Mapping[str, Any]) -> str:
    """ "clearly" or "not clearly" from a comparison's ``clear``, with :data:`FRAGILE_NOTE` where
    one round decides it: prose never says "clearly" of a fragile verdict without saying so."""
    if not bool(row["clear"]):
        return "not clearly"
    return f"clearly ({FRAGILE_NOTE})" if _fragile(row) else "clearly"


def clear_verb(row: Mapping[str, Any], lower: str = "lowers", higher: str = "raises") -> str:
    """The verb of a sentence about one comparison of a Holm-adjusted family: ``lower`` or
    ``higher`` from the sign when the row is ``clear``, else "does not clearly change"; a clear
    verdict that one round decides (``fragile``) says so."""
    if not row["clear"]:
        return "does not clearly change"
    verb = lower if row["difference"] < 0 else higher
    return f"{verb} ({FRAGILE_NOTE})" if _fragile(row) else verb


def effect_phrase(row: Mapping[str, Any], subject: str = "the error") -> str:
    """A paired comparison b − a in words: "clearly lowers the error by 2.1 points (95% CI
    [-3.0, -1.2], Holm-adjusted p = 0.004)". The verb comes from the sign, so the sentence stays
    true whatever a rerun measures; "clearly" / "not clearly" from the row's ``clear`` (when it
    has one), and the p is the adjusted one when the row has it."""
    adjusted = "p_adjusted" in row
    p = row["p_adjusted"] if adjusted else row["t_test_p"]
    evidence = (
        f"(95% CI {interval(row['ci_low'], row['ci_high'])}, "
        f"{'Holm-adjusted ' if adjusted else 'paired-t '}{p_equation(p)})"
    )
    if abs(row["difference"]) < 0.05:  # would print as "by 0.0 points"
        return f"leaves {subject} unchanged to a tenth of a point {evidence}"
    verb = "lowers" if row["difference"] < 0 else "raises"
    size = f"by {abs(row['difference']):.1f} points"
    if "clear" not in row:
        return f"{verb} {subject} {size} {evidence}"
    if bool(row["clear"]):
        fragile = f", {FRAGILE_NOTE}," if _fragile(row) else ""
        return f"clearly{fragile} {verb} {subject} {size} {evidence}"
    return f"{verb} {subject} {size}, not clearly {evidence}"


def glue_comparison(
    prefix: str, row: Mapping[str, Any], lower: str = "lowers", higher: str = "raises"
) -> None:
    """Glue one paired comparison for the prose, so that no figure of it is typed by hand.

    Names: ``<prefix>_a`` and ``<prefix>_b`` (mean errors), ``<prefix>_diff`` (|b − a|),
    ``<prefix>_ci`` ("[-3.1, -1.2]"), ``<prefix>_p`` ("p = 0.012" or "p < 0.001": paired t,
    Holm-adjusted in the chapter's family), ``<prefix>_wilcoxon`` (exact Wilcoxon, unadjusted,
    same form), ``<prefix>_won`` ("8 of 10"),
    ``<prefix>_effect`` (``lower`` or ``higher``: the sign of b − a in words, so the sentence
    stays true if a rerun flips it), ``<prefix>_clear`` ("clearly" or "not clearly", from the
    row's ``clear``: adjusted p < 0.05 and the CI excluding 0) and ``<prefix>_phrase``
    (:func:`effect_phrase`).
    """
    glue_value(f"{prefix}_a", float(row["mean_a"]))
    glue_value(f"{prefix}_b", float(row["mean_b"]))
    glue_value(f"{prefix}_diff", abs(float(row["difference"])))
    glue_text(f"{prefix}_ci", interval(row["ci_low"], row["ci_high"]))
    glue_text(f"{prefix}_p", p_equation(float(row["p_adjusted"])))
    glue_text(f"{prefix}_wilcoxon", p_equation(float(row["wilcoxon_p"])))
    glue_text(f"{prefix}_won", f"{int(row['b_better_rounds'])} of {int(row['rounds'])}")
    glue_text(f"{prefix}_effect", lower if row["difference"] < 0 else higher)
    glue_text(f"{prefix}_clear", clear_word(row))
    glue_text(f"{prefix}_phrase", effect_phrase(row))


def glue_comparisons(prefix: str, table: pd.DataFrame) -> None:
    """:func:`glue_comparison` for every row of a :func:`pairlib.stats.labelled_comparisons`
    table, in its order: ``<prefix>0_...``, ``<prefix>1_...`` and so on."""
    for k, (_, row) in enumerate(table.iterrows()):
        glue_comparison(f"{prefix}{k}", row)


def show_markdown(text: str) -> None:
    """Display MyST text from code: prose whose content depends on what was computed
    (e.g. a paragraph that cites a table only when the table exists)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


FIGURE_FONT = "FreeSerif"
"""The PDF's text font (_config.yml): figures set in it read as part of the page."""


def setup_figures() -> None:
    """One theme for every figure: seaborn's "paper" context on a white grid, the colour-blind
    palette, the text's serif font. Figures are kept as PNG (the HTML) and as PDF (vector,
    which the PDF build prefers, with the fonts embedded as text, not outlines), with no
    creation time in them: a re-executed chapter then equals the committed one byte for
    byte on the same processor (matplotlib reads ``SOURCE_DATE_EPOCH`` for the PDF's date)."""
    import glob

    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib import font_manager

    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png", "pdf")
    except ImportError:  # outside IPython: nothing is displayed anyway
        pass
    # Fonts installed after matplotlib built its cache are unknown to it until added.
    for path in glob.glob(f"/usr/share/fonts/**/{FIGURE_FONT}*.[ot]tf", recursive=True):
        font_manager.fontManager.addfont(path)
    known = {font.name for font in font_manager.fontManager.ttflist}
    serif = [FIGURE_FONT] if FIGURE_FONT in known else ["DejaVu Serif"]
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font="serif")
    plt.rcParams.update(
        {
            "font.serif": serif,
            "mathtext.fontset": "dejavuserif",
            "figure.dpi": FIGURE_DPI,
            "savefig.dpi": FIGURE_DPI,
            "font.size": 10,
            "axes.titlesize": 10,
            "axes.labelsize": 10,
            "xtick.labelsize": 9,
            "ytick.labelsize": 9,
            "legend.fontsize": 8.5,
            "figure.constrained_layout.use": True,
            "pdf.fonttype": 42,
        }
    )


class _Text:
    # glue stores an object's text/plain repr; a str's repr has quotes, this one has none.
    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def glue_text(name: str, text: str) -> None:
    """Glue a ready-made string (shown without quotes by ``{glue:}`name```)."""
    from myst_nb import glue

    glue(name, _Text(text), display=False)


def glue_value(name: str, value: Any) -> None:
    """Glue a number; format it in the prose with ``{glue:text}`name:.1f```.

    NumPy and torch scalars are converted to Python numbers first: myst-nb formats the
    stored repr, and ``np.float64(0.55)`` is not a number to it.
    """
    from myst_nb import glue

    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    glue(name, value, display=False)


def glue_facts(facts: Mapping[str, Any], prefix: str = "") -> None:
    """Glue every figure of ``facts`` under ``prefix + name``: strings as text, the rest as
    values. Lets the library compute a chapter's figures in one place and the chapter glue
    them in one line, instead of a screen of ``glue_value`` calls between its paragraphs."""
    for name, value in facts.items():
        if isinstance(value, str):
            glue_text(prefix + name, value)
        else:
            glue_value(prefix + name, value)


def glue_figure(name: str, fig: Any) -> None:
    """Glue a matplotlib figure for a numbered ``{glue:figure}`` directive, then close it.

    Closing matters: an open figure would also be displayed at the end of the cell, so it
    would appear twice in the book.
    """
    import matplotlib.pyplot as plt
    from myst_nb import glue

    glue(name, fig, display=False)
    plt.close(fig)


def report_id(report: str) -> str:
    """A report's short id, "000" to "004": the one name the book gives it (the seed file's
    hash suffix is an artefact of the transcription, never printed)."""
    return report.split("_")[0]


def report_label(report: str, cite: bool = True, short: bool = False) -> str:
    """How the book names a report: a MyST citation when ``cite`` ("Grall Lucas et al.
    (c. 2020)", the authors in the introduction's table), else "report 000" in prose or,
    when ``short`` (a table's report column), "000"."""
    if cite:
        return f"{{cite:t}}`{CITE_KEYS[report]}`"
    return report_id(report) if short else f"report {report_id(report)}"


def mean_std(mean: float, std: float, digits: int = 1) -> str:
    """'16.4 ± 4.6', or just the mean when no std was published."""
    if std is None or (isinstance(std, float) and math.isnan(std)):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def summary_text(summary: pd.DataFrame, name: str, digits: int = 1) -> str:
    """A configuration's row of :func:`pairlib.stats.summarise` as table text: "11.8 ± 1.1",
    or "diverged in 2 of 10 rounds" when any round diverged (such rows have no mean)."""
    row = summary.loc[name]
    if row.get("diverged", 0):
        return f"diverged in {int(row['diverged'])} of {int(row['diverged'] + row['count'])} rounds"
    return mean_std(row["mean"], row["std"], digits)


def mean_std_column(means: Iterable[float], stds: Iterable[float], digits: int = 1) -> list[str]:
    """``mean_std`` over two aligned columns, for a table's formatted column."""
    return [mean_std(m, s, digits) for m, s in zip(means, stds, strict=True)]


# --------------------------------------------------------------------------- results


def save_results(df: pd.DataFrame, chapter: str) -> None:
    """Record ``df`` as ``<chapter>.csv`` in the build's staging folder, atomically.

    Writes only when ``$PAIRLIB_RESULTS_DIR`` is set (the build sets it and moves the
    staged files into ``results/`` once the whole chapter has run); otherwise it writes
    nothing and says so on the console (:mod:`pairlib.console`). Returns nothing: a chapter
    ends with this call, and a returned path would be printed on the page.
    """
    if not _CHAPTER_NAME.fullmatch(chapter) or chapter == "published":
        raise ValueError(
            f"chapter={chapter!r} is not allowed: expected a lowercase name like "
            "'weight_sharing' (and never 'published')"
        )
    staging = os.environ.get(RESULTS_ENV)
    if not staging:
        say(
            f"results/{chapter}.csv left unchanged: {RESULTS_ENV} is unset "
            "(only `python -m pairlib.build` records results)"
        )
        return
    folder = Path(staging)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{chapter}.csv"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{chapter}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="") as handle:
            df.to_csv(handle, index=False)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a results table is for everyone
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    say(f"results staged: {target.name} ({len(df)} rows)")


def load_results(chapters: Iterable[str], folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """The recorded results of ``chapters`` that exist, in the given order.

    Absent chapters are skipped: a book with three chapters written has three tables.
    """
    folder = folder if folder is not None else RESULTS_DIR
    return {c: pd.read_csv(folder / f"{c}.csv") for c in chapters if (folder / f"{c}.csv").is_file()}


def toc_chapters() -> list[str]:
    """Chapter names (file stems) in ``_toc.yml`` order: what the summary gathers."""
    return [path.stem for path in toc_files()]


RESULT_COLUMNS = ("model_id", "test_error_mean_pct", "test_error_std_pct", "rounds")
"""Columns a chapter's table needs to be compared; ``report`` + ``published_model_id``
(optional) name the published row it reproduces."""


def _model_tables(results: Mapping[str, pd.DataFrame]) -> Iterator[tuple[str, pd.DataFrame]]:
    """The results tables that hold models (``RESULT_COLUMNS``), e.g. not the data chapter's."""
    for chapter, table in results.items():
        if set(RESULT_COLUMNS) <= set(table.columns):
            yield chapter, table


def _reproduced(
    results: Mapping[str, pd.DataFrame], published: pd.DataFrame
) -> Iterator[tuple[pd.Series, str, pd.Series]]:
    """(published row, chapter, our row) for every published model a chapter reproduced, in
    ``published.csv`` order; a model reproduced in several chapters (the same configuration,
    hence the same cached runs) counts once, under the first chapter."""
    ours: dict[tuple[str, str], tuple[str, pd.Series]] = {}
    for chapter, table in _model_tables(results):
        for _, row in table.iterrows():
            key = (row.get("report"), row.get("published_model_id"))
            if isinstance(key[0], str) and key[0] and key not in ours:
                ours[key] = (chapter, row)
    for _, pub in published.iterrows():
        if (pub["report"], pub["model_id"]) in ours:
            yield pub, *ours[(pub["report"], pub["model_id"])]


def compare_with_published(results: Mapping[str, pd.DataFrame], published: pd.DataFrame) -> pd.DataFrame:
    """One row per published model that a chapter reproduced: ours beside theirs.

    Rows follow ``published.csv``. A model reproduced in several chapters (the same
    configuration, hence the same cached runs) is listed once, under the first chapter.
    """
    rows = [
        {
            "report": report_label(pub["report"], cite=False, short=True),
            "published model": pub["model_id"],
            "published (%)": mean_std(pub["test_error_mean_pct"], pub["test_error_std_pct"]),
            "ours (%)": mean_std(row["test_error_mean_pct"], row["test_error_std_pct"]),
            "rounds": int(row["rounds"]),
            "chapter": chapter,
        }
        for pub, chapter, row in _reproduced(results, published)
    ]
    columns = ["report", "published model", "published (%)", "ours (%)", "rounds", "chapter"]
    return pd.DataFrame(rows, columns=columns)


TEST_CHOSEN = "chosen on the test pairs (optimistic)"
"""How the book labels anything "best" that the test pairs chose: its error is biased low."""


def best_per_chapter(results: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each chapter's best model: the row it marks ``headline`` (a model chosen on validation
    pairs, as the test pairs must not choose it), else the lowest mean test error; the
    ``chosen by`` column says which, so that a reader can tell a fair figure from one
    selected on the very pairs it is measured on."""
    rows = []
    for chapter, table in _model_tables(results):
        marked = table[table["headline"].astype(bool)] if "headline" in table else table.iloc[:0]
        best = marked.iloc[0] if len(marked) else table.loc[table["test_error_mean_pct"].idxmin()]
        rows.append(
            {
                "chapter": chapter,
                "model": best["model_id"],
                "chosen by": "validation pairs" if len(marked) else TEST_CHOSEN,
                "test error (%)": mean_std(best["test_error_mean_pct"], best["test_error_std_pct"]),
                "rounds": int(best["rounds"]),
            }
        )
    return pd.DataFrame(rows, columns=["chapter", "model", "chosen by", "test error (%)", "rounds"])


# --------------------------------------------------------------------------- comparisons

COMPARISONS = "comparisons"
"""``results/comparisons.csv``: every chapter's ``<chapter>_comparisons`` table, concatenated."""
ROUNDS = "rounds"
"""``results/rounds.csv``: every chapter's ``<chapter>_rounds`` table, concatenated."""


def save_comparisons(chapter: str, tables: Mapping[str, pd.DataFrame]) -> None:
    """Record a chapter's comparison tables as ``<chapter>_comparisons`` (through
    :func:`save_results`, so only the build writes), after adjusting them as one family."""
    save_results(comparisons_record(chapter, adjust_family(tables)), f"{chapter}_{COMPARISONS}")


def save_rounds(frame: pd.DataFrame, chapter: str) -> None:
    """Record every round of a chapter's runs as ``<chapter>_rounds`` (through
    :func:`save_results`, so only the build writes): the per-round data behind its tables and
    comparisons (:func:`pairlib.stats.rounds_record`)."""
    save_results(rounds_record(frame, chapter), f"{chapter}_{ROUNDS}")


def load_rounds(chapters: Iterable[str], folder: Path | None = None) -> pd.DataFrame:
    """Every chapter's rounds (:func:`save_rounds`) in one table, in the chapters' order."""
    folder = RESULTS_DIR if folder is None else folder
    frames = [pd.read_csv(path) for name in chapters if (path := folder / f"{name}_{ROUNDS}.csv").is_file()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(ROUNDS_COLUMNS))


def load_comparisons(chapters: Iterable[str], folder: Path | None = None) -> pd.DataFrame:
    """The recorded ``<chapter>_comparisons`` tables of ``chapters`` that exist, concatenated in
    the given order: the book's one table of every paired comparison."""
    tables = load_results([f"{c}_{COMPARISONS}" for c in chapters], folder)
    if not tables:
        return pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    return pd.concat(tables.values(), ignore_index=True)


def published_text(name: str) -> str:
    """'16.4 ± 4.6': the published test error of the report row ``name`` reproduces, or ''."""
    if name not in PUBLISHED_ROW:
        return ""
    row = published_row(*PUBLISHED_ROW[name])
    return mean_std(row["test_error_mean_pct"], row["test_error_std_pct"])
