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
  different matrix products and ``exp`` kernels.
- Under QEMU's user-mode emulation of Intel models (Skylake-Server, Haswell; AVX2, no
  AVX-512), the golden predictions, gradients, probes, framework and framework pairs give the
  real EPYC's portable bits (with ``$PAIRLIB_WORKERS=1``: spawned workers escape the emulator
  and run natively). The golden training runs cannot be emulated (QEMU faults on the AVX2
  gather of ``grid_sample``), and QEMU computes approximate instructions exactly, so only a
  real Intel processor can confirm agreement; emulation can show a difference, and did:
  torch's float32 ``sqrt`` gives other bits there than on the EPYC.
- The portable mode also keeps the runs off the float32 kernels that are approximations whose
  last bits belong to their implementation: torch's CPU ``sqrt`` and ``rsqrt`` in float32
  are 1-ulp kernels (on an EPYC, 17% and 27% of 10 million values differ from the correctly
  rounded root), which Adam's denominator and batch norm use. ``torch.optim.Adam`` runs fused
  there (its kernel takes the IEEE square root), and the mini framework computes its
  elementwise functions in float64, rounded back to float32 (:func:`float32_math`): for
  ``sqrt`` and ``rsqrt`` that gave the correctly rounded value for all 10 million.
  ``tests/golden/fingerprints.csv`` records one row per processor and mode.

The mode is ``$PAIRLIB_NUMERICS``. The settings are environment variables that the kernels
read when torch loads, so the mode must be chosen before torch is imported: importing
``pairlib`` first applies it (:func:`apply`), and a mode asked for after torch was loaded
without it is an error, never a silent native run. Worker processes and the build's
kernels inherit the environment, so one setting covers a whole build.
"""

from __future__ import annotations

import os
import sys
from typing import Any

NUMERICS_ENV = "PAIRLIB_NUMERICS"

MODES: dict[str, dict[str, str]] = {
    "native": {},
    "portable": {"MKL_CBWR": "COMPATIBLE", "DNNL_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"},
}

#: What the portable mode changes in pairlib's own code besides the kernel settings; part of
#: the portable runs' cache keys, so that changing it gives other entries.
PORTABLE_CODE = "fused Adam; framework's sqrt, rsqrt, exp, log, log1p, tanh, sigmoid in float64"


def mode() -> str:
    """The numerics mode asked for (``$PAIRLIB_NUMERICS``, default native); a wrong name is an error."""
    value = os.environ.get(NUMERICS_ENV, "").strip() or "native"
    if value not in MODES:
        raise ValueError(
            f"${NUMERICS_ENV}={value!r} is not a numerics mode: expected one of {', '.join(MODES)}"
        )
    return value


def portable() -> bool:
    """Whether the runs must give the same bits on every processor (any mode but native)."""
    return mode() != "native"


def float32_math(t: Any, function: str) -> Any:
    """``t.function()`` (sqrt, exp, tanh, ...), through float64 for a float32 tensor in the
    portable mode: the float64 result rounded to float32 is the correctly rounded value but in
    rare ties, whichever kernel computed it, while the float32 kernel's last bit is its own."""
    if not portable() or str(t.dtype) != "torch.float32":
        return getattr(t, function)()
    return getattr(t.double(), function)().float()


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
