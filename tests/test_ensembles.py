"""Ensembles averaged from member runs equal the ensemble trained whole; calibration scores."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from digit_configs import digits_only

from pairlib.analysis import Readout, fit_predictions, readout_table
from pairlib.ensembles import (
    _mean_probabilities,
    calibration_scores,
    ensemble_predictions,
    member_configs,
    member_name,
    reliability_table,
)
from pairlib.runner import Protocol

SMALL = digits_only(epochs=2, n_pairs=100, ensemble=3)


def test_member_configs_are_single_models_numbered_from_zero():
    configs = member_configs("m", SMALL)
    assert list(configs) == [member_name("m", k) for k in range(3)]
    assert [c.first_member for c in configs.values()] == [0, 1, 2]
    assert all(
        c.ensemble == 1 and c.replace(first_member=0) == SMALL.replace(ensemble=1) for c in configs.values()
    )
    assert len(member_configs("m", SMALL, members=5)) == 5


@pytest.mark.slow
def test_members_averaged_equal_the_ensemble_trained_whole(private_cache):
    _, whole = fit_predictions(
        {"whole": SMALL}, Protocol(rounds=2, seed=3, device="cpu", workers=1), tta=True
    )
    _, members = fit_predictions(
        member_configs("m", SMALL), Protocol(rounds=2, seed=3, device="cpu", workers=1), tta=True
    )
    averaged = ensemble_predictions(members, "m", 3, label="whole")
    for a, b in zip(whole, averaged, strict=True):
        assert (a.round, a.seed) == (b.round, b.seed)
        assert np.allclose(np.exp(a.digits), np.exp(b.digits), atol=1e-5)
        assert np.allclose(np.exp(a.tta_digits), np.exp(b.tta_digits), atol=1e-5)
        assert np.allclose(a.target_probability, b.target_probability, atol=1e-5)
    readouts = {"e": ("whole", Readout("exact", tta=True))}
    assert (
        readout_table(whole, readouts)["test_error"].tolist()
        == readout_table(averaged, readouts)["test_error"].tolist()
    )
    one = ensemble_predictions(members, "m", 1)
    assert [x.seconds for x in one] == [x.seconds for x in members if x.name == member_name("m", 0)]
    with pytest.raises(KeyError, match="members"):
        ensemble_predictions(members, "m", 4)


def test_calibration_scores_reward_honest_probabilities():
    target = np.array([1, 0, 1, 1])
    perfect = calibration_scores(target.astype(float), target)
    assert perfect["brier"] < 1e-12 and perfect["nll"] < 1e-6
    half = calibration_scores(np.full(4, 0.5), target)
    assert half["brier"] == pytest.approx(0.25) and half["nll"] == pytest.approx(np.log(2))
    wrong = calibration_scores(1.0 - target, target)
    assert wrong["brier"] == pytest.approx(1.0) and wrong["nll"] > 10


def test_reliability_table_bins_probabilities_and_counts_every_pair():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=20_000)
    y = (rng.uniform(size=p.size) < p).astype(int)  # calibrated by construction
    table = reliability_table(p, y, bins=10)
    assert table["pairs"].sum() == p.size and len(table) == 10
    assert np.allclose(table["observed"], table["mean_probability"], atol=0.03)
    assert (table["mean_probability"] >= table["low"]).all() and (
        table["mean_probability"] < table["high"]
    ).all()
    edge = reliability_table(np.array([0.0, 1.0]), np.array([0, 1]), bins=4)
    assert edge["pairs"].tolist() == [1, 1] and edge["high"].iloc[-1] == 1.0


def test_ensemble_of_one_logit_row_is_its_softmax():
    logits = np.array([[[1.0, 2.0, 0.5]]], dtype=np.float32)
    expected = torch.log_softmax(torch.tensor(logits), -1).numpy()
    assert np.allclose(_mean_probabilities([logits], already_log=False), expected, atol=1e-6)
    assert np.allclose(_mean_probabilities([expected, expected], already_log=True), expected, atol=1e-6)
