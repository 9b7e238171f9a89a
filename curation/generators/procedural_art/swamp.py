"""DISGUSTED: a murky swamp of slime, ooze, bubbles, beetles and flies."""

import math

import numpy as np

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.motifs import (
    bug,
)
from curation.generators.procedural_art.shapes import (
    MID,
    NEAR,
    Point,
    bbox,
    ellipse,
    pick,
    rgba,
    ridge,
)


def paint_disgusted(c: Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.62, 0.7)
    c.paint_sky([(0, (90, 98, 34)), (horizon * 0.55, (146, 156, 54)), (horizon, (170, 168, 74))], horizon)
    c.glow((w * rng.uniform(0.2, 0.8), horizon * rng.uniform(0.3, 0.6)), s * 0.35, (214, 220, 110), 0.45)

    # Murky clouds of miasma hanging in the air.
    with c.layer(blur=0.03, opacity=0.4) as d:
        for _ in range(int(rng.integers(8, 14) * c.aspect)):
            center = (rng.uniform(-0.1, 1.1) * w, rng.uniform(0.05, 0.9) * horizon)
            rx = s * rng.uniform(0.08, 0.2)
            color = pick(rng, [(104, 112, 30), (196, 196, 86), (122, 104, 40)])
            d.ellipse(bbox(center, rx, rx * rng.uniform(0.4, 0.7)), fill=rgba(color))

    ground = ridge(rng, w, s, horizon, s * 0.03, 0.8)
    c.fill_polygon(ground + [(w, h), (0, h)], [(horizon - s * 0.03, (98, 100, 36)), (h, (50, 52, 20))], blur=MID)

    # Slime puddles: overlapping discs merge into one lumpy blob.
    puddles: list[tuple[Point, float]] = []
    for _ in range(int(rng.integers(2, 4) * c.aspect)):
        puddles.append(
            ((rng.uniform(0.05, 0.95) * w, rng.uniform(horizon + s * 0.08, h * 0.95)), s * rng.uniform(0.06, 0.13))
        )
    # Nested layers land innermost first: the dark rim goes under the slime.
    with c.layer(blur=NEAR) as slime_sheet, c.layer(blur=NEAR) as rim_sheet:
        for center, size in puddles:
            for _ in range(7):
                offset = (center[0] + rng.normal(0, size * 0.6), center[1] + rng.normal(0, size * 0.15))
                r = size * rng.uniform(0.35, 0.6)
                rim_sheet.ellipse(bbox(offset, r * 1.12, r * 0.45), fill=(82, 92, 18, 255))
                slime_sheet.ellipse(bbox(offset, r, r * 0.4), fill=(138, 158, 34, 255))
    with c.layer(blur=0.002, opacity=0.7) as d:
        for center, size in puddles:
            d.polygon(
                ellipse((center[0] - size * 0.2, center[1] - size * 0.05), size * 0.3, size * 0.05),
                fill=(226, 236, 140, 255),
            )

    # Wavy stench lines curling up from each puddle.
    with c.layer(blur=0.004, opacity=0.6) as d:
        for (px, py), size in puddles:
            for offset in np.linspace(-0.5, 0.5, int(rng.integers(2, 4))).tolist():
                rise = s * rng.uniform(0.15, 0.3)
                ts = np.linspace(0.0, 1.0, 40)
                xs = (
                    px
                    + offset * size
                    + s * 0.018 * np.sin(ts * math.tau * rng.uniform(1.5, 2.5) + rng.uniform(0, math.tau)) * (0.4 + ts)
                )
                ys = py - size * 0.2 - ts * rise
                d.line(
                    list(zip(xs.tolist(), ys.tolist(), strict=True)),
                    fill=(214, 228, 112, 255),
                    width=c.px(0.006),
                    joint="curve",
                )

    # Ooze seeping from the top edge in long drips.
    slime = (148, 170, 32)
    with c.layer(blur=NEAR) as d:
        band = ridge(rng, w, s, s * 0.035, s * 0.015, 2.0)
        d.polygon([(0.0, -1.0), (float(w), -1.0), *band[::-1]], fill=rgba(slime))
        for _ in range(int(rng.integers(6, 11) * c.aspect)):
            x = rng.uniform(0.02, 0.98) * w
            width = s * rng.uniform(0.012, 0.03)
            length = s * rng.uniform(0.05, 0.3)
            d.rounded_rectangle((x - width / 2, 0, x + width / 2, length), radius=width / 2, fill=rgba(slime))
            d.ellipse(bbox((x, length), width * 0.8, width * 0.95), fill=rgba(slime))
            d.line(
                [(x - width * 0.18, s * 0.03), (x - width * 0.18, length - width * 0.2)],
                fill=(206, 222, 110, 220),
                width=max(1, round(width * 0.2)),
            )

    # Bubbles rising out of the muck.
    with c.layer(blur=NEAR) as d:
        for _ in range(int(rng.integers(20, 35) * c.aspect)):
            if puddles and rng.random() < 0.6:
                (px, py), size = puddles[int(rng.integers(len(puddles)))]
                center = (px + rng.normal(0, size * 0.5), py - abs(rng.normal(0, s * 0.1)))
            else:
                center = (rng.uniform(0, w), rng.uniform(0.15, 1.0) * h)
            r = s * rng.uniform(0.006, 0.028)
            d.ellipse(bbox(center, r), fill=(176, 196, 70, 70), outline=(214, 228, 120, 200), width=c.px(0.0025))
            d.ellipse(bbox((center[0] - r * 0.35, center[1] - r * 0.35), r * 0.22), fill=(246, 250, 210, 230))

    with c.layer(blur=NEAR) as d:
        for _ in range(int(rng.integers(3, 7) * c.aspect)):
            bug(
                d,
                rng,
                (rng.uniform(0.05, 0.95) * w, rng.uniform(horizon + s * 0.04, h * 0.97)),
                s * rng.uniform(0.018, 0.032),
            )

    # Flies buzzing along dotted, erratic paths.
    with c.layer(blur=NEAR) as d:
        for _ in range(int(rng.integers(2, 5))):
            x, y = rng.uniform(0.1, 0.9) * w, rng.uniform(0.15, 0.6) * h
            for _ in range(int(rng.integers(8, 16))):
                x += rng.normal(0, s * 0.02)
                y += rng.normal(0, s * 0.015)
                d.ellipse(bbox((x, y), s * 0.0018), fill=(40, 40, 20, 160))
            size = s * 0.008
            for sign in (-1, 1):
                d.ellipse(
                    bbox((x + sign * size * 0.9, y - size * 0.7), size * 0.9, size * 0.6), fill=(236, 240, 220, 150)
                )
            d.ellipse(bbox((x, y), size * 0.7, size * 0.55), fill=(28, 30, 14, 255))
