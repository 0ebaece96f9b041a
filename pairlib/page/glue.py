"""Every number, phrase and figure in the prose goes through myst-nb's ``glue``, so the text
can never disagree with the executed code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from pairlib.page.wording import clear_word, effect_phrase, interval, p_equation


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


_SPELLED = {"'": "", "α": " alpha ", "γ": " gamma ", "λ": " lambda ", "→": " to ", "×": "x", "+": " plus "}


def label_key(label: str) -> str:
    """The glue key of a comparison labelled ``label``: its words in lowercase joined by ``_``
    ("ConvNet 002, same learning rate" -> "convnet_002_same_learning_rate"), so the prose
    names the comparison it quotes, and a row inserted above it cannot rebind the name."""
    text = label.lower()
    for symbol, word in _SPELLED.items():
        text = text.replace(symbol, word)
    key = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if not key:
        raise ValueError(f"comparison label {label!r} has no letters or digits to name it by")
    return key


def glue_comparisons(prefix: str, table: pd.DataFrame) -> None:
    """:func:`glue_comparison` for every row of a :func:`pairlib.stats.labelled_comparisons`
    table, each named by its label: ``<prefix>_<label_key(label)>_...``. Two labels with the
    same key are an error, since the prose could not tell them apart."""
    keys = [label_key(label) for label in table["comparison"]]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"comparisons {prefix!r}: labels share a glue key: {', '.join(repeated)}")
    for key, (_, row) in zip(keys, table.iterrows(), strict=True):
        glue_comparison(f"{prefix}_{key}", row)


class _Text:
    # glue stores an object's text/plain repr; a str's repr has quotes, this one has none.
    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def glue_markdown(name: str, text: str) -> None:
    """Glue MyST text, roles included, for ``{glue:md}``: a passage whose very presence
    depends on the results (empty text, nothing shown), such as a reference to a table that
    only some outcomes print."""
    from IPython.display import Markdown
    from myst_nb import glue

    glue(name, Markdown(text), display=False)


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
