"""What the theme's weather and season lay over a painting: snow on the ground and in the air, rain, a storm's
lightning, fog, and falling autumn leaves or spring petals."""

import math

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.motifs import lightning, rain
from curation.generators.procedural_art.shapes import NEAR, Color, bbox, ellipse, pick, rgba, ridge


def paint_snow_cover(c: Canvas) -> None:
    """Drifts of snow over the ground, deep on a snowy day and a thin layer in winter; before the subjects, so
    they stand in it."""
    if not {"snowy", "winter"} & c.theme:
        return
    rng, w, h, s = c.extras, c.width, c.height, c.short
    # A share of the ground, but never a thin strip where a painter keeps little ground (a low horizon).
    depth, least = (0.45, 0.24) if "snowy" in c.theme else (0.2, 0.1)
    top = h - max((h - c.horizon) * depth, h * least)
    drifts = ridge(rng, w, s, top, s * 0.025, 1.2)
    shade = (228, 234, 246) if "night" not in c.theme else (150, 160, 196)
    c.fill_polygon(drifts + [(w, h), (0, h)], [(top, (252, 253, 255)), (h, shade)], blur=0.002)


def paint_falling(c: Canvas) -> None:
    """Rain, lightning, snowflakes, fog and falling leaves or petals, over everything."""
    rng, w, h, s = c.extras, c.width, c.height, c.short
    if "stormy" in c.theme:
        bolts = lightning(rng, (rng.uniform(0.15, 0.85) * w, -s * 0.02), c.horizon * rng.uniform(0.6, 0.95), s)
        for blur, paint, width in ((0.012, (200, 210, 255, 200), 0.02), (NEAR, (250, 252, 255, 255), 0.004)):
            with c.layer(blur=blur) as d:
                for path in bolts:
                    d.line(path, fill=paint, width=c.px(width), joint="curve")
    if {"rainy", "stormy"} & c.theme:
        rain(c, int(300 * c.aspect), (214, 224, 240), (70, 140), rng.uniform(-0.25, -0.05), rng=rng)
    if {"snowy", "winter"} & c.theme:
        flakes = int((260 if "snowy" in c.theme else 60) * c.aspect)
        with c.layer(blur=NEAR) as d:
            for _ in range(flakes):
                point = (rng.uniform(0, w), rng.uniform(0, h))
                # Small flakes are faint, as if further away.
                depth = rng.uniform(0.4, 1.0)
                d.ellipse(bbox(point, s * 0.008 * depth), fill=(250, 252, 255, int(250 * depth)))
    if "foggy" in c.theme:
        with c.layer(blur=0.04, opacity=0.55) as d:
            for _ in range(int(8 * c.aspect)):
                center = (rng.uniform(-0.1, 1.1) * w, c.horizon + rng.normal(0, s * 0.08))
                d.ellipse(bbox(center, s * rng.uniform(0.25, 0.5), s * rng.uniform(0.05, 0.1)),
                          fill=(232, 236, 240, 255))
    falling: list[Color] = []
    if "autumn" in c.theme:
        falling = [(214, 96, 36), (236, 160, 50), (160, 62, 30)]
    elif "spring" in c.theme:
        falling = [(255, 200, 220), (255, 236, 244), (248, 170, 200)]
    if falling:
        with c.layer(blur=NEAR) as d:
            for _ in range(int(rng.integers(18, 30) * c.aspect)):
                point = (rng.uniform(0, w), rng.uniform(0, h))
                size = s * rng.uniform(0.007, 0.014)
                d.polygon(ellipse(point, size, size * 0.5, rng.uniform(0, math.pi)),
                          fill=rgba(pick(rng, falling), 230))
