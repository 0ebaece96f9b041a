"""One trained run serves run_grid, the stored predictions and the probes, whichever asks first:
its model state is stored beside its rows, checked like them, and read instead of retraining."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pairlib import cache, fitting
from pairlib.analysis import TTA_OFFSETS, averaged_digit_log_probabilities, fit_predictions
from pairlib.configs import REGISTRY
from pairlib.data import generate_pair_sets
from pairlib.fitting import TrainConfig, fit
from pairlib.models import ModelSpec
from pairlib.probes import digit_probes, probe_grid
from pairlib.runner import Protocol, single_thread
from pairlib.train import run_grid

TINY = TrainConfig(
    ModelSpec(channels=(4, 8), hidden=(16,), comparator="exact"),
    target_weight=0.0,
    aux_weight=1.0,
    epochs=2,
    n_pairs=100,
)
SEED = 5


@pytest.fixture
def trainings(monkeypatch):
    """The number of models trained in this process (every test here runs jobs in-process)."""
    calls = []
    member = fitting._train_member

    def counted(*args, **kwargs):
        calls.append(args[2])  # the seed
        return member(*args, **kwargs)

    monkeypatch.setattr(fitting, "_train_member", counted)
    return calls


def fresh(config: TrainConfig = TINY, seed: int = SEED) -> fitting.Fitted:
    """A training from scratch, as a job trains (on one thread: more would change the sums)."""
    with single_thread():
        return fit(config, generate_pair_sets(config.n_pairs, seed=seed), seed, device="cpu", record="final")


def digit_outputs(fitted: fitting.Fitted) -> np.ndarray:
    with single_thread(), torch.inference_mode():
        return fitted.model.eval()(fitted.data.test_input).digits.numpy()


def predictions(config: TrainConfig = TINY, rounds: int = 1):
    return fit_predictions(
        {"tiny": config}, Protocol(rounds=rounds, seed=SEED, device="cpu", workers=1), tta=True
    )


def state_files(folder):
    return sorted(folder.rglob("*.pt"))


# --------------------------------------------------------------------------- the state file


def test_a_state_round_trips_and_any_damage_is_refused(private_cache):
    state = {"w": torch.arange(6.0).reshape(2, 3), "n": torch.tensor(3)}
    assert cache.store_state("ab" * 32, cache.dump_state(state))
    loaded = cache.read_state(cache.load_state("ab" * 32))
    assert loaded.keys() == state.keys() and all(torch.equal(loaded[k], state[k]) for k in state)
    (path,) = state_files(private_cache)
    content = path.read_bytes()
    for damaged in (content[: len(content) // 2], content[:-1] + bytes([content[-1] ^ 1]), b""):
        path.write_bytes(damaged)
        with pytest.warns(UserWarning, match="corrupt cache entry"):
            assert cache.load_state("ab" * 32) is None
        assert not path.exists()
    assert cache.load_state("cd" * 32) is None  # absent: no warning, nothing to report


def test_a_state_that_torch_cannot_load_is_refused(private_cache):
    cache.store_state("ef" * 32, b"not a torch file")  # a valid checksum over garbage
    with pytest.warns(UserWarning, match="corrupt cache entry"):
        assert cache.load_state("ef" * 32) is None


# --------------------------------------------------------------------------- one run, three uses


def test_predictions_and_probes_after_run_grid_train_nothing(private_cache, trainings):
    run_grid(
        {"tiny": TINY}, Protocol(rounds=2, seed=SEED, device="cpu", workers=1, progress=False), record="epoch"
    )
    assert len(trainings) == 2 and len(state_files(private_cache)) == 2
    trainings.clear()
    _, (first, _) = predictions(rounds=2)
    probes = probe_grid(
        {"tiny": TINY}, Protocol(rounds=1, seed=SEED, device="cpu", workers=1, progress=False)
    )
    assert trainings == []  # an epoch-recorded run serves these 'final' requests
    # ... with the very numbers a fresh training gives.
    reference = fresh()
    fill = reference.data.train_input.min().item()
    with single_thread():
        tta = averaged_digit_log_probabilities(reference.model, reference.data.test_input, TTA_OFFSETS, fill)
        errors = digit_probes(reference.model, reference.data)
    assert np.array_equal(first.digits, digit_outputs(reference))
    assert np.array_equal(first.tta_digits, tta.numpy())
    expected = {f"{name}_digit_error": 100 * error for name, error in errors.items()}
    assert probes.iloc[0][list(expected)].to_dict() == pytest.approx(expected, rel=0, abs=0)


def test_run_grid_after_predictions_trains_nothing(private_cache, trainings):
    frame, _ = predictions()
    assert trainings == [SEED]
    grid = run_grid(
        {"tiny": TINY}, Protocol(rounds=1, seed=SEED, device="cpu", workers=1, progress=False), record="final"
    )
    assert trainings == [SEED]
    assert grid["test_error"].equals(frame["test_error"])
    assert len(state_files(private_cache)) == 1  # one run, one state


def test_a_corrupt_state_is_retrained_with_a_warning(private_cache, trainings):
    run_grid(
        {"tiny": TINY}, Protocol(rounds=1, seed=SEED, device="cpu", workers=1, progress=False), record="final"
    )
    (path,) = state_files(private_cache)
    path.write_bytes(path.read_bytes()[:1000])  # truncated, as by a full disk or a killed copy
    with pytest.warns(UserWarning, match="corrupt cache entry"):
        _, (retrained,) = predictions()
    assert trainings == [SEED, SEED]
    reference = fresh()
    assert np.array_equal(retrained.digits, digit_outputs(reference))
    trainings.clear()
    probe_grid({"tiny": TINY}, Protocol(rounds=1, seed=SEED, device="cpu", workers=1, progress=False))
    assert trainings == []  # the retraining stored its state again


def test_an_entry_without_state_is_trained_once_more(private_cache, trainings):
    run_grid(
        {"tiny": TINY}, Protocol(rounds=1, seed=SEED, device="cpu", workers=1, progress=False), record="final"
    )
    for path in state_files(private_cache):  # an entry written before states were stored
        path.unlink()
    predictions()
    probe_grid({"tiny": TINY}, Protocol(rounds=1, seed=SEED, device="cpu", workers=1, progress=False))
    assert trainings == [SEED, SEED]


def test_an_ensemble_is_restored_member_by_member(private_cache, trainings):
    ensemble = TINY.replace(ensemble=2)
    run_grid(
        {"pair": ensemble},
        Protocol(rounds=1, seed=SEED, device="cpu", workers=1, progress=False),
        record="final",
    )
    trainings.clear()
    _, (restored,) = predictions(ensemble)
    assert trainings == []
    reference = fresh(ensemble)
    assert np.array_equal(restored.digits, digit_outputs(reference))


def test_a_merged_model_stores_no_state(private_cache):
    merged = REGISTRY["002/FCNN1"].replace(epochs=1, n_pairs=100)  # nothing can read its digits
    run_grid({"merged": merged}, Protocol(rounds=1, device="cpu", workers=1, progress=False), record="final")
    assert len(list(private_cache.rglob("*.json"))) == 1 and state_files(private_cache) == []
