"""Minibatch training and evaluation loops, the only glue between modules, loss and optimizer."""

from torch import empty

from .modules import Module, Tensor
from .optim import Optimizer


def minibatches(n: int, batch_size: int, generator=None) -> list[Tensor]:
    """A fresh random order of range(n) cut into batches (the last may be shorter).

    The order is the argsort of n float64 uniforms (``randperm`` is not importable; float64
    makes ties practically impossible). Pass a caller-made torch.Generator to replay the same
    orders elsewhere, e.g. in a torch.nn twin of the model.
    """
    order = empty(n).double().uniform_(generator=generator).argsort()
    return list(order.split(batch_size))


def train(
    model: Module,
    loss: Module,
    optimizer: Optimizer,
    x: Tensor,
    y: Tensor,
    epochs: int,
    batch_size: int,
    generator=None,
    lr_schedule=None,
) -> list[float]:
    """Minibatch training; returns the mean training loss of each epoch (over its batches,
    weighted by batch size). ``lr_schedule(epoch) -> lr``, if given, sets the learning rate at
    the start of each epoch. The model is left in train mode."""
    model.train()
    n, history = x.shape[0], []
    for epoch in range(epochs):
        if lr_schedule is not None:
            optimizer.lr = lr_schedule(epoch)
        total = 0.0
        for idx in minibatches(n, batch_size, generator):
            value = loss.forward(model.forward(x[idx]), y[idx])
            optimizer.zero_grad()
            model.backward(loss.backward())
            optimizer.step()
            total += value * len(idx)
        history.append(float(total) / n)
    return history


def predict(model: Module, x: Tensor, threshold: float = 0.5) -> Tensor:
    """Class labels, in eval mode: argmax of the outputs, or output > threshold for a single
    output (0.5 for 0/1 regression targets under MSE, 0 for logits under LossBCE)."""
    was_training = model.training
    out = model.eval().forward(x)
    model.train(was_training)
    return (out[:, 0] > threshold).long() if out.shape[1] == 1 else out.argmax(1)


def error_rate(model: Module, x: Tensor, labels: Tensor, threshold: float = 0.5) -> float:
    """Fraction (0 to 1) of points whose predicted class differs from ``labels``."""
    return (predict(model, x, threshold) != labels).double().mean().item()
