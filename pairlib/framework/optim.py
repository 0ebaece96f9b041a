"""Optimizers over a ``param()`` list, with torch.optim's update rules written out step for
step (same operations in the same order), so the two agree to the last bit on equal gradients.
Weight decay is the coupled L2 kind of torch.optim.SGD/Adam: it adds wd * p to the gradient."""

from torch import empty

from .modules import Tensor, float32_math


def _zeros_like(t: Tensor) -> Tensor:
    return empty(t.shape, dtype=t.dtype, device=t.device).zero_()


class Optimizer:
    def __init__(self, params: list[tuple[Tensor, Tensor]], lr: float) -> None:
        if lr < 0:
            raise ValueError(f"{type(self).__name__}: learning rate must be >= 0, got {lr}")
        self.params, self.lr = list(params), lr

    def zero_grad(self) -> None:
        for _, grad in self.params:
            grad.zero_()

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """g = grad + wd * p; with momentum m, buf = m * buf + g (buf = g at the first step) and
    g = buf; then p -= lr * g. This is torch.optim.SGD with dampening 0, no Nesterov."""

    def __init__(
        self,
        params: list[tuple[Tensor, Tensor]],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay
        self.buffers: list[Tensor | None] = [None] * len(self.params)

    def step(self) -> None:
        for i, (p, grad) in enumerate(self.params):
            if self.weight_decay != 0:
                grad = grad.add(p, alpha=self.weight_decay)
            if self.momentum != 0:
                buf = self.buffers[i]
                if buf is None:
                    buf = self.buffers[i] = grad.clone()
                else:
                    buf.mul_(self.momentum).add_(grad)
                grad = buf
            p.add_(grad, alpha=-self.lr)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) as torch.optim.Adam: moving averages m and v of the gradient
    and its square, bias-corrected by 1 - beta^t because they start at zero; the step is
    lr * m_hat / (sqrt(v_hat) + eps), about lr per coordinate whatever the gradient's scale."""

    def __init__(
        self,
        params: list[tuple[Tensor, Tensor]],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.m = [_zeros_like(p) for p, _ in self.params]
        self.v = [_zeros_like(p) for p, _ in self.params]
        self.t = 0

    def step(self) -> None:
        beta1, beta2 = self.betas
        self.t += 1
        step_size = self.lr / (1 - beta1**self.t)
        bias_correction2_sqrt = (1 - beta2**self.t) ** 0.5
        for (p, grad), m, v in zip(self.params, self.m, self.v, strict=True):
            if self.weight_decay != 0:
                grad = grad.add(p, alpha=self.weight_decay)
            m.lerp_(grad, 1 - beta1)
            v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = (float32_math(v, "sqrt") / bias_correction2_sqrt).add_(self.eps)
            p.addcdiv_(m, denom, value=-step_size)
