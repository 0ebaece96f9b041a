"""A chapter's parameters: papermill injects them without looking, so a chapter checks them
first and a typo fails in one line, before any training starts.
"""

from __future__ import annotations

import ast
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pairlib.data import MAX_PAIRS, TEST_IMAGES
from pairlib.page.figures import setup_figures
from pairlib.page.glue import glue_facts
from pairlib.runner import resolve_device


@dataclass(frozen=True)
class Spec:
    """What one parameter may be: a type, optional bounds, optional choices.

    ``check(name, value)`` returns the normalised value or raises a one-line ValueError
    naming the parameter, the value received and what is allowed.
    """

    kind: type  # int, float or str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] | None = None
    why: str = ""  # appended to the error in parentheses: where a bound comes from

    def allowed(self) -> str:
        """Human description of the allowed values, as printed in errors."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        noun = {int: "an integer", float: "a number", str: "a string"}[self.kind]
        if self.low is not None and self.high is not None:
            return f"{noun} in {self.low}..{self.high}"
        if self.low is not None:
            return f"{noun} >= {self.low}"
        if self.high is not None:
            return f"{noun} <= {self.high}"
        return noun

    def check(self, name: str, value: Any) -> Any:
        """Validate ``value`` for parameter ``name``; return it normalised (int, float, str)."""
        ok_type = {
            # bool is an int to Python, never to a reader: n_pairs=True is a mistake.
            int: isinstance(value, numbers.Integral) and not isinstance(value, bool),
            float: isinstance(value, numbers.Real) and not isinstance(value, bool),
            str: isinstance(value, str),
        }[self.kind]
        in_range = ok_type and (
            (self.choices is None or value in self.choices)
            and (self.kind is str or math.isfinite(value))
            and (self.low is None or value >= self.low)
            and (self.high is None or value <= self.high)
        )
        if not in_range:
            got = f"{value!r} ({type(value).__name__})" if not ok_type else repr(value)
            why = f" ({self.why})" if self.why else ""
            raise ValueError(f"parameter {name}={got} is not allowed: expected {self.allowed()}{why}")
        return self.kind(value)


def integer(low: int | None = None, high: int | None = None, why: str = "") -> Spec:
    """An integer parameter, bounds inclusive."""
    return Spec(int, low, high, why=why)


def number(low: float | None = None, high: float | None = None, why: str = "") -> Spec:
    """A real parameter (ints accepted, returned as float), bounds inclusive."""
    return Spec(float, low, high, why=why)


def choice(*values: str, why: str = "") -> Spec:
    """A string parameter taking one of ``values``."""
    return Spec(str, choices=tuple(values), why=why)


STANDARD_PARAMETERS: dict[str, Spec] = {
    "n_pairs": integer(1, MAX_PAIRS, why=f"n pairs use 2n of the {TEST_IMAGES} MNIST test images"),
    "seed": integer(0, 2**32 - 1),
    "rounds": integer(2, why="a spread over rounds and a paired comparison need two rounds"),
    "epochs": integer(1),
    "batch_size": integer(1),
    "lr": number(low=1e-12),
    "device": choice("auto", "cpu", "cuda"),
}
"""Parameters shared by the chapters; a chapter adds its own through ``extra``."""


def _resolve_device(device: str) -> str:
    # "auto" is what a reader wants; an explicit "cuda" without a GPU is a mistake to report.
    try:
        return resolve_device(device).type
    except ValueError as error:
        raise ValueError(f"parameter device={device!r} is not allowed: {error}") from None


def injected_parameters() -> dict[str, Any]:
    """The names and values papermill injected into this kernel, or {} outside papermill.

    papermill only warns about a name the notebook does not declare, then runs the whole
    chapter with its defaults; its injected cell (``# Parameters`` then assignments) is in
    IPython's input history, so the check can see every name that was passed.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return {}
    shell = get_ipython()
    if shell is None:
        return {}
    for source in reversed(shell.user_ns.get("In", [])):
        if source.lstrip().startswith("# Parameters"):
            names = [
                target.id
                for node in ast.parse(source).body
                if isinstance(node, ast.Assign)
                for target in node.targets
                if isinstance(target, ast.Name)
            ]
            return {name: shell.user_ns.get(name) for name in names}
    return {}


def check_parameters(extra: Mapping[str, Spec] | None = None, /, **params: Any) -> dict[str, Any]:
    """Validate a chapter's papermill parameters; return them normalised.

    Call it in the cell after the ``parameters`` cell with every parameter by name::

        p = check_parameters(n_pairs=n_pairs, seed=seed, rounds=rounds, device=device)

    Known names are those of ``STANDARD_PARAMETERS`` plus ``extra`` (a chapter's own, e.g.
    ``{"alpha": number(0, 1)}``). Any failure is a ``ValueError`` with one line naming the
    parameter, the value and what is allowed. ``device`` comes back resolved to "cpu" or
    "cuda".
    """
    specs = {**STANDARD_PARAMETERS, **(extra or {})}
    for name, value in injected_parameters().items():
        if name not in params:  # papermill runs a misspelt name with a mere warning
            raise ValueError(
                f"parameter {name}={value!r} is not allowed: unknown name, this chapter declares "
                + ", ".join(sorted(params))
            )
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name not in specs:
            raise ValueError(
                f"parameter {name}={value!r} is not allowed: unknown name, expected one of "
                + ", ".join(sorted(specs))
            )
        out[name] = specs[name].check(name, value)
    if "device" in out:
        out["device"] = _resolve_device(out["device"])
    return out


def setup_chapter(
    extra: Mapping[str, Spec] | None = None, /, glue: str | None = None, **params: Any
) -> dict[str, Any]:
    """A chapter's one setup call: :func:`check_parameters`, the figure theme, and, when
    ``glue`` is a prefix, every parameter glued as ``<glue><name>`` so the prose can quote
    the rounds and epochs it ran with."""
    p = check_parameters(extra, **params)
    setup_figures()
    if glue is not None:
        glue_facts(p, glue)
    return p
