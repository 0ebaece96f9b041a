"""Numbers into words: signs, intervals, p-values, "mean ± std" and the direction of a
comparison, written the same way on every page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from pairlib.configs import PUBLISHED_ROW
from pairlib.formats import MINUS
from pairlib.published import CITE_KEYS, published_row


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


def p_text(p: float) -> str:
    """A p-value as the book prints it: three decimals, or "< 0.001" rather than "0.000" (with
    a no-break space: a line never breaks inside it)."""
    return "<\u00a00.001" if p < 0.0005 else f"{p:.3f}"


def p_equation(p: float) -> str:
    """ "p = 0.023" or "p < 0.001", for prose: a p-value never reads "p = < 0.001"."""
    text = p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def signed(value: float, digits: int = 1) -> str:
    """A difference with its sign, "+1.9" or "−0.4" (a minus sign, not a hyphen), and "0.0"
    where it rounds to zero: never "−0.0" or "+0.0", whose sign the rounding has made
    meaningless."""
    text = f"{value:+.{digits}f}"
    return f"{0:.{digits}f}" if float(text) == 0 else text.replace("-", MINUS)


def interval(low: float, high: float, digits: int = 1, sign: bool = True) -> str:
    """A confidence interval "[-3.1, -1.2]", both ends to the same digits (:func:`signed`)."""
    if sign:
        return f"[{signed(low, digits)}, {signed(high, digits)}]"
    return f"[{low:.{digits}f}, {high:.{digits}f}]".replace("-", MINUS)


def clear_text(row: Mapping[str, Any]) -> str:
    """A comparison's verdict as a table cell: "yes", "yes, fragile" (one round decides it,
    see Methods) or "no"."""
    return ("yes, fragile" if _fragile(row) else "yes") if row["clear"] else "no"


def comparison_display(table: pd.DataFrame, digits: int = 1) -> pd.DataFrame:
    """A :func:`pairlib.stats.labelled_comparisons` table as the book prints it: its label (the
    two models' ids stay in the published comparisons table, beside the per-round data), both means, the
    mean per-round difference b − a with its 95% CI, the paired-t p adjusted (Holm) within the
    chapter, the exact Wilcoxon p as a check, the rounds b won and the verdict."""
    m = f"{{:.{digits}f}}"
    return pd.DataFrame(
        {
            "comparison": table["comparison"],
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
            "clear": [clear_text(row) for _, row in table.iterrows()],
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


def error_text(mean: float, std: float) -> str:
    """A test error as the book prints it: one decimal ("12.2 ± 1.5"), two below 1% ("0.75 ±
    0.18"), where one decimal would round away most of what separates the best models."""
    return mean_std(mean, std, 2 if mean < 1 else 1)


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


def published_text(name: str) -> str:
    """'16.4 ± 4.6': the published test error of the report row ``name`` reproduces, or ''."""
    if name not in PUBLISHED_ROW:
        return ""
    row = published_row(*PUBLISHED_ROW[name])
    return mean_std(row["test_error_mean_pct"], row["test_error_std_pct"])


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def count_words(n: int) -> str:
    """A small count in words ("six"), a larger one in figures."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def tally(rows: pd.DataFrame) -> str:
    """How many comparisons lower the error, and how many clearly, as one phrase that reads
    well whatever the counts: "in all six, each clearly", "in five of six, clearly in four"."""
    n, lower = len(rows), int((rows["difference"] < 0).sum())
    clear = int((rows["clear"] & (rows["difference"] < 0)).sum())
    all_ = "in both" if n == 2 else f"in all {count_words(n)}"
    head = all_ if lower == n else f"in {count_words(lower)} of {count_words(n)}"
    if clear == lower and lower:
        return f"{head}, each clearly" if lower > 1 else f"{head}, clearly"
    return f"{head}, clearly in {count_words(clear)}"


def _join(items: list[str], last: str = " and ") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last + items[-1]


def effects_sentence(steps: Iterable[tuple[str, str, Mapping[str, Any]]]) -> str:
    """Several paired comparisons in one sentence, each step ``(subject, object, row)`` ("the
    ensemble", "the single model's error", its comparison). Steps in a row that leave the same
    object not clearly changed are said once ("neither the test-time augmentation (p = 0.084)
    nor the ensemble (p = 0.066) clearly changes the single model's error"): a template per
    step would repeat "does not clearly change" three times. The verbs come from the rows."""
    groups: list[list[tuple[str, str, Mapping[str, Any]]]] = []
    for step in steps:
        previous = groups[-1][-1] if groups else None
        if previous and not previous[2]["clear"] and not step[2]["clear"] and previous[1] == step[1]:
            groups[-1].append(step)
        else:
            groups.append([step])
    clauses = []
    for group in groups:
        target = group[0][1]
        if len(group) == 1:
            subject, _, row = group[0]
            clauses.append(f"{subject} {clear_verb(row)} {target} ({p_equation(float(row['p_adjusted']))})")
            continue
        subjects = [f"{subject} ({p_equation(float(row['p_adjusted']))})" for subject, _, row in group]
        if len(group) == 2:
            clauses.append(f"neither {subjects[0]} nor {subjects[1]} clearly changes {target}")
        else:
            clauses.append(f"none of {_join(subjects)} clearly changes {target}")
    sentence = _join(clauses, ", and ")
    return sentence[0].upper() + sentence[1:] + "."
