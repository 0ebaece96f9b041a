"""Layers for images: convolution, max-pooling, flattening, batch norm, and weight sharing.

Same rules as :mod:`.modules`: from torch only ``empty``, every other operation a tensor
method, every backward pass written by hand. Images are (N, C, H, W), as in torch.nn.
"""

import math

from torch import empty

from .modules import INITS, Module, Tensor, _check_backward, _shape, float32_math


def _zeros(*shape: int, like: Tensor) -> Tensor:
    return empty(*shape, dtype=like.dtype, device=like.device).zero_()


class Conv2d(Module):
    """2-D convolution (cross-correlation, as torch.nn.Conv2d), weight (out, in, k, k), bias (out,).

    Forward lays every k x k patch out as a row ("im2col", with ``unfold``) and multiplies by
    the weight seen as an (out, in k k) matrix: one matmul, as a Linear layer. Backward is
    that Linear's backward, then the patch gradients are added back where the patches came
    from ("col2im"): k^2 strided slice additions, since overlapping patches share pixels.
    Init as :class:`.modules.Linear`, with fan-in in k^2 and fan-out out k^2.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        init: str = "he",
        *,
        dtype=None,
        device=None,
        generator=None,
    ) -> None:
        if init not in INITS:
            raise ValueError(f"Conv2d: unknown init {init!r}; choose one of {sorted(INITS)}")
        if kernel_size < 1 or stride < 1 or padding < 0:
            raise ValueError(
                f"Conv2d: need kernel_size, stride >= 1 and padding >= 0, "
                f"got {kernel_size}, {stride}, {padding}"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding, self.init = kernel_size, stride, padding, init
        k2 = kernel_size * kernel_size
        std = INITS[init](in_channels * k2, out_channels * k2)
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        weight = empty(*shape, dtype=dtype).normal_(0, std, generator=generator)
        self.weight = weight.to(device) if device is not None else weight
        self.bias = empty(out_channels, dtype=dtype, device=device).zero_()
        self.grad_weight = empty(*shape, dtype=dtype, device=device).zero_()
        self.grad_bias = empty(out_channels, dtype=dtype, device=device).zero_()
        self._x_shape: tuple[int, ...] | None = None
        self._cols: Tensor | None = None
        self._out_shape: tuple[int, ...] | None = None

    def output_size(self, size: int) -> int:
        """Height (or width) of the output for an input of that height (or width)."""
        return (size + 2 * self.padding - self.kernel_size) // self.stride + 1

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"{self!r} expects input of shape (N, {self.in_channels}, H, W), got {_shape(x)}"
            )
        n, _, h, w = x.shape
        ho, wo = self.output_size(h), self.output_size(w)
        if ho < 1 or wo < 1:
            raise ValueError(f"{self!r}: input {h}x{w} is smaller than the kernel")
        p, k, s = self.padding, self.kernel_size, self.stride
        if p:
            padded = _zeros(n, self.in_channels, h + 2 * p, w + 2 * p, like=x)
            padded[:, :, p : p + h, p : p + w] = x
            x = padded
        # (N, C, Ho, Wo, k, k) patches -> rows (N Ho Wo, C k k), ordered as the weight's columns
        cols = x.unfold(2, k, s).unfold(3, k, s).permute(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, -1)
        self._x_shape, self._cols, self._out_shape = (
            (n, self.in_channels, h, w),
            cols,
            (n, self.out_channels, ho, wo),
        )
        out = self.bias.addmm(cols, self.weight.view(self.out_channels, -1).t())
        return out.view(n, ho, wo, self.out_channels).permute(0, 3, 1, 2)

    def backward(self, grad: Tensor) -> Tensor:
        _check_backward(self, self._out_shape, grad)
        n, c, h, w = self._x_shape
        _, _, ho, wo = self._out_shape
        p, k, s = self.padding, self.kernel_size, self.stride
        g = grad.permute(0, 2, 3, 1).reshape(n * ho * wo, self.out_channels)
        self.grad_weight.view(self.out_channels, -1).addmm_(g.t(), self._cols)
        self.grad_bias.add_(g.sum(0))
        patches = g.matmul(self.weight.view(self.out_channels, -1)).view(n, ho, wo, c, k, k)
        patches = patches.permute(0, 3, 4, 5, 1, 2)  # (N, C, k, k, Ho, Wo)
        dx = _zeros(n, c, h + 2 * p, w + 2 * p, like=grad)
        for i in range(k):
            for j in range(k):
                dx[:, :, i : i + s * (ho - 1) + 1 : s, j : j + s * (wo - 1) + 1 : s] += patches[:, :, i, j]
        return dx[:, :, p : p + h, p : p + w] if p else dx

    def param(self) -> list[tuple[Tensor, Tensor]]:
        return [(self.weight, self.grad_weight), (self.bias, self.grad_bias)]

    def __repr__(self) -> str:
        return (
            f"Conv2d({self.in_channels}, {self.out_channels}, {self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding})"
        )


class MaxPool2d(Module):
    """Maximum over non-overlapping k x k windows (stride k; a remainder row or column is
    dropped, as torch.nn.MaxPool2d(k)). Backward routes each gradient to the window's
    maximum, the first one in row-major order on ties, as torch does on the CPU.

    The k^2 positions of the windows are k^2 strided views of the input, so the forward pass
    is k^2 - 1 elementwise maxima, with no copy of the input into windows and no index kept
    (copying into windows and then recording the winner's index made this layer the slowest
    of the digit-pair network). The backward pass finds each window's first maximum by
    comparing the views with the output.
    """

    def __init__(self, kernel_size: int = 2) -> None:
        if kernel_size < 1:
            raise ValueError(f"MaxPool2d: kernel_size must be >= 1, got {kernel_size}")
        self.kernel_size = kernel_size
        self._x: Tensor | None = None
        self._out: Tensor | None = None

    def _views(self, t: Tensor, ho: int, wo: int) -> list[Tensor]:
        """Position (i, j) of every window, for the k^2 positions in row-major order."""
        k = self.kernel_size
        return [t[:, :, i : ho * k : k, j : wo * k : k] for i in range(k) for j in range(k)]

    def forward(self, x: Tensor) -> Tensor:
        k = self.kernel_size
        if x.dim() != 4 or x.shape[2] < k or x.shape[3] < k:
            raise ValueError(f"{self!r} expects (N, C, H, W) with H, W >= {k}, got {_shape(x)}")
        views = self._views(x, x.shape[2] // k, x.shape[3] // k)
        out = views[0]
        for view in views[1:]:
            out = out.maximum(view)
        self._x, self._out = x, out if k > 1 else out.clone()
        return self._out

    def backward(self, grad: Tensor) -> Tensor:
        _check_backward(self, None if self._out is None else _shape(self._out), grad)
        n, c, h, w = self._x.shape
        _, _, ho, wo = self._out.shape
        dx = _zeros(n, c, h, w, like=grad)
        taken = None  # windows whose maximum has already received its gradient
        for view, target in zip(self._views(self._x, ho, wo), self._views(dx, ho, wo), strict=True):
            hit = view == self._out
            if taken is not None:
                hit, taken = hit & ~taken, taken | hit
            else:
                taken = hit
            target.copy_(grad * hit)
        return dx

    def __repr__(self) -> str:
        return f"MaxPool2d({self.kernel_size})"


class Flatten(Module):
    """(N, ...) -> (N, features), in row-major order (as torch.nn.Flatten on NCHW)."""

    def __init__(self) -> None:
        self._x_shape: tuple[int, ...] | None = None

    def forward(self, x: Tensor) -> Tensor:
        self._x_shape = _shape(x)
        return x.reshape(x.shape[0], -1)

    def backward(self, grad: Tensor) -> Tensor:
        expected = None if self._x_shape is None else (self._x_shape[0], math.prod(self._x_shape[1:]))
        _check_backward(self, expected, grad)
        return grad.reshape(self._x_shape)


class BatchNorm(Module):
    """Batch normalisation (Ioffe & Szegedy, 2015) of (N, C) or (N, C, H, W) inputs, per channel.

    Training: normalise by the batch's mean and biased variance, then scale by ``weight``
    and shift by ``bias``; update running estimates (``momentum`` 0.1, unbiased variance), as
    torch.nn.BatchNorm1d/2d. Eval: normalise by the running estimates instead, so a
    prediction does not depend on the rest of its batch. Backward in training mode goes
    through the batch statistics too: each input moves every output of its channel.
    """

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, *, dtype=None, device=None
    ) -> None:
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = empty(num_features, dtype=dtype, device=device).fill_(1.0)
        self.bias = empty(num_features, dtype=dtype, device=device).zero_()
        self.grad_weight = empty(num_features, dtype=dtype, device=device).zero_()
        self.grad_bias = empty(num_features, dtype=dtype, device=device).zero_()
        self.running_mean = empty(num_features, dtype=dtype, device=device).zero_()
        self.running_var = empty(num_features, dtype=dtype, device=device).fill_(1.0)
        self._xhat: Tensor | None = None
        self._inv_std: Tensor | None = None

    def _layout(self, x: Tensor) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The dimensions reduced over, and the shape that broadcasts a per-channel vector."""
        if x.dim() not in (2, 4) or x.shape[1] != self.num_features:
            raise ValueError(
                f"{self!r} expects (N, {self.num_features}) or (N, {self.num_features}, H, W), "
                f"got {_shape(x)}"
            )
        if x.dim() == 2:
            return (0,), (1, self.num_features)
        return (0, 2, 3), (1, self.num_features, 1, 1)

    def forward(self, x: Tensor) -> Tensor:
        dims, view = self._layout(x)
        if self.training:
            count = x.numel() // self.num_features
            if count < 2:
                raise ValueError(f"{self!r}: training needs more than one value per channel, got {_shape(x)}")
            mean = x.mean(dims, keepdim=True)
            var = (x - mean).pow(2).mean(dims, keepdim=True)
            m = self.momentum
            self.running_mean.mul_(1 - m).add_(mean.view(-1), alpha=m)
            self.running_var.mul_(1 - m).add_(var.view(-1), alpha=m * count / (count - 1))
        else:
            mean, var = self.running_mean.view(view), self.running_var.view(view)
        self._inv_std = float32_math(var + self.eps, "rsqrt")
        self._xhat = (x - mean) * self._inv_std
        self._dims, self._view, self._batch_stats = dims, view, self.training
        return self._xhat * self.weight.view(view) + self.bias.view(view)

    def backward(self, grad: Tensor) -> Tensor:
        _check_backward(self, None if self._xhat is None else _shape(self._xhat), grad)
        dims, view, xhat = self._dims, self._view, self._xhat
        sum_g = grad.sum(dims, keepdim=True)
        sum_gx = (grad * xhat).sum(dims, keepdim=True)
        self.grad_weight.add_(sum_gx.view(-1))
        self.grad_bias.add_(sum_g.view(-1))
        scale = self.weight.view(view) * self._inv_std
        if not self._batch_stats:  # running statistics are constants
            return grad * scale
        count = grad.numel() // self.num_features
        return (grad - sum_g / count - xhat * (sum_gx / count)) * scale

    def param(self) -> list[tuple[Tensor, Tensor]]:
        return [(self.weight, self.grad_weight), (self.bias, self.grad_bias)]

    def buffers(self) -> list[Tensor]:
        """The running statistics: state that is not trained but must be saved with the weights."""
        return [self.running_mean, self.running_var]

    def __repr__(self) -> str:
        return f"BatchNorm({self.num_features})"


class Siamese(Module):
    """Weight sharing: one ``branch`` applied to both images of each pair.

    Input (N, 2, ...): pair n holds two images; output (N, 2, D): the branch's D outputs for
    each. The two images go through the branch as one batch of 2N single-channel images
    (first images, then second images), so the branch holds one set of parameters and
    its backward pass *adds* the parameter gradients of both uses (of every image, in fact:
    a weight gradient is a sum over the batch). One batch rather than two calls also makes a
    batch norm inside the branch see both images' statistics, as torch.nn does with a
    shared branch. Backward returns the gradient with respect to both images.
    """

    def __init__(self, branch: Module) -> None:
        self.branch = branch
        self._in_shape: tuple[int, ...] | None = None
        self._out_shape: tuple[int, ...] | None = None

    def forward(self, pair: Tensor) -> Tensor:
        if pair.dim() < 3 or pair.shape[1] != 2:
            raise ValueError(f"{self!r} expects pairs of shape (N, 2, ...), got {_shape(pair)}")
        n = pair.shape[0]
        images = pair.transpose(0, 1).reshape(2 * n, 1, *pair.shape[2:])
        out = self.branch.forward(images)
        self._in_shape = _shape(pair)
        self._out_shape = (n, 2, *out.shape[1:])
        return out.view(2, n, *out.shape[1:]).transpose(0, 1)

    def backward(self, grad: Tensor) -> Tensor:
        _check_backward(self, self._out_shape, grad)
        n = grad.shape[0]
        images = self.branch.backward(grad.transpose(0, 1).reshape(2 * n, *grad.shape[2:]))
        return images.reshape(2, n, *self._in_shape[2:]).transpose(0, 1)

    def param(self) -> list[tuple[Tensor, Tensor]]:
        return self.branch.param()

    def train(self, mode: bool = True) -> "Siamese":
        self.training = mode
        self.branch.train(mode)
        return self

    def __repr__(self) -> str:
        return f"Siamese({self.branch!r})"


def compare_digits(digits: Tensor) -> Tensor:
    """Report 003's siamese-10 comparator: 1 where the first predicted digit is <= the second.

    ``digits`` (N, 2, 10) are digit scores; the comparison has no gradient, so such a model
    learns from the digit loss alone."""
    predicted = digits.argmax(-1)
    return (predicted[:, 0] <= predicted[:, 1]).long()
