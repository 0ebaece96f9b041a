"""One module per chapter of the book (``notebooks/<chapter>.py`` calls ``pairlib.chapters.<chapter>``):
its design (configurations and controls), the run that returns its study, its tables and the facts its
prose glues. Shared page helpers live in :mod:`pairlib.page`; what trains lives below both."""
