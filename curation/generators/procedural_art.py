"""Procedural "emotion garden" paintings drawn with Pillow and numpy.

A fresh install has no downloaded image model, yet the demo gallery still needs
pictures for every emotion Amazon Rekognition can report. This module paints
small abstract nature scenes whose palette, shapes and motion carry one emotion
each, so the gallery is meaningful without any network access.

Every size is expressed as a fraction of the shorter image side, which keeps
the composition consistent between landscape and portrait canvases.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["EMOTIONS", "MAX_SIZE", "MIN_SIZE", "draw_emotion_art"]

MIN_SIZE = 64
MAX_SIZE = 2048

Color = tuple[int, int, int]
Point = tuple[float, float]
FloatArray = npt.NDArray[np.floating[Any]]

_WHITE: Color = (255, 255, 255)
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
# Blur radii (fractions of the short side) that push a layer back in depth.
_FAR = 0.010
_MID = 0.004
# Just enough to anti-alias ImageDraw's hard polygon edges.
_NEAR = 0.0012


# --------------------------------------------------------------------------- #
# Small geometry and colour helpers
# --------------------------------------------------------------------------- #


def _rgba(color: Color, alpha: float = 255) -> tuple[int, int, int, int]:
    return (int(color[0]), int(color[1]), int(color[2]), int(min(255, max(0, alpha))))


def _mix(a: Color, b: Color, t: float) -> Color:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _vary(rng: np.random.Generator, color: Color, amount: int) -> Color:
    """Jitter a colour so repeated elements never look copy-pasted."""
    r, g, b = (
        min(255, max(0, c + d)) for c, d in zip(color, rng.integers(-amount, amount + 1, size=3).tolist(), strict=True)
    )
    return (r, g, b)


def _pick(rng: np.random.Generator, options: Sequence[Color]) -> Color:
    return options[int(rng.integers(len(options)))]


def _polar(center: Point, radius: float, angle: float) -> Point:
    return (center[0] + math.cos(angle) * radius, center[1] + math.sin(angle) * radius)


def _bbox(center: Point, rx: float, ry: float | None = None) -> tuple[float, float, float, float]:
    ry = rx if ry is None else ry
    return (center[0] - rx, center[1] - ry, center[0] + rx, center[1] + ry)


_UNIT_CIRCLE: tuple[tuple[float, float], ...] = tuple(
    (math.cos(math.tau * i / 20), math.sin(math.tau * i / 20)) for i in range(20)
)


def _ellipse(center: Point, rx: float, ry: float, angle: float = 0.0) -> list[Point]:
    """A rotated ellipse as a polygon, since ImageDraw.ellipse cannot rotate."""
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    cx, cy = center
    # Plain Python beats numpy's per-call overhead for twenty points.
    return [(cx + rx * u * cos_a - ry * v * sin_a, cy + rx * u * sin_a + ry * v * cos_a) for u, v in _UNIT_CIRCLE]


def _bezier(p0: Point, p1: Point, p2: Point, steps: int = 24) -> list[Point]:
    t = np.linspace(0.0, 1.0, steps)[:, None]
    pts = (1 - t) ** 2 * np.array(p0) + 2 * (1 - t) * t * np.array(p1) + t**2 * np.array(p2)
    return [(float(x), float(y)) for x, y in pts]


def _ridge(
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


def _column(height: int, stops: Sequence[tuple[float, Color]]) -> FloatArray:
    """A vertical colour ramp (height x 3) through (y_pixel, colour) stops."""
    ys = np.arange(height, dtype=np.float32) + 0.5
    positions = [y for y, _ in stops]
    channels = [np.interp(ys, positions, [color[i] for _, color in stops]) for i in range(3)]
    return np.stack(channels, axis=-1).astype(np.float32)


@cache
def _glow_falloff() -> Image.Image:
    """A radial (1 - r)^2 falloff mask, stretched to size by every glow."""
    axis = (np.arange(256, dtype=np.float32) + 0.5) / 128 - 1
    dist = np.sqrt(axis[None, :] ** 2 + axis[:, None] ** 2)
    return Image.fromarray((255 * np.clip(1 - dist, 0, 1) ** 2 + 0.5).astype(np.uint8))


def _soften(image: Image.Image, radius: float) -> Image.Image:
    """Gaussian-like blur tuned for speed, since blurs dominate render time."""
    if radius <= 0:
        return image
    if radius < 2.5:
        # One box pass is indistinguishable from a Gaussian this small and ~3x cheaper.
        return image.filter(ImageFilter.BoxBlur(radius))
    # A wide blur loses nothing at lower resolution and costs far less there.
    factor = min(8, int(radius / 2))
    if factor >= 2 and min(image.size) >= factor * 8:
        small = image.reduce(factor).filter(ImageFilter.GaussianBlur(radius / factor))
        return small.resize(image.size, Image.Resampling.BILINEAR)
    return image.filter(ImageFilter.GaussianBlur(radius))


# --------------------------------------------------------------------------- #
# Theme words
# --------------------------------------------------------------------------- #

_THEME_SYNONYMS: dict[str, str] = {
    "spring": "spring",
    "summer": "summer",
    "autumn": "autumn",
    "fall": "autumn",
    "winter": "winter",
    "sunny": "sunny",
    "sun": "sunny",
    "clear": "sunny",
    "rain": "rainy",
    "rainy": "rainy",
    "drizzle": "rainy",
    "showers": "rainy",
    "snow": "snowy",
    "snowy": "snowy",
    "snowing": "snowy",
    "fog": "foggy",
    "foggy": "foggy",
    "mist": "foggy",
    "misty": "foggy",
    "haze": "foggy",
    "hazy": "foggy",
    "cloud": "cloudy",
    "clouds": "cloudy",
    "cloudy": "cloudy",
    "overcast": "cloudy",
    "storm": "stormy",
    "stormy": "stormy",
    "thunder": "stormy",
    "thunderstorm": "stormy",
    "dawn": "dawn",
    "sunrise": "dawn",
    "morning": "dawn",
    "day": "day",
    "daytime": "day",
    "noon": "day",
    "afternoon": "day",
    "sunset": "sunset",
    "dusk": "sunset",
    "evening": "sunset",
    "twilight": "sunset",
    "night": "night",
    "nighttime": "night",
    "midnight": "night",
    "starry": "night",
}


@dataclass(frozen=True)
class _Grade:
    """How one theme word shifts the finished painting's colours.

    Channel gains keep contrast (unlike blending toward a colour), so the
    emotion's own palette still dominates; only fog adds a real haze.
    """

    gain: tuple[float, float, float] = (1.0, 1.0, 1.0)
    desaturate: float = 0.0
    haze: Color | None = None
    haze_strength: float = 0.0
    # Light from a low sun or ground fog grows toward the bottom of the frame.
    low: bool = False

    def matrix(self) -> FloatArray:
        """The full-strength grade as a 4x4 affine matrix acting on (r, g, b, 1)."""
        desaturate = np.eye(4, dtype=np.float32)
        desaturate[:3, :3] += self.desaturate * (np.tile(_LUMA, (3, 1)) - np.eye(3, dtype=np.float32))
        haze = np.eye(4, dtype=np.float32)
        if self.haze is not None:
            haze[:3, :3] *= 1.0 - self.haze_strength
            haze[:3, 3] = self.haze_strength * np.asarray(self.haze, dtype=np.float32)
        gain = np.diag(np.asarray([*self.gain, 1.0], dtype=np.float32))
        return gain @ haze @ desaturate


_THEME_GRADES: dict[str, _Grade] = {
    "spring": _Grade(gain=(1.02, 1.04, 1.0)),
    "summer": _Grade(gain=(1.06, 1.02, 0.92)),
    "autumn": _Grade(gain=(1.08, 0.97, 0.82)),
    "winter": _Grade(gain=(0.96, 0.99, 1.05), desaturate=0.1),
    "sunny": _Grade(gain=(1.07, 1.04, 0.96)),
    "cloudy": _Grade(gain=(0.95, 0.96, 0.98), desaturate=0.3),
    "foggy": _Grade(haze=(226, 230, 234), haze_strength=0.4, low=True),
    "rainy": _Grade(gain=(0.92, 0.94, 0.98), desaturate=0.15),
    "snowy": _Grade(gain=(0.98, 1.0, 1.03), desaturate=0.05),
    "stormy": _Grade(gain=(0.78, 0.8, 0.88), desaturate=0.2),
    "dawn": _Grade(gain=(1.06, 0.98, 0.98), haze=(255, 196, 186), haze_strength=0.12, low=True),
    "day": _Grade(gain=(1.03, 1.03, 1.02)),
    "sunset": _Grade(gain=(1.16, 0.95, 0.8), low=True),
    "night": _Grade(gain=(0.72, 0.74, 0.84)),
}


def _parse_theme(theme: str) -> frozenset[str]:
    return frozenset(_THEME_SYNONYMS[word] for word in re.findall(r"[a-z]+", theme.lower()) if word in _THEME_SYNONYMS)


# --------------------------------------------------------------------------- #
# Canvas
# --------------------------------------------------------------------------- #


class _Canvas:
    """An RGB painting plus the helpers every emotion painter shares."""

    def __init__(self, width: int, height: int, rng: np.random.Generator, theme: frozenset[str]) -> None:
        self.width = width
        self.height = height
        self.short = min(width, height)
        self.rng = rng
        self.theme = theme
        self.image = Image.new("RGB", (width, height))

    @property
    def aspect(self) -> float:
        """How many short sides fit across; scales element counts with width."""
        return self.width / self.short

    def px(self, fraction: float) -> int:
        """A line width in pixels for a fraction of the short side, never zero."""
        return max(1, round(fraction * self.short))

    @contextmanager
    def layer(self, *, blur: float = 0.0, opacity: float = 1.0) -> Iterator[ImageDraw.ImageDraw]:
        """Draw on a transparent sheet, then blur it and lay it over the canvas.

        Shapes inside one layer replace each other instead of stacking their
        alpha, so a translucent layer reads as one even veil.
        """
        sheet = Image.new("RGBA", self.image.size, (0, 0, 0, 0))
        yield ImageDraw.Draw(sheet)
        bbox = sheet.getbbox()
        if bbox is None:
            return
        radius = blur * self.short
        pad = math.ceil(radius * 3)
        box = (
            max(0, bbox[0] - pad),
            max(0, bbox[1] - pad),
            min(self.width, bbox[2] + pad),
            min(self.height, bbox[3] + pad),
        )
        sheet = sheet.crop(box)
        if radius > 0:
            # Premultiplied alpha stops transparent black from bleeding dark fringes.
            sheet = _soften(sheet.convert("RGBa"), radius).convert("RGBA")
        if opacity < 1:
            sheet.putalpha(sheet.getchannel("A").point(lambda v: round(v * opacity)))
        self.image.paste(sheet, box[:2], sheet)

    def gradient(
        self, stops: Sequence[tuple[float, Color]], box: tuple[int, int, int, int] | None = None
    ) -> Image.Image:
        """A vertical gradient the size of `box` (default: the whole canvas)."""
        left, top, right, bottom = box or (0, 0, self.width, self.height)
        column = (_column(self.height, stops)[top:bottom] + 0.5).astype(np.uint8)
        # Stretching a one-pixel-wide column is far cheaper than building the full array.
        return Image.fromarray(column[:, None, :]).resize((right - left, bottom - top), Image.Resampling.NEAREST)

    def paint_sky(self, stops: Sequence[tuple[float, Color]], horizon: float) -> None:
        self.paint_background(self.gradient(stops), horizon)

    def paint_background(self, background: Image.Image, horizon: float) -> None:
        """Start from `background`; a night theme sprinkles stars above the horizon."""
        self.image = background
        if "night" not in self.theme:
            return
        rng = self.rng
        # An "RGBA" draw on an RGB image blends translucent fills with what is below.
        draw = ImageDraw.Draw(self.image, "RGBA")
        for _ in range(int(90 * self.aspect)):
            x = rng.uniform(0, self.width)
            y = rng.uniform(0, horizon) * rng.uniform(0.3, 1.0)
            r = self.short * rng.uniform(0.0008, 0.0028)
            draw.ellipse(_bbox((x, y), r), fill=_rgba(_WHITE, rng.uniform(90, 230)))

    def fill_polygon(
        self,
        points: Sequence[Point],
        stops: Sequence[tuple[float, Color]],
        *,
        blur: float = _NEAR,
    ) -> None:
        """Fill a polygon with a vertical gradient; blurred edges suggest distance."""
        radius = blur * self.short
        pad = math.ceil(radius * 3) + 1
        xs, ys = [x for x, _ in points], [y for _, y in points]
        box = (
            max(0, math.floor(min(xs)) - pad),
            max(0, math.floor(min(ys)) - pad),
            min(self.width, math.ceil(max(xs)) + pad),
            min(self.height, math.ceil(max(ys)) + pad),
        )
        if box[0] >= box[2] or box[1] >= box[3]:
            return
        mask = Image.new("L", (box[2] - box[0], box[3] - box[1]), 0)
        ImageDraw.Draw(mask).polygon([(x - box[0], y - box[1]) for x, y in points], fill=255)
        self.image.paste(self.gradient(stops, box), box[:2], _soften(mask, radius))

    def glow(self, center: Point, radius: float, color: Color, strength: float) -> None:
        """A soft radial light: one stretched falloff mask and a C-level paste."""
        size = max(1, round(radius * 2))
        mask = _glow_falloff().resize((size, size), Image.Resampling.BILINEAR)
        mask = mask.point(lambda v: round(v * strength))
        self.image.paste(color, (round(center[0] - radius), round(center[1] - radius)), mask)

    def finish(self, vignette: float) -> Image.Image:
        """Theme colour grade, vignette and film grain in one vectorised pass."""
        pixels = np.asarray(self.image, dtype=np.float32)
        if self.theme:
            pixels = self._grade(pixels)
        dx = (np.arange(self.width, dtype=np.float32) + 0.5) / self.width - 0.5
        dy = (np.arange(self.height, dtype=np.float32) + 0.5) / self.height - 0.5
        dist = np.sqrt(dx[None, :] ** 2 + dy[:, None] ** 2) * 2.0
        falloff = np.clip((dist - 0.45) / 0.95, 0.0, 1.0)
        pixels *= (1.0 - vignette * falloff * falloff)[..., None]
        # Grain hides gradient banding and gives flat fills a painted texture; uniform
        # noise looks the same as Gaussian here at a fifth of the cost. The +0.5 rounds.
        pixels += self.rng.random((self.height, self.width, 1), dtype=np.float32) * 8.0 - 3.5
        np.clip(pixels, 0, 255, out=pixels)
        return Image.fromarray(pixels.astype(np.uint8))

    def _grade(self, pixels: FloatArray) -> FloatArray:
        """Apply every theme grade at once as one affine colour matrix per row.

        Composing the grades first costs a few hundred 4x4 products instead of
        several full-image passes per theme word.
        """
        identity = np.eye(4, dtype=np.float32)
        rows = ((np.arange(self.height, dtype=np.float32) + 0.5) / self.height)[:, None, None]
        transform: FloatArray = np.broadcast_to(identity, (self.height, 4, 4))
        for word in sorted(self.theme):
            grade = _THEME_GRADES[word]
            # Fading a grade in is blending its matrix with the identity.
            strength = rows if grade.low else np.ones_like(rows)
            transform = (identity + (grade.matrix() - identity) * strength) @ transform
        # Pixels are row vectors, so each row's matrix applies transposed; numpy's
        # batched matmul is several times faster on a contiguous operand.
        linear = np.ascontiguousarray(transform[:, :3, :3].transpose(0, 2, 1))
        graded: FloatArray = np.matmul(pixels, linear)
        graded += transform[:, None, :3, 3]
        return graded


# --------------------------------------------------------------------------- #
# Motifs shared by several emotions
# --------------------------------------------------------------------------- #


def _bloom(draw: ImageDraw.ImageDraw, rng: np.random.Generator, center: Point, radius: float, color: Color) -> None:
    """A round open flower: outer petals, lighter inner petals and a disc."""
    petals = int(rng.integers(6, 10))
    spin = rng.uniform(0, math.tau)
    for i in range(petals):
        angle = spin + math.tau * i / petals
        tip = _polar(center, radius * 0.55, angle)
        draw.polygon(_ellipse(tip, radius * 0.5, radius * 0.27, angle), fill=_rgba(_vary(rng, color, 14)))
    inner = _mix(color, _WHITE, 0.4)
    for i in range(petals):
        angle = spin + math.tau * (i + 0.5) / petals
        tip = _polar(center, radius * 0.38, angle)
        draw.polygon(_ellipse(tip, radius * 0.3, radius * 0.15, angle), fill=_rgba(inner))
    disc = _pick(rng, [(255, 214, 72), (150, 86, 40), (255, 170, 40)])
    draw.ellipse(_bbox(center, radius * 0.26), fill=_rgba(disc))
    highlight = (center[0] - radius * 0.08, center[1] - radius * 0.08)
    draw.ellipse(_bbox(highlight, radius * 0.09), fill=_rgba(_mix(disc, _WHITE, 0.5)))


def _rain(c: _Canvas, count: int, color: Color, alpha: tuple[float, float], slant: float) -> None:
    rng, s = c.rng, c.short
    for blur, scale in ((_MID, 0.6), (_NEAR, 1.0)):
        with c.layer(blur=blur) as d:
            for _ in range(count // 2):
                x, y = rng.uniform(-0.1 * c.width, 1.1 * c.width), rng.uniform(-0.1 * c.height, c.height)
                length = s * rng.uniform(0.03, 0.09) * scale
                d.line(
                    [(x, y), (x + slant * length, y + length)],
                    fill=_rgba(color, rng.uniform(*alpha) * scale),
                    width=c.px(0.002 * scale),
                )


def _tree(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    base: Point,
    height: float,
    width: float,
    color: Color,
) -> None:
    """A tall bare crooked tree: tapering trunk with thin spiky branches."""
    segments = 9
    ts = np.linspace(0.0, 1.0, segments)
    drift = np.cumsum(rng.normal(0.0, width * 0.35, segments))
    xs = base[0] + drift - drift[0]
    ys = base[1] - ts * height
    half = width / 2 * (1.0 - 0.82 * ts)
    left = list(zip((xs - half).tolist(), ys.tolist(), strict=True))
    right = list(zip((xs + half).tolist(), ys.tolist(), strict=True))
    fill = _rgba(color)
    draw.polygon(left + right[::-1], fill=fill)
    for _ in range(int(rng.integers(4, 9))):
        t = rng.uniform(0.3, 0.95)
        idx = min(segments - 1, int(t * (segments - 1)))
        side = 1 if rng.random() < 0.5 else -1
        angle = -math.pi / 2 + side * rng.uniform(0.5, 1.15)
        length = height * rng.uniform(0.06, 0.16) * (1.2 - t * 0.5)
        start: Point = (float(xs[idx]), float(ys[idx]))
        points = [start]
        for step in range(1, 4):
            angle += rng.normal(0.0, 0.25)
            points.append(_polar(points[-1], length / 3, angle))
            draw.line(points[-2:], fill=fill, width=max(1, round(width * 0.28 * (1 - step / 4))))
        twig_angle = angle - side * rng.uniform(0.4, 0.9)
        draw.line([points[1], _polar(points[1], length * 0.45, twig_angle)], fill=fill, width=1)


# --------------------------------------------------------------------------- #
# Emotion painters
# --------------------------------------------------------------------------- #


def _paint_happy(c: _Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.56, 0.64)
    c.paint_sky([(0, (255, 172, 70)), (horizon * 0.7, (255, 208, 112)), (horizon, (255, 236, 176))], horizon)

    sun = (w * rng.uniform(0.22, 0.78), horizon * rng.uniform(0.3, 0.48))
    sun_r = s * rng.uniform(0.085, 0.11)
    rays = int(rng.integers(12, 19))
    spin = rng.uniform(0, math.tau)
    reach = math.hypot(w, h)
    with c.layer(blur=_MID, opacity=0.3) as d:
        for i in range(rays):
            angle = spin + math.tau * i / rays
            half = math.pi / rays * rng.uniform(0.35, 0.55)
            d.polygon(
                [sun, _polar(sun, reach, angle - half), _polar(sun, reach, angle + half)], fill=(255, 252, 228, 255)
            )
    c.glow(sun, sun_r * 4.5, (255, 248, 214), 0.6)

    # A soft rainbow: the clearest "upward arc" there is.
    if rng.random() < 0.75:
        center = (w * rng.uniform(0.15, 0.85), horizon + s * rng.uniform(0.05, 0.2))
        radius = s * rng.uniform(0.5, 0.8)
        band = s * 0.024
        with c.layer(blur=0.005, opacity=0.32) as d:
            for i, color in enumerate(
                [(255, 98, 86), (255, 160, 60), (255, 226, 90), (140, 214, 110), (110, 180, 240)]
            ):
                d.arc(_bbox(center, radius - i * band), 180, 360, fill=_rgba(color), width=math.ceil(band))

    with c.layer(blur=0.002) as d:
        d.ellipse(_bbox(sun, sun_r), fill=(255, 242, 168, 255))
    c.glow(sun, sun_r * 1.3, (255, 255, 240), 0.5)

    # Swooping birds climbing away into the warm sky.
    with c.layer(blur=_NEAR) as d:
        for _ in range(int(rng.integers(0, 5))):
            x, y, span = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.8) * horizon, s * rng.uniform(0.012, 0.025)
            if math.dist((x, y), sun) < sun_r * 2:
                continue
            left = _bezier((x - span, y - span * 0.2), (x - span * 0.5, y - span * 0.6), (x, y))
            right = _bezier((x, y), (x + span * 0.5, y - span * 0.7), (x + span * 1.1, y - span * 0.5))
            d.line(left + right, fill=(150, 90, 50, 200), width=c.px(0.003), joint="curve")

    hills = [((232, 210, 120), _FAR, 0.0), ((180, 202, 86), _MID, 0.2), ((128, 182, 68), _NEAR, 0.42)]
    for color, blur, depth in hills:
        base = horizon + (h - horizon) * depth
        ridge = _ridge(rng, w, s, base, s * rng.uniform(0.03, 0.06), rng.uniform(0.5, 1.1))
        c.fill_polygon(
            ridge + [(w, h), (0, h)], [(base - s * 0.06, color), (h, _mix(color, (70, 130, 40), 0.45))], blur=blur
        )

    palette: list[Color] = [
        (255, 110, 84),
        (255, 84, 126),
        (255, 196, 54),
        (255, 146, 40),
        (248, 118, 178),
        (255, 244, 232),
    ]
    count = int(rng.integers(14, 22) * c.aspect * (h - horizon) / (0.4 * h))
    ys = np.sort(rng.uniform(horizon + (h - horizon) * 0.3, h * 1.02, count))
    with c.layer(blur=_NEAR) as d:
        for y in ys.tolist():
            x = rng.uniform(-0.02, 1.02) * w
            depth = (y - horizon) / (h - horizon)
            radius = s * (0.012 + 0.05 * depth**1.5) * rng.uniform(0.8, 1.2)
            stem = radius * rng.uniform(1.6, 3.2)
            head = (x + rng.uniform(-0.5, 0.5) * radius, y - stem)
            green = _vary(rng, (70, 140, 46), 12)
            d.line(_bezier((x, y), (x, y - stem * 0.5), head, 8), fill=_rgba(green), width=max(1, round(radius * 0.16)))
            leaf_side = 1 if rng.random() < 0.5 else -1
            leaf_at = (x + leaf_side * radius * 0.35, y - stem * 0.35)
            d.polygon(_ellipse(leaf_at, radius * 0.42, radius * 0.15, -leaf_side * 0.6), fill=_rgba(green))
            _bloom(d, rng, head, radius, _pick(rng, palette))

    with c.layer(blur=0.003) as d:
        for _ in range(int(30 * c.aspect)):
            p = (rng.uniform(0, w), rng.uniform(0, h * 0.9))
            d.ellipse(_bbox(p, s * rng.uniform(0.002, 0.006)), fill=(255, 250, 215, int(rng.integers(110, 210))))


def _paint_sad(c: _Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.74, 0.82)
    c.paint_sky([(0, (50, 62, 86)), (horizon * 0.6, (94, 108, 132)), (horizon, (138, 150, 168))], horizon)

    # Heavy, low cloud cover pressing down on the scene.
    with c.layer(blur=0.025, opacity=0.85) as d:
        for _ in range(int(rng.integers(20, 30) * c.aspect)):
            center = (rng.uniform(-0.1, 1.1) * w, rng.uniform(-0.05, 0.42) * horizon)
            rx = s * rng.uniform(0.1, 0.24)
            color = _mix((66, 76, 98), (140, 150, 166), rng.uniform(0, 1))
            d.ellipse(_bbox(center, rx, rx * rng.uniform(0.35, 0.6)), fill=_rgba(color))

    far = _ridge(rng, w, s, horizon, s * 0.015, 0.7)
    c.fill_polygon(far + [(w, h), (0, h)], [(horizon - s * 0.03, (92, 104, 124)), (h, (88, 98, 118))], blur=_FAR)
    ground_top = horizon + s * 0.025
    ground = _ridge(rng, w, s, ground_top, s * 0.008, 0.6)
    c.fill_polygon(ground + [(w, h), (0, h)], [(ground_top, (70, 80, 98)), (h, (38, 44, 58))], blur=_MID)

    with c.layer(blur=_NEAR) as d:
        for _ in range(int(rng.integers(2, 5))):
            center = (rng.uniform(0.05, 0.95) * w, rng.uniform(ground_top + s * 0.03, h * 0.97))
            rx = s * rng.uniform(0.05, 0.13)
            d.ellipse(_bbox(center, rx, rx * 0.16), fill=(112, 126, 150, 220))
            for ring in range(int(rng.integers(1, 4))):
                scale = 0.25 + 0.25 * ring
                d.ellipse(_bbox(center, rx * scale, rx * 0.16 * scale), outline=(170, 184, 204, 150), width=c.px(0.002))

    # A weeping willow: the drooping silhouette reads as grief immediately.
    if rng.random() < 0.7:
        trunk_x = w * (rng.uniform(0.1, 0.3) if rng.random() < 0.5 else rng.uniform(0.7, 0.9))
        base = (trunk_x, ground_top + s * rng.uniform(0.02, 0.06))
        height = s * rng.uniform(0.36, 0.48)
        crown = (trunk_x, base[1] - height * 0.92)
        crown_r = s * rng.uniform(0.09, 0.13)
        with c.layer(blur=0.012, opacity=0.3) as d:
            d.ellipse(_bbox((crown[0], crown[1] + crown_r * 0.8), crown_r * 1.2, crown_r * 1.1), fill=(44, 58, 70, 255))
        with c.layer(blur=_NEAR) as d:
            _tree(d, rng, base, height, s * 0.035, (34, 40, 54))
            for _ in range(int(rng.integers(70, 100))):
                phi = rng.uniform(-math.pi * 0.95, -math.pi * 0.05)
                spread = rng.uniform(0.3, 1.4)
                start = (
                    crown[0] + math.cos(phi) * crown_r * spread,
                    crown[1] + math.sin(phi) * crown_r * spread * 0.45,
                )
                reach = math.cos(phi) * s * rng.uniform(0.04, 0.1)
                fall = (start[0] + reach * 1.4, min(base[1], start[1] + s * rng.uniform(0.12, 0.42)))
                strand = _bezier(start, (start[0] + reach, start[1] - s * 0.03), fall, 14)
                color = _vary(rng, (56, 78, 88), 12)
                d.line(strand, fill=_rgba(color, 230), width=c.px(rng.uniform(0.002, 0.004)), joint="curve")

    # Flowers whose heavy heads bow down to the ground.
    with c.layer(blur=_NEAR) as d:
        for _ in range(int(rng.integers(3, 6) * c.aspect)):
            base = (rng.uniform(0.05, 0.95) * w, rng.uniform(ground_top + s * 0.05, h * 1.01))
            height = s * rng.uniform(0.12, 0.22)
            lean = (1 if rng.random() < 0.5 else -1) * height * rng.uniform(0.35, 0.6)
            peak = (base[0] + lean * 0.25, base[1] - height * 1.3)
            tip = (base[0] + lean, base[1] - height * rng.uniform(0.45, 0.7))
            stem = _bezier(base, peak, tip, 16)
            d.line(stem, fill=(88, 108, 114, 255), width=c.px(0.005), joint="curve")
            # Point the bell halfway between the stem's direction and straight down.
            stem_angle = math.atan2(stem[-1][1] - stem[-2][1], stem[-1][0] - stem[-2][0])
            angle = (stem_angle + math.pi / 2) / 2
            bell_r = s * rng.uniform(0.024, 0.038)
            color = _pick(rng, [(112, 124, 176), (138, 128, 176), (160, 172, 198), (96, 116, 150)])
            bell_center = _polar(tip, bell_r * 0.75, angle)
            d.polygon(_ellipse(bell_center, bell_r, bell_r * 0.62, angle), fill=_rgba(color))
            for offset in (-0.55, 0.0, 0.55):
                petal = _polar(bell_center, bell_r * 0.85, angle + offset)
                d.polygon(
                    _ellipse(petal, bell_r * 0.42, bell_r * 0.24, angle + offset),
                    fill=_rgba(_mix(color, (40, 50, 70), 0.25)),
                )
            if rng.random() < 0.5:
                fallen = _polar(bell_center, bell_r * rng.uniform(2.2, 4.0), angle)
                d.polygon(
                    _ellipse(fallen, bell_r * 0.32, bell_r * 0.18, rng.uniform(0, math.pi)), fill=_rgba(color, 210)
                )

    _rain(c, int(320 * c.aspect), (196, 210, 230), (70, 140), rng.uniform(-0.28, -0.08))


def _lightning(rng: np.random.Generator, start: Point, bottom: float, s: int) -> list[list[Point]]:
    """A jagged bolt from `start` down to `bottom`, plus a few forks."""
    paths: list[list[Point]] = []
    trunk = [start]
    while trunk[-1][1] < bottom:
        x, y = trunk[-1]
        trunk.append((x + s * rng.uniform(-0.06, 0.06), y + s * rng.uniform(0.03, 0.07)))
    paths.append(trunk)
    for _ in range(int(rng.integers(1, 4))):
        fork = [trunk[int(rng.integers(1, max(2, len(trunk) - 1)))]]
        direction = 1 if rng.random() < 0.5 else -1
        for _ in range(int(rng.integers(2, 5))):
            x, y = fork[-1]
            fork.append((x + direction * s * rng.uniform(0.01, 0.06), y + s * rng.uniform(0.02, 0.05)))
        paths.append(fork)
    return paths


def _paint_angry(c: _Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.64, 0.74)
    c.paint_sky([(0, (18, 4, 8)), (horizon * 0.55, (96, 10, 14)), (horizon, (214, 58, 22))], horizon)
    c.glow((w * rng.uniform(0.3, 0.7), horizon), s * 0.7, (255, 110, 30), 0.45)
    if rng.random() < 0.5:
        # A swollen blood-red sun sinking behind the peaks.
        sun = (w * rng.uniform(0.2, 0.8), horizon - s * rng.uniform(0.12, 0.24))
        sun_r = s * rng.uniform(0.12, 0.2)
        c.glow(sun, sun_r * 2.5, (255, 70, 20), 0.5)
        with c.layer(blur=0.003) as d:
            d.ellipse(_bbox(sun, sun_r), fill=(232, 44, 18, 255))

    # Violent diagonal slashes: long thin diamonds that all share one slope.
    slope = (1 if rng.random() < 0.5 else -1) * rng.uniform(0.45, 0.85)
    norm = math.hypot(1.0, slope)
    ux, uy = 1 / norm, slope / norm
    with c.layer(blur=0.003, opacity=0.55) as d:
        for _ in range(int(rng.integers(10, 18) * c.aspect)):
            cx, cy = rng.uniform(0, w), rng.uniform(0, horizon * 1.1)
            half = s * rng.uniform(0.2, 0.55)
            thick = s * rng.uniform(0.004, 0.02)
            color = _pick(rng, [(0, 0, 0), (150, 10, 10), (255, 76, 30), (60, 0, 0)])
            d.polygon(
                [
                    (cx - ux * half, cy - uy * half),
                    (cx - uy * thick, cy + ux * thick),
                    (cx + ux * half, cy + uy * half),
                    (cx + uy * thick, cy - ux * thick),
                ],
                fill=_rgba(color),
            )

    bolts = [
        path
        for _ in range(int(rng.integers(1, 3) + (c.aspect > 1.3)))
        for path in _lightning(rng, (rng.uniform(0.1, 0.9) * w, -s * 0.02), horizon * rng.uniform(0.75, 1.05), s)
    ]
    for blur, rgba, width in (
        (0.015, (255, 60, 36, 210), 0.03),
        (0.003, (255, 170, 110, 255), 0.01),
        (_NEAR, (255, 248, 230, 255), 0.004),
    ):
        with c.layer(blur=blur) as d:
            for index, path in enumerate(bolts):
                d.line(path, fill=rgba, width=c.px(width if index % 4 == 0 else width * 0.5), joint="curve")

    # Jagged mountains: alternating sharp peaks and notches. Per-image scale and
    # spacing swing the silhouette between dense spikes and broad crags.
    scale, spacing = rng.uniform(0.7, 1.5), rng.uniform(0.7, 1.8)
    ranges = (((92, 12, 14), _MID, -0.02, (0.06, 0.22)), ((20, 4, 6), _NEAR, 0.03, (0.03, 0.14)))
    for color, blur, offset, (low, high) in ranges:
        x, peaks = -s * 0.05, []
        base = horizon + s * offset
        while x < w + s * 0.1:
            peaks.append((x, base - s * scale * rng.uniform(low, high)))
            x += s * spacing * rng.uniform(0.02, 0.06)
            peaks.append((x, base + s * rng.uniform(-0.01, 0.03)))
            x += s * spacing * rng.uniform(0.02, 0.06)
        c.fill_polygon(peaks + [(w, h), (0, h)], [(base, color), (h, (6, 0, 0))], blur=blur)

    # Glowing cracks split the scorched ground.
    cracks: list[list[Point]] = []
    for _ in range(int(rng.integers(3, 6) * c.aspect**0.5)):
        y = rng.uniform(horizon + s * 0.08, h * 0.97)
        x = rng.uniform(-0.1, 0.6) * w
        crack = [(x, y)]
        for _ in range(int(rng.integers(5, 10))):
            x += s * rng.uniform(0.03, 0.09)
            y += s * rng.uniform(-0.03, 0.03)
            crack.append((x, y))
        cracks.append(crack)
    for blur, rgba, width in ((0.012, (255, 60, 20, 220), 0.018), (_NEAR, (255, 170, 60, 255), 0.004)):
        with c.layer(blur=blur) as d:
            for crack in cracks:
                d.line(crack, fill=rgba, width=c.px(width))

    # Thorn clusters jabbing up from the foreground, leaning with the slashes.
    with c.layer(blur=_NEAR) as d:
        for _ in range(int(rng.integers(4, 7) * c.aspect)):
            root = rng.uniform(-0.05, 1.05) * w
            for _ in range(int(rng.integers(5, 10))):
                x = root + rng.normal(0, s * 0.03)
                height = s * rng.uniform(0.08, 0.32)
                tip = (x - slope * height * rng.uniform(0.2, 0.6), h - height)
                half = s * rng.uniform(0.006, 0.018)
                d.polygon([(x - half, h + s * 0.01), tip, (x + half, h + s * 0.01)], fill=(12, 2, 4, 255))

    with c.layer(blur=0.002) as d:
        for _ in range(int(rng.integers(40, 80) * c.aspect)):
            p = (rng.uniform(0, w), h - abs(rng.normal(0, 0.35)) * h)
            color = _pick(rng, [(255, 140, 40), (255, 200, 80), (255, 90, 30)])
            d.ellipse(_bbox(p, s * rng.uniform(0.002, 0.005)), fill=_rgba(color, rng.uniform(150, 240)))


def _paint_calm(c: _Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.44, 0.56)
    c.paint_sky([(0, (166, 214, 204)), (horizon, (220, 238, 224))], horizon)
    sun = (w * rng.uniform(0.2, 0.8), horizon - s * rng.uniform(0.06, 0.16))
    sun_r = s * rng.uniform(0.045, 0.065)
    c.glow(sun, sun_r * 6, (250, 252, 232), 0.45)
    # Thin, unmoving streaks of cloud keep the sky open but not blank.
    with c.layer(blur=0.012, opacity=0.55) as d:
        for _ in range(int(rng.integers(2, 5) * c.aspect)):
            center = (rng.uniform(0, w), horizon * rng.uniform(0.15, 0.8))
            rx = s * rng.uniform(0.15, 0.35)
            d.ellipse(_bbox(center, rx, rx * rng.uniform(0.05, 0.09)), fill=(248, 252, 246, 255))
    with c.layer(blur=0.003) as d:
        d.ellipse(_bbox(sun, sun_r), fill=(250, 251, 234, 235))

    for color, blur, amp in (((150, 198, 184), _FAR, 0.045), ((118, 176, 162), _MID, 0.025)):
        ridge = _ridge(rng, w, s, horizon, s * amp, rng.uniform(0.3, 0.6))
        c.fill_polygon(ridge + [(w, horizon), (0, horizon)], [(horizon - s * 0.06, color), (horizon, color)], blur=blur)

    water = [(0.0, horizon), (float(w), horizon), (float(w), float(h)), (0.0, float(h))]
    c.fill_polygon(water, [(horizon, (186, 224, 214)), (h, (92, 158, 158))], blur=0.0)

    # The sun's reflection: ever wider, fainter dashes going down.
    with c.layer(blur=0.002, opacity=0.55) as d:
        for i in range(18):
            t = i / 17
            y = horizon + (h - horizon) * t**1.6 * 0.9 + s * 0.01
            half = sun_r * (0.8 + 1.6 * t) * rng.uniform(0.6, 1.2)
            d.line(
                [(sun[0] - half, y), (sun[0] + half, y)], fill=(250, 252, 236, int(230 * (1 - t))), width=c.px(0.004)
            )

    # Long, low ripples spaced wider near the viewer for perspective.
    with c.layer(blur=_NEAR) as d:
        lines = int(rng.integers(14, 22))
        for i in range(lines):
            t = (i + rng.uniform(0.2, 0.8)) / lines
            y = horizon + (h - horizon) * t**1.7
            start = rng.uniform(-0.2, 0.7) * w
            length = w * rng.uniform(0.15, 0.5)
            xs = np.linspace(start, start + length, 40)
            wave = s * 0.003 * (0.5 + t) * np.sin(xs / (s * rng.uniform(0.04, 0.08)) + rng.uniform(0, math.tau))
            color = (236, 250, 244) if rng.random() < 0.7 else (78, 146, 146)
            d.line(
                list(zip(xs.tolist(), (y + wave).tolist(), strict=True)),
                fill=_rgba(color, 70 + 60 * t),
                width=c.px(0.002 + 0.002 * t),
            )

    # Floating lily pads, squashed by perspective.
    with c.layer(blur=_NEAR) as d:
        for _ in range(int(rng.integers(2, 6))):
            y = horizon + (h - horizon) * rng.uniform(0.35, 0.95)
            depth = (y - horizon) / (h - horizon)
            rx = s * (0.02 + 0.05 * depth)
            center = (rng.uniform(0.05, 0.95) * w, y)
            notch = rng.uniform(0, 360)
            d.pieslice(
                _bbox(center, rx, rx * 0.35), notch + 25, notch + 335, fill=_rgba(_vary(rng, (104, 168, 126), 10))
            )
            if rng.random() < 0.3:
                bloom = (center[0], center[1] - rx * 0.2)
                for angle in (-2.3, -1.9, -1.57, -1.2, -0.8):
                    d.polygon(
                        _ellipse(_polar(bloom, rx * 0.2, angle), rx * 0.2, rx * 0.08, angle), fill=(246, 210, 218, 255)
                    )

    # Reeds gathered at one edge leave the rest of the frame open and quiet.
    side = rng.uniform(0.04, 0.18) if rng.random() < 0.5 else rng.uniform(0.82, 0.96)
    with c.layer(blur=_NEAR) as d:
        for _ in range(int(rng.integers(7, 15))):
            base = ((side + rng.normal(0, 0.05)) * w, h * rng.uniform(0.94, 1.02))
            height = s * rng.uniform(0.14, 0.34)
            tip = (base[0] + rng.normal(0, s * 0.03), base[1] - height)
            reed = _bezier(base, (base[0], base[1] - height * 0.6), tip, 12)
            d.line(reed, fill=_rgba(_vary(rng, (58, 112, 96), 10)), width=c.px(0.003), joint="curve")
            if rng.random() < 0.45:
                head = reed[-3]
                d.polygon(
                    _ellipse(head, s * 0.005, s * 0.018, math.atan2(tip[1] - head[1], tip[0] - head[0]) + math.pi / 2),
                    fill=(78, 96, 74, 255),
                )


def _paint_fear(c: _Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.78, 0.86)
    c.paint_sky([(0, (6, 3, 14)), (horizon * 0.6, (30, 14, 50)), (horizon, (66, 36, 90))], horizon)
    if rng.random() < 0.75:
        moon = (w * rng.uniform(0.15, 0.85), h * rng.uniform(0.1, 0.3))
        moon_r = s * rng.uniform(0.04, 0.07)
        c.glow(moon, moon_r * 5, (150, 120, 190), 0.35)
        with c.layer(blur=0.002) as d:
            d.ellipse(_bbox(moon, moon_r), fill=(206, 196, 222, 255))
    c.glow((w * 0.5, horizon), max(w, h) * 0.6, (92, 60, 120), 0.35)

    with c.layer(blur=0.006) as d:
        for _ in range(int(rng.integers(12, 20) * c.aspect)):
            base = (rng.uniform(-0.05, 1.05) * w, horizon + s * 0.02)
            _tree(d, rng, base, h * rng.uniform(0.7, 1.1), s * rng.uniform(0.008, 0.018), (40, 22, 58))

    ground = _ridge(rng, w, s, horizon, s * 0.01, 0.8)
    c.fill_polygon(ground + [(w, h), (0, h)], [(horizon, (16, 8, 24)), (h, (3, 1, 6))], blur=_MID)

    with c.layer(blur=0.03, opacity=0.45) as d:
        for _ in range(int(rng.integers(6, 10) * c.aspect)):
            center = (rng.uniform(0, w), horizon + rng.normal(0, s * 0.04))
            rx = s * rng.uniform(0.15, 0.35)
            d.ellipse(_bbox(center, rx, rx * 0.15), fill=(112, 80, 150, 255))

    trunks = sorted(rng.uniform(-0.05, 1.05, int(rng.integers(4, 7) * c.aspect)) * w)
    # Eyes hide in the gaps between the nearest trunks, where it is darkest;
    # the trunks are painted after them so an eye may peek from behind one.
    gaps = [(a + b) / 2 for a, b in pairwise(trunks)] or [w / 2]
    glow_color = _pick(rng, [(255, 214, 80), (255, 70, 60), (190, 255, 120)])
    pairs: list[Point] = []
    eyes: list[tuple[Point, float, float]] = []
    for _ in range(int(rng.integers(2, 5))):
        # A few tries to keep watchers apart; a crowd of eyes reads as a pattern, not a threat.
        for _ in range(12):
            x = float(np.clip(gaps[int(rng.integers(len(gaps)))] + rng.normal(0, s * 0.03), 0.06 * w, 0.94 * w))
            center = (x, h * rng.uniform(0.42, 0.8))
            if all(math.dist(center, other) > s * 0.15 for other in pairs):
                break
        else:
            continue
        pairs.append(center)
        size = s * rng.uniform(0.008, 0.016)
        for side in (-1, 1):
            eyes.append(((center[0] + side * size * 2.2, center[1]), size, side * 0.3))
    with c.layer(blur=0.008) as d:
        for eye, size, _ in eyes:
            d.ellipse(_bbox(eye, size * 2.5, size * 1.6), fill=_rgba(glow_color, 190))
    with c.layer(blur=_NEAR) as d:
        for eye, size, tilt in eyes:
            d.polygon(_ellipse(eye, size, size * 0.5, tilt), fill=_rgba(_mix(glow_color, _WHITE, 0.35)))
            d.polygon(_ellipse(eye, size * 0.14, size * 0.45), fill=(10, 0, 10, 255))
    with c.layer(blur=_NEAR) as d:
        for x in trunks:
            _tree(d, rng, (x, h * 1.02), h * rng.uniform(0.95, 1.25), s * rng.uniform(0.025, 0.055), (5, 2, 9))


_VIVID: list[Color] = [
    (255, 84, 84),
    (255, 214, 64),
    (84, 222, 255),
    (122, 255, 146),
    (255, 112, 230),
    (255, 164, 52),
    (184, 128, 255),
]


def _firework(
    glow: ImageDraw.ImageDraw,
    sharp: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    center: Point,
    radius: float,
    color: Color,
    s: int,
) -> None:
    """Streaks radiating from one point, drooping slightly as if under gravity."""
    glow.ellipse(_bbox(center, radius * 0.75), fill=_rgba(color, 150))
    rays = int(rng.integers(22, 40))
    accent = _pick(rng, _VIVID)
    for i in range(rays):
        angle = math.tau * i / rays + rng.uniform(-0.05, 0.05)
        length = radius * rng.uniform(0.7, 1.05)
        steps = np.linspace(0.15, 1.0, 6)
        pts = [
            (center[0] + math.cos(angle) * length * t, center[1] + math.sin(angle) * length * t + radius * 0.12 * t * t)
            for t in steps.tolist()
        ]
        sharp.line(pts, fill=_rgba(_mix(color, _WHITE, 0.25)), width=max(1, round(s * 0.003)), joint="curve")
        sharp.ellipse(_bbox(pts[-1], s * 0.0045), fill=_rgba(_mix(accent, _WHITE, 0.3)))
    sharp.ellipse(_bbox(center, radius * 0.06), fill=(255, 255, 245, 255))


def _star(center: Point, outer: float, inner: float, points: int, spin: float) -> list[Point]:
    return [_polar(center, outer if i % 2 == 0 else inner, spin + math.pi * i / points) for i in range(points * 2)]


def _paint_surprised(c: _Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.8, 0.88)
    c.paint_sky([(0, (34, 26, 96)), (horizon * 0.6, (120, 46, 160)), (horizon, (255, 130, 120))], horizon)

    bursts: list[tuple[Point, float]] = []
    for _ in range(200):
        if len(bursts) >= int(rng.integers(4, 7) * c.aspect**0.5):
            break
        radius = s * rng.uniform(0.09, 0.22)
        center = (rng.uniform(0.1, 0.9) * w, rng.uniform(0.08, 0.72) * horizon)
        if all(math.dist(center, other) > (radius + r) * 0.75 for other, r in bursts):
            bursts.append((center, radius))

    # Faint rocket trails rising from the ground to each burst.
    with c.layer(blur=0.002, opacity=0.45) as d:
        for center, _ in bursts:
            origin = (center[0] + rng.normal(0, s * 0.08), horizon)
            bend = ((origin[0] + center[0]) / 2 + rng.normal(0, s * 0.05), (origin[1] + center[1]) / 2)
            d.line(_bezier(origin, bend, center, 16), fill=(255, 236, 200, 200), width=c.px(0.003), joint="curve")

    # Nested layers land innermost first, so the glow ends up under the streaks.
    with c.layer(blur=_NEAR) as sharp, c.layer(blur=0.05, opacity=0.6) as glow:
        for center, radius in bursts:
            _firework(glow, sharp, rng, center, radius, _pick(rng, _VIVID), s)

    with c.layer(blur=0.002) as d:
        for _ in range(int(rng.integers(5, 10) * c.aspect)):
            center = (rng.uniform(0, w), rng.uniform(0, horizon))
            outer = s * rng.uniform(0.01, 0.025)
            d.polygon(_star(center, outer, outer * 0.3, 4, rng.uniform(0, 1)), fill=(255, 250, 225, 235))
        for _ in range(int(70 * c.aspect)):
            center = (rng.uniform(0, w), rng.uniform(0, h))
            d.ellipse(_bbox(center, s * rng.uniform(0.002, 0.006)), fill=_rgba(_pick(rng, _VIVID), 220))

    hedge = [(x, horizon - s * rng.uniform(0.0, 0.04)) for x in np.linspace(-0.02 * w, 1.02 * w, 40).tolist()]
    c.fill_polygon(hedge + [(w, h), (0, h)], [(horizon - s * 0.04, (46, 22, 84)), (h, (20, 10, 40))], blur=_MID)

    # Star-shaped blooms popping open along the hedge.
    with c.layer(blur=_NEAR) as d:
        for _ in range(int(rng.integers(8, 14) * c.aspect)):
            base = (rng.uniform(0, w), rng.uniform(horizon, h * 1.02))
            depth = (base[1] - horizon) / (h - horizon)
            height = s * (0.04 + 0.1 * depth) * rng.uniform(0.8, 1.2)
            head = (base[0] + rng.normal(0, height * 0.15), base[1] - height)
            d.line([base, head], fill=(40, 120, 90, 255), width=c.px(0.004))
            color = _pick(rng, _VIVID)
            outer = height * 0.35
            d.polygon(_star(head, outer, outer * 0.4, int(rng.integers(6, 10)), rng.uniform(0, 1)), fill=_rgba(color))
            d.ellipse(_bbox(head, outer * 0.22), fill=(255, 250, 220, 255))


def _bug(draw: ImageDraw.ImageDraw, rng: np.random.Generator, center: Point, size: float) -> None:
    """A beetle seen from above: shell, head, six legs and feelers."""
    heading = rng.uniform(0, math.tau)
    forward = (math.cos(heading), math.sin(heading))
    side = (-forward[1], forward[0])
    dark = (40, 36, 18, 255)
    for row in (-0.55, 0.0, 0.55):
        for sign in (-1, 1):
            hip = (center[0] + forward[0] * size * row, center[1] + forward[1] * size * row)
            knee = (
                hip[0] + side[0] * sign * size * 0.9 + forward[0] * size * row * 0.3,
                hip[1] + side[1] * sign * size * 0.9 + forward[1] * size * row * 0.3,
            )
            foot = (knee[0] + forward[0] * size * (row * 0.6 - 0.2), knee[1] + forward[1] * size * (row * 0.6 - 0.2))
            draw.line([hip, knee, foot], fill=dark, width=max(1, round(size * 0.12)))
    head = (center[0] + forward[0] * size * 0.85, center[1] + forward[1] * size * 0.85)
    for sign in (-1, 1):
        feeler = (
            head[0] + (forward[0] * 0.9 + side[0] * sign * 0.5) * size,
            head[1] + (forward[1] * 0.9 + side[1] * sign * 0.5) * size,
        )
        draw.line([head, feeler], fill=dark, width=max(1, round(size * 0.08)))
    draw.ellipse(_bbox(head, size * 0.32), fill=dark)
    shell = _pick(rng, [(70, 60, 24), (58, 78, 30), (92, 70, 30)])
    draw.polygon(_ellipse(center, size * 0.75, size * 0.5, heading), fill=_rgba(shell))
    draw.line(
        [head, (center[0] - forward[0] * size * 0.7, center[1] - forward[1] * size * 0.7)],
        fill=dark,
        width=max(1, round(size * 0.06)),
    )
    gloss = (center[0] + side[0] * size * 0.2, center[1] + side[1] * size * 0.2)
    draw.polygon(_ellipse(gloss, size * 0.3, size * 0.1, heading), fill=_rgba(_mix(shell, (220, 230, 150), 0.5), 200))


def _paint_disgusted(c: _Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.62, 0.7)
    c.paint_sky([(0, (90, 98, 34)), (horizon * 0.55, (146, 156, 54)), (horizon, (170, 168, 74))], horizon)
    c.glow((w * rng.uniform(0.2, 0.8), horizon * rng.uniform(0.3, 0.6)), s * 0.35, (214, 220, 110), 0.45)

    # Murky clouds of miasma hanging in the air.
    with c.layer(blur=0.03, opacity=0.4) as d:
        for _ in range(int(rng.integers(8, 14) * c.aspect)):
            center = (rng.uniform(-0.1, 1.1) * w, rng.uniform(0.05, 0.9) * horizon)
            rx = s * rng.uniform(0.08, 0.2)
            color = _pick(rng, [(104, 112, 30), (196, 196, 86), (122, 104, 40)])
            d.ellipse(_bbox(center, rx, rx * rng.uniform(0.4, 0.7)), fill=_rgba(color))

    ground = _ridge(rng, w, s, horizon, s * 0.03, 0.8)
    c.fill_polygon(ground + [(w, h), (0, h)], [(horizon - s * 0.03, (98, 100, 36)), (h, (50, 52, 20))], blur=_MID)

    # Slime puddles: overlapping discs merge into one lumpy blob.
    puddles: list[tuple[Point, float]] = []
    for _ in range(int(rng.integers(2, 4) * c.aspect)):
        puddles.append(
            ((rng.uniform(0.05, 0.95) * w, rng.uniform(horizon + s * 0.08, h * 0.95)), s * rng.uniform(0.06, 0.13))
        )
    # Nested layers land innermost first: the dark rim goes under the slime.
    with c.layer(blur=_NEAR) as slime_sheet, c.layer(blur=_NEAR) as rim_sheet:
        for center, size in puddles:
            for _ in range(7):
                offset = (center[0] + rng.normal(0, size * 0.6), center[1] + rng.normal(0, size * 0.15))
                r = size * rng.uniform(0.35, 0.6)
                rim_sheet.ellipse(_bbox(offset, r * 1.12, r * 0.45), fill=(82, 92, 18, 255))
                slime_sheet.ellipse(_bbox(offset, r, r * 0.4), fill=(138, 158, 34, 255))
    with c.layer(blur=0.002, opacity=0.7) as d:
        for center, size in puddles:
            d.polygon(
                _ellipse((center[0] - size * 0.2, center[1] - size * 0.05), size * 0.3, size * 0.05),
                fill=(226, 236, 140, 255),
            )

    # Wavy stench lines curling up from each puddle.
    with c.layer(blur=0.004, opacity=0.6) as d:
        for (px, py), size in puddles:
            for offset in np.linspace(-0.5, 0.5, int(rng.integers(2, 4))).tolist():
                rise = s * rng.uniform(0.15, 0.3)
                ts = np.linspace(0.0, 1.0, 40)
                xs = (
                    px
                    + offset * size
                    + s * 0.018 * np.sin(ts * math.tau * rng.uniform(1.5, 2.5) + rng.uniform(0, math.tau)) * (0.4 + ts)
                )
                ys = py - size * 0.2 - ts * rise
                d.line(
                    list(zip(xs.tolist(), ys.tolist(), strict=True)),
                    fill=(214, 228, 112, 255),
                    width=c.px(0.006),
                    joint="curve",
                )

    # Ooze seeping from the top edge in long drips.
    slime = (148, 170, 32)
    with c.layer(blur=_NEAR) as d:
        band = _ridge(rng, w, s, s * 0.035, s * 0.015, 2.0)
        d.polygon([(0.0, -1.0), (float(w), -1.0), *band[::-1]], fill=_rgba(slime))
        for _ in range(int(rng.integers(6, 11) * c.aspect)):
            x = rng.uniform(0.02, 0.98) * w
            width = s * rng.uniform(0.012, 0.03)
            length = s * rng.uniform(0.05, 0.3)
            d.rounded_rectangle((x - width / 2, 0, x + width / 2, length), radius=width / 2, fill=_rgba(slime))
            d.ellipse(_bbox((x, length), width * 0.8, width * 0.95), fill=_rgba(slime))
            d.line(
                [(x - width * 0.18, s * 0.03), (x - width * 0.18, length - width * 0.2)],
                fill=(206, 222, 110, 220),
                width=max(1, round(width * 0.2)),
            )

    # Bubbles rising out of the muck.
    with c.layer(blur=_NEAR) as d:
        for _ in range(int(rng.integers(20, 35) * c.aspect)):
            if puddles and rng.random() < 0.6:
                (px, py), size = puddles[int(rng.integers(len(puddles)))]
                center = (px + rng.normal(0, size * 0.5), py - abs(rng.normal(0, s * 0.1)))
            else:
                center = (rng.uniform(0, w), rng.uniform(0.15, 1.0) * h)
            r = s * rng.uniform(0.006, 0.028)
            d.ellipse(_bbox(center, r), fill=(176, 196, 70, 70), outline=(214, 228, 120, 200), width=c.px(0.0025))
            d.ellipse(_bbox((center[0] - r * 0.35, center[1] - r * 0.35), r * 0.22), fill=(246, 250, 210, 230))

    with c.layer(blur=_NEAR) as d:
        for _ in range(int(rng.integers(3, 7) * c.aspect)):
            _bug(
                d,
                rng,
                (rng.uniform(0.05, 0.95) * w, rng.uniform(horizon + s * 0.04, h * 0.97)),
                s * rng.uniform(0.018, 0.032),
            )

    # Flies buzzing along dotted, erratic paths.
    with c.layer(blur=_NEAR) as d:
        for _ in range(int(rng.integers(2, 5))):
            x, y = rng.uniform(0.1, 0.9) * w, rng.uniform(0.15, 0.6) * h
            for _ in range(int(rng.integers(8, 16))):
                x += rng.normal(0, s * 0.02)
                y += rng.normal(0, s * 0.015)
                d.ellipse(_bbox((x, y), s * 0.0018), fill=(40, 40, 20, 160))
            size = s * 0.008
            for sign in (-1, 1):
                d.ellipse(
                    _bbox((x + sign * size * 0.9, y - size * 0.7), size * 0.9, size * 0.6), fill=(236, 240, 220, 150)
                )
            d.ellipse(_bbox((x, y), size * 0.7, size * 0.55), fill=(28, 30, 14, 255))


def _paint_confused(c: _Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    clashing: list[Color] = [
        (236, 64, 178),
        (172, 232, 40),
        (40, 200, 232),
        (255, 140, 30),
        (130, 62, 204),
        (255, 226, 60),
    ]
    order = rng.permutation(len(clashing))
    corners = np.array([clashing[int(i)] for i in order[:4]], dtype=np.float32)
    xs = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    top = corners[0] + (corners[1] - corners[0]) * xs
    bottom = corners[2] + (corners[3] - corners[2]) * xs
    c.paint_background(Image.fromarray((top + (bottom - top) * ys + 0.5).astype(np.uint8)), h * 0.7)

    # Overlapping tilted panels that disagree about where "up" is.
    with c.layer(blur=0.002, opacity=0.35) as d:
        for _ in range(int(rng.integers(3, 6) * c.aspect)):
            center = (rng.uniform(0, w), rng.uniform(0, h))
            size = s * rng.uniform(0.2, 0.45)
            spin = rng.uniform(0, math.tau)
            sides = int(rng.integers(3, 5))
            d.polygon(
                [_polar(center, size, spin + math.tau * i / sides) for i in range(sides)],
                fill=_rgba(_pick(rng, clashing)),
            )

    # A maze with walls missing at random: paths that lead nowhere.
    cell = s / rng.uniform(9, 14)
    with c.layer(blur=_NEAR, opacity=0.4) as d:
        wall = c.px(0.006)
        for gx in np.arange(0, w + cell, cell).tolist():
            for gy in np.arange(0, h + cell, cell).tolist():
                end = (gx + cell, gy) if rng.random() < 0.5 else (gx, gy + cell)
                d.line([(gx, gy), end], fill=(40, 26, 70, 255), width=wall)

    # Tangled vines wandering everywhere, outlined so they cross visibly.
    vines: list[list[Point]] = []
    for _ in range(int(rng.integers(3, 6) * c.aspect)):
        t = np.linspace(0.0, 1.0, 160)
        xs, ys = _wander(rng, t, rng.uniform(0.2, 0.8) * w, w), _wander(rng, t, rng.uniform(0.2, 0.8) * h, h)
        vines.append(list(zip(xs.tolist(), ys.tolist(), strict=True)))
    with c.layer(blur=_NEAR) as d:
        for vine in vines:
            color = _pick(rng, clashing)
            d.line(vine, fill=(30, 20, 50, 255), width=c.px(0.014), joint="curve")
            d.line(vine, fill=_rgba(color), width=c.px(0.008), joint="curve")
            for i in range(8, len(vine) - 8, int(rng.integers(14, 24))):
                angle = (
                    math.atan2(vine[i + 1][1] - vine[i][1], vine[i + 1][0] - vine[i][0]) + (1 if i % 2 else -1) * 1.1
                )
                leaf = _polar(vine[i], s * 0.018, angle)
                d.polygon(_ellipse(leaf, s * 0.02, s * 0.008, angle), fill=_rgba(_mix(color, (30, 20, 50), 0.25)))

    # Spirals and question-mark hooks: the shapes of "what?".
    with c.layer(blur=_NEAR) as d:
        for _ in range(int(rng.integers(2, 4) * c.aspect)):
            center = (rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h)
            size = s * rng.uniform(0.06, 0.15)
            turns = rng.uniform(2.5, 4.5)
            direction = 1 if rng.random() < 0.5 else -1
            theta = np.linspace(0, math.tau * turns, 220)
            radius = size * theta / theta[-1]
            spiral = list(
                zip(
                    (center[0] + radius * np.cos(direction * theta)).tolist(),
                    (center[1] + radius * np.sin(direction * theta)).tolist(),
                    strict=True,
                )
            )
            d.line(spiral, fill=(255, 255, 255, 235), width=c.px(0.007), joint="curve")
        for _ in range(int(rng.integers(3, 7) * c.aspect**0.5)):
            _question_hook(
                d,
                rng,
                (rng.uniform(0.08, 0.92) * w, rng.uniform(0.12, 0.8) * h),
                s * rng.uniform(0.035, 0.08),
                _pick(rng, clashing),
            )


def _wander(rng: np.random.Generator, t: FloatArray, center: float, extent: float) -> FloatArray:
    """A smooth but unpredictable 1-D path: three random sines around `center`."""
    path = np.full_like(t, center)
    for k in (1, 2, 3):
        wave = np.sin(math.tau * t * k * rng.uniform(0.5, 1.5) + rng.uniform(0, math.tau))
        path += extent * rng.uniform(0.1, 0.35) / k * wave
    return path


def _question_hook(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, center: Point, size: float, color: Color
) -> None:
    """A tilted question mark built from an arc, a short stem and a dot."""
    tilt = rng.uniform(-0.4, 0.4)
    cos_t, sin_t = math.cos(tilt), math.sin(tilt)

    def place(x: float, y: float) -> Point:
        return (center[0] + (x * cos_t - y * sin_t) * size, center[1] + (x * sin_t + y * cos_t) * size)

    # In y-down coordinates angles 160..450 degrees sweep over the top and down the right side.
    angles = np.radians(np.linspace(160, 450, 40))
    hook = [place(math.cos(a), math.sin(a)) for a in angles.tolist()] + [place(0.0, 1.7)]
    outline = (30, 20, 50, 255)
    width = max(2, round(size * 0.38))
    draw.line(hook, fill=outline, width=width + max(2, round(size * 0.16)), joint="curve")
    draw.line(hook, fill=_rgba(color), width=width, joint="curve")
    dot = place(0.0, 2.45)
    draw.ellipse(_bbox(dot, size * 0.3), fill=outline)
    draw.ellipse(_bbox(dot, size * 0.22), fill=_rgba(color))


# --------------------------------------------------------------------------- #
# Theme particles and the public entry point
# --------------------------------------------------------------------------- #


def _theme_particles(c: _Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    if {"rainy", "stormy"} & c.theme:
        _rain(c, int(220 * c.aspect), (214, 224, 240), (50, 110), rng.uniform(-0.25, -0.05))
    if {"snowy", "winter"} & c.theme:
        flakes = int((160 if "snowy" in c.theme else 50) * c.aspect)
        with c.layer(blur=_NEAR) as d:
            for _ in range(flakes):
                p = (rng.uniform(0, w), rng.uniform(0, h))
                # Small flakes are faint, as if further away.
                depth = rng.uniform(0.4, 1.0)
                d.ellipse(_bbox(p, s * 0.007 * depth), fill=(250, 252, 255, int(250 * depth)))
    falling: list[Color] = []
    if "autumn" in c.theme:
        falling = [(214, 96, 36), (236, 160, 50), (160, 62, 30)]
    elif "spring" in c.theme:
        falling = [(255, 200, 220), (255, 236, 244), (248, 170, 200)]
    if falling:
        with c.layer(blur=_NEAR) as d:
            for _ in range(int(rng.integers(10, 20) * c.aspect)):
                p = (rng.uniform(0, w), rng.uniform(0, h))
                size = s * rng.uniform(0.006, 0.012)
                d.polygon(_ellipse(p, size, size * 0.5, rng.uniform(0, math.pi)), fill=_rgba(_pick(rng, falling), 220))


@dataclass(frozen=True)
class _Recipe:
    paint: Callable[[_Canvas], None]
    vignette: float


_RECIPES: dict[str, _Recipe] = {
    "HAPPY": _Recipe(_paint_happy, 0.12),
    "SAD": _Recipe(_paint_sad, 0.3),
    "ANGRY": _Recipe(_paint_angry, 0.45),
    "CONFUSED": _Recipe(_paint_confused, 0.2),
    "DISGUSTED": _Recipe(_paint_disgusted, 0.35),
    "SURPRISED": _Recipe(_paint_surprised, 0.2),
    "CALM": _Recipe(_paint_calm, 0.08),
    "FEAR": _Recipe(_paint_fear, 0.8),
}
EMOTIONS: tuple[str, ...] = tuple(_RECIPES)


def draw_emotion_art(*, emotion: str, width: int, height: int, seed: int, theme: str = "") -> Image.Image:
    """Paint an abstract garden scene that expresses `emotion`.

    `emotion` is a Rekognition emotion name (case-insensitive). The result is an
    RGB image of exactly `width` x `height`, identical for identical arguments.
    Recognised season, weather and time-of-day words in `theme` (for example
    "winter,snowy,night") tint the palette or add snow, rain, stars or falling
    leaves; other words are ignored.

    Raises ValueError for an unknown emotion or a side outside 64..2048 pixels.
    """
    recipe = _RECIPES.get(emotion.upper())
    if recipe is None:
        raise ValueError(f"Unknown emotion {emotion!r}; expected one of {', '.join(EMOTIONS)}")
    for name, size in (("width", width), ("height", height)):
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise ValueError(f"{name} must be between {MIN_SIZE} and {MAX_SIZE} pixels, got {size}")
    # default_rng only takes non-negative seeds; wrap so any int is usable.
    rng = np.random.default_rng(seed % 2**64)
    canvas = _Canvas(width, height, rng, _parse_theme(theme))
    recipe.paint(canvas)
    _theme_particles(canvas)
    return canvas.finish(recipe.vignette)
