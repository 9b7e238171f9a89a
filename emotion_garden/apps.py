from django.apps import AppConfig
from django.core import checks

from emotion_garden.backends import check_backends


class EmotionGardenConfig(AppConfig):
    """The shared kernel as an app only for its system checks: it has no models, templates or static files."""

    name = "emotion_garden"
    verbose_name = "Emotion Garden"

    def ready(self) -> None:
        checks.register(check_backends)
