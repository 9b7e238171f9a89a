"""SURPRISED: fireworks bursting over a hedge of star-shaped blooms."""

import math

import numpy as np

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.motifs import (
    VIVID,
    firework,
    star_points,
)
from curation.generators.procedural_art.shapes import (
    MID,
    NEAR,
    Point,
    bbox,
    bezier,
    pick,
    rgba,
)


def paint_surprised(c: Canvas) -> None:
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
            d.line(bezier(origin, bend, center, 16), fill=(255, 236, 200, 200), width=c.px(0.003), joint="curve")

    # Nested layers land innermost first, so the glow ends up under the streaks.
    with c.layer(blur=NEAR) as sharp, c.layer(blur=0.05, opacity=0.6) as glow:
        for center, radius in bursts:
            firework(glow, sharp, rng, center, radius, pick(rng, VIVID), s)

    with c.layer(blur=0.002) as d:
        for _ in range(int(rng.integers(5, 10) * c.aspect)):
            center = (rng.uniform(0, w), rng.uniform(0, horizon))
            outer = s * rng.uniform(0.01, 0.025)
            d.polygon(star_points(center, outer, outer * 0.3, 4, rng.uniform(0, 1)), fill=(255, 250, 225, 235))
        for _ in range(int(70 * c.aspect)):
            center = (rng.uniform(0, w), rng.uniform(0, h))
            d.ellipse(bbox(center, s * rng.uniform(0.002, 0.006)), fill=rgba(pick(rng, VIVID), 220))

    hedge = [(x, horizon - s * rng.uniform(0.0, 0.04)) for x in np.linspace(-0.02 * w, 1.02 * w, 40).tolist()]
    c.fill_polygon(hedge + [(w, h), (0, h)], [(horizon - s * 0.04, (46, 22, 84)), (h, (20, 10, 40))], blur=MID)

    # Star-shaped blooms popping open along the hedge.
    with c.layer(blur=NEAR) as d:
        for _ in range(int(rng.integers(8, 14) * c.aspect)):
            base = (rng.uniform(0, w), rng.uniform(horizon, h * 1.02))
            depth = (base[1] - horizon) / (h - horizon)
            height = s * (0.04 + 0.1 * depth) * rng.uniform(0.8, 1.2)
            head = (base[0] + rng.normal(0, height * 0.15), base[1] - height)
            d.line([base, head], fill=(40, 120, 90, 255), width=c.px(0.004))
            color = pick(rng, VIVID)
            outer = height * 0.35
            points = star_points(head, outer, outer * 0.4, int(rng.integers(6, 10)), rng.uniform(0, 1))
            d.polygon(points, fill=rgba(color))
            d.ellipse(bbox(head, outer * 0.22), fill=(255, 250, 220, 255))
