"""Losses: ``forward(prediction, target)`` returns a 0-dim tensor (the batch mean, as torch's
default ``reduction="mean"``); ``backward()`` returns dLoss/dprediction, scaled by an optional
upstream gradient. They hold no parameters."""

from torch import empty

from .modules import Module, Tensor, _shape


def one_hot(labels: Tensor, n_classes: int, dtype=None) -> Tensor:
    """(N,) integer labels -> (N, n_classes) rows of 0 with a 1 at the label."""
    out = empty(labels.shape[0], n_classes, dtype=dtype, device=labels.device).zero_()
    return out.scatter_(1, labels.view(-1, 1), 1)


class LossMSE(Module):
    """mean((prediction - target)^2) over all elements, as torch.nn.MSELoss()."""

    def __init__(self) -> None:
        self._diff: Tensor | None = None

    def forward(self, prediction: Tensor, target: Tensor) -> Tensor:
        if prediction.shape != target.shape:
            raise ValueError(f"LossMSE: prediction {_shape(prediction)} and target {_shape(target)} differ")
        self._diff = prediction - target
        return self._diff.pow(2).mean()

    def backward(self, grad: float | Tensor = 1.0) -> Tensor:
        if self._diff is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        return self._diff * (2.0 / self._diff.numel()) * grad


class LossCrossEntropy(Module):
    """Softmax then negative log-likelihood of integer labels, batch mean, as
    torch.nn.CrossEntropyLoss(). Subtracting each row's max before ``exp`` keeps it from
    overflowing (log-softmax is unchanged by the shift); the gradient is (softmax - onehot)/N."""

    def __init__(self) -> None:
        self._p: Tensor | None = None
        self._onehot: Tensor | None = None

    def forward(self, logits: Tensor, labels: Tensor) -> Tensor:
        if logits.dim() != 2 or _shape(labels) != (logits.shape[0],):
            raise ValueError(
                f"LossCrossEntropy: expects logits (N, C) and labels (N,), "
                f"got {_shape(logits)} and {_shape(labels)}"
            )
        z = logits - logits.max(1, keepdim=True).values
        log_p = z - z.exp().sum(1, keepdim=True).log()
        self._p = log_p.exp()
        self._onehot = one_hot(labels, logits.shape[1], dtype=logits.dtype)
        return -(log_p * self._onehot).sum() / logits.shape[0]

    def backward(self, grad: float | Tensor = 1.0) -> Tensor:
        if self._p is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        return (self._p - self._onehot) * (grad / self._p.shape[0])


class LossBCE(Module):
    """Binary cross-entropy on *logits* x with targets t in [0, 1], batch mean, as
    torch.nn.BCEWithLogitsLoss(): log(sigmoid(x)) loses everything once sigmoid rounds to 0
    or 1, while max(x, 0) - x t + log(1 + exp(-|x|)) is the same quantity and always finite.
    The gradient is (sigmoid(x) - t)/N. Predict class 1 when x > 0."""

    def __init__(self) -> None:
        self._x: Tensor | None = None
        self._t: Tensor | None = None

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        if logits.shape != target.shape:
            raise ValueError(f"LossBCE: logits {_shape(logits)} and target {_shape(target)} differ")
        self._x, self._t = logits, target
        loss = logits.clamp(min=0) - logits * target + (-logits.abs()).exp().log1p()
        return loss.mean()

    def backward(self, grad: float | Tensor = 1.0) -> Tensor:
        if self._x is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        return (self._x.sigmoid() - self._t) * (grad / self._x.numel())
