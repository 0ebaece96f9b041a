"""The book's statistical figures, in one theme (``pairlib.page.setup_figures``). Every
function returns a matplotlib figure; one kind of figure per module:

* :mod:`pairlib.curves.theme`: the look of "ours" and "published" in every figure (``OURS``,
  ``PUBLISHED``) and the smallest text size;
* :mod:`pairlib.curves.bands`: training curves, mean ± std over rounds per epoch
  (``bands_figure``), and gradient norms per step;
* :mod:`pairlib.curves.rounds`: every round's final error with the mean and its 95% CI, and
  per-round paired differences;
* :mod:`pairlib.curves.sweeps`: errors across settings: ablations, grid searches, the λ
  heat map and the comparator's power;
* :mod:`pairlib.curves.mistakes`: where a model errs: by digit gap, misread digits, worst pairs;
* :mod:`pairlib.curves.inputs`: the data: sample pairs, balance, the disk problem's points;
* :mod:`pairlib.curves.headline`: the book at a glance: ours against published, the
  scorecard, the headline figures.

``from pairlib import curves; curves.bands_figure(...)`` reads every figure from here.
"""

from pairlib.curves.bands import (
    DIVERGED_NORM,
    GRADIENT_FLOOR,
    LAYER_COLOURS,
    bands_figure,
    epoch_band,
    gradient_figure,
    loss_curves_figure,
    loss_terms_figure,
    plot_band,
    runs_figure,
    twin_figure,
)
from pairlib.curves.headline import (
    VERDICT_COLOURS,
    headline_figure,
    ours_published_figure,
    scorecard_figure,
    sharing_aux_figure,
)
from pairlib.curves.inputs import balance_figure, disk_points_figure, sample_pairs_figure
from pairlib.curves.mistakes import confusion_figure, gap_figure, probability_text, worst_pairs_figure
from pairlib.curves.rounds import paired_differences_figure, round_errors_figure
from pairlib.curves.sweeps import grid_search_figure, power_figure, settings_figure, weight_sweep_figure
from pairlib.curves.theme import OURS, PUBLISHED, TICK_SIZE

__all__ = [
    "DIVERGED_NORM",
    "GRADIENT_FLOOR",
    "LAYER_COLOURS",
    "OURS",
    "PUBLISHED",
    "TICK_SIZE",
    "VERDICT_COLOURS",
    "balance_figure",
    "bands_figure",
    "confusion_figure",
    "disk_points_figure",
    "epoch_band",
    "gap_figure",
    "gradient_figure",
    "grid_search_figure",
    "headline_figure",
    "loss_curves_figure",
    "loss_terms_figure",
    "ours_published_figure",
    "paired_differences_figure",
    "plot_band",
    "power_figure",
    "probability_text",
    "round_errors_figure",
    "runs_figure",
    "sample_pairs_figure",
    "scorecard_figure",
    "settings_figure",
    "sharing_aux_figure",
    "twin_figure",
    "weight_sweep_figure",
    "worst_pairs_figure",
]
