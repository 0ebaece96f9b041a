"""Looking inside the first minibatches of a training run: gradient norms per layer.

Report 003 explains why batch norm helps with one figure: without it the gradients of every
layer of its pair ConvNet drop to zero after a couple of minibatches and never come back
(dead ReLUs: a large first step pushes every unit below zero on every input), while with it
they stay alive. :func:`gradient_norms` measures exactly that: it starts a run the way
:func:`pairlib.fitting.fit` does (same normalisation, same initialisation and minibatch order
from the seed, same optimiser and losses) and records, after each backward pass, the L2 norm
of the gradient of every layer that holds weights (convolutions and linear layers; batch
norm's scale and shift are left out, as in the report). It is a diagnostic of a handful of
steps, not a second training loop: augmentation and ensembles are ignored.
:func:`gradient_grid` runs it for every round of several configurations, like
:func:`pairlib.train.run_grid`: cached, and in worker processes.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import astuple

import pandas as pd
import torch
from torch import nn

from pairlib import cache
from pairlib.data import PairSets, generate_pair_sets, normalize_pairs
from pairlib.fitting import TrainConfig, make_optimizer
from pairlib.losses import loss_terms
from pairlib.models import build_model
from pairlib.runner import Protocol, compute_on, default_workers, resolve_device, run_jobs
from pairlib.seeds import stream_seed
from pairlib.train import RoundJob

WEIGHT_LAYERS = (nn.Conv2d, nn.Linear)
"""The layers whose gradients are reported: those that hold a weight matrix or kernel."""


def weight_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The convolutions and linear layers of ``model`` in definition order, with readable names.

    Names say what a layer is and where: ``conv1``, ``conv2``, ``fc1`` ... numbered in the
    order data flows through them, ``skip1`` for report 003's skip projections (listed after
    the convolutions, as the model defines them), prefixed with the branch (``b1 conv1``)
    when a siamese model has two unshared branches and with ``comparator`` for a learned
    comparator's layers.
    """
    named: list[tuple[str, nn.Module]] = []
    counters: dict[str, int] = {}
    for path, module in model.named_modules():
        if not isinstance(module, WEIGHT_LAYERS):
            continue
        parts = path.split(".")
        prefix = ""
        if parts[0] == "branches" and len(getattr(model, "branches", ())) > 1:
            prefix = f"b{int(parts[1]) + 1} "
        elif parts[0] == "comparator":
            prefix = "comparator "
        kind = "skip" if "skips" in parts else ("conv" if isinstance(module, nn.Conv2d) else "fc")
        counter = prefix + kind
        counters[counter] = counters.get(counter, 0) + 1
        named.append((f"{prefix}{kind}{counters[counter]}", module))
    return named


def gradient_norms(
    config: TrainConfig,
    pairs: PairSets,
    seed: int,
    steps: int = 30,
    device: str | torch.device = "cpu",
) -> pd.DataFrame:
    """Train ``config`` on ``pairs`` for ``steps`` minibatches; the gradient norm of every layer.

    Returns a tidy DataFrame with one row per step and layer: ``step`` (1 = the first
    minibatch, whose gradient is taken at initialisation), ``layer`` (see
    :func:`weight_layers`), ``order`` (its position in :func:`weight_layers`), ``grad_norm``
    (L2 norm of the gradient of the layer's weight and bias together) and ``loss`` (the
    minibatch's training loss). Rounds are reproducible: the same seed gives the same
    initialisation and minibatch order as :func:`pairlib.fitting.fit` with that seed.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    device = resolve_device(device)
    data = normalize_pairs(pairs) if config.normalize else pairs
    n = data.train_input.size(0) - config.valid_pairs
    x, y, c = (t[:n].to(device) for t in data[:3])
    torch.manual_seed(stream_seed(seed, "init"))
    model = build_model(config.model, config.target_outputs).to(device)
    model.train()
    optimizer = make_optimizer(config, model.parameters())
    layers = weight_layers(model)
    order = torch.Generator().manual_seed(stream_seed(seed, "order"))
    torch.manual_seed(stream_seed(seed, "dropout"))
    rows: list[dict[str, object]] = []
    step = 0
    while step < steps:
        for idx in torch.randperm(n, generator=order).split(config.batch_size):
            if step == steps:
                break
            step += 1
            idx = idx.to(device)
            total, _, _ = loss_terms(config, model(x[idx]), y[idx], c[idx])
            optimizer.zero_grad(set_to_none=True)
            total.backward()
            for position, (name, layer) in enumerate(layers):
                squares = sum(
                    float(p.grad.pow(2).sum()) for p in layer.parameters(recurse=False) if p.grad is not None
                )
                rows.append(
                    {
                        "step": step,
                        "layer": name,
                        "order": position,
                        "grad_norm": squares**0.5,
                        "loss": float(total.detach()),
                    }
                )
            optimizer.step()
    return pd.DataFrame(rows)


def _gradient_job(job: RoundJob, steps: int, device: torch.device) -> list[dict[str, object]]:
    """One round's gradient norms, from its seed alone (one thread on the CPU, like run_grid)."""
    with compute_on(device):
        pairs = generate_pair_sets(job.config.n_pairs, seed=job.seed)
        return gradient_norms(job.config, pairs, job.seed, steps, device).to_dict("records")


def gradient_grid(
    configs: Mapping[str, TrainConfig],
    protocol: Protocol,
    steps: int = 30,
) -> pd.DataFrame:
    """:func:`gradient_norms` of every named configuration in rounds ``seed``, ..., ``seed + rounds - 1``.

    Round r draws its pairs and initialisation from seed ``seed + r``, as in
    :func:`pairlib.train.run_grid`. One tidy frame, :func:`gradient_norms`'s columns plus
    ``name`` and ``round``. Results are cached by configuration, seed, steps and the code of
    the training modules and of this one.
    """
    rounds, seed, device, workers, progress = astuple(protocol)  # the fields, in order
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    resolved = resolve_device(device)
    jobs = [RoundJob(name, config, r, seed + r) for name, config in configs.items() for r in range(rounds)]

    def keys(job: RoundJob) -> list[str]:
        description = {
            "diagnostic": "gradient_norms",
            "config": dataclasses.asdict(job.config),
            "seed": job.seed,
            "steps": steps,
            "device": resolved.type,
            "threads": 1 if resolved.type == "cpu" else None,
        }
        return [cache.entry_key(description, "gradients")]

    results = run_jobs(
        jobs,
        functools.partial(_gradient_job, steps=steps, device=resolved),
        keys,
        default_workers(resolved) if workers is None else workers,
        progress,
        desc="gradient norms",
    )
    return pd.concat(
        [pd.DataFrame(results[job]).assign(name=job.name, round=job.round) for job in jobs], ignore_index=True
    )
