"""The numerics versions keep their promise: unchanged versions, unchanged bits.

The results cache keys runs by numerics versions (pairlib.cache.NUMERICS_VERSIONS), not by
source text, so a refactor retrains nothing. These tests make that safe: the golden runs
(pairlib.golden) must give the bits recorded for the current versions on this processor.
"""

from __future__ import annotations

import pytest

from pairlib import cache, golden


def test_golden_runs_give_the_recorded_bits_on_this_processor():
    expected = golden.expected_here()
    if not expected:
        pytest.skip(
            f"no golden row for this processor ({golden.processor()}): record it with "
            "python -m pairlib.golden --record"
        )
    missing = sorted(set(golden.KINDS) - set(expected))
    assert not missing, (
        f"no golden hash for {missing} under the current versions: python -m pairlib.golden --record"
    )
    problems = golden.mismatches(golden.compute(), expected)
    assert not problems, "\n".join(problems)


def test_a_change_of_bits_under_the_same_version_is_named_with_what_to_bump(monkeypatch):
    here = golden.compute(["framework"])
    monkeypatch.setattr(golden, "SEED", golden.SEED + 1)  # any change of what the runs compute
    changed = golden.compute(["framework"])
    assert changed != here
    (line,) = golden.mismatches(changed, here)
    assert "NUMERICS_VERSIONS['framework']" in line and "--record" in line


def test_a_bumped_version_has_no_recorded_bits_until_recorded(monkeypatch):
    before = golden.expected_here()
    monkeypatch.setitem(cache.NUMERICS_VERSIONS, "framework", cache.NUMERICS_VERSIONS["framework"] + 1)
    after = golden.expected_here()
    assert "framework" not in after and "framework_pairs" not in after  # it and what depends on it
    assert {k: v for k, v in before.items() if k not in ("framework", "framework_pairs")} == after


def test_the_golden_runs_use_every_part_that_any_registered_configuration_uses():
    # A new loss, layer placement or optimiser in the registry needs a golden run of its own,
    # else a change of its numerics would go unseen: add a configuration that uses it to
    # tests/golden/configs.json and record (the golden set's digest changes with it).
    from pairlib.configs import REGISTRY, alternative_configs

    used = set().union(*(golden.features(c) for c in {**REGISTRY, **alternative_configs()}.values()))
    covered = set().union(*(golden.features(c) for c in golden.golden_configs().values()))
    assert used - covered == set()
    fields = {field for field, _ in covered}
    assert {"optimizer", "model.batch_norm", "model.dropout", "ensemble", "augment_shift"} <= fields


def test_portable_mode_gives_the_bits_recorded_for_it_on_every_processor():
    # In a fresh process: the kernels read their settings when torch loads.
    import os
    import subprocess
    import sys

    env = {**os.environ, "PAIRLIB_NUMERICS": "portable"}
    done = subprocess.run(
        [sys.executable, "-m", "pairlib.golden"], env=env, capture_output=True, text=True, timeout=600
    )
    if "no row" in done.stdout and "same" not in done.stdout:
        pytest.skip("no portable-mode golden row for this processor: python -m pairlib.golden --record")
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]


def test_a_wrong_numerics_mode_is_refused_in_one_line():
    import os
    import subprocess
    import sys

    env = {**os.environ, "PAIRLIB_NUMERICS": "fast"}
    done = subprocess.run([sys.executable, "-c", "import pairlib"], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "$PAIRLIB_NUMERICS='fast' is not a numerics mode: expected one of native, portable" in done.stderr


def test_a_subset_of_kinds_is_compared_alone_and_never_recorded(capsys):
    """``--kinds`` is for a processor (an emulated one) that cannot run every kind: it compares
    those kinds only, and refuses to record a partial row."""
    assert golden.main(["--kinds", "framework"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("framework ") and "train " not in printed
    with pytest.raises(SystemExit):
        golden.main(["--kinds", "framework", "--record"])


PORTABLE_MATH_CHECK = """
from pairlib import fitting, numerics  # first: the mode's kernel settings before torch loads
import numpy, torch
from pairlib.fitting import TrainConfig
x = torch.rand(200_000, generator=torch.Generator().manual_seed(0)) * 1e3 + 1e-3
ieee = torch.from_numpy(numpy.sqrt(x.numpy()))
adam = fitting.make_optimizer(TrainConfig(optimizer="adam"), [torch.nn.Parameter(x)])
print(int((torch.sqrt(x) != ieee).sum()), int((numerics.float32_math(x, "sqrt") != ieee).sum()),
      bool(adam.defaults["fused"]))
"""


@pytest.mark.parametrize("mode", ["native", "portable"])
def test_portable_mode_takes_correctly_rounded_square_roots(mode):
    """torch's float32 CPU sqrt is a 1-ulp kernel whose last bits belong to its implementation;
    the portable mode routes around it (float64 for the framework, fused Adam for torch.optim),
    the native mode keeps the processor's own kernels."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PAIRLIB_NUMERICS": mode}
    check = [sys.executable, "-c", PORTABLE_MATH_CHECK]
    done = subprocess.run(check, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-1500:]
    kernel_misses, our_misses, fused = done.stdout.split()
    assert int(kernel_misses) > 0, "torch's float32 sqrt is now correctly rounded: float32_math may go"
    assert int(our_misses) == (0 if mode == "portable" else int(kernel_misses))
    assert fused == str(mode == "portable")
