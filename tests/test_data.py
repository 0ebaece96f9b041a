"""The pair protocol: the course's generate_pair_sets, exactly."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torchvision import datasets

from pairlib.data import MAX_PAIRS, data_root, generate_pair_sets, mnist_root, normalize_pairs
from pairlib.paths import REPO_ROOT


def course_generate_pair_sets(nb: int, root: str):
    """The course's dlc_practical_prologue code, verbatim in substance (global RNG)."""

    def mnist_to_pairs(nb, input, target):
        input = F.avg_pool2d(input, kernel_size=2)
        a = torch.randperm(input.size(0))
        a = a[: 2 * nb].view(nb, 2)
        input = torch.cat((input[a[:, 0]], input[a[:, 1]]), 1)
        classes = target[a]
        target = (classes[:, 0] <= classes[:, 1]).long()
        return input, target, classes

    train_set = datasets.MNIST(root, train=True, download=False)
    test_set = datasets.MNIST(root, train=False, download=False)
    return mnist_to_pairs(nb, train_set.data.view(-1, 1, 28, 28).float(), train_set.targets) + mnist_to_pairs(
        nb, test_set.data.view(-1, 1, 28, 28).float(), test_set.targets
    )


def test_shapes_types_and_ranges():
    pairs = generate_pair_sets(100, seed=1)
    assert pairs.train_input.shape == pairs.test_input.shape == (100, 2, 14, 14)
    assert pairs.train_input.dtype == torch.float32
    assert pairs.train_target.dtype == pairs.train_classes.dtype == torch.int64
    assert pairs.train_classes.shape == (100, 2)
    for images in (pairs.train_input, pairs.test_input):
        assert images.min() >= 0 and images.max() <= 255 and images.max() > 200
    assert set(pairs.train_classes.unique().tolist()) <= set(range(10))


def test_target_is_first_digit_le_second():
    pairs = generate_pair_sets(500, seed=2)
    for classes, target in (
        (pairs.train_classes, pairs.train_target),
        (pairs.test_classes, pairs.test_target),
    ):
        assert torch.equal(target, (classes[:, 0] <= classes[:, 1]).long())


def test_seeded_draw_equals_course_code_after_manual_seed():
    ours = generate_pair_sets(300, seed=42)
    torch.manual_seed(42)
    course = course_generate_pair_sets(300, str(mnist_root()))
    assert all(torch.equal(a, b) for a, b in zip(ours, course, strict=True))


def test_seeded_draw_leaves_global_rng_alone():
    torch.manual_seed(7)
    expected = torch.rand(5)
    torch.manual_seed(7)
    generate_pair_sets(10, seed=3)
    assert torch.equal(torch.rand(5), expected)


def test_same_seed_same_pairs_other_seed_other_pairs():
    a, b, c = generate_pair_sets(50, seed=5), generate_pair_sets(50, seed=5), generate_pair_sets(50, seed=6)
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    assert not torch.equal(a.train_input, c.train_input)


def test_about_55_percent_positive_targets_over_many_draws():
    # For independent digits with MNIST's class frequencies P(d1 <= d2) is about 0.55.
    targets = torch.cat([generate_pair_sets(1000, seed=s).train_target for s in range(20)])
    assert 0.53 < targets.float().mean().item() < 0.57


def test_normalisation_uses_training_statistics():
    pairs = normalize_pairs(generate_pair_sets(1000, seed=0))
    assert abs(pairs.train_input.mean().item()) < 1e-4
    assert abs(pairs.train_input.std().item() - 1) < 1e-4
    assert abs(pairs.test_input.mean().item()) < 0.1  # close, but computed with train statistics


@pytest.mark.parametrize("bad", [0, -3, MAX_PAIRS + 1, 2.5, "1000", True])
def test_bad_number_of_pairs_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="n_pairs"):
        generate_pair_sets(bad)


def test_data_root_argument_then_environment_then_default(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTORCH_DATA_DIR", str(tmp_path))
    assert data_root("elsewhere").name == "elsewhere"
    assert data_root() == tmp_path
    monkeypatch.delenv("PYTORCH_DATA_DIR")
    # The default is the repository's data folder from any working directory: a kernel
    # started in notebooks/ must not provision a second MNIST there.
    monkeypatch.chdir(tmp_path)
    assert data_root() == REPO_ROOT / "data"
    assert mnist_root("x") == data_root("x") / "mnist"
