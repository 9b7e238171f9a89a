"""A cover card per track, drawn here: the colours of its emotions, a few rings like a record's grooves, and its
title and artist set in the font that ships in curation/fonts (Latin, Greek, Cyrillic and Hangul). Nothing is
fetched: no album art is downloaded, so no one else's artwork is copied either.

Characters the font lacks (Han ideographs, kana, emoji) are left out of the card; the title keeps them everywhere
else (the page, the API, the admin).
"""

import functools
import hashlib
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from emotion_garden.vocabulary import Emotion

SIZE = 512
FONT_PATH = Path(__file__).resolve().parent.parent / "fonts" / "GardenCoverSans-Bold.otf"

Color = tuple[int, int, int]


# Two gradient stops and an accent per emotion: warm and bright for happy, cold greys for sad, reds for anger...
PALETTES: dict[str, tuple[Color, Color, Color]] = {
    Emotion.HAPPY: ((255, 196, 61), (247, 112, 98), (255, 244, 180)),
    Emotion.SAD: ((58, 79, 122), (24, 32, 56), (130, 160, 210)),
    Emotion.ANGRY: ((196, 30, 45), (60, 8, 16), (255, 120, 60)),
    Emotion.CONFUSED: ((124, 92, 196), (46, 150, 160), (240, 200, 255)),
    Emotion.DISGUSTED: ((110, 128, 38), (52, 60, 20), (200, 210, 90)),
    Emotion.SURPRISED: ((255, 102, 196), (255, 170, 40), (255, 255, 160)),
    Emotion.CALM: ((120, 200, 190), (40, 100, 140), (220, 250, 240)),
    Emotion.FEAR: ((40, 24, 64), (6, 6, 14), (150, 90, 200)),
}

TITLE_SIZES = (60, 52, 44, 38, 32)
TITLE_LINES = 3
ARTIST_SIZE = 30
ARTIST_LINES = 2
MARGIN = 36
ELLIPSIS = "…"


def draw_cover(*, title: str, artist: str, emotions: Sequence[str]) -> Image.Image:
    """The cover of a track: SIZE x SIZE RGB, the same for the same title, artist and emotions."""
    palettes = [PALETTES[Emotion(emotion)] for emotion in emotions] or [PALETTES[Emotion.CALM]]
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(f"{artist}\n{title}".encode()).digest()[:8], "big"))
    top, bottom, accent = palettes[0]
    if len(palettes) > 1:
        # A second emotion colours the far corner, so "calm and sad" reads differently from "calm" alone.
        bottom = _mix(bottom, palettes[1][0], 0.55)
    card = _gradient(top, bottom, angle=float(rng.uniform(0.15, 0.6)))
    _draw_rings(card, rng, [palette[2] for palette in palettes] or [accent])
    _draw_text(card, title=title, artist=artist, background=_mix(top, bottom, 0.75))
    return card


def _gradient(start: Color, end: Color, *, angle: float) -> Image.Image:
    """A diagonal gradient: `angle` (radians from vertical) tilts it a little differently per track. Computed at a
    sixteenth of the size and scaled up, which is as smooth and ten times faster."""
    steps = SIZE // 16
    axis = np.linspace(0.0, 1.0, steps, dtype=np.float32)
    ramp = axis[:, None] * math.cos(angle) + axis[None, :] * math.sin(angle)
    ramp /= ramp.max()
    pixels = np.asarray(start, np.float32) + ramp[..., None] * (np.asarray(end, np.float32) - start)
    small = Image.fromarray(pixels.round().astype(np.uint8), "RGB")
    return small.resize((SIZE, SIZE), Image.Resampling.BILINEAR)


def _draw_rings(card: Image.Image, rng: np.random.Generator, accents: Sequence[Color]) -> None:
    """Concentric rings off one corner, half hidden, like a record sliding out of its sleeve."""
    layer = Image.new("RGBA", card.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    centre = (SIZE * float(rng.uniform(0.62, 0.9)), SIZE * float(rng.uniform(0.08, 0.38)))
    outer = SIZE * float(rng.uniform(0.38, 0.52))
    rings = int(rng.integers(5, 9))
    for ring in range(rings):
        radius = outer * (1 - ring / rings)
        colour = accents[ring % len(accents)]
        box = (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius)
        draw.ellipse(box, outline=(*colour, int(rng.integers(60, 130))), width=max(2, int(SIZE * 0.012)))
    label = outer * 0.3
    draw.ellipse((centre[0] - label, centre[1] - label, centre[0] + label, centre[1] + label),
                 fill=(*accents[0], 110))
    layer = layer.filter(ImageFilter.BoxBlur(1))  # softens the aliased edges of ImageDraw
    card.paste(layer, (0, 0), layer)


def _draw_text(card: Image.Image, *, title: str, artist: str, background: Color) -> None:
    """Title and artist at the bottom left, over a soft shade that keeps them readable on any gradient."""
    width = SIZE - 2 * MARGIN
    title_font, title_lines = _fit_title(_drawable(title), width)
    artist_font = _font(ARTIST_SIZE)
    artist_lines = _wrap(_drawable(artist), artist_font, width, ARTIST_LINES)
    title_step, artist_step = int(title_font.size * 1.2), int(ARTIST_SIZE * 1.3)
    block = title_step * len(title_lines) + 12 + artist_step * len(artist_lines)
    top = SIZE - MARGIN - block

    light_text = _luminance(background) < 0.6
    darkest = 120 if light_text else 70
    fade = np.clip((np.arange(SIZE, dtype=np.float32) - (top - 100)) / 100, 0, 1) * darkest
    shade = Image.fromarray(fade.astype(np.uint8)[:, None], "L").resize(card.size)
    card.paste((0, 0, 0) if light_text else (255, 255, 255), (0, 0), shade)

    ink, soft_ink = ((255, 255, 255), (232, 232, 240)) if light_text else ((20, 20, 28), (52, 52, 64))
    draw = ImageDraw.Draw(card)
    y = top
    for line in title_lines:
        draw.text((MARGIN, y), line, font=title_font, fill=ink)
        y += title_step
    y += 12
    for line in artist_lines:
        draw.text((MARGIN, y), line, font=artist_font, fill=soft_ink)
        y += artist_step


def _fit_title(title: str, width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which the whole title fits in TITLE_LINES lines; else the smallest, cut with an ellipsis."""
    for size in TITLE_SIZES:
        font = _font(size)
        lines = _wrap(title, font, width, TITLE_LINES + 1)
        if len(lines) <= TITLE_LINES:
            return font, lines
    font = _font(TITLE_SIZES[-1])
    return font, _wrap(title, font, width, TITLE_LINES)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Greedy wrapping at spaces (a word longer than a line is broken anywhere); past max_lines, an ellipsis."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while font.getlength(line) > width:
            cut = _longest_prefix(line, font, width)
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and font.getlength(last.rstrip() + ELLIPSIS) > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + ELLIPSIS]
    return lines


def _longest_prefix(text: str, font: ImageFont.FreeTypeFont, width: int) -> int:
    cut = len(text)
    while cut > 1 and font.getlength(text[:cut]) > width:
        cut -= 1
    return cut


def _drawable(text: str) -> str:
    """`text` without the characters the font has no glyph for (they would show as empty boxes)."""
    kept = "".join(char for char in text if char.isspace() or _has_glyph(char))
    return " ".join(kept.split()) or "♪"


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size)


@functools.lru_cache(maxsize=16384)
def _has_glyph(char: str) -> bool:
    # Pillow has no API for a font's character map. A character the font lacks is drawn as glyph 0 (.notdef), whose
    # picture is the same for every missing character.
    return _glyph_picture(char) != _glyph_picture("\U0010fffd")


def _glyph_picture(char: str) -> tuple[tuple[int, int, int, int], bytes]:
    mask = _font(TITLE_SIZES[-1]).getmask(char)
    return mask.getbbox() or (0, 0, 0, 0), bytes(mask)


def _mix(a: Color, b: Color, t: float) -> Color:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def _luminance(colour: Color) -> float:
    return (0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]) / 255
