"""Procedural "emotion garden" paintings drawn with Pillow and numpy.

A fresh install has no downloaded image model, yet the demo gallery still needs pictures for every emotion Amazon
Rekognition can report. Each emotion has a painter (a module named by its motif) whose palette, shapes and motion carry
that emotion.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.firestorm import paint_angry
from curation.generators.procedural_art.fireworks import paint_surprised
from curation.generators.procedural_art.forest import paint_fear
from curation.generators.procedural_art.lake import paint_calm
from curation.generators.procedural_art.maze import paint_confused
from curation.generators.procedural_art.meadow import paint_happy
from curation.generators.procedural_art.swamp import paint_disgusted
from curation.generators.procedural_art.weather import theme_particles
from curation.generators.procedural_art.willow import paint_sad

__all__ = ["EMOTIONS", "MAX_SIZE", "MIN_SIZE", "draw_emotion_art"]

MIN_SIZE = 64
MAX_SIZE = 2048


THEME_SYNONYMS: dict[str, str] = {
    "spring": "spring",
    "summer": "summer",
    "autumn": "autumn",
    "fall": "autumn",
    "winter": "winter",
    "sunny": "sunny",
    "sun": "sunny",
    "clear": "sunny",
    "rain": "rainy",
    "rainy": "rainy",
    "drizzle": "rainy",
    "showers": "rainy",
    "snow": "snowy",
    "snowy": "snowy",
    "snowing": "snowy",
    "fog": "foggy",
    "foggy": "foggy",
    "mist": "foggy",
    "misty": "foggy",
    "haze": "foggy",
    "hazy": "foggy",
    "cloud": "cloudy",
    "clouds": "cloudy",
    "cloudy": "cloudy",
    "overcast": "cloudy",
    "storm": "stormy",
    "stormy": "stormy",
    "thunder": "stormy",
    "thunderstorm": "stormy",
    "dawn": "dawn",
    "sunrise": "dawn",
    "morning": "dawn",
    "day": "day",
    "daytime": "day",
    "noon": "day",
    "afternoon": "day",
    "sunset": "sunset",
    "dusk": "sunset",
    "evening": "sunset",
    "twilight": "sunset",
    "night": "night",
    "nighttime": "night",
    "midnight": "night",
    "starry": "night",
}


def _parse_theme(theme: str) -> frozenset[str]:
    return frozenset(THEME_SYNONYMS[word] for word in re.findall(r"[a-z]+", theme.lower()) if word in THEME_SYNONYMS)


@dataclass(frozen=True)
class _Recipe:
    paint: Callable[[Canvas], None]
    vignette: float


_RECIPES: dict[str, _Recipe] = {
    "HAPPY": _Recipe(paint_happy, 0.12),
    "SAD": _Recipe(paint_sad, 0.3),
    "ANGRY": _Recipe(paint_angry, 0.45),
    "CONFUSED": _Recipe(paint_confused, 0.2),
    "DISGUSTED": _Recipe(paint_disgusted, 0.35),
    "SURPRISED": _Recipe(paint_surprised, 0.2),
    "CALM": _Recipe(paint_calm, 0.08),
    "FEAR": _Recipe(paint_fear, 0.8),
}
EMOTIONS: tuple[str, ...] = tuple(_RECIPES)


def draw_emotion_art(*, emotion: str, width: int, height: int, seed: int, theme: str = "") -> Image.Image:
    """Paint an abstract garden scene that expresses `emotion`.

    `emotion` is a Rekognition emotion name (case-insensitive). The result is an
    RGB image of exactly `width` x `height`, identical for identical arguments.
    Recognised season, weather and time-of-day words in `theme` (for example
    "winter,snowy,night") tint the palette or add snow, rain, stars or falling
    leaves; other words are ignored.

    Raises ValueError for an unknown emotion or a side outside 64..2048 pixels.
    """
    recipe = _RECIPES.get(emotion.upper())
    if recipe is None:
        raise ValueError(f"Unknown emotion {emotion!r}; expected one of {', '.join(EMOTIONS)}")
    for name, size in (("width", width), ("height", height)):
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise ValueError(f"{name} must be between {MIN_SIZE} and {MAX_SIZE} pixels, got {size}")
    # default_rng only takes non-negative seeds; wrap so any int is usable.
    rng = np.random.default_rng(seed % 2**64)
    canvas = Canvas(width, height, rng, _parse_theme(theme))
    recipe.paint(canvas)
    theme_particles(canvas)
    return canvas.finish(recipe.vignette)
