"""Tests of pairlib.framework against torch's autograd, torch.nn and torch.optim.

Autograd is used here only, as the reference; the framework itself never touches it.
Comparisons run in float64 so that a real bug cannot hide in float32 rounding.
"""

import ast
import math
import pathlib

import pytest
import torch
from torch import nn

from pairlib import framework as fw
from pairlib.framework_study import torch_twin

F64 = torch.float64
TOL = {"rtol": 1e-12, "atol": 1e-12}  # float64 results that only differ by rounding pass
FRAMEWORK_DIR = pathlib.Path(fw.__file__).parent
SHAPES = [(1, 1, 1), (7, 3, 5), (64, 25, 2)]  # (batch, in, out)
SEEDS = [0, 1]


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, g: torch.Generator, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g, dtype=F64) * scale


@pytest.fixture
def one_thread():
    """Training loops on tiny tensors: one thread is fastest, and on a busy machine extra
    threads spinning for work make them a hundred times slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def leaf(t: torch.Tensor) -> torch.Tensor:
    return t.detach().clone().requires_grad_(True)


# --------------------------------------------------------------------- gradient checks


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n", "d_in", "d_out"), SHAPES)
@pytest.mark.parametrize("init", ["xavier", "he"])
def test_linear_matches_autograd(n, d_in, d_out, seed, init):
    g = gen(seed)
    layer = fw.Linear(d_in, d_out, init, dtype=F64, generator=g)
    layer.bias.normal_(generator=g)  # biases start at 0; make them matter
    x, grad_out = randn(n, d_in, g=g), randn(n, d_out, g=g)

    x_ref, w_ref, b_ref = leaf(x), leaf(layer.weight), leaf(layer.bias)
    y_ref = torch.nn.functional.linear(x_ref, w_ref, b_ref)
    y_ref.backward(grad_out)

    torch.testing.assert_close(layer.forward(x), y_ref.detach(), **TOL)
    torch.testing.assert_close(layer.backward(grad_out), x_ref.grad, **TOL)
    torch.testing.assert_close(layer.grad_weight, w_ref.grad, **TOL)
    torch.testing.assert_close(layer.grad_bias, b_ref.grad, **TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n", "d", "_"), SHAPES)
@pytest.mark.parametrize(
    ("module", "reference"),
    [(fw.ReLU, torch.relu), (fw.Tanh, torch.tanh), (fw.Sigmoid, torch.sigmoid)],
    ids=["relu", "tanh", "sigmoid"],
)
def test_activation_matches_autograd(module, reference, n, d, _, seed):
    g = gen(seed)
    x, grad_out = randn(n, d, g=g, scale=3.0), randn(n, d, g=g)
    x_ref = leaf(x)
    y_ref = reference(x_ref)
    y_ref.backward(grad_out)
    m = module()
    torch.testing.assert_close(m.forward(x), y_ref.detach(), **TOL)
    torch.testing.assert_close(m.backward(grad_out), x_ref.grad, **TOL)
    assert m.param() == []


def _loss_cases(n: int, c: int, g: torch.Generator, scale: float):
    """(framework loss, torch loss, prediction, target) for each loss."""
    onehot_like = torch.rand(n, c, generator=g, dtype=F64)
    labels = torch.randint(0, c, (n,), generator=g)
    probs = torch.rand(n, c, generator=g, dtype=F64)
    logits = randn(n, c, g=g, scale=scale)
    return [
        (fw.LossMSE(), nn.MSELoss(), logits, onehot_like),
        (fw.LossCrossEntropy(), nn.CrossEntropyLoss(), logits, labels),
        (fw.LossBCE(), nn.BCEWithLogitsLoss(), logits, probs),
    ]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n", "c"), [(1, 1), (1, 3), (9, 2), (50, 10)])
@pytest.mark.parametrize("scale", [1.0, 1000.0], ids=["plain", "huge-logits"])
@pytest.mark.parametrize("which", [0, 1, 2], ids=["mse", "cross-entropy", "bce"])
def test_loss_matches_autograd(which, n, c, seed, scale):
    ours, theirs, pred, target = _loss_cases(n, c, gen(seed), scale)[which]
    pred_ref = leaf(pred)
    value_ref = theirs(pred_ref, target)
    value_ref.backward(torch.tensor(0.7, dtype=F64))  # a non-unit upstream gradient
    value = ours.forward(pred, target)
    assert value.dim() == 0 and torch.isfinite(value)
    torch.testing.assert_close(value, value_ref.detach(), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(ours.backward(0.7), pred_ref.grad, **TOL)


def test_one_hot():
    labels = torch.tensor([2, 0, 1, 2])
    torch.testing.assert_close(fw.one_hot(labels, 3, dtype=F64), nn.functional.one_hot(labels, 3).to(F64))


def course_network(acts: list[str], n_out: int = 2, g=None, dtype=F64) -> fw.Sequential:
    return fw.mlp([2, 25, 25, 25, n_out], acts, dtype=dtype, generator=g)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    "acts", [["relu"] * 3 + ["tanh"], ["tanh", "relu", "relu", "tanh"], ["tanh"] * 3 + ["none"]]
)
def test_whole_network_gradients_match_autograd(acts, seed):
    g = gen(seed)
    model = course_network(acts, g=g)
    for m in model.modules:  # nonzero biases so that their gradients are exercised
        if isinstance(m, fw.Linear):
            m.bias.normal_(0, 0.1, generator=g)
    twin = torch_twin(model)
    x, labels = fw.generate_disk_set(100, gen(seed + 10), dtype=F64)
    target = fw.one_hot(labels, 2, dtype=F64)

    loss = fw.LossMSE()
    value = loss.forward(model.forward(x), target)
    model.backward(loss.backward())
    x_ref = leaf(x)
    value_ref = nn.MSELoss()(twin(x_ref), target)
    value_ref.backward()

    torch.testing.assert_close(value, value_ref.detach(), **TOL)
    pairs = model.param()
    assert len(pairs) == len(list(twin.parameters())) == 8
    for (_, grad), p_ref in zip(pairs, twin.parameters(), strict=True):
        assert grad.shape == p_ref.shape
        torch.testing.assert_close(grad, p_ref.grad, **TOL)
    torch.testing.assert_close(model.backward(torch.zeros(100, 2, dtype=F64)), 0 * x)


def test_no_autograd_graph_even_with_grad_mode_on():
    """The framework is safe if a caller forgets set_grad_enabled(False): nothing it makes
    requires grad, so autograd records nothing."""
    assert torch.is_grad_enabled()
    model = course_network(["relu", "relu", "relu", "tanh"], g=gen(0))
    out = model.forward(torch.rand(5, 2, dtype=F64))
    assert not out.requires_grad and out.grad_fn is None
    grad_in = model.backward(torch.ones(5, 2, dtype=F64))
    assert grad_in.grad_fn is None
    assert all(not p.requires_grad and not g.requires_grad for p, g in model.param())


# ------------------------------------------------------------------- accumulation


def test_backward_accumulates_and_zero_grad_clears():
    g = gen(3)
    model = fw.Sequential(
        fw.Linear(4, 6, dtype=F64, generator=g), fw.Tanh(), fw.Linear(6, 2, dtype=F64, generator=g)
    )
    x, g1, g2 = randn(8, 4, g=g), randn(8, 2, g=g), randn(8, 2, g=g)

    def grads_for(grad_out):
        model.zero_grad()
        model.forward(x)
        model.backward(grad_out)
        return [grad.clone() for _, grad in model.param()]

    first, second = grads_for(g1), grads_for(g2)
    model.zero_grad()
    model.forward(x)
    model.backward(g1)
    model.backward(g2)  # same forward cache, two backward passes: gradients add up
    for (_, grad), a, b in zip(model.param(), first, second, strict=True):
        torch.testing.assert_close(grad, a + b, **TOL)
    model.zero_grad()
    assert all(torch.count_nonzero(grad) == 0 for _, grad in model.param())


# --------------------------------------------------------------------- optimizers


def _run_optimizers(make_ours, make_theirs, steps=6, seed=0):
    """Feed identical gradients to both optimizers, step by step; return the max difference."""
    g = gen(seed)
    params = [randn(5, 3, g=g), randn(3, g=g), randn(1, 1, g=g)]
    grads = [torch.zeros_like(p) for p in params]
    ours = make_ours(list(zip(params, grads, strict=True)))
    ref_params = [leaf(p) for p in params]
    theirs = make_theirs(ref_params)
    worst = 0.0
    for _ in range(steps):
        for grad, ref in zip(grads, ref_params, strict=True):
            grad.copy_(randn(*grad.shape, g=g))
            ref.grad = grad.clone()
        ours.step()
        theirs.step()
        for p, ref in zip(params, ref_params, strict=True):
            worst = max(worst, (p - ref.detach()).abs().max().item())
    return worst


@pytest.mark.parametrize(
    "kwargs",
    [{"lr": 0.1}, {"lr": 0.05, "momentum": 0.9}, {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1}],
)
def test_sgd_matches_torch_optim(kwargs):
    worst = _run_optimizers(
        lambda pairs: fw.SGD(pairs, **kwargs),
        lambda ps: torch.optim.SGD(ps, foreach=False, **kwargs),
    )
    assert worst == 0.0  # same operations in the same order: bit-for-bit equal


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 1e-3},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.01, "weight_decay": 0.1},
    ],
)
def test_adam_matches_torch_optim(kwargs):
    worst = _run_optimizers(
        lambda pairs: fw.Adam(pairs, **kwargs),
        lambda ps: torch.optim.Adam(ps, foreach=False, **kwargs),
    )
    assert worst == 0.0


def test_optimizer_zero_grad_and_bad_lr():
    layer = fw.Linear(2, 3)
    layer.grad_weight.fill_(1.0)
    fw.SGD(layer.param(), lr=0.1).zero_grad()
    assert torch.count_nonzero(layer.grad_weight) == 0
    with pytest.raises(ValueError, match="learning rate"):
        fw.Adam(layer.param(), lr=-1.0)


# ------------------------------------------------------------------------ dropout


def test_dropout_eval_is_identity_and_train_drops_about_p():
    p, x = 0.3, torch.rand(200, 500, dtype=F64) + 0.5  # strictly positive inputs
    drop = fw.Dropout(p)
    torch.manual_seed(0)
    y = drop.train().forward(x)
    dropped = (y == 0).double().mean().item()
    # 100,000 Bernoulli(p) units: std of the fraction is 0.0014, allow ~7 sigma
    assert abs(dropped - p) < 0.01
    kept = y != 0
    torch.testing.assert_close(y[kept], x[kept] / (1 - p), **TOL)
    grad = torch.rand_like(x)
    torch.testing.assert_close(drop.backward(grad), grad * kept / (1 - p), **TOL)

    assert torch.equal(drop.eval().forward(x), x)
    assert torch.equal(drop.backward(grad), grad)


def test_dropout_edges_and_sequential_modes():
    x = torch.rand(4, 3, dtype=F64)
    assert torch.equal(fw.Dropout(0.0).forward(x), x)
    assert torch.count_nonzero(fw.Dropout(1.0).forward(x)) == 0
    with pytest.raises(ValueError, match="Dropout"):
        fw.Dropout(1.5)
    model = fw.Sequential(fw.Linear(3, 3, dtype=F64), fw.Dropout(0.5))
    model.eval()
    assert not model[1].training
    out = model.forward(x)
    torch.testing.assert_close(out, model[0].forward(x), **TOL)
    model.train()
    assert model[1].training and model.training


# ------------------------------------------------------------------------- misuse


@pytest.mark.parametrize(
    "module",
    [
        fw.Linear(2, 3),
        fw.ReLU(),
        fw.Tanh(),
        fw.Sigmoid(),
        fw.Dropout(0.5),
        fw.Sequential(fw.Linear(2, 3), fw.ReLU()),
    ],
    ids=repr,
)
def test_backward_before_forward_raises(module):
    with pytest.raises(RuntimeError, match=r"backward\(\) called before forward\(\)"):
        module.backward(torch.ones(4, 3))


@pytest.mark.parametrize("loss", [fw.LossMSE(), fw.LossCrossEntropy(), fw.LossBCE()], ids=repr)
def test_loss_backward_before_forward_raises(loss):
    with pytest.raises(RuntimeError, match="before forward"):
        loss.backward()


def test_wrong_input_width_names_module_and_widths():
    with pytest.raises(ValueError, match=r"Linear\(2, 25.*\(N, 2\).*\(10, 3\)"):
        fw.Linear(2, 25).forward(torch.rand(10, 3))
    model = course_network(["relu"] * 4, dtype=None)
    model.modules.insert(2, fw.Linear(25, 7))  # a layer that breaks the chain
    with pytest.raises(ValueError, match=r"Linear\(25, 25.*\(N, 25\).*\(10, 7\)"):
        model.forward(torch.rand(10, 2))


def test_wrong_gradient_shape_and_unknown_init_raise():
    layer, act = fw.Linear(2, 3), fw.Tanh()
    act.forward(layer.forward(torch.rand(4, 2)))
    with pytest.raises(ValueError, match=r"Linear.*shape \(4, 2\).*expected \(4, 3\)"):
        layer.backward(torch.ones(4, 2))
    with pytest.raises(ValueError, match=r"Tanh.*shape \(3, 3\)"):
        act.backward(torch.ones(3, 3))
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        fw.Linear(2, 3, init="glorot")
    with pytest.raises(ValueError, match="LossMSE"):
        fw.LossMSE().forward(torch.rand(4, 2), torch.rand(4))
    with pytest.raises(ValueError, match="LossCrossEntropy"):
        fw.LossCrossEntropy().forward(torch.rand(4, 2), torch.zeros(4, 2))


# ---------------------------------------------------------------- the course's rules


def _framework_sources() -> list[pathlib.Path]:
    files = sorted(FRAMEWORK_DIR.glob("*.py"))
    assert {f.name for f in files} >= {"__init__.py", "modules.py", "disk.py"}
    return files


@pytest.mark.parametrize("path", _framework_sources(), ids=lambda p: p.name)
def test_framework_imports_only_torch_empty_and_math(path):
    """Course rule: from torch only `empty`; of the standard library only `math`. Relative
    imports (the framework's own modules) and pairlib's numerics mode (which computes the
    elementwise functions in float64 when portable, with tensor methods) are the only other
    imports allowed; no `__import__`/`importlib` escape hatch, no autograd attribute touched."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert [a.name for a in node.names] == ["math"], ast.unparse(node)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module == "pairlib.numerics":
                assert [(a.name, a.asname) for a in node.names] == [("float32_math", None)]
            elif node.level == 0:  # absolute: otherwise only `from torch import empty`
                assert node.module == "torch", ast.unparse(node)
                assert [(a.name, a.asname) for a in node.names] == [("empty", None)]
            else:
                assert node.module in {"disk", "layers", "losses", "modules", "optim", "training"}
        elif isinstance(node, ast.Name):
            assert node.id not in {"torch", "__import__", "importlib", "eval", "exec"}
        elif isinstance(node, ast.Attribute):
            assert node.attr not in {
                "requires_grad",
                "requires_grad_",
                "grad",
                "grad_fn",
                "retain_grad",
                "autograd",
                "nn",
                "functional",
            }, f"{path.name}:{node.lineno} uses .{node.attr}"


# ----------------------------------------------------------------------- the data


def test_disk_data_balanced_correct_and_reproducible():
    x, labels = fw.generate_disk_set(100_000, gen(0), dtype=F64)
    assert x.shape == (100_000, 2) and labels.shape == (100_000,) and labels.dtype == torch.int64
    assert x.min() >= 0 and x.max() <= 1
    assert abs(x.mean().item() - 0.5) < 0.005  # uniform, not a normal clipped to the square
    # area of the disk is 1/2; std of the fraction is 0.0016, allow ~6 sigma
    assert abs(labels.double().mean().item() - 0.5) < 0.01
    inside = torch.hypot(x[:, 0] - 0.5, x[:, 1] - 0.5) < 1 / math.sqrt(2 * math.pi)
    assert torch.equal(labels, inside.long())
    assert math.isclose(fw.RADIUS**2 * math.pi, 0.5)

    a, b, c = (fw.generate_disk_set(50, gen(s)) for s in (7, 7, 8))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])


def test_minibatches_partition_and_replay():
    batches = fw.minibatches(103, 25, gen(4))
    assert [len(b) for b in batches] == [25, 25, 25, 25, 3]
    assert torch.equal(torch.cat(batches).sort().values, torch.arange(103))
    again = fw.minibatches(103, 25, gen(4))
    assert all(torch.equal(a, b) for a, b in zip(batches, again, strict=True))


def test_predict_and_error_rate():
    one = fw.Sequential(fw.Linear(2, 1, dtype=F64), fw.Dropout(0.9))
    one[0].weight.copy_(torch.tensor([[1.0, 0.0]]))
    x = torch.tensor([[0.2, 0.0], [0.7, 0.0], [0.9, 1.0]], dtype=F64)
    one.train()
    assert torch.equal(fw.predict(one, x), torch.tensor([0, 1, 1]))  # eval: no dropout
    assert one.training  # mode restored
    assert fw.error_rate(one, x, torch.tensor([0, 0, 1])) == pytest.approx(1 / 3)
    assert fw.error_rate(one, x, torch.tensor([1, 1, 1]), threshold=0.0) == 0.0
    two = fw.Sequential(fw.Linear(2, 2, dtype=F64))
    two[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    assert torch.equal(fw.predict(two, x), torch.tensor([0, 0, 1]))


# ------------------------------------------------------------------------ training


def test_training_trajectory_matches_torch_nn(one_thread):
    """Same weights, same minibatch order, SGD with momentum: the epoch losses of the
    framework and of torch.nn + autograd + torch.optim agree to float64 rounding."""
    model = course_network(["tanh", "relu", "relu", "tanh"], g=gen(5))
    twin = torch_twin(model)
    x, labels = fw.generate_disk_set(200, gen(6), dtype=F64)
    target = fw.one_hot(labels, 2, dtype=F64)
    hyper = {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-3}
    with torch.no_grad():
        ours = fw.train(
            model,
            fw.LossMSE(),
            fw.SGD(model.param(), **hyper),
            x,
            target,
            epochs=5,
            batch_size=50,
            generator=gen(7),
        )
    optimizer, criterion, theirs, order = (
        torch.optim.SGD(twin.parameters(), **hyper),
        nn.MSELoss(),
        [],
        gen(7),
    )
    for _ in range(5):
        total = 0.0
        for idx in fw.minibatches(200, 50, order):
            loss = criterion(twin(x[idx]), target[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        theirs.append(total / 200)
    assert ours[-1] < ours[0]
    assert max(abs(a - b) for a, b in zip(ours, theirs, strict=True)) < 1e-12


def test_course_network_learns_the_disk(one_thread):
    """2-25-25-25-2 under MSE + SGD reaches a low test error within a few seconds."""
    torch.set_grad_enabled(False)  # the course's training conditions
    try:
        g = gen(0)
        x, labels = fw.generate_disk_set(1000, g)
        x_test, labels_test = fw.generate_disk_set(1000, g)
        model = course_network(["relu", "relu", "relu", "tanh"], g=g, dtype=None)
        history = fw.train(
            model,
            fw.LossMSE(),
            fw.SGD(model.param(), lr=0.05, momentum=0.9),
            x,
            fw.one_hot(labels, 2),
            epochs=100,
            batch_size=50,
            generator=g,
        )
    finally:
        torch.set_grad_enabled(True)
    assert history[-1] < history[0] / 3
    assert fw.error_rate(model, x_test, labels_test) < 0.10
