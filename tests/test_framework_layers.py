"""The framework's image layers, weight sharing and auxiliary loss against torch's autograd.

Every check runs in float64 on random shapes, strides and paddings: the framework's hand-written
backward passes must give autograd's gradients (relative error below 1e-6, in practice ~1e-15).
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from pairlib import framework as fw
from pairlib.fitting import TrainConfig
from pairlib.losses import digit_loss, loss_terms
from pairlib.models import ModelSpec, PairOutput

F64 = torch.float64


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def leaf(t: torch.Tensor) -> torch.Tensor:
    return t.detach().clone().requires_grad_(True)


def rel_error(ours: torch.Tensor, ref: torch.Tensor) -> float:
    """Largest absolute difference over the reference's largest entry."""
    return ((ours - ref).abs().max() / ref.abs().max().clamp_min(1e-300)).item()


def conv_case(seed: int) -> tuple[fw.Conv2d, torch.Tensor]:
    """A Conv2d of random channels, kernel, stride and padding, and an input that fits it."""
    g = gen(seed)
    pick = lambda lo, hi: int(torch.randint(lo, hi + 1, (1,), generator=g))  # noqa: E731
    c_in, c_out, k, stride, pad = pick(1, 4), pick(1, 5), pick(1, 5), pick(1, 3), pick(0, 2)
    h, w = k + pick(0, 7), k + pick(0, 7)
    conv = fw.Conv2d(c_in, c_out, k, stride, pad, dtype=F64, generator=g)
    conv.bias.normal_(generator=g)
    return conv, torch.randn(pick(1, 4), c_in, h, w, generator=g, dtype=F64)


@pytest.mark.parametrize("seed", range(12))
def test_conv2d_matches_autograd(seed):
    conv, x = conv_case(seed)
    out = conv.forward(x)
    xr, wr, br = leaf(x), leaf(conv.weight), leaf(conv.bias)
    ref = F.conv2d(xr, wr, br, stride=conv.stride, padding=conv.padding)
    assert out.shape == ref.shape
    assert rel_error(out, ref.detach()) < 1e-12
    grad = torch.randn(ref.shape, generator=gen(100 + seed), dtype=F64)
    ref.backward(grad)
    dx = conv.backward(grad)
    assert rel_error(dx, xr.grad) < 1e-12
    assert rel_error(conv.grad_weight, wr.grad) < 1e-12
    assert rel_error(conv.grad_bias, br.grad) < 1e-12


@pytest.mark.parametrize(
    ("k", "shape"), [(2, (3, 2, 6, 8)), (2, (2, 3, 7, 5)), (3, (1, 2, 9, 10)), (1, (2, 1, 3, 3))]
)
def test_maxpool_matches_autograd_including_odd_sizes(k, shape):
    x = torch.randn(shape, generator=gen(k), dtype=F64)
    pool = fw.MaxPool2d(k)
    xr = leaf(x)
    ref = F.max_pool2d(xr, k)
    assert torch.equal(pool.forward(x), ref.detach())
    grad = torch.randn(ref.shape, generator=gen(7), dtype=F64)
    ref.backward(grad)
    assert torch.equal(pool.backward(grad), xr.grad)


def test_maxpool_routes_ties_to_the_first_maximum_as_torch():
    x = torch.zeros(1, 1, 4, 4, dtype=F64)  # every window is a four-way tie
    xr = leaf(x)
    F.max_pool2d(xr, 2).backward(torch.ones(1, 1, 2, 2, dtype=F64))
    pool = fw.MaxPool2d(2)
    pool.forward(x)
    assert torch.equal(pool.backward(torch.ones(1, 1, 2, 2, dtype=F64)), xr.grad)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 5, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_matches_torch_in_both_modes(shape, training):
    g = gen(len(shape) + training)
    x = torch.randn(shape, generator=g, dtype=F64) * 3 + 1
    ours = fw.BatchNorm(shape[1], dtype=F64)
    ref = (nn.BatchNorm1d if len(shape) == 2 else nn.BatchNorm2d)(shape[1], dtype=F64)
    with torch.no_grad():
        for p in (ours.weight, ours.bias, ours.running_mean):
            p.normal_(generator=g)
        ours.running_var.uniform_(0.5, 2.0, generator=g)
        for theirs, mine in zip(
            (ref.weight, ref.bias, ref.running_mean, ref.running_var),
            (ours.weight, ours.bias, ours.running_mean, ours.running_var),
            strict=True,
        ):
            theirs.copy_(mine)
    ours.train(training)
    ref.train(training)
    xr = leaf(x)
    out_ref = ref(xr)
    out = ours.forward(x)
    assert rel_error(out, out_ref.detach()) < 1e-12
    grad = torch.randn(shape, generator=g, dtype=F64)
    out_ref.backward(grad)
    assert rel_error(ours.backward(grad), xr.grad) < 1e-10
    assert rel_error(ours.grad_weight, ref.weight.grad) < 1e-12
    assert rel_error(ours.grad_bias, ref.bias.grad) < 1e-12
    # running statistics move in training only, as torch's (unbiased variance)
    assert rel_error(ours.running_mean, ref.running_mean) < 1e-12
    assert rel_error(ours.running_var, ref.running_var) < 1e-12


def random_stack(seed: int) -> tuple[fw.Sequential, nn.Sequential, torch.Tensor]:
    """A random Conv2d / ReLU / MaxPool2d / ... / Flatten / Linear network, its torch twin and an input."""
    g = gen(seed)
    pick = lambda lo, hi: int(torch.randint(lo, hi + 1, (1,), generator=g))  # noqa: E731
    size, channels = pick(10, 16), pick(1, 3)
    ours: list[fw.Module] = []
    theirs: list[nn.Module] = []
    x = torch.randn(pick(2, 5), channels, size, size, generator=g, dtype=F64)
    for _ in range(pick(1, 3)):
        k, stride, pad, width = pick(1, 3), pick(1, 2), pick(0, 1), pick(2, 6)
        if (size + 2 * pad - k) // stride + 1 < 2:
            break
        conv = fw.Conv2d(channels, width, k, stride, pad, dtype=F64, generator=g)
        conv.bias.normal_(generator=g)
        twin = nn.Conv2d(channels, width, k, stride, pad, dtype=F64)
        twin.weight.data.copy_(conv.weight)
        twin.bias.data.copy_(conv.bias)
        ours += [conv, fw.ReLU()]
        theirs += [twin, nn.ReLU()]
        size, channels = conv.output_size(size), width
        if size >= 4 and pick(0, 1):
            ours.append(fw.MaxPool2d(2))
            theirs.append(nn.MaxPool2d(2))
            size //= 2
    linear = fw.Linear(channels * size * size, 3, dtype=F64, generator=g)
    twin = nn.Linear(channels * size * size, 3, dtype=F64)
    twin.weight.data.copy_(linear.weight)
    twin.bias.data.copy_(linear.bias)
    return fw.Sequential(*ours, fw.Flatten(), linear), nn.Sequential(*theirs, nn.Flatten(), twin), x


@pytest.mark.parametrize("seed", range(10))
def test_random_conv_stacks_give_autograds_gradients(seed):
    """The issue's bar: random Conv2d / MaxPool2d / Flatten / Linear stacks, relative error < 1e-6."""
    ours, theirs, x = random_stack(seed)
    labels = torch.randint(0, 3, (x.shape[0],), generator=gen(seed))
    loss = fw.LossCrossEntropy()
    loss.forward(ours.forward(x), labels)
    dx = ours.backward(loss.backward())
    xr = leaf(x)
    F.cross_entropy(theirs(xr), labels).backward()
    assert rel_error(dx, xr.grad) < 1e-6
    for (_, grad), ref in zip(ours.param(), theirs.parameters(), strict=True):
        assert rel_error(grad, ref.grad) < 1e-6


def test_flatten_round_trips_shapes():
    x = torch.randn(3, 2, 4, 5, dtype=F64)
    flat = fw.Flatten()
    assert torch.equal(flat.forward(x), x.reshape(3, 40))
    assert flat.backward(torch.ones(3, 40, dtype=F64)).shape == (3, 2, 4, 5)


# ------------------------------------------------------------------ weight sharing


def small_branch(g: torch.Generator, batch_norm: bool = False) -> fw.Sequential:
    layers = [fw.Conv2d(1, 3, 3, dtype=F64, generator=g), fw.MaxPool2d(2), fw.ReLU()]
    if batch_norm:
        layers.append(fw.BatchNorm(3, dtype=F64))
    return fw.Sequential(*layers, fw.Flatten(), fw.Linear(3 * 3 * 3, 10, dtype=F64, generator=g))


def test_siamese_gradients_are_the_sum_of_both_uses():
    """One branch, applied to both images: its gradients are those of image 1 plus those of image 2."""
    g = gen(0)
    branch = small_branch(g)
    pair = torch.randn(4, 2, 8, 8, generator=g, dtype=F64)
    grad = torch.randn(4, 2, 10, generator=g, dtype=F64)
    siamese = fw.Siamese(branch)
    out = siamese.forward(pair)
    for i in (0, 1):
        torch.testing.assert_close(out[:, i], branch.forward(pair[:, i : i + 1]), rtol=1e-12, atol=1e-12)
    siamese.zero_grad()
    siamese.forward(pair)
    d_pair = siamese.backward(grad)
    shared = [g_.clone() for _, g_ in siamese.param()]
    branch.zero_grad()
    for i in (0, 1):  # the two uses one after the other accumulate into the same tensors
        branch.forward(pair[:, i : i + 1])
        torch.testing.assert_close(d_pair[:, i : i + 1], branch.backward(grad[:, i]), rtol=1e-12, atol=1e-12)
    for ours, accumulated in zip(shared, (g_ for _, g_ in branch.param()), strict=True):
        torch.testing.assert_close(ours, accumulated, rtol=1e-12, atol=1e-12)
    assert len(siamese.param()) == len(branch.param())  # one set of parameters, not two


def test_siamese_with_batch_norm_matches_a_shared_torch_branch():
    g = gen(1)
    branch = small_branch(g, batch_norm=True)
    twin = nn.Sequential(
        nn.Conv2d(1, 3, 3), nn.MaxPool2d(2), nn.ReLU(), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(27, 10)
    ).double()
    with torch.no_grad():
        for (value, _), ref in zip(branch.param(), twin.parameters(), strict=True):
            ref.copy_(value)
    pair = torch.randn(5, 2, 8, 8, generator=g, dtype=F64)
    classes = torch.randint(0, 10, (5, 2), generator=g)
    siamese, loss = fw.Siamese(branch), fw.LossDigits()
    loss.forward(siamese.forward(pair), classes)
    siamese.backward(loss.backward())
    xr = leaf(pair)
    digits = twin(xr.transpose(0, 1).reshape(10, 1, 8, 8)).view(2, 5, 10).transpose(0, 1)
    digit_loss("ce", digits, classes).backward()
    for (_, grad), ref in zip(siamese.param(), twin.parameters(), strict=True):
        assert rel_error(grad, ref.grad) < 1e-10


# ------------------------------------------------------------------ auxiliary loss


@pytest.mark.parametrize(("target_weight", "aux_weight"), [(1.0, 0.5), (0.0, 1.0), (0.3, 2.0)])
def test_auxiliary_loss_matches_the_torch_trainers_loss(target_weight, aux_weight):
    g = gen(2)
    target_out, digits = (
        torch.randn(6, 2, generator=g, dtype=F64),
        torch.randn(6, 2, 10, generator=g, dtype=F64),
    )
    target, classes = torch.randint(0, 2, (6,), generator=g), torch.randint(0, 10, (6, 2), generator=g)
    loss = fw.LossAuxiliary(fw.LossCrossEntropy(), target_weight, aux_weight)
    value = loss.forward(target_out, digits, target, classes)
    g_target, g_digits = loss.backward()
    tr, dr = leaf(target_out), leaf(digits)
    config = TrainConfig(ModelSpec(), target_weight=target_weight, aux_weight=aux_weight)
    ref, _, _ = loss_terms(config, PairOutput(tr, dr), target, classes)
    ref.backward()
    assert abs(value.item() - ref.item()) < 1e-12
    assert rel_error(g_digits, dr.grad) < 1e-12
    if target_weight:
        assert rel_error(g_target, tr.grad) < 1e-12
    else:
        assert g_target is None


def test_compare_digits_and_misuse():
    digits = torch.zeros(3, 2, 10)
    digits[0, 0, 3], digits[0, 1, 5] = 1, 1  # 3 <= 5
    digits[1, 0, 7], digits[1, 1, 2] = 1, 1  # 7 > 2
    digits[2, 0, 4], digits[2, 1, 4] = 1, 1  # equal
    assert fw.compare_digits(digits).tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="not both 0"):
        fw.LossAuxiliary(fw.LossCrossEntropy(), 0.0, 0.0)
    with pytest.raises(ValueError, match=r"Conv2d\(2, 4, 3.*\(N, 2, H, W\)"):
        fw.Conv2d(2, 4, 3).forward(torch.zeros(1, 3, 5, 5))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        fw.Conv2d(1, 1, 5).forward(torch.zeros(1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"Siamese.*\(N, 2"):
        fw.Siamese(fw.Flatten()).forward(torch.zeros(4, 3, 5))
    with pytest.raises(RuntimeError, match="before forward"):
        fw.BatchNorm(3).backward(torch.zeros(2, 3))
