"""Golden runs: the bits that the numerics versions of :mod:`pairlib.cache` promise.

The results cache keys a run by its configuration and the *numerics version* of its kind of
job (:data:`pairlib.cache.NUMERICS_VERSIONS`), not by the source of the code. That is what
lets a refactor or a docstring edit retrain nothing, and it is safe only if every change
that alters a bit also bumps a version. The golden runs check that: a short run of each of a
frozen set of configurations that together use every part the registry uses (convolutions,
batch norm, dropout, SGD and Adam, augmentation, ensemble members, every loss and
comparator; ``tests/golden/configs.json``, kept complete by a test), a gradient
diagnostic, a probe, predictions, and the mini framework on the disk and
on the digit pairs. Each kind's results are hashed (every loss and error to the last bit,
timings left out) and compared with the hashes recorded for the current versions on this
processor in :data:`FINGERPRINTS`.

    python -m pairlib.golden            # compare with the recorded hashes (also a test)
    python -m pairlib.golden --record   # record this processor's row for the current versions

The same table is the book's numerics fingerprint: one row per processor, kind of job and
numerics versions, so anyone can see on which processors the runs are bit-identical.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pandas as pd

from pairlib import cache, paths
from pairlib.runner import Protocol

FINGERPRINTS = paths.REPO_ROOT / "tests" / "golden" / "fingerprints.csv"
CONFIGS = paths.REPO_ROOT / "tests" / "golden" / "configs.json"
COLUMNS = ["cpu", "capability", "torch", "mode", "kind", "numerics", "golden_set", "hash"]

#: The golden runs' size: long enough for every part of a configuration to act (two epochs,
#: so an optimiser's state is read back), short enough for the whole set to take seconds.
GOLDEN = {"epochs": 2, "n_pairs": 200}
SEED = 7
TIME_MARKERS = ("seconds", "ms_per_epoch", "profile_")
"""What names a column that measures time: left out of the hashes."""


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def golden_configs() -> dict[str, Any]:
    """The golden configurations (:data:`CONFIGS`), shortened to :data:`GOLDEN`.

    A frozen set, not the live registry: editing a registered configuration changes its
    cache key (the key holds the whole configuration), not the numerics, and must not move
    the golden bits. The set covers every field value that any registered configuration or
    reading uses (:func:`features`; a test holds this), picked greedily from the registry
    when it was frozen."""
    from pairlib.fitting import TrainConfig
    from pairlib.models import ModelSpec

    short = {}
    for name, fields in json.loads(CONFIGS.read_text()).items():
        fields = {key: _tuples(value) for key, value in fields.items()}
        model = ModelSpec(**{key: _tuples(value) for key, value in fields.pop("model").items()})
        config = TrainConfig(model=model, **fields)
        changes: dict[str, Any] = dict(GOLDEN)
        if config.valid_pairs:
            changes["valid_pairs"] = 100
        short[name] = config.replace(**changes)
    return short


def features(config: Any) -> set[tuple[str, str]]:
    """What a configuration uses, as (field, value) pairs that differ from the defaults (numbers
    as "number", widths as their count of layers: a golden run need not repeat every learning
    rate or width, only every kind of part)."""
    from pairlib.fitting import TrainConfig
    from pairlib.models import ModelSpec

    found = set()
    defaults = {**dataclasses.asdict(TrainConfig()), "model": None}
    model_defaults = dataclasses.asdict(ModelSpec())
    fields = dataclasses.asdict(config)
    pairs = [(f"model.{k}", v, model_defaults[k]) for k, v in fields.pop("model").items()]
    pairs += [(k, v, defaults[k]) for k, v in fields.items() if k not in GOLDEN and k != "valid_pairs"]
    for name, value, default in pairs:
        if value != default:
            number = isinstance(value, int | float) and not isinstance(value, bool)
            widths = isinstance(value, tuple) and all(isinstance(v, int | float) for v in value)
            found.add((name, "number" if number else f"{len(value)} widths" if widths else str(value)))
    return found


def _digest(frame: pd.DataFrame) -> str:
    kept = frame.drop(columns=[c for c in frame.columns if any(t in c for t in TIME_MARKERS)])
    kept = kept.reindex(sorted(kept.columns), axis=1)
    text = json.dumps(kept.to_dict("records"), sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@contextlib.contextmanager
def _no_cache() -> Iterator[None]:
    saved = os.environ.get("PAIRLIB_CACHE_DIR")
    os.environ["PAIRLIB_CACHE_DIR"] = "off"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PAIRLIB_CACHE_DIR", None)
        else:
            os.environ["PAIRLIB_CACHE_DIR"] = saved


def _train() -> pd.DataFrame:
    from pairlib.train import run_grid

    return run_grid(
        golden_configs(), Protocol(rounds=1, seed=SEED, device="cpu", progress=False), record="epoch"
    )


def golden_set() -> str:
    """The golden configurations' digest: hashes recorded for another set are not compared."""
    return hashlib.sha256(CONFIGS.read_bytes()).hexdigest()[:8]


def _siamese() -> dict[str, Any]:
    configs = golden_configs()
    return {"siamese": configs["003/siamese-2"], "power": configs["000/model-B"]}


def _gradients() -> pd.DataFrame:
    from pairlib.diagnostics import gradient_grid

    return gradient_grid(_siamese(), Protocol(rounds=1, seed=SEED, device="cpu", progress=False), steps=3)


def _probes() -> pd.DataFrame:
    from pairlib.probes import probe_grid

    return probe_grid(_siamese(), Protocol(rounds=1, seed=SEED, device="cpu", progress=False))


def _predictions() -> pd.DataFrame:
    from pairlib.analysis import fit_predictions

    frame, predictions = fit_predictions(_siamese(), Protocol(rounds=1, seed=SEED, device="cpu"), tta=True)
    arrays = [{f"prediction_{k}": _bits(v) for k, v in dataclasses.asdict(p).items()} for p in predictions]
    return pd.concat([frame, pd.DataFrame(arrays)], axis=1)


def _bits(value: Any) -> str:
    """Every bit of an array (``repr`` would summarise a long one), else the value's repr."""
    import numpy as np

    if isinstance(value, np.ndarray) or hasattr(value, "numpy"):
        array = np.asarray(value)
        return f"{array.dtype}{array.shape}:" + hashlib.sha256(array.tobytes()).hexdigest()
    return repr(value)


def _framework() -> pd.DataFrame:
    from pairlib.framework_study import Setting, run_settings

    settings = {"sgd": Setting(), "adam": Setting(optimizer="adam", lr=1e-3)}
    runs = run_settings(
        settings, Protocol(rounds=1, seed=SEED, progress=False, device="cpu"), epochs=3, n_points=200
    )
    return pd.DataFrame(
        [{"name": n, **{k: _bits(v) for k, v in r.items()}} for n, rs in runs.items() for r in rs]
    )


def _framework_pairs() -> pd.DataFrame:
    from pairlib.framework_study import run_pairs

    configs = golden_configs()
    return run_pairs(
        {"siamese-10": configs["003/siamese-10"]}, Protocol(rounds=1, seed=SEED, progress=False, device="cpu")
    )


KINDS: dict[str, Callable[[], pd.DataFrame]] = {
    "train": _train,
    "gradients": _gradients,
    "probes": _probes,
    "predictions": _predictions,
    "framework": _framework,
    "framework_pairs": _framework_pairs,
}


def processor() -> dict[str, str]:
    """The processor, torch build and numerics mode the hashes were computed with."""
    numerics = cache.cpu_numerics()
    keys = ("cpu", "capability", "torch", "mode")
    return {key: numerics[key] for key in keys}


def compute(kinds: Sequence[str] = tuple(KINDS)) -> dict[str, str]:
    """The hash of every kind's golden runs, computed here without the results cache."""
    from pairlib.runner import single_thread

    with _no_cache(), single_thread():
        return {kind: _digest(KINDS[kind]()) for kind in kinds}


def versions_text(kind: str) -> str:
    return " ".join(f"{name}={number}" for name, number in cache.numerics_version(kind).items())


def recorded() -> pd.DataFrame:
    if not FINGERPRINTS.is_file():
        return pd.DataFrame(columns=COLUMNS)
    return pd.read_csv(FINGERPRINTS, dtype=str, keep_default_na=False)


def expected_here() -> dict[str, str]:
    """The hashes recorded for this processor and the current numerics versions, by kind."""
    table = recorded()
    here = processor()
    mine = table[
        (table["cpu"] == here["cpu"])
        & (table["capability"] == here["capability"])
        & (table["torch"] == here["torch"])
        & (table["mode"] == here["mode"])
        & (table["golden_set"] == golden_set())
    ]
    return {
        row.kind: row.hash
        for row in mine.itertuples()
        if row.kind in KINDS and row.numerics == versions_text(row.kind)
    }


def portable_elsewhere() -> dict[str, dict[str, str]]:
    """The portable-mode hashes recorded on *other* processors, by processor then kind (current
    versions and golden set): what portable mode here must equal, if it is portable."""
    table = recorded()
    here = processor()
    rows = table[
        (table["mode"] == "portable") & (table["cpu"] != here["cpu"]) & (table["golden_set"] == golden_set())
    ]
    found: dict[str, dict[str, str]] = {}
    for row in rows.itertuples():
        if row.kind in KINDS and row.numerics == versions_text(row.kind) and row.torch == here["torch"]:
            found.setdefault(row.cpu, {})[row.kind] = row.hash
    return found


def mismatches(computed: dict[str, str], expected: dict[str, str]) -> list[str]:
    """One line per kind whose bits changed under unchanged numerics versions."""
    return [
        f"{kind}: golden runs hash {computed[kind]}, recorded {expected[kind]} under {versions_text(kind)}: "
        f"a change altered the numbers of '{kind}' jobs; bump NUMERICS_VERSIONS['{kind}'] in "
        "pairlib/cache.py (this retrains them) and record: python -m pairlib.golden --record"
        for kind in computed
        if kind in expected and computed[kind] != expected[kind]
    ]


def record(computed: dict[str, str]) -> None:
    """Add (or replace) this processor's rows for the current versions."""
    from pairlib.files import write_atomically

    table = recorded()
    here = processor()
    rows = [
        {**here, "kind": kind, "numerics": versions_text(kind), "golden_set": golden_set(), "hash": digest}
        for kind, digest in computed.items()
    ]
    new = pd.DataFrame(rows, columns=COLUMNS)
    key = ["cpu", "capability", "torch", "mode", "kind", "numerics", "golden_set"]
    merged = pd.concat([table, new]).drop_duplicates(subset=key, keep="last").sort_values(key)
    write_atomically(FINGERPRINTS, merged.to_csv(index=False).encode())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pairlib.golden", description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="record this processor's hashes")
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=KINDS,
        help="compare only these kinds (an emulated processor that cannot run them all)",
    )
    args = parser.parse_args(argv)
    if args.record and args.kinds:
        parser.error("--record records every kind: leave out --kinds")
    computed = compute(args.kinds) if args.kinds else compute()
    expected = expected_here()
    for kind, digest in computed.items():
        state = "no row" if kind not in expected else ("same" if expected[kind] == digest else "DIFFERENT")
        print(f"{kind:16} {versions_text(kind):40} {digest}  {state}")
    if args.record:
        record(computed)
        print(f"recorded in {paths.REPO_ROOT.name}/{FINGERPRINTS.relative_to(paths.REPO_ROOT)}")
        return 0
    problems = mismatches(computed, expected)
    if processor()["mode"] == "portable":
        for cpu, theirs in portable_elsewhere().items():
            for kind in sorted(set(theirs) & set(computed)):
                same = theirs[kind] == computed[kind]
                print(f"portable {kind:16} against {cpu}: {'same bits' if same else 'DIFFERENT bits'}")
                if not same:
                    problems.append(f"{kind}: portable mode gives other bits here than on {cpu}")
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
