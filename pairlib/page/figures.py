"""The figure theme every chapter shares: one font, one resolution, vector output."""

from __future__ import annotations

import os

FIGURE_DPI = 150
"""Enough for print (a 6.4 in figure is ~960 px) while keeping notebooks small."""


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
