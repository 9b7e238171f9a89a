"""The canvas every painter draws on: layers, gradients, glows, and the finishing colour grade, vignette and grain."""

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from curation.generators.procedural_art.shapes import LUMA, NEAR, Color, FloatArray, Point


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


@dataclass(frozen=True)
class Grade:
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
        desaturate[:3, :3] += self.desaturate * (np.tile(LUMA, (3, 1)) - np.eye(3, dtype=np.float32))
        haze = np.eye(4, dtype=np.float32)
        if self.haze is not None:
            haze[:3, :3] *= 1.0 - self.haze_strength
            haze[:3, 3] = self.haze_strength * np.asarray(self.haze, dtype=np.float32)
        gain = np.diag(np.asarray([*self.gain, 1.0], dtype=np.float32))
        return gain @ haze @ desaturate


GRADES: dict[str, Grade] = {
    "spring": Grade(gain=(1.02, 1.04, 1.0)),
    "summer": Grade(gain=(1.06, 1.04, 0.9)),
    "autumn": Grade(gain=(1.08, 0.97, 0.82)),
    "winter": Grade(gain=(0.97, 1.0, 1.06), desaturate=0.15),
    "sunny": Grade(gain=(1.08, 1.05, 0.96)),
    "cloudy": Grade(gain=(0.95, 0.96, 0.98), desaturate=0.3),
    "foggy": Grade(haze=(226, 230, 234), haze_strength=0.4, low=True),
    "rainy": Grade(gain=(0.9, 0.91, 0.93), desaturate=0.35),
    "snowy": Grade(gain=(1.02, 1.04, 1.08), desaturate=0.15),
    "stormy": Grade(gain=(0.74, 0.76, 0.86), desaturate=0.25),
    "dawn": Grade(gain=(1.06, 0.98, 1.0), haze=(255, 196, 190), haze_strength=0.14, low=True),
    "day": Grade(gain=(1.03, 1.03, 1.02)),
    "sunset": Grade(gain=(1.18, 0.94, 0.76), low=True),
    "night": Grade(gain=(0.6, 0.64, 0.82), desaturate=0.2),
}


class Canvas:
    """An RGB painting plus the helpers every emotion painter shares."""

    def __init__(
        self, width: int, height: int, rng: np.random.Generator, theme: frozenset[str] = frozenset(), *,
        extras: np.random.Generator | None = None, backdrop: "Callable[[Canvas], None] | None" = None,
    ) -> None:
        self.width = width
        self.height = height
        self.short = min(width, height)
        # The emotion's painter draws from `rng`; the theme and the prompt's subjects from `extras`, so that the
        # same seed keeps the same composition under any weather, light or subject.
        self.rng = rng
        self.extras = extras if extras is not None else rng
        self.theme = theme
        self.backdrop = backdrop
        self.horizon = height * 0.6  # until the painter says where it is
        self.image = Image.new("RGB", (width, height))

    @property
    def daylit(self) -> float:
        """1 when a painter's own sun may shine high in the sky; 0 at night, at a sunset or dawn (the theme's sky has
        its own low sun), and behind rain, snow or storm clouds."""
        return 0.0 if {"night", "sunset", "dawn", "rainy", "snowy", "stormy"} & self.theme else 1.0

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
        if bbox is None or opacity <= 0:
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
        """Start from `background`, then paint the theme's sky (stars, moon, clouds, a low sun) behind the scene."""
        self.image = background
        self.horizon = horizon
        if self.backdrop is not None:
            self.backdrop(self)

    def wash(self, stops: Sequence[tuple[float, Color, float]], top: float, bottom: float) -> None:
        """Lay a translucent vertical gradient over the rows top..bottom: (y, colour, opacity 0..1) stops."""
        first, last = max(0, math.floor(top)), min(self.height, math.ceil(bottom))
        if first >= last:
            return
        colours = _column(self.height, [(y, colour) for y, colour, _ in stops])[first:last]
        ys = np.arange(first, last, dtype=np.float32) + 0.5
        alpha = np.interp(ys, [y for y, _, _ in stops], [opacity for _, _, opacity in stops]).astype(np.float32)
        band = np.asarray(self.image.crop((0, first, self.width, last)), dtype=np.float32)
        band += (colours[:, None, :] - band) * alpha[:, None, None]
        self.image.paste(Image.fromarray((band + 0.5).astype(np.uint8)), (0, first))

    def sample(self, point: Point) -> Color:
        """The colour painted so far at `point` (clamped to the canvas)."""
        x = min(self.width - 1, max(0, round(point[0])))
        y = min(self.height - 1, max(0, round(point[1])))
        r, g, b = self.image.getpixel((x, y))[:3]
        return (r, g, b)

    def fill_polygon(
        self,
        points: Sequence[Point],
        stops: Sequence[tuple[float, Color]],
        *,
        blur: float = NEAR,
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
        if strength <= 0:
            return
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
            grade = GRADES[word]
            # Fading a grade in is blending its matrix with the identity.
            strength = rows if grade.low else np.ones_like(rows)
            transform = (identity + (grade.matrix() - identity) * strength) @ transform
        # Pixels are row vectors, so each row's matrix applies transposed; numpy's
        # batched matmul is several times faster on a contiguous operand.
        linear = np.ascontiguousarray(transform[:, :3, :3].transpose(0, 2, 1))
        graded: FloatArray = np.matmul(pixels, linear)
        graded += transform[:, None, :3, 3]
        return graded
