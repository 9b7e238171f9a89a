"""ANGRY: a blood-red sky, lightning, slashes and jagged mountains over a cracked, glowing ground."""

import math

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.motifs import (
    lightning,
)
from curation.generators.procedural_art.shapes import (
    MID,
    NEAR,
    Point,
    bbox,
    pick,
    rgba,
)


def paint_angry(c: Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.64, 0.74)
    c.paint_sky([(0, (18, 4, 8)), (horizon * 0.55, (96, 10, 14)), (horizon, (214, 58, 22))], horizon)
    c.glow((w * rng.uniform(0.3, 0.7), horizon), s * 0.7, (255, 110, 30), 0.45)
    if rng.random() < 0.5:
        # A swollen blood-red sun sinking behind the peaks.
        sun = (w * rng.uniform(0.2, 0.8), horizon - s * rng.uniform(0.12, 0.24))
        sun_r = s * rng.uniform(0.12, 0.2)
        c.glow(sun, sun_r * 2.5, (255, 70, 20), 0.5)
        with c.layer(blur=0.003) as d:
            d.ellipse(bbox(sun, sun_r), fill=(232, 44, 18, 255))

    # Violent diagonal slashes: long thin diamonds that all share one slope.
    slope = (1 if rng.random() < 0.5 else -1) * rng.uniform(0.45, 0.85)
    norm = math.hypot(1.0, slope)
    ux, uy = 1 / norm, slope / norm
    with c.layer(blur=0.003, opacity=0.55) as d:
        for _ in range(int(rng.integers(10, 18) * c.aspect)):
            cx, cy = rng.uniform(0, w), rng.uniform(0, horizon * 1.1)
            half = s * rng.uniform(0.2, 0.55)
            thick = s * rng.uniform(0.004, 0.02)
            color = pick(rng, [(0, 0, 0), (150, 10, 10), (255, 76, 30), (60, 0, 0)])
            d.polygon(
                [
                    (cx - ux * half, cy - uy * half),
                    (cx - uy * thick, cy + ux * thick),
                    (cx + ux * half, cy + uy * half),
                    (cx + uy * thick, cy - ux * thick),
                ],
                fill=rgba(color),
            )

    bolts = [
        path
        for _ in range(int(rng.integers(1, 3) + (c.aspect > 1.3)))
        for path in lightning(rng, (rng.uniform(0.1, 0.9) * w, -s * 0.02), horizon * rng.uniform(0.75, 1.05), s)
    ]
    for blur, paint, width in (
        (0.015, (255, 60, 36, 210), 0.03),
        (0.003, (255, 170, 110, 255), 0.01),
        (NEAR, (255, 248, 230, 255), 0.004),
    ):
        with c.layer(blur=blur) as d:
            for index, path in enumerate(bolts):
                d.line(path, fill=paint, width=c.px(width if index % 4 == 0 else width * 0.5), joint="curve")

    # Jagged mountains: alternating sharp peaks and notches. Per-image scale and
    # spacing swing the silhouette between dense spikes and broad crags.
    scale, spacing = rng.uniform(0.7, 1.5), rng.uniform(0.7, 1.8)
    ranges = (((92, 12, 14), MID, -0.02, (0.06, 0.22)), ((20, 4, 6), NEAR, 0.03, (0.03, 0.14)))
    for color, blur, offset, (low, high) in ranges:
        x, peaks = -s * 0.05, []
        base = horizon + s * offset
        while x < w + s * 0.1:
            peaks.append((x, base - s * scale * rng.uniform(low, high)))
            x += s * spacing * rng.uniform(0.02, 0.06)
            peaks.append((x, base + s * rng.uniform(-0.01, 0.03)))
            x += s * spacing * rng.uniform(0.02, 0.06)
        c.fill_polygon(peaks + [(w, h), (0, h)], [(base, color), (h, (6, 0, 0))], blur=blur)

    # Glowing cracks split the scorched ground.
    cracks: list[list[Point]] = []
    for _ in range(int(rng.integers(3, 6) * c.aspect**0.5)):
        y = rng.uniform(horizon + s * 0.08, h * 0.97)
        x = rng.uniform(-0.1, 0.6) * w
        crack = [(x, y)]
        for _ in range(int(rng.integers(5, 10))):
            x += s * rng.uniform(0.03, 0.09)
            y += s * rng.uniform(-0.03, 0.03)
            crack.append((x, y))
        cracks.append(crack)
    for blur, paint, width in ((0.012, (255, 60, 20, 220), 0.018), (NEAR, (255, 170, 60, 255), 0.004)):
        with c.layer(blur=blur) as d:
            for crack in cracks:
                d.line(crack, fill=paint, width=c.px(width))

    # Thorn clusters jabbing up from the foreground, leaning with the slashes.
    with c.layer(blur=NEAR) as d:
        for _ in range(int(rng.integers(4, 7) * c.aspect)):
            root = rng.uniform(-0.05, 1.05) * w
            for _ in range(int(rng.integers(5, 10))):
                x = root + rng.normal(0, s * 0.03)
                height = s * rng.uniform(0.08, 0.32)
                tip = (x - slope * height * rng.uniform(0.2, 0.6), h - height)
                half = s * rng.uniform(0.006, 0.018)
                d.polygon([(x - half, h + s * 0.01), tip, (x + half, h + s * 0.01)], fill=(12, 2, 4, 255))

    with c.layer(blur=0.002) as d:
        for _ in range(int(rng.integers(40, 80) * c.aspect)):
            p = (rng.uniform(0, w), h - abs(rng.normal(0, 0.35)) * h)
            color = pick(rng, [(255, 140, 40), (255, 200, 80), (255, 90, 30)])
            d.ellipse(bbox(p, s * rng.uniform(0.002, 0.005)), fill=rgba(color, rng.uniform(150, 240)))
