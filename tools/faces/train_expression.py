"""Train the project's own facial-expression classifier and export it to ONNX.

The product classifies faces with onnxruntime only; torch is imported here and nowhere else, so it is a
training-time dependency. The exported model takes a square grayscale face crop in [-1, 1] (the crop the
product's face backend takes: largest YuNet face, square side ``CROP_SCALE`` x max(w, h), border-replicated)
and returns class probabilities with the fitted temperature folded in.

Two sources are mixed in every batch:

- FER2013 (48x48 grayscale, web images, research use): many images, but a different domain from the
  product's photos.
- muxspace/facial_expressions (real photos, YuNet crops with a 1.25x box at 96x96): the product's domain,
  but heavily imbalanced (HAPPY and CALM ~1000 each, other classes 10-170).

Classes are balanced *within* each source: balancing only overall teaches "real photo means HAPPY or
CALM", because only those classes are common among the real photos.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

logger = logging.getLogger(__name__)

# Output order of the model (Rekognition's names; FER2013's "neutral" is CALM). CONFUSED has no data.
CLASSES: tuple[str, ...] = ("ANGRY", "DISGUSTED", "FEAR", "HAPPY", "SAD", "SURPRISED", "CALM")
# The product's crop: square side CROP_SCALE x max(w, h) of the YuNet box, centred on the box.
CROP_SCALE = 1.2
# The muxspace crops were taken with a 1.25x box, so the product's crop is their central 1.2/1.25 part.
MUXSPACE_BOX_SCALE = 1.25
# Measured by running YuNet on upscaled FER2013 images: the face box is ~0.97 of the image side and its
# centre sits ~2% below the image centre. The product's 1.2x crop would thus be ~1.17 image sides; FER2013's
# own framing is 1.0. We centre the zoom augmentation between the two (1.1) so both framings are seen
# without padding most FER2013 images with replicated borders.
FER_CROP_SIDE = 1.1
FER_CROP_CENTRE_Y = 0.51


@dataclass(frozen=True)
class Source:
    """Images of one domain with the geometry of the product's crop inside them.

    ``crop_side`` and ``centre`` are relative to the image side, so one affine warp takes any image to a
    crop that matches the product's.
    """

    name: str
    images: np.ndarray  # (N, H, W) uint8, square
    labels: np.ndarray  # (N,) int64 indices into CLASSES
    crop_side: float
    centre: tuple[float, float]

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, mask: np.ndarray) -> Source:
        return Source(self.name, self.images[mask], self.labels[mask], self.crop_side, self.centre)


@dataclass(frozen=True)
class Data:
    """Training sources and the held-out validation sources (temperature fitting and monitoring)."""

    train: tuple[Source, ...]
    validation: tuple[Source, ...]


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a run; the same config and seed give the same weights."""

    epochs: int = 30
    images_per_epoch: int = 36_000
    batch_size: int = 128
    lr: float = 0.1
    weight_decay: float = 5e-4
    label_smoothing: float = 0.1
    # Share of every batch drawn from the real photos (class-balanced within them).
    real_fraction: float = 0.3
    # Share of the real photos (whole identities) held out for temperature fitting and monitoring.
    real_holdout: float = 0.15
    input_size: int = 48
    seed: int = 0
    threads: int = 2
    # Keep only this many images per class and source (smoke tests); None keeps everything.
    limit: int | None = None


@dataclass
class Metrics:
    top1: float
    macro_recall: float
    recall: dict[str, float]


def _remap_labels(labels: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Map a file's label indices to CLASSES order, so the files' own class order does not matter."""
    lookup = np.array([CLASSES.index(str(n)) for n in names], dtype=np.int64)
    return lookup[labels.astype(np.int64)]


def _identity(file_name: str) -> str:
    """Person of a muxspace photo ("Serena_Williams_0010.jpg" -> "Serena_Williams"), for a leak-free split."""
    return re.sub(r"_?\d*$", "", Path(file_name).stem)


def _limit(source: Source, per_class: int | None, rng: np.random.Generator) -> Source:
    if per_class is None:
        return source
    keep = np.zeros(len(source), dtype=bool)
    for c in range(len(CLASSES)):
        idx = np.flatnonzero(source.labels == c)
        keep[rng.permutation(idx)[:per_class]] = True
    return source.subset(keep)


def _holdout_identities(names: np.ndarray, labels: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Mask of a held-out slice: whole identities, filled greedily so each class gets about ``share``.

    Whole identities, because the same person's photos in both halves would flatter the held-out figures.
    """
    identities = np.array([_identity(str(n)) for n in names])
    wanted = {c: math.ceil(share * int((labels == c).sum())) for c in range(len(CLASSES))}
    taken = dict.fromkeys(wanted, 0)
    held = np.zeros(len(labels), dtype=bool)
    for person in rng.permutation(np.unique(identities)):
        members = identities == person
        counts = np.bincount(labels[members], minlength=len(CLASSES))
        if all(taken[c] + counts[c] <= wanted[c] for c in wanted if counts[c]):
            held |= members
            for c in wanted:
                taken[c] += int(counts[c])
    return held


def load_data(fer_path: Path, real_path: Path, config: TrainConfig) -> Data:
    """Load FER2013 (train+test to train, validation held out) and the real photos (split by identity)."""
    rng = np.random.default_rng(config.seed)
    with np.load(fer_path) as fer:
        fer_labels = _remap_labels(fer["y"], fer["classes"])
        fer_all = Source("fer2013", fer["x"], fer_labels, FER_CROP_SIDE, (0.5, FER_CROP_CENTRE_Y))
        is_validation = fer["split"] == "validation"
    with np.load(real_path) as real:
        real_labels = _remap_labels(real["y"], real["classes"])
        real_all = Source("muxspace", real["x"], real_labels, CROP_SCALE / MUXSPACE_BOX_SCALE, (0.5, 0.5))
        real_held = _holdout_identities(real["name"], real_labels, config.real_holdout, rng)
    train = (
        _limit(fer_all.subset(~is_validation), config.limit, rng),
        _limit(real_all.subset(~real_held), config.limit, rng),
    )
    validation = (
        _limit(fer_all.subset(is_validation), config.limit, rng),
        _limit(real_all.subset(real_held), config.limit, rng),
    )
    for source in train + validation:
        logger.info(
            "%s: %d images, per class %s", source.name, len(source), np.bincount(source.labels, minlength=len(CLASSES))
        )
    return Data(train=train, validation=validation)


def crop(image: np.ndarray, side: float, centre: tuple[float, float], size: int) -> np.ndarray:
    """The product's crop without augmentation: square, border-replicated, INTER_AREA to ``size``."""
    return _warp(image, side, centre, size, zoom=1.0, angle=0.0, shift=(0.0, 0.0), flip=False)


def _warp(
    image: np.ndarray,
    side: float,
    centre: tuple[float, float],
    size: int,
    *,
    zoom: float,
    angle: float,
    shift: tuple[float, float],
    flip: bool,
) -> np.ndarray:
    """Rotate/zoom/shift/flip the crop in one warp, then shrink with INTER_AREA like the product does.

    Warping to twice the output size and then INTER_AREA-resizing keeps the downscaling filter close to
    the product's (crop, then INTER_AREA), which matters for the 96 px real photos.
    """
    h, w = image.shape
    big = 2 * size
    crop_px = side * zoom * max(h, w)
    cx = centre[0] * w + shift[0] * crop_px
    cy = centre[1] * h + shift[1] * crop_px
    matrix = cv2.getRotationMatrix2D((cx, cy), angle, big / crop_px)
    matrix[:, 2] += (big / 2 - cx, big / 2 - cy)
    if flip:
        matrix[0] = -matrix[0]
        matrix[0, 2] += big
    warped = cv2.warpAffine(image, matrix, (big, big), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return cv2.resize(warped, (size, size), interpolation=cv2.INTER_AREA)


def augment(image: np.ndarray, source: Source, size: int, rng: np.random.Generator) -> np.ndarray:
    """One augmented crop in [0, 1]: geometry, low resolution and cutout (per-sample parts)."""
    out = (
        _warp(
            image,
            source.crop_side,
            source.centre,
            size,
            zoom=float(np.exp(rng.uniform(np.log(0.87), np.log(1.15)))),
            angle=float(rng.uniform(-15, 15)),
            shift=(float(rng.uniform(-0.05, 0.05)), float(rng.uniform(-0.05, 0.05))),
            flip=bool(rng.random() < 0.5),
        ).astype(np.float32)
        / 255.0
    )
    # Many product faces are small in the photo: mimic upscaled low-resolution crops.
    if rng.random() < 0.3:
        low = int(rng.integers(size // 3, int(size * 0.8)))
        out = cv2.resize(
            cv2.resize(out, (low, low), interpolation=cv2.INTER_AREA), (size, size), interpolation=cv2.INTER_LINEAR
        )
    # Cutout: hands, microphones and glasses hide parts of real faces.
    if rng.random() < 0.25:
        edge = int(rng.integers(int(size * 0.15), int(size * 0.35)))
        y, x = rng.integers(0, size - edge, size=2)
        out[y : y + edge, x : x + edge] = rng.random()
    return out


def photometric(batch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Vectorised gamma, contrast, brightness and noise on a (B, S, S) batch in [0, 1]."""
    n = len(batch)
    gamma = np.exp(rng.uniform(-0.4, 0.4, size=(n, 1, 1))).astype(np.float32)
    batch = np.power(np.clip(batch, 1e-4, 1.0), gamma)
    mean = batch.mean(axis=(1, 2), keepdims=True)
    contrast = rng.uniform(0.6, 1.4, size=(n, 1, 1)).astype(np.float32)
    brightness = rng.uniform(-0.15, 0.15, size=(n, 1, 1)).astype(np.float32)
    batch = (batch - mean) * contrast + mean + brightness
    noisy = (rng.random((n, 1, 1)) < 0.3).astype(np.float32)
    sigma = rng.uniform(0.0, 0.04, size=(n, 1, 1)).astype(np.float32) * noisy
    batch = batch + rng.standard_normal(batch.shape).astype(np.float32) * sigma
    return np.clip(batch, 0.0, 1.0)


class BalancedSampler:
    """Draws batches with a fixed share per source and uniform classes within each source."""

    def __init__(self, sources: tuple[Source, ...], shares: tuple[float, ...], rng: np.random.Generator) -> None:
        self.sources = sources
        self.shares = shares
        self.rng = rng
        # Classes a source has no images of (e.g. in a smoke-test subset) are simply not drawn from it.
        self.by_class = [
            [idx for c in range(len(CLASSES)) if len(idx := np.flatnonzero(s.labels == c))] for s in sources
        ]

    def batch(self, batch_size: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        counts = np.round(np.array(self.shares) * batch_size).astype(int)
        counts[0] = batch_size - counts[1:].sum()
        images: list[np.ndarray] = []
        labels: list[int] = []
        for source, classes, count in zip(self.sources, self.by_class, counts, strict=True):
            for choice in self.rng.integers(0, len(classes), size=count):
                i = int(self.rng.choice(classes[choice]))
                images.append(augment(source.images[i], source, size, self.rng))
                labels.append(int(source.labels[i]))
        x = photometric(np.stack(images), self.rng) * 2.0 - 1.0
        return x[:, None].astype(np.float32), np.array(labels, dtype=np.int64)


def plain_crops(source: Source, size: int) -> np.ndarray:
    """Unaugmented product crops of a whole source, (N, 1, S, S) in [-1, 1]."""
    crops = np.stack([crop(im, source.crop_side, source.centre, size) for im in source.images])
    return (crops.astype(np.float32) / 127.5 - 1.0)[:, None]


class ResidualBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class ExpressionNet(nn.Module):
    """Small residual CNN (~0.7M parameters): stem 24 ch, blocks 24/48/96/192, average pooling."""

    def __init__(self, num_classes: int = len(CLASSES), widths: tuple[int, ...] = (24, 48, 96, 192)) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU())
        blocks: list[nn.Module] = []
        cin = widths[0]
        for i, width in enumerate(widths):
            blocks.append(ResidualBlock(cin, width, 1 if i == 0 else 2))
            cin = width
        self.blocks = nn.Sequential(*blocks)
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(cin, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.stem(x))
        return self.head(self.dropout(x.mean(dim=(2, 3))))


class CalibratedNet(nn.Module):
    """What is exported: softmax of the logits divided by the fitted temperature."""

    def __init__(self, net: ExpressionNet, temperature: float) -> None:
        super().__init__()
        self.net = net
        self.temperature = temperature

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(x) / self.temperature, dim=1)


@torch.no_grad()
def logits_of(net: ExpressionNet, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
    net.eval()
    parts = [net(torch.from_numpy(x[i : i + batch_size])).numpy() for i in range(0, len(x), batch_size)]
    return np.concatenate(parts)


def metrics(labels: np.ndarray, predicted: np.ndarray) -> Metrics:
    """Top-1 and recall per class; the macro mean skips classes absent from ``labels``."""
    recall = {
        name: float((predicted[labels == c] == c).mean()) for c, name in enumerate(CLASSES) if (labels == c).any()
    }
    return Metrics(float((predicted == labels).mean()), float(np.mean(list(recall.values()))), recall)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature minimising the held-out negative log-likelihood (a 1-D convex problem in log T)."""
    z = torch.from_numpy(logits)
    y = torch.from_numpy(labels)
    log_t = torch.zeros(1, requires_grad=True)
    optimiser = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = F.cross_entropy(z / log_t.exp(), y)
        loss.backward()
        return loss

    optimiser.step(closure)
    return float(log_t.exp())


def export_onnx(net: ExpressionNet, temperature: float, size: int, path: Path) -> None:
    """Export with a dynamic batch axis (the product may average a flipped copy in the same call)."""
    net.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        CalibratedNet(net, temperature),
        (torch.zeros(1, 1, size, size),),
        str(path),
        input_names=["x"],
        output_names=["probs"],
        dynamic_axes={"x": {0: "N"}, "probs": {0: "N"}},
        opset_version=17,
        dynamo=False,
    )


def write_sidecar(path: Path, size: int, temperature: float, flip_average: bool) -> Path:
    sidecar = path.with_suffix(".json")
    spec = {
        "name": path.stem,
        "input_name": "x",
        "input_size": size,
        "layout": "NCHW",
        "scale": "minus1_1",
        "crop_scale": CROP_SCALE,
        "classes": list(CLASSES),
        "temperature": round(temperature, 4),
        "flip_average": flip_average,
        "source": "Emotion Garden: trained with tools/faces/train_expression.py "
        "(manage.py train_expression) on FER2013 and muxspace/facial_expressions",
        "licence": "Weights trained by the project. Training data: FER2013 (research use only); "
        "muxspace/facial_expressions (Apache-2.0 repository; mostly LFW photos, crowd labels)",
    }
    sidecar.write_text(json.dumps(spec, indent=2) + "\n")
    return sidecar


def _learning_rate(config: TrainConfig, step: int, total: int) -> float:
    """Linear warm-up over the first 2% of steps (large lr on a fresh BatchNorm net), then cosine to 0."""
    warmup = max(1, total // 50)
    if step < warmup:
        return config.lr * (step + 1) / warmup
    return 0.5 * config.lr * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


def train(
    fer_path: Path,
    real_path: Path,
    out: Path,
    config: TrainConfig,
    *,
    flip_average: bool = True,
    checkpoint: Path | None = None,
    report: Callable[[str], None] = logger.info,
) -> Metrics:
    """Train, fit the temperature, export ``out`` (ONNX) and its sidecar JSON; return validation metrics."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    rng = np.random.default_rng(config.seed)
    data = load_data(fer_path, real_path, config)
    sampler = BalancedSampler(data.train, (1.0 - config.real_fraction, config.real_fraction), rng)
    validation = [(s.name, plain_crops(s, config.input_size), s.labels) for s in data.validation]

    net = ExpressionNet()
    report(f"parameters: {sum(p.numel() for p in net.parameters()):,}")
    optimiser = torch.optim.SGD(
        net.parameters(), lr=config.lr, momentum=0.9, nesterov=True, weight_decay=config.weight_decay
    )
    steps_per_epoch = max(1, config.images_per_epoch // config.batch_size)
    total = config.epochs * steps_per_epoch
    step = 0
    for epoch in range(config.epochs):
        net.train()
        started = time.monotonic()
        running = 0.0
        for _ in range(steps_per_epoch):
            for group in optimiser.param_groups:
                group["lr"] = _learning_rate(config, step, total)
            x, y = sampler.batch(config.batch_size, config.input_size)
            loss = F.cross_entropy(
                net(torch.from_numpy(x)), torch.from_numpy(y), label_smoothing=config.label_smoothing
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            running += loss.item()
            step += 1
        scores = ", ".join(
            f"{name} top1 {m.top1:.3f} macro {m.macro_recall:.3f}"
            for name, x_val, y_val in validation
            for m in [metrics(y_val, logits_of(net, x_val).argmax(1))]
        )
        seconds = time.monotonic() - started
        report(f"epoch {epoch + 1}/{config.epochs} loss {running / steps_per_epoch:.3f} {scores} ({seconds:.0f} s)")
        if checkpoint is not None:
            checkpoint.parent.mkdir(parents=True, exist_ok=True)
            torch.save(net.state_dict(), checkpoint)

    logits = np.concatenate([logits_of(net, x_val) for _, x_val, _ in validation])
    labels = np.concatenate([y_val for _, _, y_val in validation])
    temperature = fit_temperature(logits, labels)
    report(f"temperature {temperature:.3f}")
    export_onnx(net, temperature, config.input_size, out)
    write_sidecar(out, config.input_size, temperature, flip_average)
    real_name, real_x, real_y = validation[-1]
    result = metrics(real_y, logits_of(net, real_x).argmax(1))
    report(f"held-out {real_name}: top1 {result.top1:.3f} macro {result.macro_recall:.3f} {result.recall}")
    return result
