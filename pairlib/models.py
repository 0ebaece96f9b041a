"""Every architecture of the five reports, composed from four parts instead of a zoo of copies.

- a **body**: an MLP, or a small ConvNet (optional batch norm, dropout and report 003's skip
  connections), turned into features;
- a **layout**: *merged* (one body reads the 2-channel pair and outputs the target directly)
  or *siamese* (one branch per digit, each ending in ``branch_out`` digit outputs, with the
  two branches *sharing* their weights or not);
- a **comparator** that turns the two digit outputs into the target: a learned MLP, or an
  engineered one without parameters (report 000's power-p normalisation, the exact
  probability P(d1 <= d2) from softmax outputs, or report 003's argmax compare);
- the **losses** live in :mod:`pairlib.losses`; models only return what they compute.

A :class:`ModelSpec` names an architecture completely, so it can key a results cache and
a row of a table. Every model returns a :class:`PairOutput`: target logits (one column for a
sigmoid head, two for a softmax head) and, for siamese models, the digit logits (N, 2, 10).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal, NamedTuple

import torch
from torch import nn

IMAGE_SIZE = 14
DIGITS = 10
#: Logit magnitude returned by the hard argmax comparator (sigmoid(20) = 1 - 2e-9).
HARD_LOGIT = 20.0
_EPS = 1e-7

Layout = Literal["merged", "siamese"]
Body = Literal["mlp", "conv"]
Comparator = Literal["learned", "power", "exact", "argmax"]
ComparatorInput = Literal["raw", "relu", "sigmoid"]


@dataclass(frozen=True)
class ModelSpec:
    """An architecture, completely. Frozen and made of plain values: it keys caches and tables.

    ``channels``/``kernels``/``pools``/``padding`` describe the conv blocks (conv k x k,
    then max-pool, ReLU, optional batch norm and dropout: the order of reports 003 and 004);
    ``hidden`` the fully connected layers after them (or of the MLP body). In a siamese model
    these describe one branch, which ends in ``branch_out`` outputs per digit.

    The remaining choices exist because the reports place the same layers differently:

    - ``norm_first``: batch norm before the ReLU (report 001's "Conv, BN, ReLU, Maxpool" and
      "Linear, BN, ReLU"), instead of after it (003, 004);
    - ``feature_pool``: a 1-D max-pool of that size over the features after each hidden layer
      (report 001's baseline: "Linear 392 -> 160, BN, ReLU, Maxpool(kernel_size=2)", then 80 -> 128);
    - ``dropout`` is the rate after each hidden layer; ``conv_dropout`` the rate after each conv
      block (``None``: the same as ``dropout``). Report 001 puts dropout only in the head,
      report 004 uses 0.2 after convolutions and 0.3 after linear layers;
    - ``head_input_norm``: batch norm on the flattened conv features (001's "BN, Linear(720 -> 100)");
      ``hidden_norm``: batch norm after hidden layers (``None``: as ``batch_norm``);
    - ``out_block``: the body's last linear layer is followed by ReLU, batch norm (when
      hidden layers have it) and dropout, as every network of report 004 ends;
    - ``comparator_input``: a nonlinearity on the digit outputs before a learned comparator;
      ``comparator_batch_norm``/``comparator_dropout``: on its hidden layers;
      ``comparator_out_relu``: a ReLU on its output logits (report 004's "Linear(20, 2), ReLu()").
    """

    layout: Layout = "siamese"
    body: Body = "conv"
    channels: tuple[int, ...] = (32, 64)
    kernels: tuple[int, ...] = (3, 3)
    pools: tuple[int, ...] = (2, 2)
    padding: int = 0
    hidden: tuple[int, ...] = (128,)
    batch_norm: bool = False
    dropout: float = 0.0
    skip: bool = False
    shared: bool = True
    branch_out: int = DIGITS
    comparator: Comparator = "learned"
    comparator_hidden: tuple[int, ...] = ()
    power: float = 6.0
    norm_first: bool = False
    feature_pool: int = 1
    conv_dropout: float | None = None
    head_input_norm: bool = False
    hidden_norm: bool | None = None
    out_block: bool = False
    comparator_input: ComparatorInput = "raw"
    comparator_batch_norm: bool = False
    comparator_dropout: float = 0.0
    comparator_out_relu: bool = False

    def __post_init__(self) -> None:
        check_spec(self)

    def replace(self, **changes: object) -> ModelSpec:
        """A copy with some fields changed (``dataclasses.replace``, validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def engineered(self) -> bool:
        """True when the comparator has no trainable parameters."""
        return self.layout == "siamese" and self.comparator != "learned"

    @property
    def conv_rate(self) -> float:
        """The dropout rate after conv blocks."""
        return self.dropout if self.conv_dropout is None else self.conv_dropout

    @property
    def hidden_batch_norm(self) -> bool:
        """Whether hidden (fully connected) layers have batch norm."""
        return self.batch_norm if self.hidden_norm is None else self.hidden_norm


def check_spec(spec: ModelSpec) -> None:
    """Raise a ValueError naming the field when a spec cannot be built."""
    allowed = {
        "layout": ("merged", "siamese"),
        "body": ("mlp", "conv"),
        "comparator": ("learned", "power", "exact", "argmax"),
        "comparator_input": ("raw", "relu", "sigmoid"),
    }
    for field, values in allowed.items():
        if getattr(spec, field) not in values:
            raise ValueError(f"ModelSpec.{field} must be one of {values}, got {getattr(spec, field)!r}")
    if spec.body == "conv":
        if not (len(spec.channels) == len(spec.kernels) == len(spec.pools)) or not spec.channels:
            raise ValueError("ModelSpec.channels, kernels and pools must be non-empty and of equal length")
        size = IMAGE_SIZE
        for kernel, pool in zip(spec.kernels, spec.pools, strict=True):
            size = (size + 2 * spec.padding - kernel + 1) // pool
            if size < 1:
                raise ValueError(
                    f"ModelSpec: conv blocks {spec.kernels}/{spec.pools} shrink a 14x14 image to nothing"
                )
    for name in ("dropout", "conv_rate", "comparator_dropout"):
        if not 0.0 <= getattr(spec, name) < 1.0:
            raise ValueError(f"ModelSpec.{name} must be in [0, 1), got {getattr(spec, name)}")
    if isinstance(spec.feature_pool, bool) or not isinstance(spec.feature_pool, int) or spec.feature_pool < 1:
        raise ValueError(f"ModelSpec.feature_pool must be a positive integer, got {spec.feature_pool!r}")
    if any(width % spec.feature_pool for width in spec.hidden):
        raise ValueError(
            f"ModelSpec.feature_pool={spec.feature_pool} must divide every hidden width {spec.hidden}"
        )
    if spec.head_input_norm and spec.body != "conv":
        raise ValueError("ModelSpec.head_input_norm normalises conv features: it needs body='conv'")
    if spec.layout == "merged" and spec.comparator != "learned":
        raise ValueError("a merged model has no digit outputs, so only comparator='learned' applies")
    if spec.engineered and spec.branch_out != DIGITS:
        raise ValueError(f"engineered comparators read {DIGITS} digit outputs per branch")
    if spec.comparator == "power" and spec.power <= 0:
        raise ValueError(f"ModelSpec.power must be positive, got {spec.power}")


class PairOutput(NamedTuple):
    """What every model returns."""

    target: torch.Tensor  # (N, 1) logit or (N, 2) logits for "first digit <= second"
    digits: torch.Tensor | None  # (N, 2, branch_out) digit logits; None for merged models


def mlp(
    in_features: int,
    hidden: tuple[int, ...],
    out_features: int,
    batch_norm: bool = False,
    dropout: float = 0.0,
    *,
    norm_first: bool = False,
    feature_pool: int = 1,
    input_norm: bool = False,
    out_relu: bool = False,
    out_norm: bool = False,
    out_dropout: float = 0.0,
) -> nn.Sequential:
    """Linear layers with ReLU between them; optional batch norm (before or after the ReLU),
    1-D feature max-pooling and dropout after each hidden layer, and an optional block after
    the output layer (ReLU, batch norm, dropout: report 004)."""
    layers: list[nn.Module] = [nn.Flatten()]
    if input_norm:
        layers.append(nn.BatchNorm1d(in_features))
    for width in hidden:
        layers.append(nn.Linear(in_features, width))
        norm = [nn.BatchNorm1d(width)] if batch_norm else []
        layers += [*norm, nn.ReLU()] if norm_first else [nn.ReLU(), *norm]
        if feature_pool > 1:
            layers.append(FeaturePool(feature_pool))
        if dropout:
            layers.append(nn.Dropout(dropout))
        in_features = width // feature_pool
    layers.append(nn.Linear(in_features, out_features))
    if out_relu:
        layers.append(nn.ReLU())
    if out_norm:
        layers.append(nn.BatchNorm1d(out_features))
    if out_dropout:
        layers.append(nn.Dropout(out_dropout))
    return nn.Sequential(*layers)


class FeaturePool(nn.Module):
    """Max over consecutive groups of ``size`` features: (N, F) -> (N, F / size), what
    ``nn.MaxPool1d(size)`` does to a flat feature vector (report 001's baseline)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.unflatten(1, (-1, self.size)).amax(dim=2)


class RowMajor(nn.Module):
    """Stores its input row-major (NCHW): a no-op unless the network runs channels_last.

    Placed right after the last convolution. The MLP head flattens in NCHW order, which
    copies a channels_last tensor; the ReLU before it would then meet a row-major gradient
    against its channels_last output in the backward pass, a strided loop 13x slower than a
    matching one on these shapes. Converting here makes everything after the last
    convolution row-major, forward and backward. The forward values are unchanged; the
    backward pass rounds differently, which training amplifies (chapter means moved by up
    to 0.7 points when it came in, well within their round-to-round spread).
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous()


class ConvNet(nn.Module):
    """Conv blocks, then an MLP. With ``skip``, report 003's skip connections: the flattened
    input, through a linear layer and a ReLU, is added to the output of each conv block."""

    def __init__(self, in_channels: int, spec: ModelSpec, out_features: int) -> None:
        super().__init__()
        self.blocks = nn.ModuleList()
        self.skips = nn.ModuleList()
        self.shapes: list[tuple[int, int, int]] = []
        size, channels = IMAGE_SIZE, in_channels
        last = len(spec.channels) - 1
        for i, (width, kernel, pool) in enumerate(zip(spec.channels, spec.kernels, spec.pools, strict=True)):
            layers: list[nn.Module] = [nn.Conv2d(channels, width, kernel, padding=spec.padding)]
            if i == last:
                layers.append(RowMajor())
            norm = [nn.BatchNorm2d(width)] if spec.batch_norm else []
            pooling = [nn.MaxPool2d(pool)] if pool > 1 else []
            # 003/004: conv, max-pool, ReLU, batch norm; 001 (norm_first): conv, batch norm, ReLU, max-pool
            layers += [*norm, nn.ReLU(), *pooling] if spec.norm_first else [*pooling, nn.ReLU(), *norm]
            if spec.conv_rate:
                layers.append(nn.Dropout(spec.conv_rate))
            self.blocks.append(nn.Sequential(*layers))
            size, channels = (size + 2 * spec.padding - kernel + 1) // pool, width
            self.shapes.append((channels, size, size))
            if spec.skip:
                self.skips.append(
                    nn.Sequential(
                        nn.Flatten(),
                        nn.Linear(in_channels * IMAGE_SIZE**2, channels * size * size),
                        nn.ReLU(),
                    )
                )
        self.head = head(channels * size * size, spec, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for i, block in enumerate(self.blocks):
            h = block(h)
            if self.skips:
                h = h + self.skips[i](x).view(-1, *self.shapes[i])
        return self.head(h)


def head(in_features: int, spec: ModelSpec, out_features: int) -> nn.Sequential:
    """The fully connected part of a body, as ``spec`` places its norms, pools and dropouts."""
    return mlp(
        in_features,
        spec.hidden,
        out_features,
        spec.hidden_batch_norm,
        spec.dropout,
        norm_first=spec.norm_first,
        feature_pool=spec.feature_pool,
        input_norm=spec.head_input_norm,
        out_relu=spec.out_block,
        out_norm=spec.out_block and spec.hidden_batch_norm,
        out_dropout=spec.dropout if spec.out_block else 0.0,
    )


def make_body(spec: ModelSpec, in_channels: int, out_features: int) -> nn.Module:
    """The feature extractor + head of one branch (in_channels=1) or of a merged model (2)."""
    if spec.body == "conv":
        return ConvNet(in_channels, spec, out_features)
    return head(in_channels * IMAGE_SIZE**2, spec, out_features)


# --- comparators: (N, 2, D) digit outputs -> (N, K) target logits ---------------------------


def probability_first_le_second(p1: torch.Tensor, p2: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """P(d1 <= d2) and P(d1 > d2) for independent digit distributions p1, p2 (N, 10).

    Both are computed as sums of products (no ``1 - q``), so the logit stays accurate when
    the answer is nearly certain.
    """
    le = torch.triu(torch.ones(DIGITS, DIGITS, dtype=p1.dtype, device=p1.device))
    joint = p1.unsqueeze(2) * p2.unsqueeze(1)  # joint[n, i, j] = p1(i) p2(j)
    q_le = (joint * le).sum(dim=(1, 2))
    q_gt = (joint * (1 - le)).sum(dim=(1, 2))
    return q_le, q_gt


def _logit(q_le: torch.Tensor, q_gt: torch.Tensor) -> torch.Tensor:
    return (q_le.clamp_min(_EPS).log() - q_gt.clamp_min(_EPS).log()).unsqueeze(1)


class LearnedComparator(nn.Module):
    """An MLP on the concatenated digit outputs (reports 000 Model A, 002, 003 siamese-2, 004),
    optionally after a nonlinearity on them (``spec.comparator_input``)."""

    def __init__(self, spec: ModelSpec, target_outputs: int) -> None:
        super().__init__()
        self.activation = {"raw": nn.Identity(), "relu": nn.ReLU(), "sigmoid": nn.Sigmoid()}[
            spec.comparator_input
        ]
        self.net = mlp(
            2 * spec.branch_out,
            spec.comparator_hidden,
            target_outputs,
            spec.comparator_batch_norm,
            spec.comparator_dropout,
            out_relu=spec.comparator_out_relu,
        )

    def forward(self, digits: torch.Tensor) -> torch.Tensor:
        return self.net(self.activation(digits))


def power_probabilities(digits: torch.Tensor, power: float) -> torch.Tensor:
    """Report 000's eq. V.1: P_i = normalise_j((o_i - min_j o_j)^p), over the last dimension."""
    shifted = (digits - digits.min(dim=-1, keepdim=True).values).pow(power) + _EPS
    return shifted / shifted.sum(dim=-1, keepdim=True)


class PowerComparator(nn.Module):
    """Report 000's Model B: P_i = normalise((o_i - min_j o_j)^p), then P(d1 <= d2)."""

    def __init__(self, power: float) -> None:
        super().__init__()
        self.power = power

    def forward(self, digits: torch.Tensor) -> torch.Tensor:
        p = power_probabilities(digits, self.power)
        return _logit(*probability_first_le_second(p[:, 0], p[:, 1]))


class ExactComparator(nn.Module):
    """P(d1 <= d2) = sum_{i <= j} p1(i) p2(j) with p = softmax(digit logits)."""

    def forward(self, digits: torch.Tensor) -> torch.Tensor:
        p = digits.softmax(dim=-1)
        return _logit(*probability_first_le_second(p[:, 0], p[:, 1]))


class ArgmaxComparator(nn.Module):
    """Report 003's siamese-10: compare the two predicted digits. No gradient flows through it,
    so models using it learn from the digit (auxiliary) loss alone."""

    def forward(self, digits: torch.Tensor) -> torch.Tensor:
        predicted = digits.argmax(dim=-1)
        le = (predicted[:, 0] <= predicted[:, 1]).to(digits.dtype)
        return ((2 * le - 1) * HARD_LOGIT).unsqueeze(1)


def make_comparator(spec: ModelSpec, target_outputs: int) -> nn.Module:
    if spec.comparator == "learned":
        return LearnedComparator(spec, target_outputs)
    if spec.comparator == "power":
        return PowerComparator(spec.power)
    if spec.comparator == "exact":
        return ExactComparator()
    return ArgmaxComparator()


# --- the two layouts -----------------------------------------------------------------------


class MergedNet(nn.Module):
    """One body on the 2-channel pair, straight to the target (002 FCNN1, 003 pair, 004 CNN)."""

    def __init__(self, spec: ModelSpec, target_outputs: int) -> None:
        super().__init__()
        self.body = make_body(spec, in_channels=2, out_features=target_outputs)

    def forward(self, pair: torch.Tensor) -> PairOutput:
        return PairOutput(self.body(pair), None)


class SiameseNet(nn.Module):
    """One branch per digit (shared or not), then a comparator on the two digit outputs."""

    def __init__(self, spec: ModelSpec, target_outputs: int) -> None:
        super().__init__()
        count = 1 if spec.shared else 2
        self.branches = nn.ModuleList(
            make_body(spec, in_channels=1, out_features=spec.branch_out) for _ in range(count)
        )
        self.comparator = make_comparator(spec, target_outputs)

    def forward(self, pair: torch.Tensor) -> PairOutput:
        n = pair.size(0)
        if len(self.branches) == 1:
            # Both digits in one batch through the shared branch: one call, twice the batch.
            images = pair.transpose(0, 1).reshape(2 * n, 1, IMAGE_SIZE, IMAGE_SIZE)
            digits = self.branches[0](images).view(2, n, -1).transpose(0, 1)
        else:
            digits = torch.stack(
                [branch(pair[:, i : i + 1]) for i, branch in enumerate(self.branches)], dim=1
            )
        return PairOutput(self.comparator(digits), digits)


class Ensemble(nn.Module):
    """Members trained from different initialisations; their probabilities are averaged."""

    def __init__(self, members: list[nn.Module]) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, pair: torch.Tensor) -> PairOutput:
        outs = [member(pair) for member in self.members]
        if outs[0].target.size(1) == 1:
            p = torch.stack([torch.sigmoid(o.target) for o in outs]).mean(0).clamp(_EPS, 1 - _EPS)
            target = p.log() - (-p).log1p()
        else:
            target = torch.stack([o.target.softmax(-1) for o in outs]).mean(0).clamp_min(_EPS).log()
        digits = None
        if outs[0].digits is not None:
            digits = torch.stack([o.digits.softmax(-1) for o in outs]).mean(0).clamp_min(_EPS).log()
        return PairOutput(target, digits)


def target_outputs_for(loss: str, spec: ModelSpec) -> int:
    """One logit for a sigmoid (BCE) head and for engineered comparators, else two (softmax)."""
    return 1 if loss == "bce" or spec.engineered else 2


def build_model(spec: ModelSpec, target_outputs: int = 2) -> nn.Module:
    """The network described by ``spec``, freshly initialised from torch's global RNG."""
    if spec.layout == "merged":
        return MergedNet(spec, target_outputs)
    return SiameseNet(spec, target_outputs)


def count_parameters(model_or_spec: nn.Module | ModelSpec, target_outputs: int = 2) -> int:
    """Trainable parameters of a model (or of the model a spec builds)."""
    model = (
        build_model(model_or_spec, target_outputs) if isinstance(model_or_spec, ModelSpec) else model_or_spec
    )
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def match_parameters(
    spec: ModelSpec,
    budget: int,
    field: str = "channels",
    widths: range = range(4, 257),
    target_outputs: int = 2,
) -> ModelSpec:
    """Scale ``spec``'s ``channels`` or ``hidden`` widths by one factor so that its parameter
    count comes closest to ``budget``: the way to compare architectures at equal size."""
    base = getattr(spec, field)
    best: tuple[int, ModelSpec] | None = None
    for first in widths:
        scaled = tuple(max(1, round(w * first / base[0])) for w in base)
        candidate = spec.replace(**{field: scaled})
        gap = abs(count_parameters(candidate, target_outputs) - budget)
        if best is None or gap < best[0]:
            best = (gap, candidate)
    assert best is not None
    return best[1]
