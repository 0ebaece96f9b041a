"""environment.yml (conda, Binder) pins what requirements.lock pins: the same numbers either way."""

from __future__ import annotations

import re

from pairlib.paths import REPO_ROOT


def pins(text: str) -> dict[str, str]:
    found = re.findall(r"^[\s-]*([A-Za-z0-9_.\-]+)==([^\s#]+)", text, flags=re.MULTILINE)
    return {name.lower().replace("_", "-"): version for name, version in found}


def test_every_conda_pin_is_the_locked_version():
    locked = pins((REPO_ROOT / "requirements.lock").read_text())
    conda = pins((REPO_ROOT / "environment.yml").read_text())
    assert {"torch", "torchvision", "dask", "distributed"} <= set(conda)
    assert {name: version for name, version in conda.items() if locked.get(name) != version} == {}


def test_every_direct_requirement_is_locked():
    direct = [
        re.split(r"[=<>\[ ]", line.strip())[0].lower()
        for line in (REPO_ROOT / "requirements.in").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    locked = pins((REPO_ROOT / "requirements.lock").read_text())
    assert [name for name in direct if name not in locked] == []
