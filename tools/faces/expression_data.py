"""The expression model's training data: the two sources, the held-out split, the product's crop, augmentation and
class-balanced batches. Used by train_expression.py (training from scratch) and refit_expression_head.py.

Two sources are mixed in every batch:

- FER2013 (48x48 grayscale, web images, research use): many images, but a different domain from the
  product's photos.
- muxspace/facial_expressions (real photos, YuNet crops with a 1.25x box at 96x96): the product's domain,
  but heavily imbalanced (HAPPY and CALM ~1000 each, other classes 10-170).

Classes are balanced *within* each source: balancing only overall teaches "real photo means HAPPY or
CALM", because only those classes are common among the real photos.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

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
    # Seeds the held-out identities apart from the weights, so that every member of a seed ensemble holds out the
    # same photos and the ensemble can be judged and calibrated on photos none of its members saw.
    holdout_seed: int = 0
    # Share of each within-class draw led by the sample's recent loss rather than uniform: the hard examples
    # (SAD read as DISGUSTED, say) come back more often. Half stays uniform so that a mislabelled photo, whose
    # loss never falls, cannot take over its class.
    hard_example_share: float = 0.5
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
    holdout_rng = np.random.default_rng(config.holdout_seed)
    with np.load(fer_path) as fer:
        fer_labels = _remap_labels(fer["y"], fer["classes"])
        fer_all = Source("fer2013", fer["x"], fer_labels, FER_CROP_SIDE, (0.5, FER_CROP_CENTRE_Y))
        is_validation = fer["split"] == "validation"
    with np.load(real_path) as real:
        real_labels = _remap_labels(real["y"], real["classes"])
        real_all = Source("muxspace", real["x"], real_labels, CROP_SCALE / MUXSPACE_BOX_SCALE, (0.5, 0.5))
        real_held = _holdout_identities(real["name"], real_labels, config.real_holdout, holdout_rng)
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
    return _warp(image, side, centre, size, zoom=1.0, angle=0.0, shift=(0.0, 0.0), flip=False, aspect=1.0)


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
    aspect: float,
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
    # Widen or narrow about the centre: faces turned a little, and cameras that stretch.
    matrix[0] *= aspect
    matrix[0, 2] += (1 - aspect) * big / 2
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
            aspect=float(np.exp(rng.uniform(np.log(0.9), np.log(1.1)))),
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
    # Light from one side: a linear ramp of brightness across the face at a random angle.
    if rng.random() < 0.3:
        angle = rng.uniform(0, 2 * np.pi)
        ramp = np.cos(angle) * np.linspace(-1, 1, size)[None, :] + np.sin(angle) * np.linspace(-1, 1, size)[:, None]
        out = np.clip(out * (1 + float(rng.uniform(0.1, 0.35)) * ramp.astype(np.float32)), 0.0, 1.0)
    # Webcam and news photos arrive as JPEG: its 8 x 8 blocks and ringing.
    if rng.random() < 0.3:
        quality = int(rng.integers(20, 80))
        _, encoded = cv2.imencode(".jpg", (out * 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])
        out = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE).astype(np.float32) / 255.0
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
    """Draws batches with a fixed share per source and uniform classes within each source.

    Within a class, a draw is uniform with probability 1 - hard_share and otherwise proportional to the image's
    recent loss (an exponential average, updated by `record_losses` after each step), so the examples the model
    still gets wrong, such as sad faces it reads as disgusted, are seen more often.
    """

    def __init__(
        self, sources: tuple[Source, ...], shares: tuple[float, ...], rng: np.random.Generator, *,
        hard_share: float = 0.0,
    ) -> None:
        self.sources = sources
        self.shares = shares
        self.rng = rng
        self.hard_share = hard_share
        # Classes a source has no images of (e.g. in a smoke-test subset) are simply not drawn from it.
        self.by_class = [
            [idx for c in range(len(CLASSES)) if len(idx := np.flatnonzero(s.labels == c))] for s in sources
        ]
        # Unseen images start at the loss of a uniform guess over the classes, so they are drawn as often as any.
        self.losses = [np.full(len(s), math.log(len(CLASSES)), dtype=np.float64) for s in sources]
        self._last: list[tuple[int, int]] = []

    def _pick(self, source: int, members: np.ndarray) -> int:
        if self.rng.random() >= self.hard_share:
            return int(self.rng.choice(members))
        weights = self.losses[source][members]
        return int(self.rng.choice(members, p=weights / weights.sum()))

    def batch(self, batch_size: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        counts = np.round(np.array(self.shares) * batch_size).astype(int)
        counts[0] = batch_size - counts[1:].sum()
        images: list[np.ndarray] = []
        labels: list[int] = []
        self._last = []
        for number, (source, classes, count) in enumerate(zip(self.sources, self.by_class, counts, strict=True)):
            for choice in self.rng.integers(0, len(classes), size=count):
                i = self._pick(number, classes[choice])
                images.append(augment(source.images[i], source, size, self.rng))
                labels.append(int(source.labels[i]))
                self._last.append((number, i))
        x = photometric(np.stack(images), self.rng) * 2.0 - 1.0
        return x[:, None].astype(np.float32), np.array(labels, dtype=np.int64)

    def record_losses(self, losses: np.ndarray, *, decay: float = 0.7) -> None:
        """Per-image losses of the last batch, in its order."""
        for (number, i), loss in zip(self._last, losses, strict=True):
            self.losses[number][i] = decay * self.losses[number][i] + (1 - decay) * max(float(loss), 1e-3)


def plain_crops(source: Source, size: int) -> np.ndarray:
    """Unaugmented product crops of a whole source, (N, 1, S, S) in [-1, 1]."""
    crops = np.stack([crop(im, source.crop_side, source.centre, size) for im in source.images])
    return (crops.astype(np.float32) / 127.5 - 1.0)[:, None]


def metrics(labels: np.ndarray, predicted: np.ndarray) -> Metrics:
    """Top-1 and recall per class; the macro mean skips classes absent from ``labels``."""
    recall = {
        name: float((predicted[labels == c] == c).mean()) for c, name in enumerate(CLASSES) if (labels == c).any()
    }
    return Metrics(float((predicted == labels).mean()), float(np.mean(list(recall.values()))), recall)
