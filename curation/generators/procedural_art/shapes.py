"""Colours, points and the shapes every painter builds from. Every size is a fraction of the shorter image side, which
keeps a composition the same in landscape and portrait."""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Color = tuple[int, int, int]
Point = tuple[float, float]
FloatArray = npt.NDArray[np.floating[Any]]

WHITE: Color = (255, 255, 255)
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
# Blur radii (fractions of the short side) that push a layer back in depth.
FAR = 0.010
MID = 0.004
# Just enough to anti-alias ImageDraw's hard polygon edges.
NEAR = 0.0012


def rgba(color: Color, alpha: float = 255) -> tuple[int, int, int, int]:
    return (int(color[0]), int(color[1]), int(color[2]), int(min(255, max(0, alpha))))


def mix(a: Color, b: Color, t: float) -> Color:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def vary(rng: np.random.Generator, color: Color, amount: int) -> Color:
    """Jitter a colour so repeated elements never look copy-pasted."""
    r, g, b = (
        min(255, max(0, c + d)) for c, d in zip(color, rng.integers(-amount, amount + 1, size=3).tolist(), strict=True)
    )
    return (r, g, b)


def pick(rng: np.random.Generator, options: Sequence[Color]) -> Color:
    return options[int(rng.integers(len(options)))]


def polar(center: Point, radius: float, angle: float) -> Point:
    return (center[0] + math.cos(angle) * radius, center[1] + math.sin(angle) * radius)


def bbox(center: Point, rx: float, ry: float | None = None) -> tuple[float, float, float, float]:
    ry = rx if ry is None else ry
    return (center[0] - rx, center[1] - ry, center[0] + rx, center[1] + ry)


_UNIT_CIRCLE: tuple[tuple[float, float], ...] = tuple(
    (math.cos(math.tau * i / 20), math.sin(math.tau * i / 20)) for i in range(20)
)


def ellipse(center: Point, rx: float, ry: float, angle: float = 0.0) -> list[Point]:
    """A rotated ellipse as a polygon, since ImageDraw.ellipse cannot rotate."""
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    cx, cy = center
    # Plain Python beats numpy's per-call overhead for twenty points.
    return [(cx + rx * u * cos_a - ry * v * sin_a, cy + rx * u * sin_a + ry * v * cos_a) for u, v in _UNIT_CIRCLE]


def bezier(p0: Point, p1: Point, p2: Point, steps: int = 24) -> list[Point]:
    t = np.linspace(0.0, 1.0, steps)[:, None]
    pts = (1 - t) ** 2 * np.array(p0) + 2 * (1 - t) * t * np.array(p1) + t**2 * np.array(p2)
    return [(float(x), float(y)) for x, y in pts]


def ridge(
    rng: np.random.Generator, width: int, short: int, base_y: float, amplitude: float, cycles: float
) -> list[Point]:
    """A smooth random skyline across the full width.

    `cycles` counts undulations per short side, so hills keep their shape
    whatever the aspect ratio.
    """
    xs = np.linspace(-0.02 * width, 1.02 * width, 72)
    ys = np.full_like(xs, base_y)
    for octave in range(3):
        freq = cycles * (2.1**octave) * rng.uniform(0.8, 1.25) * math.tau / short
        ys -= amplitude / (2.4**octave) * np.sin(xs * freq + rng.uniform(0, math.tau))
    return list(zip(xs.tolist(), ys.tolist(), strict=True))
