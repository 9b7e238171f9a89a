"""What the theme adds over a painting: rain, snow, falling leaves and petals."""

import math

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.motifs import (
    rain,
)
from curation.generators.procedural_art.shapes import (
    NEAR,
    Color,
    bbox,
    ellipse,
    pick,
    rgba,
)


def theme_particles(c: Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    if {"rainy", "stormy"} & c.theme:
        rain(c, int(220 * c.aspect), (214, 224, 240), (50, 110), rng.uniform(-0.25, -0.05))
    if {"snowy", "winter"} & c.theme:
        flakes = int((160 if "snowy" in c.theme else 50) * c.aspect)
        with c.layer(blur=NEAR) as d:
            for _ in range(flakes):
                p = (rng.uniform(0, w), rng.uniform(0, h))
                # Small flakes are faint, as if further away.
                depth = rng.uniform(0.4, 1.0)
                d.ellipse(bbox(p, s * 0.007 * depth), fill=(250, 252, 255, int(250 * depth)))
    falling: list[Color] = []
    if "autumn" in c.theme:
        falling = [(214, 96, 36), (236, 160, 50), (160, 62, 30)]
    elif "spring" in c.theme:
        falling = [(255, 200, 220), (255, 236, 244), (248, 170, 200)]
    if falling:
        with c.layer(blur=NEAR) as d:
            for _ in range(int(rng.integers(10, 20) * c.aspect)):
                p = (rng.uniform(0, w), rng.uniform(0, h))
                size = s * rng.uniform(0.006, 0.012)
                d.polygon(ellipse(p, size, size * 0.5, rng.uniform(0, math.pi)), fill=rgba(pick(rng, falling), 220))
