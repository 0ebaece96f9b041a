"""environment.yml (conda, Binder) pins what requirements.lock pins: the same numbers either way."""

from __future__ import annotations

import re
import subprocess

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


def _makefile_floor() -> tuple[int, ...]:
    found = re.search(r"^PYTHON_FLOOR := ([0-9.]+)$", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE)
    assert found, "the Makefile names no PYTHON_FLOOR"
    return tuple(int(part) for part in found.group(1).split("."))


def test_the_makefiles_python_floor_is_the_highest_any_locked_package_asks_for():
    import importlib.metadata

    from packaging.specifiers import SpecifierSet

    locked = pins((REPO_ROOT / "requirements.lock").read_text())
    floors = []
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"].lower().replace("_", "-")
        if locked.get(name) != dist.version or not dist.metadata.get("Requires-Python"):
            continue
        for spec in SpecifierSet(dist.metadata["Requires-Python"]):
            if spec.operator == ">=":
                floors.append(tuple(int(p) for p in spec.version.split(".")[:3]))
    assert floors, "the environment is not the locked one"
    floor = max(f + (0,) * (3 - len(f)) for f in floors)
    assert _makefile_floor() == floor


def test_make_venv_with_a_python_below_the_floor_stops_in_one_line(tmp_path):
    old = tmp_path / "python3.11"
    old.write_text('#!/bin/sh\nif [ "$1" = -V ]; then echo "Python 3.11.2"; exit 0; fi\nexit 1\n')
    old.chmod(0o755)
    venv = tmp_path / "venv"
    done = subprocess.run(
        ["make", "-s", "-C", str(REPO_ROOT), "venv", f"PYTHON={old}", f"VENV={venv}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and "3.11.5" in lines[0] and "Python 3.11.2" in lines[0], done.stdout
    assert not venv.exists()  # nothing made that a later, good Python would have to clean up
