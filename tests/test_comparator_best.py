from __future__ import annotations

import pandas as pd
import pytest

from pairlib.chapters import comparator_best as best_study
from pairlib.configs import get_config


def test_overlapping_rounds_are_refused_by_name():
    best_study.check_rounds_disjoint({"chapter": (0, 10), "design_seed": (200, 4), "fresh_seed": (1000, 10)})
    with pytest.raises(ValueError, match="fresh_seed: its rounds overlap the design_seed rounds"):
        best_study.check_rounds_disjoint({"design_seed": (200, 4), "fresh_seed": (203, 10)})


def test_the_branch_is_chosen_on_digits_then_its_readout_on_pairs():
    scores = pd.DataFrame(
        {
            "candidate": ["a", "a", "b", "b"],
            "readout": ["exact", "argmax", "exact", "argmax"],
            "test_error": [1.0, 0.5, 0.2, 0.3],
            "test_digit_error": [1.0, 1.0, 2.0, 2.0],
            "seconds": [1.0, 1.0, 1.0, 1.0],
        }
    )
    chosen = best_study.choose(scores)
    assert (chosen["candidate"], chosen["readout"]) == ("a", "argmax")


def test_the_registered_best_is_a_candidate_with_its_ensemble():
    candidates = best_study.candidates(epochs=50, n_pairs=1000)
    best = get_config("best")
    assert candidates["VGG branch, warp + smoothing"].replace(ensemble=best.ensemble) == best


def test_frontier_sizes_and_names():
    assert best_study.ensemble_sizes(10) == [1, 2, 5, 10]
    assert best_study.ensemble_sizes(3) == [1, 2, 3]
    readouts = best_study.size_readouts([1, 2], "argmax")
    assert readouts["best, 2 models + TTA"][0] == "best, 2 models"
    assert readouts["best, 1 model"][1].tta is False


def test_the_final_rounds_score_the_registered_model_whatever_an_execution_chooses():
    from pairlib.chapters import comparator_best as best_study
    from pairlib.configs import get_config

    name = best_study.registered_candidate()
    registered = get_config("best")
    full = best_study.candidates(registered.epochs, registered.n_pairs)
    assert full[name].replace(ensemble=registered.ensemble) == registered
    same = best_study.choice_sentence(name, name)
    assert same == "It is also the model registered before the fresh rounds were drawn."
    other = next(n for n in full if n != name)
    sentence = best_study.choice_sentence(other, name)
    assert f"“{name}”" in sentence and "fresh rounds below score it" in sentence
