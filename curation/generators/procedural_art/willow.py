"""SAD: a weeping willow and bowed flowers in the rain under a low sky."""

import math

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.motifs import (
    bare_tree,
    rain,
)
from curation.generators.procedural_art.shapes import (
    FAR,
    MID,
    NEAR,
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


def paint_sad(c: Canvas) -> None:
    rng, w, h, s = c.rng, c.width, c.height, c.short
    horizon = h * rng.uniform(0.74, 0.82)
    c.paint_sky([(0, (50, 62, 86)), (horizon * 0.6, (94, 108, 132)), (horizon, (138, 150, 168))], horizon)

    # Heavy, low cloud cover pressing down on the scene.
    with c.layer(blur=0.025, opacity=0.85) as d:
        for _ in range(int(rng.integers(20, 30) * c.aspect)):
            center = (rng.uniform(-0.1, 1.1) * w, rng.uniform(-0.05, 0.42) * horizon)
            rx = s * rng.uniform(0.1, 0.24)
            color = mix((66, 76, 98), (140, 150, 166), rng.uniform(0, 1))
            d.ellipse(bbox(center, rx, rx * rng.uniform(0.35, 0.6)), fill=rgba(color))

    far = ridge(rng, w, s, horizon, s * 0.015, 0.7)
    c.fill_polygon(far + [(w, h), (0, h)], [(horizon - s * 0.03, (92, 104, 124)), (h, (88, 98, 118))], blur=FAR)
    ground_top = horizon + s * 0.025
    ground = ridge(rng, w, s, ground_top, s * 0.008, 0.6)
    c.fill_polygon(ground + [(w, h), (0, h)], [(ground_top, (70, 80, 98)), (h, (38, 44, 58))], blur=MID)

    with c.layer(blur=NEAR) as d:
        for _ in range(int(rng.integers(2, 5))):
            center = (rng.uniform(0.05, 0.95) * w, rng.uniform(ground_top + s * 0.03, h * 0.97))
            rx = s * rng.uniform(0.05, 0.13)
            d.ellipse(bbox(center, rx, rx * 0.16), fill=(112, 126, 150, 220))
            for ring in range(int(rng.integers(1, 4))):
                scale = 0.25 + 0.25 * ring
                d.ellipse(bbox(center, rx * scale, rx * 0.16 * scale), outline=(170, 184, 204, 150), width=c.px(0.002))

    # A weeping willow: the drooping silhouette reads as grief immediately.
    if rng.random() < 0.7:
        trunk_x = w * (rng.uniform(0.1, 0.3) if rng.random() < 0.5 else rng.uniform(0.7, 0.9))
        base = (trunk_x, ground_top + s * rng.uniform(0.02, 0.06))
        height = s * rng.uniform(0.36, 0.48)
        crown = (trunk_x, base[1] - height * 0.92)
        crown_r = s * rng.uniform(0.09, 0.13)
        with c.layer(blur=0.012, opacity=0.3) as d:
            d.ellipse(bbox((crown[0], crown[1] + crown_r * 0.8), crown_r * 1.2, crown_r * 1.1), fill=(44, 58, 70, 255))
        with c.layer(blur=NEAR) as d:
            bare_tree(d, rng, base, height, s * 0.035, (34, 40, 54))
            for _ in range(int(rng.integers(70, 100))):
                phi = rng.uniform(-math.pi * 0.95, -math.pi * 0.05)
                spread = rng.uniform(0.3, 1.4)
                start = (
                    crown[0] + math.cos(phi) * crown_r * spread,
                    crown[1] + math.sin(phi) * crown_r * spread * 0.45,
                )
                reach = math.cos(phi) * s * rng.uniform(0.04, 0.1)
                fall = (start[0] + reach * 1.4, min(base[1], start[1] + s * rng.uniform(0.12, 0.42)))
                strand = bezier(start, (start[0] + reach, start[1] - s * 0.03), fall, 14)
                color = vary(rng, (56, 78, 88), 12)
                d.line(strand, fill=rgba(color, 230), width=c.px(rng.uniform(0.002, 0.004)), joint="curve")

    # Flowers whose heavy heads bow down to the ground.
    with c.layer(blur=NEAR) as d:
        for _ in range(int(rng.integers(3, 6) * c.aspect)):
            base = (rng.uniform(0.05, 0.95) * w, rng.uniform(ground_top + s * 0.05, h * 1.01))
            height = s * rng.uniform(0.12, 0.22)
            lean = (1 if rng.random() < 0.5 else -1) * height * rng.uniform(0.35, 0.6)
            peak = (base[0] + lean * 0.25, base[1] - height * 1.3)
            tip = (base[0] + lean, base[1] - height * rng.uniform(0.45, 0.7))
            stem = bezier(base, peak, tip, 16)
            d.line(stem, fill=(88, 108, 114, 255), width=c.px(0.005), joint="curve")
            # Point the bell halfway between the stem's direction and straight down.
            stem_angle = math.atan2(stem[-1][1] - stem[-2][1], stem[-1][0] - stem[-2][0])
            angle = (stem_angle + math.pi / 2) / 2
            bell_r = s * rng.uniform(0.024, 0.038)
            color = pick(rng, [(112, 124, 176), (138, 128, 176), (160, 172, 198), (96, 116, 150)])
            bell_center = polar(tip, bell_r * 0.75, angle)
            d.polygon(ellipse(bell_center, bell_r, bell_r * 0.62, angle), fill=rgba(color))
            for offset in (-0.55, 0.0, 0.55):
                petal = polar(bell_center, bell_r * 0.85, angle + offset)
                d.polygon(
                    ellipse(petal, bell_r * 0.42, bell_r * 0.24, angle + offset),
                    fill=rgba(mix(color, (40, 50, 70), 0.25)),
                )
            if rng.random() < 0.5:
                fallen = polar(bell_center, bell_r * rng.uniform(2.2, 4.0), angle)
                d.polygon(
                    ellipse(fallen, bell_r * 0.32, bell_r * 0.18, rng.uniform(0, math.pi)), fill=rgba(color, 210)
                )

    rain(c, int(320 * c.aspect), (196, 210, 230), (70, 140), rng.uniform(-0.28, -0.08))
