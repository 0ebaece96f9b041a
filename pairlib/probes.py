"""What does a siamese branch know about the digits? Probes of its ten outputs.

The training loop's digit error compares the argmax of a branch's ten outputs with the class.
That is the right measure for a branch trained with the auxiliary loss, which is told to put
digit d on output d, and a meaningless one for a branch trained on the targets alone: nothing
asks it to, so its argmax error sits near chance whatever it has learned. To compare the two
fairly, the same ten outputs (what the comparator reads) are also read by two probes fitted on
the *training* images and scored on the *test* images:

* **permutation**: the one-to-one relabelling of the outputs that best matches the classes
  (an assignment problem on the confusion counts), then argmax;
* **linear**: a multinomial logistic regression from the ten outputs to the class, i.e. the
  best a linear read-out can do; it also finds digits encoded along directions that are not
  the output axes (an ordinal "size" code, a rotation of the one-hot code).

A probe needs the trained network: :func:`probe_grid` reads the one ``run_grid`` stored with
its rows (:func:`pairlib.train.from_trained`), training it under run_grid's key only when no
run of that configuration and round is stored yet, and caches the probes' figures under their
own keys.
"""

from __future__ import annotations

import dataclasses
from dataclasses import astuple
from typing import Any

import pandas as pd
import torch
from scipy.optimize import linear_sum_assignment
from torch import nn

from pairlib import cache
from pairlib.data import PairSets
from pairlib.fitting import Fitted, TrainConfig
from pairlib.models import DIGITS
from pairlib.runner import Protocol, default_workers, resolve_device
from pairlib.train import RoundJob, from_trained

PROBES = ("argmax", "permutation", "linear")
"""The probes, in the order of the columns ``<probe>_digit_error`` of :func:`probe_grid`."""


@torch.inference_mode()
def branch_outputs(model: nn.Module, inputs: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The ten outputs of both branches for every image of ``inputs`` (N pairs -> (2N, 10)),
    in eval mode, in the order of ``classes.reshape(-1)``."""
    was_training = model.training
    model.eval()
    outputs = []
    for start in range(0, inputs.size(0), batch_size):
        digits = model(inputs[start : start + batch_size]).digits
        if digits is None:
            raise ValueError("branch_outputs needs a siamese model: a merged model outputs no digits")
        outputs.append(digits.reshape(-1, digits.size(-1)))
    model.train(was_training)
    return torch.cat(outputs).float()


def argmax_error(outputs: torch.Tensor, classes: torch.Tensor) -> float:
    """Fraction of images whose largest output is not their class."""
    return (outputs.argmax(dim=1) != classes).float().mean().item()


def best_permutation(outputs: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """``mapping[i]``: the class that output i stands for, the one-to-one assignment that
    maximises the number of images whose argmax maps to their class."""
    counts = torch.zeros(outputs.size(1), DIGITS, dtype=torch.long)
    counts.index_put_((outputs.argmax(dim=1).cpu(), classes.cpu()), torch.tensor(1), accumulate=True)
    rows, cols = linear_sum_assignment(counts.numpy(), maximize=True)
    mapping = torch.full((outputs.size(1),), -1, dtype=torch.long)
    mapping[torch.as_tensor(rows)] = torch.as_tensor(cols)
    return mapping


def permutation_error(
    train_outputs: torch.Tensor,
    train_classes: torch.Tensor,
    test_outputs: torch.Tensor,
    test_classes: torch.Tensor,
) -> float:
    """Test digit error after relabelling the outputs with the best one-to-one mapping found
    on the training images."""
    mapping = best_permutation(train_outputs, train_classes).to(test_outputs.device)
    return (mapping[test_outputs.argmax(dim=1)] != test_classes).float().mean().item()


def linear_probe_error(
    train_outputs: torch.Tensor,
    train_classes: torch.Tensor,
    test_outputs: torch.Tensor,
    test_classes: torch.Tensor,
    weight_decay: float = 1e-4,
    steps: int = 200,
) -> float:
    """Test digit error of a multinomial logistic regression fitted on the training images.

    Deterministic (zero initialisation, full-batch L-BFGS in float64). Features are
    standardised with the training statistics; the small L2 penalty keeps the weights finite
    when the classes are separable.
    """
    x = train_outputs.double().cpu()
    mean, std = x.mean(dim=0), x.std(dim=0).clamp_min(1e-8)
    x = (x - mean) / std
    y = train_classes.cpu()
    probe = nn.Linear(x.size(1), DIGITS).double()
    nn.init.zeros_(probe.weight)
    nn.init.zeros_(probe.bias)
    optimizer = torch.optim.LBFGS(
        probe.parameters(), max_iter=steps, history_size=20, line_search_fn="strong_wolfe"
    )

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(probe(x), y) + weight_decay * probe.weight.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    with torch.no_grad():
        predicted = probe((test_outputs.double().cpu() - mean) / std).argmax(dim=1)
    return (predicted != test_classes.cpu()).float().mean().item()


def digit_probes(model: nn.Module, data: PairSets) -> dict[str, float]:
    """Test digit error (fraction) of each probe of ``model``'s branch outputs; ``data`` is
    the normalised data the model was trained on (:attr:`pairlib.fitting.Fitted.data`)."""
    train_out = branch_outputs(model, data.train_input)
    test_out = branch_outputs(model, data.test_input)
    train_cls, test_cls = data.train_classes.reshape(-1), data.test_classes.reshape(-1)
    return {
        "argmax": argmax_error(test_out, test_cls),
        "permutation": permutation_error(train_out, train_cls, test_out, test_cls),
        "linear": linear_probe_error(train_out, train_cls, test_out, test_cls),
    }


def _probes(job: RoundJob, fitted: Fitted) -> dict[str, Any]:
    """The pair error and the probes' digit errors of one round's trained model (in a worker)."""
    final = fitted.rows[-1]
    return {
        "test_error": final["test_error"],
        "test_digit_error": final["test_digit_error"],
        **{f"{name}_digit_error": error for name, error in digit_probes(fitted.model, fitted.data).items()},
    }


def _probe_key(config: TrainConfig, seed: int, device: torch.device) -> str:
    description = {
        "probe": "digit_probes",
        "config": dataclasses.asdict(config),
        "seed": seed,
        "device": device.type,
        "threads": 1 if device.type == "cpu" else None,
    }
    return cache.entry_key(description, "probes")


def probe_grid(
    configs: dict[str, TrainConfig],
    protocol: Protocol,
) -> pd.DataFrame:
    """Probe the branch outputs of every siamese configuration over ``rounds`` rounds.

    One row per configuration and round: ``name``, ``round``, ``seed``, the pair ``test_error``
    and one ``<probe>_digit_error`` column per probe of :data:`PROBES`, all in percent. Round r
    uses seed ``seed + r``, like :func:`pairlib.train.run_grid`, so its pair error is the one
    run_grid reports for that round.
    """
    rounds, seed, device, workers, progress = astuple(protocol)  # the fields, in order
    for name, config in configs.items():
        if config.model.layout != "siamese":
            raise ValueError(f"{name}: probes read the branch outputs of a siamese model")
    resolved = resolve_device(device)
    workers = default_workers(resolved) if workers is None else workers
    jobs = [RoundJob(name, config, r, seed + r) for name, config in configs.items() for r in range(rounds)]
    results = from_trained(
        jobs,
        _probes,
        lambda job: _probe_key(job.config, job.seed, resolved),
        resolved,
        workers,
        progress,
        desc="probes",
    )
    df = pd.DataFrame([{"name": j.name, "round": j.round, "seed": j.seed, **results[j]} for j in jobs])
    errors = [column for column in df if column.endswith("_error")]
    df[errors] *= 100.0
    return df
