"""FEAR: a dark forest of bare trees where eyes glow between the trunks."""

import math
from itertools import pairwise

import numpy as np

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.motifs import (
    bare_tree,
)
from curation.generators.procedural_art.shapes import (
    MID,
    NEAR,
    WHITE,
    Point,
    bbox,
    ellipse,
    mix,
    pick,
    rgba,
    ridge,
)


def paint_fear(c: Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.78, 0.86)
    c.paint_sky([(0, (6, 3, 14)), (horizon * 0.6, (30, 14, 50)), (horizon, (66, 36, 90))], horizon)
    if rng.random() < 0.75:
        moon = (w * rng.uniform(0.15, 0.85), h * rng.uniform(0.1, 0.3))
        moon_r = s * rng.uniform(0.04, 0.07)
        c.glow(moon, moon_r * 5, (150, 120, 190), 0.35)
        with c.layer(blur=0.002) as d:
            d.ellipse(bbox(moon, moon_r), fill=(206, 196, 222, 255))
    c.glow((w * 0.5, horizon), max(w, h) * 0.6, (92, 60, 120), 0.35)

    with c.layer(blur=0.006) as d:
        for _ in range(int(rng.integers(12, 20) * c.aspect)):
            base = (rng.uniform(-0.05, 1.05) * w, horizon + s * 0.02)
            bare_tree(d, rng, base, h * rng.uniform(0.7, 1.1), s * rng.uniform(0.008, 0.018), (40, 22, 58))

    ground = ridge(rng, w, s, horizon, s * 0.01, 0.8)
    c.fill_polygon(ground + [(w, h), (0, h)], [(horizon, (16, 8, 24)), (h, (3, 1, 6))], blur=MID)

    with c.layer(blur=0.03, opacity=0.45) as d:
        for _ in range(int(rng.integers(6, 10) * c.aspect)):
            center = (rng.uniform(0, w), horizon + rng.normal(0, s * 0.04))
            rx = s * rng.uniform(0.15, 0.35)
            d.ellipse(bbox(center, rx, rx * 0.15), fill=(112, 80, 150, 255))

    trunks = sorted(rng.uniform(-0.05, 1.05, int(rng.integers(4, 7) * c.aspect)) * w)
    # Eyes hide in the gaps between the nearest trunks, where it is darkest;
    # the trunks are painted after them so an eye may peek from behind one.
    gaps = [(a + b) / 2 for a, b in pairwise(trunks)] or [w / 2]
    glow_color = pick(rng, [(255, 214, 80), (255, 70, 60), (190, 255, 120)])
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
            d.ellipse(bbox(eye, size * 2.5, size * 1.6), fill=rgba(glow_color, 190))
    with c.layer(blur=NEAR) as d:
        for eye, size, tilt in eyes:
            d.polygon(ellipse(eye, size, size * 0.5, tilt), fill=rgba(mix(glow_color, WHITE, 0.35)))
            d.polygon(ellipse(eye, size * 0.14, size * 0.45), fill=(10, 0, 10, 255))
    with c.layer(blur=NEAR) as d:
        for x in trunks:
            bare_tree(d, rng, (x, h * 1.02), h * rng.uniform(0.95, 1.25), s * rng.uniform(0.025, 0.055), (5, 2, 9))
