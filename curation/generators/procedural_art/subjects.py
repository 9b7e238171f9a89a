"""Placing the prompt's and the theme's subjects in a painting: things and animals on the ground in a row across the
foreground (riders on what they stand on), fliers in the air, the moon, stars and a rainbow in the sky."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PIL import ImageDraw

from curation.generators.procedural_art.animals import draw_bird, draw_butterfly, draw_cat, draw_dog, draw_rabbit
from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.daylight import paint_moon
from curation.generators.procedural_art.scene import Subject
from curation.generators.procedural_art.shapes import NEAR, WHITE, Color, Point, bbox, mix
from curation.generators.procedural_art.things import (
    draw_balloon,
    draw_boat,
    draw_car,
    draw_flowers,
    draw_heart,
    draw_house,
    draw_rainbow,
    draw_star,
    draw_tree,
    draw_umbrella,
)

Drawer = Callable[..., Point]


@dataclass(frozen=True)
class Figure:
    draw: Drawer | None  # None: painted on the canvas itself (the moon)
    place: str  # "ground", "air" or "sky"
    height: float  # as a fraction of the short side
    colours: tuple[Color, ...]  # one is picked when the words name none


FIGURES: dict[str, Figure] = {
    "cat": Figure(draw_cat, "ground", 0.2, ((34, 30, 34), (206, 126, 60), (150, 150, 152), (236, 230, 220))),
    "dog": Figure(draw_dog, "ground", 0.22, ((140, 96, 56), (222, 190, 140), (60, 50, 46), (240, 236, 230))),
    "rabbit": Figure(draw_rabbit, "ground", 0.17, ((236, 232, 226), (170, 140, 110), (140, 140, 144))),
    "car": Figure(draw_car, "ground", 0.15, ((200, 40, 40), (50, 100, 190), (240, 200, 50), (60, 150, 110))),
    "house": Figure(draw_house, "ground", 0.38, ((236, 220, 190), (200, 220, 236), (240, 200, 180))),
    "tree": Figure(draw_tree, "ground", 0.46, ((62, 136, 58),)),
    "flower": Figure(draw_flowers, "ground", 0.16, ((244, 90, 120), (250, 200, 60), (180, 110, 230))),
    "boat": Figure(draw_boat, "ground", 0.24, ((150, 90, 50), (40, 80, 150), (200, 60, 50))),
    "umbrella": Figure(draw_umbrella, "ground", 0.26, ((210, 40, 60), (40, 120, 210), (250, 200, 40))),
    "bird": Figure(draw_bird, "air", 0.1, ((48, 50, 60), (60, 110, 200), (220, 70, 50))),
    "butterfly": Figure(draw_butterfly, "air", 0.08, ((250, 160, 40), (90, 140, 240), (240, 110, 180))),
    "balloon": Figure(draw_balloon, "air", 0.12, ((230, 50, 60), (250, 200, 40), (60, 140, 230), (240, 120, 190))),
    "heart": Figure(draw_heart, "air", 0.09, ((226, 40, 70),)),
    "star": Figure(draw_star, "sky", 0.05, ((255, 230, 120),)),
    "moon": Figure(None, "sky", 0.06, ((240, 236, 212),)),
    "rainbow": Figure(draw_rainbow, "sky", 0.6, ((0, 0, 0),)),
}
# A tree takes the season's colours unless the words give it one.
SEASON_TREES: dict[str, Color] = {"autumn": (214, 110, 40), "spring": (246, 176, 206), "winter": (226, 232, 240)}


@dataclass(frozen=True)
class _Placed:
    index: int  # the subject's position in the scene
    draw: Drawer
    base: Point
    size: float
    colour: Color
    facing: int
    grounded: bool  # stands on the ground (and casts a shadow there)


def paint_subjects(c: Canvas, subjects: tuple[Subject, ...]) -> None:
    if not subjects:
        return
    rng = c.extras
    for subject in subjects:  # far away: behind everything else
        if subject.kind == "moon":
            paint_moon(c, (c.width * rng.uniform(0.15, 0.85), c.horizon * rng.uniform(0.15, 0.4)),
                       c.short * FIGURES["moon"].height * subject.scale, subject.colour or FIGURES["moon"].colours[0])
        elif FIGURES[subject.kind].place == "sky":
            _sky_figures(c, subject)
    placed = _ground_row(c, subjects) + _fliers(c, subjects)
    with c.layer(blur=0.006, opacity=0.35) as shadows:
        for figure in placed:
            if figure.grounded:
                shadows.ellipse(bbox(figure.base, figure.size * 0.55, figure.size * 0.07), fill=(0, 0, 0, 255))
    # The halo pass places every rider on what it stands on; the figure pass then draws them all in that order.
    with c.layer(blur=0.008, opacity=0.5) as halo:
        placed = _seat_riders(c, subjects, placed, halo)
    with c.layer(blur=NEAR) as d:
        for figure in placed:
            figure.draw(d, figure.base, figure.size, figure.colour, figure.facing, True)


def _colour(c: Canvas, subject: Subject) -> Color:
    if subject.colour is not None:
        return subject.colour
    if subject.kind == "tree":
        for season, colour in SEASON_TREES.items():
            if season in c.theme:
                return colour
    options = FIGURES[subject.kind].colours
    return options[int(c.extras.integers(len(options)))]


def _drawer(c: Canvas, kind: str) -> Drawer:
    draw = FIGURES[kind].draw
    assert draw is not None
    # A clump of flowers varies its blooms: with the picture's own random numbers, so it stays reproducible.
    return partial(draw_flowers, rng=c.extras) if kind == "flower" else draw


def _ground_row(c: Canvas, subjects: tuple[Subject, ...]) -> list[_Placed]:
    """The ground figures that stand on nothing else, spread across the foreground, back to front."""
    rng, w, h, s = c.extras, c.width, c.height, c.short
    copies = [(index, subject) for index, subject in enumerate(subjects)
              if FIGURES[subject.kind].place == "ground" and not _rides(subjects, subject)
              for _ in range(subject.count)]
    top, bottom = c.horizon + (h - c.horizon) * 0.45, h - s * 0.03
    placed = []
    for slot, (index, subject) in enumerate(copies):
        x = w * (0.1 + 0.8 * (slot + 0.5) / len(copies)) + rng.uniform(-0.2, 0.2) * w * 0.8 / len(copies)
        y = rng.uniform(top + (bottom - top) * 0.5, bottom)
        depth = 0.8 + 0.35 * (y - top) / max(1.0, bottom - top)
        size = min(FIGURES[subject.kind].height * s * subject.scale * depth, y * 0.9)
        placed.append(_Placed(index, _drawer(c, subject.kind), (x, y), size, _colour(c, subject),
                              1 if x < w / 2 else -1, True))
    return sorted(placed, key=lambda figure: figure.base[1])


def _rides(subjects: tuple[Subject, ...], subject: Subject) -> bool:
    return subject.on is not None and FIGURES[subjects[subject.on].kind].place == "ground"


def _fliers(c: Canvas, subjects: tuple[Subject, ...]) -> list[_Placed]:
    rng, w, s = c.extras, c.width, c.short
    placed = []
    for index, subject in enumerate(subjects):
        if FIGURES[subject.kind].place != "air" or _rides(subjects, subject):
            continue
        low = 0.75 if subject.kind == "butterfly" else 0.3
        for _ in range(subject.count):
            center = (rng.uniform(0.1, 0.9) * w, c.horizon * rng.uniform(low, low + 0.5))
            placed.append(_Placed(index, _drawer(c, subject.kind), center,
                                  FIGURES[subject.kind].height * s * subject.scale, _colour(c, subject),
                                  1 if rng.random() < 0.5 else -1, False))
    return placed


def _seat_riders(c: Canvas, subjects: tuple[Subject, ...], placed: list[_Placed],
                 halo: ImageDraw.ImageDraw) -> list[_Placed]:
    """Draw every figure's halo, putting each rider on the first copy of what it stands on (a chain of riders, one
    on another, included). Returns the figures in drawing order."""
    seats: dict[int, Point] = {}
    ordered: list[_Placed] = []
    queue = list(placed)
    waiting = [index for index, subject in enumerate(subjects) if _rides(subjects, subject)]
    while queue:
        figure = queue.pop(0)
        ordered.append(figure)
        seat = figure.draw(halo, figure.base, figure.size, mix(figure.colour, WHITE, 0.75), figure.facing, False)
        if figure.index in seats:
            continue
        seats[figure.index] = seat
        for rider_index in [index for index in waiting if subjects[index].on == figure.index]:
            waiting.remove(rider_index)
            rider = subjects[rider_index]
            size = FIGURES[rider.kind].height * c.short * rider.scale
            colour = _colour(c, rider)
            for copy in range(rider.count):
                offset = (copy - (rider.count - 1) / 2) * size * 0.8
                queue.insert(copy, _Placed(rider_index, _drawer(c, rider.kind), (seat[0] + offset, seat[1]), size,
                                           colour, figure.facing, False))
    return ordered


def _sky_figures(c: Canvas, subject: Subject) -> None:
    rng, w, s = c.extras, c.width, c.short
    colour = _colour(c, subject)
    if subject.kind == "rainbow":
        with c.layer(blur=0.004, opacity=0.6) as d:
            center = (w * rng.uniform(0.3, 0.7), c.horizon)
            draw_rainbow(d, center, min(s * FIGURES["rainbow"].height * subject.scale, c.horizon * 0.95), colour, 1)
        return
    size = FIGURES[subject.kind].height * s * subject.scale
    centers = [(rng.uniform(0.05, 0.95) * w, c.horizon * rng.uniform(0.05, 0.5)) for _ in range(subject.count)]
    for center in centers:
        c.glow(center, size * 1.6, colour, 0.4)
    with c.layer(blur=NEAR) as d:
        for center in centers:
            draw_star(d, center, size, colour, 1)
