"""CALM: a still lake with a soft sun, lily pads and reeds."""

import math

import numpy as np

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.shapes import (
    FAR,
    MID,
    NEAR,
    bbox,
    bezier,
    ellipse,
    polar,
    rgba,
    ridge,
    vary,
)


def paint_calm(c: Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.44, 0.56)
    c.paint_sky([(0, (166, 214, 204)), (horizon, (220, 238, 224))], horizon)
    # Under the theme's night or overcast sky the sun stays out of sight (its reflection becomes the moon's).
    sunlit = c.daylit
    sun = (w * rng.uniform(0.2, 0.8), horizon - s * rng.uniform(0.06, 0.16))
    sun_r = s * rng.uniform(0.045, 0.065)
    c.glow(sun, sun_r * 6, (250, 252, 232), 0.45 * sunlit)
    # Thin, unmoving streaks of cloud keep the sky open but not blank.
    with c.layer(blur=0.012, opacity=0.55) as d:
        for _ in range(int(rng.integers(2, 5) * c.aspect)):
            center = (rng.uniform(0, w), horizon * rng.uniform(0.15, 0.8))
            rx = s * rng.uniform(0.15, 0.35)
            d.ellipse(bbox(center, rx, rx * rng.uniform(0.05, 0.09)), fill=(248, 252, 246, 255))
    with c.layer(blur=0.003, opacity=sunlit) as d:
        d.ellipse(bbox(sun, sun_r), fill=(250, 251, 234, 235))

    for color, blur, amp in (((150, 198, 184), FAR, 0.045), ((118, 176, 162), MID, 0.025)):
        skyline = ridge(rng, w, s, horizon, s * amp, rng.uniform(0.3, 0.6))
        c.fill_polygon(
            skyline + [(w, horizon), (0, horizon)], [(horizon - s * 0.06, color), (horizon, color)], blur=blur
        )

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
    with c.layer(blur=NEAR) as d:
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
                fill=rgba(color, 70 + 60 * t),
                width=c.px(0.002 + 0.002 * t),
            )

    # Floating lily pads, squashed by perspective.
    with c.layer(blur=NEAR) as d:
        for _ in range(int(rng.integers(2, 6))):
            y = horizon + (h - horizon) * rng.uniform(0.35, 0.95)
            depth = (y - horizon) / (h - horizon)
            rx = s * (0.02 + 0.05 * depth)
            center = (rng.uniform(0.05, 0.95) * w, y)
            notch = rng.uniform(0, 360)
            d.pieslice(
                bbox(center, rx, rx * 0.35), notch + 25, notch + 335, fill=rgba(vary(rng, (104, 168, 126), 10))
            )
            if rng.random() < 0.3:
                bloom = (center[0], center[1] - rx * 0.2)
                for angle in (-2.3, -1.9, -1.57, -1.2, -0.8):
                    d.polygon(
                        ellipse(polar(bloom, rx * 0.2, angle), rx * 0.2, rx * 0.08, angle), fill=(246, 210, 218, 255)
                    )

    # Reeds gathered at one edge leave the rest of the frame open and quiet.
    side = rng.uniform(0.04, 0.18) if rng.random() < 0.5 else rng.uniform(0.82, 0.96)
    with c.layer(blur=NEAR) as d:
        for _ in range(int(rng.integers(7, 15))):
            base = ((side + rng.normal(0, 0.05)) * w, h * rng.uniform(0.94, 1.02))
            height = s * rng.uniform(0.14, 0.34)
            tip = (base[0] + rng.normal(0, s * 0.03), base[1] - height)
            reed = bezier(base, (base[0], base[1] - height * 0.6), tip, 12)
            d.line(reed, fill=rgba(vary(rng, (58, 112, 96), 10)), width=c.px(0.003), joint="curve")
            if rng.random() < 0.45:
                head = reed[-3]
                d.polygon(
                    ellipse(head, s * 0.005, s * 0.018, math.atan2(tip[1] - head[1], tip[0] - head[0]) + math.pi / 2),
                    fill=(78, 96, 74, 255),
                )
