from django.apps import AppConfig


class GalleryConfig(AppConfig):
    name = "gallery"
    verbose_name = "Gallery and faces"

    def ready(self) -> None:
        # drf-spectacular finds extensions by their registration at import time.
        import gallery.schema  # noqa: F401
