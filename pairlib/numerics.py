"""Which CPU kernels compute the runs: the processor's own (native) or a portable set.

PyTorch's CPU kernels pick their code path from the processor: ATen's vectorised loops by
instruction set (``ATEN_CPU_CAPABILITY``), oneDNN's convolutions by instruction set and
cache sizes (``DNNL_MAX_CPU_ISA``), MKL's matrix products by processor
(``MKL_CBWR``, its conditional numerical reproducibility). Each choice moves the last bits
of a run, and after a few epochs a last bit decides which borderline test pair a model
misreads. On one AMD EPYC each of the three settings alone changes the golden runs' bits.

- ``native`` (the default): the processor's own kernels, fastest.
- ``portable``: ATen's and oneDNN's kernels capped at AVX2, the instruction set that the
  project's processors (AMD EPYC, Intel Xeon) share, and MKL in its vendor-independent
  ``COMPATIBLE`` branch. ``MKL_CBWR=AVX2`` would not do: MKL honours it on Intel processors
  only and silently runs its ``AUTO`` branch on AMD (its documentation says so, and
  ``MKL_VERBOSE`` shows ``CNR:AUTO`` on an EPYC), so an Intel and an AMD processor ran
  different matrix products and ``exp`` kernels. Under QEMU's emulation of Intel models
  (Skylake-Server, Haswell), with ``COMPATIBLE`` the golden predictions, gradients, probes and
  framework pairs give the real EPYC's bits; MKL's ``sqrt`` (Adam, the framework's optimiser)
  uses an approximate reciprocal square root that emulation computes exactly, so only a real
  Intel processor can say whether it agrees. ``tests/golden/fingerprints.csv`` records one
  row per processor and mode.

The mode is ``$PAIRLIB_NUMERICS``. The settings are environment variables that the kernels
read when torch loads, so the mode must be chosen before torch is imported: importing
``pairlib`` first applies it (:func:`apply`), and a mode asked for after torch was loaded
without it is an error, never a silent native run. Worker processes and the build's
kernels inherit the environment, so one setting covers a whole build.
"""

from __future__ import annotations

import os
import sys

NUMERICS_ENV = "PAIRLIB_NUMERICS"

MODES: dict[str, dict[str, str]] = {
    "native": {},
    "portable": {"MKL_CBWR": "COMPATIBLE", "DNNL_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"},
}


def mode() -> str:
    """The numerics mode asked for (``$PAIRLIB_NUMERICS``, default native); a wrong name is an error."""
    value = os.environ.get(NUMERICS_ENV, "").strip() or "native"
    if value not in MODES:
        raise ValueError(
            f"${NUMERICS_ENV}={value!r} is not a numerics mode: expected one of {', '.join(MODES)}"
        )
    return value


def apply() -> str:
    """Put the mode's kernel settings into this process's environment (and its children's).

    Raises when torch was imported before with other settings: the kernels it loaded would
    ignore them, and the run would silently be native."""
    name = mode()
    settings = MODES[name]
    wrong = {key: value for key, value in settings.items() if os.environ.get(key, value) != value}
    if wrong:
        raise RuntimeError(
            f"${NUMERICS_ENV}={name} needs {', '.join(f'{k}={v}' for k, v in settings.items())}, "
            f"but the environment sets {', '.join(f'{k}={os.environ[k]}' for k in wrong)}"
        )
    missing = {key: value for key, value in settings.items() if key not in os.environ}
    if missing and "torch" in sys.modules:
        raise RuntimeError(
            f"${NUMERICS_ENV}={name} was asked for after torch was imported: set it before "
            "Python starts (or import pairlib before torch)"
        )
    os.environ.update(missing)
    return name
