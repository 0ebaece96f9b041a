"""A mini deep-learning framework, EE-559's second exercise.

Rules kept from the course: the only import from torch is ``empty`` (plus the standard
library's ``math``), no torch.nn, no autograd. Modules follow the course interface:
``forward(*input)``, ``backward(*gradwrtoutput)`` returning the gradient w.r.t. the input and
accumulating parameter gradients, ``param()`` listing (parameter, gradient) pairs.
"""

from .disk import RADIUS, disk_labels, generate_disk_set
from .losses import LossBCE, LossCrossEntropy, LossMSE, one_hot
from .modules import Dropout, Linear, Module, ReLU, Sequential, Sigmoid, Tanh, Tensor, mlp
from .optim import SGD, Adam, Optimizer
from .training import error_rate, minibatches, predict, train

__all__ = [
    "RADIUS",
    "SGD",
    "Adam",
    "Dropout",
    "Linear",
    "LossBCE",
    "LossCrossEntropy",
    "LossMSE",
    "Module",
    "Optimizer",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "Tensor",
    "disk_labels",
    "error_rate",
    "generate_disk_set",
    "minibatches",
    "mlp",
    "one_hot",
    "predict",
    "train",
]
