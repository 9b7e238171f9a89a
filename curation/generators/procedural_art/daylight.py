"""The theme's sky, painted behind the scene as soon as a painter has laid its background: the light of the time of
day (a sunset's warm glow and low sun, dawn's pink haze, a night sky with stars and a moon, a sunny day's sun) and
the clouds of the weather."""

import math

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.shapes import NEAR, WHITE, Color, Point, bbox, mix, rgba

OVERCAST = {"cloudy", "rainy", "snowy", "stormy"}


def paint_theme_sky(c: Canvas) -> None:
    if "sunset" in c.theme:
        _sunset(c)
    elif "dawn" in c.theme:
        _dawn(c)
    if "night" in c.theme:
        _night(c)
    elif "sunny" in c.theme and not (OVERCAST | {"sunset", "dawn"}) & c.theme:
        _sun(c)
    if OVERCAST & c.theme:
        _clouds(c)


def _sunset(c: Canvas) -> None:
    rng, w, s, horizon = c.extras, c.width, c.short, c.horizon
    c.wash([(0, (92, 46, 120), 0.45), (horizon * 0.55, (250, 112, 70), 0.6), (horizon, (255, 178, 92), 0.75)],
           0, horizon)
    # Below the horizon the ground catches a little of the warm light.
    c.wash([(horizon, (255, 150, 80), 0.35), (c.height, (120, 50, 60), 0.15)], horizon, c.height)
    sun = (w * rng.uniform(0.2, 0.8), horizon - s * 0.02)
    c.glow(sun, s * 0.6, (255, 140, 60), 0.65)
    with c.layer(blur=0.003) as d:
        d.pieslice(bbox(sun, s * 0.085), 180, 360, fill=(255, 196, 96, 255))


def _dawn(c: Canvas) -> None:
    rng, w, s, horizon = c.extras, c.width, c.short, c.horizon
    c.wash([(0, (70, 80, 150), 0.35), (horizon * 0.6, (236, 170, 200), 0.45), (horizon, (255, 206, 190), 0.6)],
           0, horizon)
    c.glow((w * rng.uniform(0.25, 0.75), horizon), s * 0.5, (255, 226, 206), 0.55)


def _night(c: Canvas) -> None:
    rng, w, s, horizon = c.extras, c.width, c.short, c.horizon
    c.wash([(0, (6, 10, 34), 0.85), (horizon, (34, 38, 84), 0.6)], 0, horizon)
    with c.layer(blur=0.0) as d:
        for _ in range(int(90 * c.aspect)):
            point = (rng.uniform(0, w), rng.uniform(0, horizon) * rng.uniform(0.3, 1.0))
            d.ellipse(bbox(point, s * rng.uniform(0.0008, 0.0028)), fill=rgba(WHITE, rng.uniform(90, 230)))
    moon = (w * rng.uniform(0.15, 0.85), horizon * rng.uniform(0.15, 0.4))
    paint_moon(c, moon, s * 0.05)


def paint_moon(c: Canvas, center: Point, radius: float, colour: Color = (240, 236, 212)) -> None:
    """A glowing crescent: a full disc with a disc of the sky's own colour bitten out of it."""
    c.glow(center, radius * 4, mix(colour, (150, 160, 220), 0.4), 0.35)
    sky = c.sample((center[0] + radius * 2.5, center[1]))
    with c.layer(blur=NEAR) as d:
        d.ellipse(bbox(center, radius), fill=rgba(colour))
        d.ellipse(bbox((center[0] + radius * 0.45, center[1] - radius * 0.2), radius * 0.85), fill=rgba(sky))


def _sun(c: Canvas) -> None:
    rng, w, s, horizon = c.extras, c.width, c.short, c.horizon
    sun = (w * rng.uniform(0.15, 0.85), horizon * rng.uniform(0.15, 0.35))
    c.glow(sun, s * 0.45, (255, 244, 196), 0.6)
    with c.layer(blur=0.002) as d:
        d.ellipse(bbox(sun, s * 0.06), fill=(255, 242, 170, 255))


def _clouds(c: Canvas) -> None:
    """Puffy clouds: white on a cloudy day, pale on a snowy one, heavy and grey with rain or a storm."""
    rng, w, s, horizon = c.extras, c.width, c.short, c.horizon
    if "stormy" in c.theme:
        body, shade, count, opacity = (92, 96, 110), (52, 54, 66), 9, 0.95
    elif "rainy" in c.theme:
        body, shade, count, opacity = (140, 146, 158), (92, 98, 112), 8, 0.92
    elif "snowy" in c.theme:
        body, shade, count, opacity = (226, 230, 238), (178, 186, 200), 6, 0.9
    else:
        body, shade, count, opacity = (244, 246, 250), (196, 202, 214), 5, 0.9
    if "night" in c.theme:
        body, shade = mix(body, (40, 44, 70), 0.6), mix(shade, (20, 22, 40), 0.6)
    clouds = [((rng.uniform(-0.05, 1.05) * w, horizon * rng.uniform(0.08, 0.55)), s * rng.uniform(0.1, 0.2))
              for _ in range(int(count * c.aspect))]
    for colour, lift in ((shade, 0.0), (body, 0.22)):
        with c.layer(blur=0.008, opacity=opacity) as d:
            for (x, y), size in clouds:
                puffs = 5
                for i in range(puffs):
                    angle = math.pi * (i + 0.5) / puffs
                    px = x + math.cos(angle) * size * 0.9
                    py = y - math.sin(angle) * size * 0.35 - size * lift
                    d.ellipse(bbox((px, py), size * 0.45, size * 0.38), fill=rgba(colour))
                d.ellipse(bbox((x, y - size * lift), size * 1.1, size * 0.32), fill=rgba(colour))
