"""pairlib: data, models, training and a mini framework for a reproducible study of
EE-559's digit-pair and mini-framework exercises. Each concern is its own small module:
``data`` and ``provision`` (MNIST pairs), ``models`` (composable parts), ``fitting`` (one
training run) and ``train`` (the rounds protocol every chapter uses), ``framework`` (the
no-autograd mini framework), ``chapters`` (each chapter's own code), ``page`` and ``results``
(what a chapter puts on the page and records) and ``build`` (the book's tooling)."""

import os as _os

from pairlib import numerics as _numerics

__version__ = "0.1.0"

# The CPU kernels' settings of $PAIRLIB_NUMERICS, before anything imports torch.
_numerics.apply()

if _os.environ.get("PAIRLIB_CONSOLE"):
    # A process of a chapter the build executes (its kernel, or a worker whose stderr is the
    # kernel's and so the notebook's): warnings are for the build's terminal, not the page.
    from pairlib.console import warnings_to_console as _warnings_to_console

    _warnings_to_console()
