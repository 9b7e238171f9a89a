"""Things a prompt may name: a car, a house, a tree, flowers, a boat, an umbrella, a balloon, a heart, a star and a
rainbow. Drawn like the animals (see animals.py): from a ground point or a centre, `size` pixels tall, returning
where another figure could sit."""

import math

import numpy as np
from PIL import ImageDraw

from curation.generators.procedural_art.motifs import bloom, star_points
from curation.generators.procedural_art.shapes import Color, Point, bbox, bezier, ellipse, mix, rgba

Draw = ImageDraw.ImageDraw
GLASS: Color = (190, 222, 242)
TYRE: Color = (28, 28, 32)
WARM_WINDOW: Color = (255, 222, 130)


def draw_car(d: Draw, base: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    x, y, f, h = base[0], base[1], facing, size
    length = h * 2.2
    fill = rgba(colour)
    d.rounded_rectangle((x - length / 2, y - h * 0.72, x + length / 2, y - h * 0.22), radius=h * 0.14, fill=fill)
    cabin = [(x - f * length * 0.34, y - h * 0.7), (x - f * length * 0.22, y - h), (x + f * length * 0.14, y - h),
             (x + f * length * 0.3, y - h * 0.7)]
    d.polygon(cabin, fill=fill)
    if detail:
        glass = rgba(GLASS)
        d.polygon([(x - f * length * 0.3, y - h * 0.72), (x - f * length * 0.2, y - h * 0.92),
                   (x - f * length * 0.05, y - h * 0.92), (x - f * length * 0.05, y - h * 0.72)], fill=glass)
        d.polygon([(x + f * length * 0.0, y - h * 0.72), (x + f * length * 0.0, y - h * 0.92),
                   (x + f * length * 0.12, y - h * 0.92), (x + f * length * 0.25, y - h * 0.72)], fill=glass)
        d.ellipse(bbox((x + f * length * 0.47, y - h * 0.56), h * 0.05), fill=(255, 236, 150, 255))
    for wheel in (-0.3, 0.3):
        center = (x + length * wheel, y - h * 0.22)
        d.ellipse(bbox(center, h * 0.22), fill=rgba(TYRE if detail else colour))
        if detail:
            d.ellipse(bbox(center, h * 0.1), fill=(176, 178, 184, 255))
    return (x - f * length * 0.04, y - h)


def draw_house(d: Draw, base: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    x, y, h = base[0], base[1], size
    width = h * 0.95
    roof = rgba(mix(colour, (150, 50, 40), 0.7) if detail else colour)
    d.rectangle((x + width * 0.22, y - h * 0.98, x + width * 0.34, y - h * 0.7), fill=roof)  # chimney
    d.rectangle((x - width / 2, y - h * 0.6, x + width / 2, y), fill=rgba(colour))
    d.polygon([(x - width * 0.62, y - h * 0.58), (x, y - h), (x + width * 0.62, y - h * 0.58)], fill=roof)
    if detail:
        d.rectangle((x - width * 0.1, y - h * 0.32, x + width * 0.1, y), fill=(96, 60, 36, 255))
        for side in (-1, 1):
            left = x + side * width * 0.3 - width * 0.09
            d.rectangle((left, y - h * 0.46, left + width * 0.18, y - h * 0.28), fill=rgba(WARM_WINDOW))
    return (x, y - h)


def draw_tree(d: Draw, base: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    x, y, h = base[0], base[1], size
    trunk = rgba((96, 64, 40) if detail else colour)
    d.polygon([(x - h * 0.06, y), (x - h * 0.035, y - h * 0.55), (x + h * 0.035, y - h * 0.55), (x + h * 0.06, y)],
              fill=trunk)
    crown = (x, y - h * 0.68)
    for angle in np.linspace(0, math.tau, 7, endpoint=False).tolist():
        puff = (crown[0] + math.cos(angle) * h * 0.16, crown[1] + math.sin(angle) * h * 0.12)
        shade = mix(colour, (0, 0, 0), 0.18) if detail and math.sin(angle) > 0 else colour
        d.ellipse(bbox(puff, h * 0.17), fill=rgba(shade))
    d.ellipse(bbox(crown, h * 0.2), fill=rgba(colour))
    return (crown[0], crown[1] - h * 0.3)


def draw_flowers(d: Draw, base: Point, size: float, colour: Color, facing: int, detail: bool = True,
                 rng: np.random.Generator | None = None) -> Point:
    """A clump of flowers on stems; a colour named for them paints every bloom."""
    rng = rng or np.random.default_rng(0)
    x, y, h = base[0], base[1], size
    heads = []
    for offset in (-0.45, -0.15, 0.15, 0.45):
        stem_base = (x + offset * h, y)
        head = (stem_base[0] + rng.normal(0, h * 0.06), y - h * rng.uniform(0.6, 1.0))
        d.line(bezier(stem_base, (stem_base[0], y - h * 0.4), head, 8), fill=rgba((62, 128, 52) if detail else colour),
               width=max(1, round(h * 0.04)))
        heads.append(head)
    for head in heads:
        if detail:
            bloom(d, rng, head, h * 0.2, colour)
        else:
            d.ellipse(bbox(head, h * 0.2), fill=rgba(colour))
    return (x, y - h)


def draw_boat(d: Draw, base: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    x, y, f, h = base[0], base[1], facing, size
    length = h * 1.3
    d.polygon([(x - length / 2, y - h * 0.3), (x + length / 2, y - h * 0.3), (x + length * 0.36, y),
               (x - length * 0.36, y)], fill=rgba(colour))
    d.line([(x, y - h * 0.3), (x, y - h)], fill=rgba((70, 50, 36) if detail else colour), width=max(1, round(h * 0.03)))
    sail = rgba((248, 246, 238) if detail else colour)
    mast = x + f * h * 0.03
    d.polygon([(mast, y - h * 0.98), (mast, y - h * 0.36), (x + f * length * 0.42, y - h * 0.36)], fill=sail)
    return (x - f * length * 0.2, y - h * 0.3)


def draw_umbrella(d: Draw, base: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    x, y, h = base[0], base[1], size
    handle = rgba((60, 44, 36) if detail else colour)
    d.line([(x, y - h * 0.78), (x, y - h * 0.08)], fill=handle, width=max(1, round(h * 0.035)))
    d.arc(bbox((x + h * 0.06, y - h * 0.08), h * 0.06), 0, 180, fill=handle, width=max(1, round(h * 0.035)))
    canopy = (x, y - h * 0.62)
    d.pieslice(bbox(canopy, h * 0.5, h * 0.38), 180, 360, fill=rgba(colour))
    for i in range(4):  # the scalloped rim between the ribs
        d.ellipse(bbox((x - h * 0.375 + i * h * 0.25, canopy[1]), h * 0.125, h * 0.05), fill=rgba(colour))
    return (x, y - h)


def draw_balloon(d: Draw, center: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    x, y, h = center[0], center[1], size
    string = [(x, y + h * 0.42), (x - h * 0.1, y + h * 0.8), (x + h * 0.05, y + h * 1.2)]
    d.line(bezier(*string, 12), fill=rgba((90, 90, 96) if detail else colour), width=max(1, round(h * 0.02)))
    d.polygon(ellipse((x, y), h * 0.3, h * 0.38), fill=rgba(colour))
    d.polygon([(x - h * 0.05, y + h * 0.44), (x, y + h * 0.36), (x + h * 0.05, y + h * 0.44)], fill=rgba(colour))
    if detail:
        d.polygon(ellipse((x - h * 0.1, y - h * 0.14), h * 0.06, h * 0.11, 0.4),
                  fill=rgba(mix(colour, (255, 255, 255), 0.6), 200))
    return (x, y - h * 0.38)


def draw_heart(d: Draw, center: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    t = np.linspace(0, math.tau, 48)
    xs = 16 * np.sin(t) ** 3
    ys = 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    scale = size / 34
    d.polygon([(center[0] + u * scale, center[1] - v * scale) for u, v in zip(xs.tolist(), ys.tolist(), strict=True)],
              fill=rgba(colour))
    return (center[0], center[1] - size * 0.4)


def draw_star(d: Draw, center: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    d.polygon(star_points(center, size / 2, size / 5, 5, -math.pi / 2), fill=rgba(colour))
    return (center[0], center[1] - size / 2)


def draw_rainbow(d: Draw, center: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    """An arc of the seven colours; `center` is the middle of its base and `size` its radius."""
    band = size * 0.06
    colours = [(232, 58, 52), (246, 140, 40), (250, 216, 60), (96, 186, 80), (60, 140, 220), (80, 80, 180),
               (140, 80, 180)]
    for i, band_colour in enumerate(colours):
        d.arc(bbox(center, size - i * band), 180, 360, fill=rgba(band_colour if detail else colour),
              width=math.ceil(band))
    return (center[0], center[1] - size)
