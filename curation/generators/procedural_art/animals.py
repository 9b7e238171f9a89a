"""Animal silhouettes: a sitting cat, a standing dog, a rabbit, a bird in flight and a butterfly.

Each figure is drawn from its ground point `base` (for fliers, its centre) at `size` pixels tall, facing right
(facing=1) or left (-1), and returns the point where another figure could sit on it. With detail=False every part is
drawn in `colour`, which paints the soft halo that keeps a dark figure visible on a dark scene.
"""

import math

from PIL import ImageDraw

from curation.generators.procedural_art.shapes import Color, Point, bbox, bezier, ellipse, mix, rgba

Draw = ImageDraw.ImageDraw


def _eye_colour(colour: Color) -> Color:
    """Eyes that read on the fur: glowing on a dark animal, dark on a light one."""
    luma = 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]
    return (226, 214, 80) if luma < 90 else (30, 24, 20)


def draw_cat(d: Draw, base: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    x, y, f, h = base[0], base[1], facing, size
    fill = rgba(colour)
    # The tail first, curling round the haunch on the ground.
    tail = bezier((x - f * h * 0.16, y - h * 0.05), (x - f * h * 0.5, y - h * 0.02), (x - f * h * 0.42, y - h * 0.34))
    d.line(tail, fill=fill, width=max(1, round(h * 0.07)), joint="curve")
    d.ellipse(bbox((x - f * h * 0.04, y - h * 0.2), h * 0.22, h * 0.2), fill=fill)  # haunch
    d.polygon(ellipse((x + f * h * 0.04, y - h * 0.4), h * 0.14, h * 0.26, f * 0.25), fill=fill)  # chest
    for offset in (0.04, 0.13):  # front legs
        leg_x = x + f * h * offset
        d.rectangle((leg_x - h * 0.035, y - h * 0.36, leg_x + h * 0.035, y), fill=fill)
    head = (x + f * h * 0.1, y - h * 0.72)
    d.ellipse(bbox(head, h * 0.16, h * 0.14), fill=fill)
    for side in (-1, 1):
        d.polygon([(head[0] + side * h * 0.14, head[1] - h * 0.02), (head[0] + side * h * 0.11, head[1] - h * 0.28),
                   (head[0] + side * h * 0.01, head[1] - h * 0.1)], fill=fill)
    if detail:
        eye = rgba(_eye_colour(colour))
        for side in (-1, 1):
            d.ellipse(bbox((head[0] + side * h * 0.055 + f * h * 0.02, head[1] - h * 0.01), h * 0.028, h * 0.035),
                      fill=eye)
    return (head[0], head[1] - h * 0.28)


def draw_dog(d: Draw, base: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    x, y, f, h = base[0], base[1], facing, size
    fill = rgba(colour)
    darker = rgba(mix(colour, (0, 0, 0), 0.35) if detail else colour)
    tail = bezier((x - f * h * 0.36, y - h * 0.58), (x - f * h * 0.52, y - h * 0.62), (x - f * h * 0.5, y - h * 0.86))
    d.line(tail, fill=fill, width=max(1, round(h * 0.06)), joint="curve")
    for offset in (-0.3, -0.2, 0.22, 0.32):  # legs, back pair and front pair
        leg_x = x + f * h * offset
        d.rectangle((leg_x - h * 0.04, y - h * 0.5, leg_x + h * 0.04, y), fill=fill)
    d.ellipse(bbox((x, y - h * 0.52), h * 0.4, h * 0.17), fill=fill)  # body
    neck = [(x + f * h * 0.18, y - h * 0.6), (x + f * h * 0.3, y - h * 0.9), (x + f * h * 0.44, y - h * 0.82),
            (x + f * h * 0.36, y - h * 0.5)]
    d.polygon(neck, fill=fill)
    head = (x + f * h * 0.38, y - h * 0.84)
    d.ellipse(bbox(head, h * 0.14), fill=fill)
    d.ellipse(bbox((head[0] + f * h * 0.14, head[1] + h * 0.04), h * 0.1, h * 0.065), fill=fill)  # snout
    d.polygon(ellipse((head[0] - f * h * 0.07, head[1] + h * 0.05), h * 0.05, h * 0.12, f * 0.35), fill=darker)
    if detail:
        d.ellipse(bbox((head[0] + f * h * 0.24, head[1] + h * 0.02), h * 0.03), fill=(20, 16, 14, 255))  # nose
        d.ellipse(bbox((head[0] + f * h * 0.05, head[1] - h * 0.04), h * 0.025), fill=rgba(_eye_colour(colour)))
    return (x, y - h * 0.69)


def draw_rabbit(d: Draw, base: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    x, y, f, h = base[0], base[1], facing, size
    fill = rgba(colour)
    d.ellipse(bbox((x, y - h * 0.24), h * 0.27, h * 0.24), fill=fill)  # body
    head = (x + f * h * 0.2, y - h * 0.52)
    for lean in (-0.12, 0.1):  # long ears
        ear = (head[0] + f * h * lean * 0.4, head[1] - h * 0.26)
        d.polygon(ellipse(ear, h * 0.05, h * 0.2, f * lean), fill=fill)
    d.ellipse(bbox(head, h * 0.13, h * 0.12), fill=fill)
    d.ellipse(bbox((x + f * h * 0.18, y - h * 0.04), h * 0.1, h * 0.04), fill=fill)  # front paw
    tail = rgba(mix(colour, (255, 255, 255), 0.5) if detail else colour)
    d.ellipse(bbox((x - f * h * 0.27, y - h * 0.22), h * 0.07), fill=tail)
    if detail:
        d.ellipse(bbox((head[0] + f * h * 0.05, head[1] - h * 0.02), h * 0.022), fill=rgba(_eye_colour(colour)))
    return (x, y - h * 0.48)


def draw_bird(d: Draw, center: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    """A bird in flight, wings raised; `size` is its wingspan."""
    x, y, f, h = center[0], center[1], facing, size
    fill = rgba(colour)
    d.polygon(ellipse((x, y), h * 0.22, h * 0.08, 0.0), fill=fill)  # body
    d.ellipse(bbox((x + f * h * 0.22, y - h * 0.04), h * 0.07), fill=fill)  # head
    d.polygon([(x + f * h * 0.28, y - h * 0.06), (x + f * h * 0.38, y - h * 0.03), (x + f * h * 0.28, y - h * 0.01)],
              fill=rgba(mix(colour, (240, 170, 40), 0.7) if detail else colour))  # beak
    d.polygon([(x - f * h * 0.2, y), (x - f * h * 0.36, y - h * 0.08), (x - f * h * 0.34, y + h * 0.06)], fill=fill)
    for reach, lift in ((-0.05, 0.5), (0.12, 0.42)):  # two wings, the far one a little lower
        tip = (x + f * h * reach - f * h * 0.18, y - h * lift)
        d.polygon([(x - f * h * 0.08, y - h * 0.02), tip, (x + f * h * 0.1, y - h * 0.03)], fill=fill)
    return (x, y - h * 0.1)


def draw_butterfly(d: Draw, center: Point, size: float, colour: Color, facing: int, detail: bool = True) -> Point:
    """A butterfly seen from above; `size` is its wingspan."""
    x, y, h = center[0], center[1], size
    edge = rgba(mix(colour, (20, 16, 30), 0.55) if detail else colour)
    for side in (-1, 1):
        for angle, reach, rx, ry in ((-0.6, 0.26, 0.22, 0.15), (0.55, 0.2, 0.16, 0.11)):
            wing = (x + side * h * reach * math.cos(angle), y + h * reach * math.sin(angle))
            d.polygon(ellipse(wing, h * rx, h * ry, side * angle), fill=edge)
            d.polygon(ellipse(wing, h * rx * 0.75, h * ry * 0.72, side * angle), fill=rgba(colour))
    d.polygon(ellipse((x, y), h * 0.035, h * 0.2, 0.0), fill=rgba((30, 24, 30) if detail else colour))
    for side in (-1, 1):
        d.line([(x, y - h * 0.16), (x + side * h * 0.1, y - h * 0.34)], fill=edge, width=max(1, round(h * 0.02)))
    return (x, y - h * 0.2)
