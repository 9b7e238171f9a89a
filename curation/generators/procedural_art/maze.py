"""CONFUSED: clashing colours, a broken maze, tangled vines, spirals and question marks."""

import math

import numpy as np
from PIL import Image

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.motifs import (
    question_hook,
    wander,
)
from curation.generators.procedural_art.shapes import (
    NEAR,
    Color,
    Point,
    ellipse,
    mix,
    pick,
    polar,
    rgba,
)


def paint_confused(c: Canvas) -> None:
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
                [polar(center, size, spin + math.tau * i / sides) for i in range(sides)],
                fill=rgba(pick(rng, clashing)),
            )

    # A maze with walls missing at random: paths that lead nowhere.
    cell = s / rng.uniform(9, 14)
    with c.layer(blur=NEAR, opacity=0.4) as d:
        wall = c.px(0.006)
        for gx in np.arange(0, w + cell, cell).tolist():
            for gy in np.arange(0, h + cell, cell).tolist():
                end = (gx + cell, gy) if rng.random() < 0.5 else (gx, gy + cell)
                d.line([(gx, gy), end], fill=(40, 26, 70, 255), width=wall)

    # Tangled vines wandering everywhere, outlined so they cross visibly.
    vines: list[list[Point]] = []
    for _ in range(int(rng.integers(3, 6) * c.aspect)):
        t = np.linspace(0.0, 1.0, 160)
        xs, ys = wander(rng, t, rng.uniform(0.2, 0.8) * w, w), wander(rng, t, rng.uniform(0.2, 0.8) * h, h)
        vines.append(list(zip(xs.tolist(), ys.tolist(), strict=True)))
    with c.layer(blur=NEAR) as d:
        for vine in vines:
            color = pick(rng, clashing)
            d.line(vine, fill=(30, 20, 50, 255), width=c.px(0.014), joint="curve")
            d.line(vine, fill=rgba(color), width=c.px(0.008), joint="curve")
            for i in range(8, len(vine) - 8, int(rng.integers(14, 24))):
                angle = (
                    math.atan2(vine[i + 1][1] - vine[i][1], vine[i + 1][0] - vine[i][0]) + (1 if i % 2 else -1) * 1.1
                )
                leaf = polar(vine[i], s * 0.018, angle)
                d.polygon(ellipse(leaf, s * 0.02, s * 0.008, angle), fill=rgba(mix(color, (30, 20, 50), 0.25)))

    # Spirals and question-mark hooks: the shapes of "what?".
    with c.layer(blur=NEAR) as d:
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
            question_hook(
                d,
                rng,
                (rng.uniform(0.08, 0.92) * w, rng.uniform(0.12, 0.8) * h),
                s * rng.uniform(0.035, 0.08),
                pick(rng, clashing),
            )
