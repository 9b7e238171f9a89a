"""Image generation backends; settings.EMOTION_GARDEN_BACKENDS["image_generation"] picks the default one."""

from curation.generators.base import ImageGenerator
from emotion_garden.backends import get_backend


def image_generator() -> ImageGenerator:
    return get_backend("image_generation", ImageGenerator)
