"""Motifs shared by several painters: flowers, rain, bare trees, lightning, fireworks, stars, beetles and question
marks."""

import math

import numpy as np
from PIL import ImageDraw

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.shapes import (
    MID,
    NEAR,
    WHITE,
    Color,
    FloatArray,
    Point,
    bbox,
    ellipse,
    mix,
    pick,
    polar,
    rgba,
    vary,
)


def bloom(draw: ImageDraw.ImageDraw, rng: np.random.Generator, center: Point, radius: float, color: Color) -> None:
    """A round open flower: outer petals, lighter inner petals and a disc."""
    petals = int(rng.integers(6, 10))
    spin = rng.uniform(0, math.tau)
    for i in range(petals):
        angle = spin + math.tau * i / petals
        tip = polar(center, radius * 0.55, angle)
        draw.polygon(ellipse(tip, radius * 0.5, radius * 0.27, angle), fill=rgba(vary(rng, color, 14)))
    inner = mix(color, WHITE, 0.4)
    for i in range(petals):
        angle = spin + math.tau * (i + 0.5) / petals
        tip = polar(center, radius * 0.38, angle)
        draw.polygon(ellipse(tip, radius * 0.3, radius * 0.15, angle), fill=rgba(inner))
    disc = pick(rng, [(255, 214, 72), (150, 86, 40), (255, 170, 40)])
    draw.ellipse(bbox(center, radius * 0.26), fill=rgba(disc))
    highlight = (center[0] - radius * 0.08, center[1] - radius * 0.08)
    draw.ellipse(bbox(highlight, radius * 0.09), fill=rgba(mix(disc, WHITE, 0.5)))


def rain(
    c: Canvas, count: int, color: Color, alpha: tuple[float, float], slant: float,
    rng: np.random.Generator | None = None,
) -> None:
    rng, s = rng or c.rng, c.short
    for blur, scale in ((MID, 0.6), (NEAR, 1.0)):
        with c.layer(blur=blur) as d:
            for _ in range(count // 2):
                x, y = rng.uniform(-0.1 * c.width, 1.1 * c.width), rng.uniform(-0.1 * c.height, c.height)
                length = s * rng.uniform(0.03, 0.09) * scale
                d.line(
                    [(x, y), (x + slant * length, y + length)],
                    fill=rgba(color, rng.uniform(*alpha) * scale),
                    width=c.px(0.002 * scale),
                )


def bare_tree(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    base: Point,
    height: float,
    width: float,
    color: Color,
) -> None:
    """A tall bare crooked tree: tapering trunk with thin spiky branches."""
    segments = 9
    ts = np.linspace(0.0, 1.0, segments)
    drift = np.cumsum(rng.normal(0.0, width * 0.35, segments))
    xs = base[0] + drift - drift[0]
    ys = base[1] - ts * height
    half = width / 2 * (1.0 - 0.82 * ts)
    left = list(zip((xs - half).tolist(), ys.tolist(), strict=True))
    right = list(zip((xs + half).tolist(), ys.tolist(), strict=True))
    fill = rgba(color)
    draw.polygon(left + right[::-1], fill=fill)
    for _ in range(int(rng.integers(4, 9))):
        t = rng.uniform(0.3, 0.95)
        idx = min(segments - 1, int(t * (segments - 1)))
        side = 1 if rng.random() < 0.5 else -1
        angle = -math.pi / 2 + side * rng.uniform(0.5, 1.15)
        length = height * rng.uniform(0.06, 0.16) * (1.2 - t * 0.5)
        start: Point = (float(xs[idx]), float(ys[idx]))
        points = [start]
        for step in range(1, 4):
            angle += rng.normal(0.0, 0.25)
            points.append(polar(points[-1], length / 3, angle))
            draw.line(points[-2:], fill=fill, width=max(1, round(width * 0.28 * (1 - step / 4))))
        twig_angle = angle - side * rng.uniform(0.4, 0.9)
        draw.line([points[1], polar(points[1], length * 0.45, twig_angle)], fill=fill, width=1)


def lightning(rng: np.random.Generator, start: Point, bottom: float, s: int) -> list[list[Point]]:
    """A jagged bolt from `start` down to `bottom`, plus a few forks."""
    paths: list[list[Point]] = []
    trunk = [start]
    while trunk[-1][1] < bottom:
        x, y = trunk[-1]
        trunk.append((x + s * rng.uniform(-0.06, 0.06), y + s * rng.uniform(0.03, 0.07)))
    paths.append(trunk)
    for _ in range(int(rng.integers(1, 4))):
        fork = [trunk[int(rng.integers(1, max(2, len(trunk) - 1)))]]
        direction = 1 if rng.random() < 0.5 else -1
        for _ in range(int(rng.integers(2, 5))):
            x, y = fork[-1]
            fork.append((x + direction * s * rng.uniform(0.01, 0.06), y + s * rng.uniform(0.02, 0.05)))
        paths.append(fork)
    return paths


VIVID: list[Color] = [
    (255, 84, 84),
    (255, 214, 64),
    (84, 222, 255),
    (122, 255, 146),
    (255, 112, 230),
    (255, 164, 52),
    (184, 128, 255),
]


def firework(
    glow: ImageDraw.ImageDraw,
    sharp: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    center: Point,
    radius: float,
    color: Color,
    s: int,
) -> None:
    """Streaks radiating from one point, drooping slightly as if under gravity."""
    glow.ellipse(bbox(center, radius * 0.75), fill=rgba(color, 150))
    rays = int(rng.integers(22, 40))
    accent = pick(rng, VIVID)
    for i in range(rays):
        angle = math.tau * i / rays + rng.uniform(-0.05, 0.05)
        length = radius * rng.uniform(0.7, 1.05)
        steps = np.linspace(0.15, 1.0, 6)
        pts = [
            (center[0] + math.cos(angle) * length * t, center[1] + math.sin(angle) * length * t + radius * 0.12 * t * t)
            for t in steps.tolist()
        ]
        sharp.line(pts, fill=rgba(mix(color, WHITE, 0.25)), width=max(1, round(s * 0.003)), joint="curve")
        sharp.ellipse(bbox(pts[-1], s * 0.0045), fill=rgba(mix(accent, WHITE, 0.3)))
    sharp.ellipse(bbox(center, radius * 0.06), fill=(255, 255, 245, 255))


def star_points(center: Point, outer: float, inner: float, points: int, spin: float) -> list[Point]:
    return [polar(center, outer if i % 2 == 0 else inner, spin + math.pi * i / points) for i in range(points * 2)]


def bug(draw: ImageDraw.ImageDraw, rng: np.random.Generator, center: Point, size: float) -> None:
    """A beetle seen from above: shell, head, six legs and feelers."""
    heading = rng.uniform(0, math.tau)
    forward = (math.cos(heading), math.sin(heading))
    side = (-forward[1], forward[0])
    dark = (40, 36, 18, 255)
    for row in (-0.55, 0.0, 0.55):
        for sign in (-1, 1):
            hip = (center[0] + forward[0] * size * row, center[1] + forward[1] * size * row)
            knee = (
                hip[0] + side[0] * sign * size * 0.9 + forward[0] * size * row * 0.3,
                hip[1] + side[1] * sign * size * 0.9 + forward[1] * size * row * 0.3,
            )
            foot = (knee[0] + forward[0] * size * (row * 0.6 - 0.2), knee[1] + forward[1] * size * (row * 0.6 - 0.2))
            draw.line([hip, knee, foot], fill=dark, width=max(1, round(size * 0.12)))
    head = (center[0] + forward[0] * size * 0.85, center[1] + forward[1] * size * 0.85)
    for sign in (-1, 1):
        feeler = (
            head[0] + (forward[0] * 0.9 + side[0] * sign * 0.5) * size,
            head[1] + (forward[1] * 0.9 + side[1] * sign * 0.5) * size,
        )
        draw.line([head, feeler], fill=dark, width=max(1, round(size * 0.08)))
    draw.ellipse(bbox(head, size * 0.32), fill=dark)
    shell = pick(rng, [(70, 60, 24), (58, 78, 30), (92, 70, 30)])
    draw.polygon(ellipse(center, size * 0.75, size * 0.5, heading), fill=rgba(shell))
    draw.line(
        [head, (center[0] - forward[0] * size * 0.7, center[1] - forward[1] * size * 0.7)],
        fill=dark,
        width=max(1, round(size * 0.06)),
    )
    gloss = (center[0] + side[0] * size * 0.2, center[1] + side[1] * size * 0.2)
    draw.polygon(ellipse(gloss, size * 0.3, size * 0.1, heading), fill=rgba(mix(shell, (220, 230, 150), 0.5), 200))


def wander(rng: np.random.Generator, t: FloatArray, center: float, extent: float) -> FloatArray:
    """A smooth but unpredictable 1-D path: three random sines around `center`."""
    path = np.full_like(t, center)
    for k in (1, 2, 3):
        wave = np.sin(math.tau * t * k * rng.uniform(0.5, 1.5) + rng.uniform(0, math.tau))
        path += extent * rng.uniform(0.1, 0.35) / k * wave
    return path


def question_hook(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, center: Point, size: float, color: Color
) -> None:
    """A tilted question mark built from an arc, a short stem and a dot."""
    tilt = rng.uniform(-0.4, 0.4)
    cos_t, sin_t = math.cos(tilt), math.sin(tilt)

    def place(x: float, y: float) -> Point:
        return (center[0] + (x * cos_t - y * sin_t) * size, center[1] + (x * sin_t + y * cos_t) * size)

    # In y-down coordinates angles 160..450 degrees sweep over the top and down the right side.
    angles = np.radians(np.linspace(160, 450, 40))
    hook = [place(math.cos(a), math.sin(a)) for a in angles.tolist()] + [place(0.0, 1.7)]
    outline = (30, 20, 50, 255)
    width = max(2, round(size * 0.38))
    draw.line(hook, fill=outline, width=width + max(2, round(size * 0.16)), joint="curve")
    draw.line(hook, fill=rgba(color), width=width, joint="curve")
    dot = place(0.0, 2.45)
    draw.ellipse(bbox(dot, size * 0.3), fill=outline)
    draw.ellipse(bbox(dot, size * 0.22), fill=rgba(color))
