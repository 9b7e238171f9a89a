"""Procedural "emotion garden" paintings drawn with Pillow and numpy, following their theme and prompt.

A fresh install has no downloaded image model, yet the demo gallery still needs pictures for every emotion Amazon
Rekognition can report. Each emotion has a painter (a module named by its motif) whose palette, shapes and motion carry
that emotion. Over it, the theme's and the prompt's words (scene.py) change the light and the weather (daylight.py,
weather.py) and add animals and things (subjects.py); words it cannot draw are reported by undrawable_words.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from curation.generators.procedural_art.canvas import Canvas
from curation.generators.procedural_art.daylight import paint_theme_sky
from curation.generators.procedural_art.firestorm import paint_angry
from curation.generators.procedural_art.fireworks import paint_surprised
from curation.generators.procedural_art.forest import paint_fear
from curation.generators.procedural_art.lake import paint_calm
from curation.generators.procedural_art.maze import paint_confused
from curation.generators.procedural_art.meadow import paint_happy
from curation.generators.procedural_art.scene import Scene, read_scene
from curation.generators.procedural_art.subjects import paint_subjects
from curation.generators.procedural_art.swamp import paint_disgusted
from curation.generators.procedural_art.weather import paint_falling, paint_snow_cover
from curation.generators.procedural_art.willow import paint_sad

__all__ = ["EMOTIONS", "MAX_SIZE", "MIN_SIZE", "Scene", "draw_emotion_art", "read_scene", "undrawable_words"]

MIN_SIZE = 64
MAX_SIZE = 2048


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


def draw_emotion_art(
    *, emotion: str, width: int, height: int, seed: int, theme: str = "", prompt: str = ""
) -> Image.Image:
    """Paint a garden scene that expresses `emotion`, in the light and weather of its theme and prompt words, with
    the animals and things they name.

    `emotion` is a Rekognition emotion name (case-insensitive). The result is an RGB image of exactly `width` x
    `height`, identical for identical arguments; the seed alone decides the composition, so one seed under two
    themes is the same garden in two lights. Words it cannot draw are ignored (see undrawable_words).

    Raises ValueError for an unknown emotion or a side outside 64..2048 pixels.
    """
    recipe = _RECIPES.get(emotion.upper())
    if recipe is None:
        raise ValueError(f"Unknown emotion {emotion!r}; expected one of {', '.join(EMOTIONS)}")
    for name, size in (("width", width), ("height", height)):
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise ValueError(f"{name} must be between {MIN_SIZE} and {MAX_SIZE} pixels, got {size}")
    scene = read_scene(emotion=emotion, theme=theme, prompt=prompt)
    # default_rng only takes non-negative seeds; wrap so any int is usable.
    seed = seed % 2**64
    canvas = Canvas(width, height, np.random.default_rng(seed), scene.moods,
                    extras=np.random.default_rng([seed, 1]), backdrop=paint_theme_sky)
    recipe.paint(canvas)
    paint_snow_cover(canvas)
    paint_subjects(canvas, scene.subjects)
    paint_falling(canvas)
    return canvas.finish(recipe.vignette)


def undrawable_words(*, emotion: str, theme: str, prompt: str) -> list[str]:
    """The words of the theme and the prompt that draw_emotion_art cannot draw, in the order they come."""
    return list(read_scene(emotion=emotion, theme=theme, prompt=prompt).undrawn)
