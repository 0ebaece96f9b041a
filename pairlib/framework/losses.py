"""Losses: ``forward(prediction, target)`` returns a 0-dim tensor (the batch mean, as torch's
default ``reduction="mean"``); ``backward()`` returns dLoss/dprediction, scaled by an optional
upstream gradient. They hold no parameters."""

from torch import empty

from .modules import Module, Tensor, _shape, float32_math


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
        log_p = z - float32_math(float32_math(z, "exp").sum(1, keepdim=True), "log")
        self._p = float32_math(log_p, "exp")
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
        softplus_of_minus_abs = float32_math(float32_math(-logits.abs(), "exp"), "log1p")
        loss = logits.clamp(min=0) - logits * target + softplus_of_minus_abs
        return loss.mean()

    def backward(self, grad: float | Tensor = 1.0) -> Tensor:
        if self._x is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        return (float32_math(self._x, "sigmoid") - self._t) * (grad / self._x.numel())


class LossDigits(Module):
    """The auxiliary loss: class cross-entropy on both digits of each pair.

    ``digits`` (N, 2, C) are the two branches' scores, ``classes`` (N, 2) the true digits;
    the loss is the mean over all 2N digits (the mean of the two digits' cross-entropies),
    as :func:`pairlib.losses.digit_loss`."""

    def __init__(self) -> None:
        self._ce = LossCrossEntropy()
        self._shape: tuple[int, ...] | None = None

    def forward(self, digits: Tensor, classes: Tensor) -> Tensor:
        if digits.dim() != 3 or _shape(classes) != _shape(digits)[:2]:
            raise ValueError(
                f"LossDigits: expects digits (N, 2, C) and classes (N, 2), "
                f"got {_shape(digits)} and {_shape(classes)}"
            )
        self._shape = _shape(digits)
        return self._ce.forward(digits.reshape(-1, digits.shape[-1]), classes.reshape(-1))

    def backward(self, grad: float | Tensor = 1.0) -> Tensor:
        if self._shape is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        return self._ce.backward(grad).view(self._shape)


class LossAuxiliary(Module):
    """``target_weight`` x the loss on the pair's target + ``aux_weight`` x :class:`LossDigits`.

    The auxiliary term gives each branch a direct signal about the digit it sees, beside the
    (weaker) signal about the comparison. ``forward(target_out, digits, target, classes)``;
    ``backward()`` returns the gradients (d/dtarget_out, d/ddigits), to be passed to the
    comparator head and to the branches. With ``target_weight=0`` (a comparator without
    parameters) ``target_out`` may be None and its gradient is None."""

    def __init__(
        self, target_loss: Module | None = None, target_weight: float = 1.0, aux_weight: float = 1.0
    ) -> None:
        if target_weight < 0 or aux_weight < 0 or target_weight == aux_weight == 0:
            raise ValueError(
                f"LossAuxiliary: weights must be >= 0, not both 0, got {target_weight}, {aux_weight}"
            )
        if target_weight and target_loss is None:
            raise ValueError("LossAuxiliary: a target_weight > 0 needs a target_loss")
        self.target_loss = target_loss if target_weight else None
        self.target_weight, self.aux_weight = target_weight, aux_weight
        self.digit_loss = LossDigits()

    def forward(self, target_out: Tensor | None, digits: Tensor, target: Tensor, classes: Tensor) -> Tensor:
        total = self.aux_weight * self.digit_loss.forward(digits, classes)
        if self.target_loss is not None:
            total = total + self.target_weight * self.target_loss.forward(target_out, target)
        return total

    def backward(self, grad: float | Tensor = 1.0) -> tuple[Tensor | None, Tensor]:
        g_digits = self.digit_loss.backward(grad * self.aux_weight)
        g_target = None if self.target_loss is None else self.target_loss.backward(grad * self.target_weight)
        return g_target, g_digits
