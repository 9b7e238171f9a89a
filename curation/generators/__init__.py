"""Image generation backends: every "image_generation..." entry of settings.EMOTION_GARDEN_BACKENDS is one
generator curators can pick ("image_generation" is the default, the others exist when configured)."""

from django.conf import settings

from curation.generators.base import ImageGenerator
from emotion_garden.backends import get_backend

DEFAULT_GENERATOR = "image_generation"


def image_generator(name: str = DEFAULT_GENERATOR) -> ImageGenerator:
    if not name.startswith(DEFAULT_GENERATOR):
        raise ValueError(f"{name!r} is not an image generator.")
    return get_backend(name, ImageGenerator)


def available_generators() -> list[str]:
    return [name for name in settings.EMOTION_GARDEN_BACKENDS if name.startswith(DEFAULT_GENERATOR)]
