"""Layers: each ``forward`` caches what its ``backward`` needs, ``backward`` applies the chain rule.

Course rule: from torch we import ``empty`` only; everything else is a method of a tensor.
Elementwise functions go through :func:`pairlib.numerics.float32_math`, which computes them
in float64 in the portable numerics mode (the same bits on every processor).
No tensor made here requires grad, so autograd never records anything even if it is on;
the course still asks callers to train under ``torch.set_grad_enabled(False)``.
"""

from torch import empty

from pairlib.numerics import float32_math

Tensor = type(empty(0))  # torch.Tensor, for type hints, without importing anything but empty

INITS = {
    "xavier": lambda fan_in, fan_out: (2.0 / (fan_in + fan_out)) ** 0.5,
    "he": lambda fan_in, fan_out: (2.0 / fan_in) ** 0.5,
}


def _shape(t: Tensor) -> tuple[int, ...]:
    return tuple(t.shape)


def _check_backward(module: "Module", expected: tuple[int, ...] | None, grad: Tensor) -> None:
    """Fail loudly rather than broadcast a wrong gradient into silently wrong parameters."""
    if expected is None:
        raise RuntimeError(f"{module!r}: backward() called before forward()")
    if _shape(grad) != expected:
        raise ValueError(
            f"{module!r}: backward() got a gradient of shape {_shape(grad)}, "
            f"expected {expected} (the shape of its last output)"
        )


class Module:
    """The course's interface.

    ``backward(dL/doutput)`` returns dL/dinput and *adds* dL/dparameter into the gradient
    tensors listed by ``param()``, so two backward passes accumulate as autograd's do and
    ``zero_grad()`` is needed between steps.
    """

    training: bool = True

    def forward(self, *input: Tensor) -> Tensor:
        raise NotImplementedError

    def backward(self, *gradwrtoutput: Tensor) -> Tensor:
        raise NotImplementedError

    def param(self) -> list[tuple[Tensor, Tensor]]:
        """(parameter, gradient) pairs; optimizers update the former in place from the latter."""
        return []

    def zero_grad(self) -> None:
        for _, grad in self.param():
            grad.zero_()

    def train(self, mode: bool = True) -> "Module":
        self.training = mode
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def __call__(self, *input: Tensor) -> Tensor:
        return self.forward(*input)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Module):
    """y = x W^T + b with W of shape (out, in), the layout of torch.nn.Linear (weights copy over).

    Weights are N(0, std^2), biases 0. ``init`` sets std so that activations neither vanish
    nor explode through depth: "xavier" (Glorot & Bengio, 2010), std = sqrt(2 / (in + out)),
    keeps forward and backward variances balanced for odd activations of slope 1 at 0 such
    as Tanh; "he" (He et al., 2015), std = sqrt(2 / in), doubles the variance to make up for
    ReLU zeroing half of its inputs. ``generator`` (a torch.Generator made by the caller)
    makes the draw reproducible; without it the global RNG is used.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init: str = "xavier",
        *,
        dtype=None,
        device=None,
        generator=None,
    ) -> None:
        if init not in INITS:
            raise ValueError(f"Linear: unknown init {init!r}; choose one of {sorted(INITS)}")
        self.in_features, self.out_features, self.init = in_features, out_features, init
        std = INITS[init](in_features, out_features)
        weight = empty(out_features, in_features, dtype=dtype).normal_(0, std, generator=generator)
        self.weight = weight.to(device) if device is not None else weight
        self.bias = empty(out_features, dtype=dtype, device=device).zero_()
        self.grad_weight = empty(out_features, in_features, dtype=dtype, device=device).zero_()
        self.grad_bias = empty(out_features, dtype=dtype, device=device).zero_()
        self._x: Tensor | None = None

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.in_features:
            expected = f"(N, {self.in_features})"
            raise ValueError(f"{self!r} expects input of shape {expected}, got {_shape(x)}")
        self._x = x
        return self.bias.addmm(x, self.weight.t())  # one fused call, as torch.nn.Linear

    def backward(self, grad: Tensor) -> Tensor:
        x = self._x
        _check_backward(self, None if x is None else (x.shape[0], self.out_features), grad)
        self.grad_weight.addmm_(grad.t(), x)
        self.grad_bias.add_(grad.sum(0))
        return grad.matmul(self.weight)

    def param(self) -> list[tuple[Tensor, Tensor]]:
        return [(self.weight, self.grad_weight), (self.bias, self.grad_bias)]

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features}, init={self.init!r})"


class _Elementwise(Module):
    """y = f(x) elementwise; backward multiplies by f'(x), written from the cached x and y."""

    def __init__(self) -> None:
        self._x: Tensor | None = None
        self._y: Tensor | None = None

    def forward(self, x: Tensor) -> Tensor:
        self._x, self._y = x, self.f(x)
        return self._y

    def backward(self, grad: Tensor) -> Tensor:
        _check_backward(self, None if self._x is None else _shape(self._x), grad)
        return grad * self.df(self._x, self._y)


class ReLU(_Elementwise):
    def f(self, x: Tensor) -> Tensor:
        return x.clamp(min=0)

    def df(self, x: Tensor, y: Tensor) -> Tensor:
        return x > 0  # a bool mask (0 at x = 0, as autograd); multiplying promotes it


class Tanh(_Elementwise):
    def f(self, x: Tensor) -> Tensor:
        return float32_math(x, "tanh")

    def df(self, x: Tensor, y: Tensor) -> Tensor:
        return 1 - y * y


class Sigmoid(_Elementwise):
    def f(self, x: Tensor) -> Tensor:
        return float32_math(x, "sigmoid")

    def df(self, x: Tensor, y: Tensor) -> Tensor:
        return y * (1 - y)


class Dropout(Module):
    """Zeroes each unit with probability p while training and scales survivors by 1/(1-p)
    ("inverted" dropout, as torch.nn.Dropout) so that eval mode, the identity, sees the same
    expected activation. Backward lets gradient through the same mask."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = p
        self._shape: tuple[int, ...] | None = None
        self._mask: Tensor | None = None  # None: identity (eval mode or p = 0)

    def forward(self, x: Tensor) -> Tensor:
        self._shape, self._mask = _shape(x), None
        if not self.training or self.p == 0:
            return x
        mask = empty(x.shape, dtype=x.dtype, device=x.device)
        if self.p == 1:
            self._mask = mask.zero_()
        else:
            self._mask = mask.bernoulli_(1 - self.p).div_(1 - self.p)
        return x * self._mask

    def backward(self, grad: Tensor) -> Tensor:
        _check_backward(self, self._shape, grad)
        return grad if self._mask is None else grad * self._mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class Sequential(Module):
    """Chains modules: forward in order, backward in reverse; parameters are concatenated."""

    def __init__(self, *modules: Module) -> None:
        self.modules = list(modules)

    def forward(self, x: Tensor) -> Tensor:
        for module in self.modules:
            x = module.forward(x)
        return x

    def backward(self, grad: Tensor) -> Tensor:
        for module in reversed(self.modules):
            grad = module.backward(grad)
        return grad

    def param(self) -> list[tuple[Tensor, Tensor]]:
        return [pair for module in self.modules for pair in module.param()]

    def train(self, mode: bool = True) -> "Sequential":
        self.training = mode
        for module in self.modules:
            module.train(mode)
        return self

    def __getitem__(self, i: int) -> Module:
        return self.modules[i]

    def __len__(self) -> int:
        return len(self.modules)

    def __repr__(self) -> str:
        """One module per line, nested ones indented, as torch prints a model."""
        if not self.modules:
            return "Sequential()"
        lines = ",\n".join(map(repr, self.modules)).splitlines()
        return "Sequential(\n" + "".join(f"  {line}\n" for line in lines) + ")"


ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "none": None}


def mlp(sizes: list[int], activations: list[str], *, dtype=None, device=None, generator=None) -> Sequential:
    """Linear layers of the given sizes, each followed by its activation ("none": no layer).

    Each Linear gets the init suited to what follows it: He before ReLU, Xavier otherwise.
    ``mlp([2, 25, 25, 25, 2], ["relu", "relu", "relu", "tanh"])`` is the course network.
    """
    if len(activations) != len(sizes) - 1:
        raise ValueError(f"mlp: {len(sizes) - 1} layers need as many activations")
    layers: list[Module] = []
    for d_in, d_out, act in zip(sizes[:-1], sizes[1:], activations, strict=True):
        if act not in ACTIVATIONS:
            raise ValueError(f"mlp: unknown activation {act!r}; choose one of {list(ACTIVATIONS)}")
        init = "he" if act == "relu" else "xavier"
        layers.append(Linear(d_in, d_out, init, dtype=dtype, device=device, generator=generator))
        if ACTIVATIONS[act] is not None:
            layers.append(ACTIVATIONS[act]())
    return Sequential(*layers)
