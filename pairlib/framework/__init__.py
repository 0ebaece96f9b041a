"""A mini deep-learning framework, EE-559's second exercise.

Rules kept from the course: the only import from torch is ``empty`` (plus the standard
library's ``math``), no torch.nn, no autograd. Modules follow the course interface:
``forward(*input)``, ``backward(*gradwrtoutput)`` returning the gradient w.r.t. the input and
accumulating parameter gradients, ``param()`` listing (parameter, gradient) pairs.
"""

from .disk import RADIUS, disk_labels, generate_disk_set
from .layers import BatchNorm, Conv2d, Flatten, MaxPool2d, Siamese, compare_digits
from .losses import LossAuxiliary, LossBCE, LossCrossEntropy, LossDigits, LossMSE, one_hot
from .modules import Dropout, Linear, Module, ReLU, Sequential, Sigmoid, Tanh, Tensor, mlp
from .optim import SGD, Adam, Optimizer
from .training import error_rate, minibatches, predict, train

__all__ = [
    "RADIUS",
    "SGD",
    "Adam",
    "BatchNorm",
    "Conv2d",
    "Dropout",
    "Flatten",
    "Linear",
    "LossAuxiliary",
    "LossBCE",
    "LossCrossEntropy",
    "LossDigits",
    "LossMSE",
    "MaxPool2d",
    "Module",
    "Optimizer",
    "ReLU",
    "Sequential",
    "Siamese",
    "Sigmoid",
    "Tanh",
    "Tensor",
    "compare_digits",
    "disk_labels",
    "error_rate",
    "generate_disk_set",
    "minibatches",
    "mlp",
    "one_hot",
    "predict",
    "train",
]
