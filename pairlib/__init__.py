"""pairlib: data, models, training and a mini framework for a reproducible study of
EE-559's digit-pair and mini-framework exercises. Each concern is its own small module:
``data`` and ``provision`` (MNIST pairs), ``models`` (composable parts), ``train`` (one loop
for every chapter), ``framework`` (no-autograd mini framework), ``book`` and ``build`` (the
book's tooling)."""

__version__ = "0.1.0"
