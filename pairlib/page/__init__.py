"""What a chapter puts on the page: the helpers its cells call, so that notebooks hold
narrative and calls into their chapter module (:mod:`pairlib.chapters`). One job per module:

* :mod:`pairlib.page.parameters`: check a chapter's papermill parameters (``setup_chapter``);
* :mod:`pairlib.page.typeset`: numbered tables for HTML and PDF (``show_table``);
* :mod:`pairlib.page.glue`: numbers, phrases, comparisons and figures into the prose (``glue_*``);
* :mod:`pairlib.page.wording`: numbers into words (``mean_std``, ``interval``);
* :mod:`pairlib.page.figures`: the figure theme (``setup_figures``);
* :mod:`pairlib.page.scorecard`: ours beside theirs, for the summary and the results appendix;
* :mod:`pairlib.page.appendix`: the execution appendix's tables.

The results record (``save_results`` and the tables' schema) is :mod:`pairlib.results`.
"""

from pairlib.formats import scientific
from pairlib.page.appendix import chapter_parameters_table, execution_statistics, processor_name
from pairlib.page.figures import FIGURE_DPI, FIGURE_FONT, setup_figures
from pairlib.page.glue import (
    glue_comparison,
    glue_comparisons,
    glue_facts,
    glue_figure,
    glue_markdown,
    glue_text,
    glue_value,
)
from pairlib.page.parameters import (
    Spec,
    check_parameters,
    choice,
    injected_parameters,
    integer,
    number,
    setup_chapter,
)
from pairlib.page.scorecard import (
    TEST_CHOSEN,
    VERDICTS,
    best_per_chapter,
    causes_list,
    compare_with_published,
    glue_scorecard,
    reproduction_scorecard,
    scorecard_display,
)
from pairlib.page.typeset import (
    LINE_CHARS,
    LONG_TABLE_ROWS,
    NBSP,
    SMALL_SCALE,
    ZWSP,
    fit_widths,
    show_markdown,
    show_table,
    table_markdown,
)
from pairlib.page.wording import (
    FRAGILE_NOTE,
    change_phrase,
    clear_text,
    clear_verb,
    clear_word,
    comparison_display,
    effect_phrase,
    effects_sentence,
    error_text,
    interval,
    mean_std,
    mean_std_column,
    p_equation,
    p_text,
    published_text,
    report_id,
    report_label,
    signed,
    summary_text,
    tally,
)
from pairlib.results import save_comparisons, save_results, save_rounds  # the chapter's last cell

__all__ = [
    "FIGURE_DPI",
    "FIGURE_FONT",
    "FRAGILE_NOTE",
    "LINE_CHARS",
    "LONG_TABLE_ROWS",
    "NBSP",
    "SMALL_SCALE",
    "TEST_CHOSEN",
    "VERDICTS",
    "ZWSP",
    "Spec",
    "best_per_chapter",
    "causes_list",
    "change_phrase",
    "chapter_parameters_table",
    "check_parameters",
    "choice",
    "clear_text",
    "clear_verb",
    "clear_word",
    "compare_with_published",
    "comparison_display",
    "effect_phrase",
    "effects_sentence",
    "error_text",
    "execution_statistics",
    "fit_widths",
    "glue_comparison",
    "glue_comparisons",
    "glue_facts",
    "glue_figure",
    "glue_markdown",
    "glue_scorecard",
    "glue_text",
    "glue_value",
    "injected_parameters",
    "integer",
    "interval",
    "mean_std",
    "mean_std_column",
    "number",
    "p_equation",
    "p_text",
    "processor_name",
    "published_text",
    "report_id",
    "report_label",
    "reproduction_scorecard",
    "save_comparisons",
    "save_results",
    "save_rounds",
    "scientific",
    "scorecard_display",
    "setup_chapter",
    "setup_figures",
    "show_markdown",
    "show_table",
    "signed",
    "summary_text",
    "table_markdown",
    "tally",
]
