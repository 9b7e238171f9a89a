"""HAPPY: a sunlit meadow of open flowers under a rainbow."""

import math

import numpy as np

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.motifs import (
    bloom,
)
from curation.generators.procedural_art.shapes import (
    FAR,
    MID,
    NEAR,
    Color,
    bbox,
    bezier,
    ellipse,
    mix,
    pick,
    polar,
    rgba,
    ridge,
    vary,
)


def paint_happy(c: Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.56, 0.64)
    c.paint_sky([(0, (255, 172, 70)), (horizon * 0.7, (255, 208, 112)), (horizon, (255, 236, 176))], horizon)

    # Under the theme's night or overcast sky the sun and its rainbow stay out of sight, laid out all the same so
    # that the rest of the garden does not move.
    sunlit = c.daylit
    sun = (w * rng.uniform(0.22, 0.78), horizon * rng.uniform(0.3, 0.48))
    sun_r = s * rng.uniform(0.085, 0.11)
    rays = int(rng.integers(12, 19))
    spin = rng.uniform(0, math.tau)
    reach = math.hypot(w, h)
    with c.layer(blur=MID, opacity=0.3 * sunlit) as d:
        for i in range(rays):
            angle = spin + math.tau * i / rays
            half = math.pi / rays * rng.uniform(0.35, 0.55)
            d.polygon(
                [sun, polar(sun, reach, angle - half), polar(sun, reach, angle + half)], fill=(255, 252, 228, 255)
            )
    c.glow(sun, sun_r * 4.5, (255, 248, 214), 0.6 * sunlit)

    # A soft rainbow: the clearest "upward arc" there is.
    if rng.random() < 0.75:
        center = (w * rng.uniform(0.15, 0.85), horizon + s * rng.uniform(0.05, 0.2))
        radius = s * rng.uniform(0.5, 0.8)
        band = s * 0.024
        with c.layer(blur=0.005, opacity=0.32 * sunlit) as d:
            for i, color in enumerate(
                [(255, 98, 86), (255, 160, 60), (255, 226, 90), (140, 214, 110), (110, 180, 240)]
            ):
                d.arc(bbox(center, radius - i * band), 180, 360, fill=rgba(color), width=math.ceil(band))

    with c.layer(blur=0.002, opacity=sunlit) as d:
        d.ellipse(bbox(sun, sun_r), fill=(255, 242, 168, 255))
    c.glow(sun, sun_r * 1.3, (255, 255, 240), 0.5 * sunlit)

    # Swooping birds climbing away into the warm sky.
    with c.layer(blur=NEAR) as d:
        for _ in range(int(rng.integers(0, 5))):
            x, y, span = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.8) * horizon, s * rng.uniform(0.012, 0.025)
            if math.dist((x, y), sun) < sun_r * 2:
                continue
            left = bezier((x - span, y - span * 0.2), (x - span * 0.5, y - span * 0.6), (x, y))
            right = bezier((x, y), (x + span * 0.5, y - span * 0.7), (x + span * 1.1, y - span * 0.5))
            d.line(left + right, fill=(150, 90, 50, 200), width=c.px(0.003), joint="curve")

    hills = [((232, 210, 120), FAR, 0.0), ((180, 202, 86), MID, 0.2), ((128, 182, 68), NEAR, 0.42)]
    for color, blur, depth in hills:
        base = horizon + (h - horizon) * depth
        skyline = ridge(rng, w, s, base, s * rng.uniform(0.03, 0.06), rng.uniform(0.5, 1.1))
        c.fill_polygon(
            skyline + [(w, h), (0, h)], [(base - s * 0.06, color), (h, mix(color, (70, 130, 40), 0.45))], blur=blur
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
    with c.layer(blur=NEAR) as d:
        for y in ys.tolist():
            x = rng.uniform(-0.02, 1.02) * w
            depth = (y - horizon) / (h - horizon)
            radius = s * (0.012 + 0.05 * depth**1.5) * rng.uniform(0.8, 1.2)
            stem = radius * rng.uniform(1.6, 3.2)
            head = (x + rng.uniform(-0.5, 0.5) * radius, y - stem)
            green = vary(rng, (70, 140, 46), 12)
            d.line(bezier((x, y), (x, y - stem * 0.5), head, 8), fill=rgba(green), width=max(1, round(radius * 0.16)))
            leaf_side = 1 if rng.random() < 0.5 else -1
            leaf_at = (x + leaf_side * radius * 0.35, y - stem * 0.35)
            d.polygon(ellipse(leaf_at, radius * 0.42, radius * 0.15, -leaf_side * 0.6), fill=rgba(green))
            bloom(d, rng, head, radius, pick(rng, palette))

    with c.layer(blur=0.003) as d:
        for _ in range(int(30 * c.aspect)):
            p = (rng.uniform(0, w), rng.uniform(0, h * 0.9))
            d.ellipse(bbox(p, s * rng.uniform(0.002, 0.006)), fill=(255, 250, 215, int(rng.integers(110, 210))))
