"""Readouts, error analysis and test-time augmentation, on hand-made cases whose answer is known,
and predictions that train exactly as the rounds protocol does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from pairlib.analysis import (
    Readout,
    RoundPredictions,
    averaged_digit_log_probabilities,
    confusion_matrix,
    digit_vs_pair,
    errors_by_gap,
    fit_predictions,
    pair_outcomes,
    readout_probability,
    readout_table,
    shift_by,
    worst_pairs,
)
from pairlib.fitting import TrainConfig
from pairlib.models import ModelSpec, build_model
from pairlib.runner import Protocol
from pairlib.train import run_grid

CONFIDENT = 30.0  # a logit margin that makes a softmax one-hot to float precision


def one_hot_outputs(digits: list[tuple[int, int]]) -> np.ndarray:
    """Digit outputs (N, 2, 10) that name the given digits with certainty."""
    out = np.zeros((len(digits), 2, 10), dtype=np.float32)
    for n, (a, b) in enumerate(digits):
        out[n, 0, a] = out[n, 1, b] = CONFIDENT
    return out


def hand_made(true: list[tuple[int, int]], read: list[tuple[int, int]], name: str = "m") -> RoundPredictions:
    """A round whose model reads the digits ``read`` (confidently) when the truth is ``true``."""
    classes = np.array(true)
    digits = one_hot_outputs(read)
    q = readout_probability(digits, Readout("exact"))
    return RoundPredictions(name, 0, 0, 5, 100, 1.0, classes, digits, q)


def test_shift_by_moves_a_pixel_and_fills_the_border():
    image = torch.zeros(1, 1, 5, 5)
    image[0, 0, 2, 2] = 1.0
    moved = shift_by(image, 1, -2, fill=-3.0)
    assert moved.shape == image.shape
    assert moved[0, 0, 3, 0] == 1.0  # one row down, two columns left
    assert (moved == 1.0).sum() == 1
    assert (moved[0, 0, 0] == -3.0).all()  # the row uncovered at the top
    assert (moved[0, 0, :, 3:] == -3.0).all()  # the two columns uncovered at the right
    assert torch.equal(shift_by(image, 0, 0, fill=-3.0), image)


def test_readouts_on_certain_digits_answer_the_comparison():
    digits = one_hot_outputs([(3, 5), (5, 3), (4, 4), (0, 9)])
    expected = np.array([1, 0, 1, 1])
    for readout in (Readout("exact"), Readout("argmax"), Readout("power", 1.0), Readout("power", 12.0)):
        q = readout_probability(digits, readout)
        assert np.array_equal((q > 0.5).astype(int), expected), readout
        assert np.all((q > 0.99) | (q < 0.01)), readout


def test_exact_readout_weighs_uncertain_digits():
    # First digit: 2 or 4 with equal probability; second: surely 3. P(d1 <= 3) = 1/2.
    # The second case is 2 or 4 against 4: P(d1 <= 4) = 1.
    digits = np.full((2, 2, 10), -CONFIDENT, dtype=np.float32)
    digits[:, 0, 2] = digits[:, 0, 4] = 0.0
    digits[0, 1, 3] = digits[1, 1, 4] = 0.0
    q = readout_probability(digits, Readout("exact"))
    assert q == pytest.approx([0.5, 1.0], abs=1e-6)


def test_power_readout_sharpens_with_p():
    # First image: outputs 2 for digit 7, 1 for digit 1, 0 elsewhere; the second is surely a 5.
    # Power p weighs digit i by (o_i - min o)^p, so P(d1 <= 5) = P(d1 = 1) = 1 / (1 + 2^p).
    digits = np.zeros((1, 2, 10), dtype=np.float32)
    digits[0, 0, 7], digits[0, 0, 1] = 2.0, 1.0  # others 0 = the minimum
    digits[0, 1, 5] = CONFIDENT
    p1 = readout_probability(digits, Readout("power", 1.0))[0]
    p6 = readout_probability(digits, Readout("power", 6.0))[0]
    assert p1 == pytest.approx(1 / 3, abs=1e-5)  # mass 1 on "1" out of 1 + 2
    assert p6 == pytest.approx(1 / (1 + 2**6), abs=1e-5)


def test_error_analysis_on_a_known_set():
    true = [(3, 5), (3, 5), (4, 4), (4, 4), (7, 2), (0, 9)]
    read = [(3, 5), (8, 5), (4, 4), (4, 3), (7, 1), (0, 9)]
    # pair 1: a 3 misread as 8 beside a 5 -> wrong answer; pair 3: equal digits, one read as 3
    # -> 4 <= 3 is false: wrong; pair 4: 2 read as 1 beside a 7 -> still 7 > 1: right.
    outcomes = pair_outcomes([hand_made(true, read)])
    assert outcomes["wrong"].tolist() == [False, True, False, True, False, False]
    assert outcomes["digits_wrong"].tolist() == [0, 1, 0, 1, 1, 0]

    flips = digit_vs_pair(outcomes).set_index("digits_wrong")
    assert flips.loc[0, "pairs"] == 3 and flips.loc[0, "errors"] == 0
    assert flips.loc[1, "pairs"] == 3 and flips.loc[1, "errors"] == 2
    assert flips.loc[1, "flip_pct"] == pytest.approx(200 / 3)
    assert flips.loc[2, "pairs"] == 0 and flips.loc[1, "share_of_errors_pct"] == 100.0

    gaps = errors_by_gap(outcomes).set_index("gap")
    assert gaps.loc[0, "pairs"] == 2 and gaps.loc[0, "errors"] == 1  # equal digits
    assert gaps.loc[2, "pairs"] == 2 and gaps.loc[2, "errors"] == 1
    assert gaps.loc[0, "share_of_errors_pct"] == 50.0
    assert gaps["pairs"].sum() == 6 and len(gaps) == 10

    counts = confusion_matrix(outcomes)
    assert counts.sum() == 12
    assert counts[3, 8] == 1 and counts[4, 3] == 1 and counts[2, 1] == 1
    assert counts[5, 5] == 2 and np.trace(counts) == 9

    worst = worst_pairs(outcomes, k=2)
    assert set(worst["index"]) == {1, 3} and (worst["p_true"] < 0.01).all()


def test_readout_table_stacks_with_run_grid_frames():
    prediction = hand_made([(3, 5), (4, 4), (7, 2), (0, 9)], [(3, 5), (4, 3), (7, 2), (0, 9)])
    table = readout_table(
        [prediction], {"exact": ("m", Readout("exact")), "argmax": ("m", Readout("argmax"))}
    )
    assert table["test_error"].tolist() == [25.0, 25.0]
    assert table["test_digit_error"].tolist() == [12.5, 12.5]
    assert {"name", "round", "seed", "epoch", "params", "seconds"} <= set(table.columns)
    with pytest.raises(KeyError, match="no predictions"):
        readout_table([prediction], {"x": ("other", Readout("exact"))})
    with pytest.raises(ValueError, match="fit with tta=True"):
        readout_table([prediction], {"x": ("m", Readout("exact", tta=True))})


def test_tta_without_shifts_is_the_plain_log_softmax():
    torch.manual_seed(0)
    model = build_model(ModelSpec(channels=(4, 8), hidden=(16,), comparator="exact"), 1)
    inputs = torch.randn(5, 2, 14, 14)
    plain = averaged_digit_log_probabilities(model, inputs, [(0, 0)], fill=0.0)
    model.eval()
    assert torch.allclose(plain, model(inputs).digits.log_softmax(-1), atol=1e-5)
    shifted = averaged_digit_log_probabilities(model, inputs, [(0, 0), (1, 0)], fill=0.0)
    assert torch.allclose(shifted.exp().sum(-1), torch.ones(5, 2), atol=1e-5)


SMALL = TrainConfig(
    ModelSpec(channels=(8, 16), hidden=(32,), comparator="exact"),
    target_weight=0.0,
    aux_weight=1.0,
    epochs=3,
    n_pairs=300,
    lr=0.1,
)


def test_predictions_train_exactly_as_run_grid(private_cache):
    df, predictions = fit_predictions(
        {"small": SMALL}, Protocol(rounds=2, seed=3, device="cpu", workers=1), tta=True
    )
    reference = run_grid(
        {"small": SMALL}, Protocol(rounds=2, seed=3, device="cpu", workers=1), record="final"
    )
    assert np.allclose(df["test_error"], reference["test_error"], equal_nan=True)
    assert np.allclose(df["test_digit_error"], reference["test_digit_error"], equal_nan=True)
    assert [p.seed for p in predictions] == [3, 4]
    # The model's own comparator (exact) re-applied to the stored outputs gives its error.
    own = readout_table(predictions, {"own": ("small", Readout()), "exact": ("small", Readout("exact"))})
    final = reference[reference["epoch"] == SMALL.epochs]
    assert np.allclose(own["test_error"].to_numpy().reshape(2, 2), final["test_error"].to_numpy())
    assert predictions[0].tta_digits is not None and predictions[0].tta_digits.shape == (300, 2, 10)
    # A second call reads the cache: same outputs, no training.
    _, again = fit_predictions(
        {"small": SMALL}, Protocol(rounds=2, seed=3, device="cpu", workers=1), tta=True
    )
    assert np.array_equal(again[1].digits, predictions[1].digits)


def test_worst_pairs_refuses_a_hard_readout_whose_errors_share_one_probability():
    """An argmax readout gives every wrong pair the same probability of the truth: its "worst"
    pairs would be the first wrong ones in round order, a ranking of nothing."""
    tied = pd.DataFrame({"p_true": [2e-9] * 5 + [0.9] * 5, "round": range(10), "index": range(10)})
    with pytest.raises(ValueError, match="hard readout"):
        worst_pairs(tied, k=3)
    graded = tied.assign(p_true=[0.3, 0.1, 0.2, 0.05, 0.4] + [0.9] * 5)
    assert list(worst_pairs(graded, k=3)["index"]) == [3, 1, 2]
