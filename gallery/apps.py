from django.apps import AppConfig
from django.db.models.signals import post_delete


class GalleryConfig(AppConfig):
    name = "gallery"
    verbose_name = "Gallery and faces"

    def ready(self) -> None:
        # drf-spectacular finds extensions by their registration at import time.
        import gallery.schema  # noqa: F401
        from gallery.references import forget_deleted_photo

        post_delete.connect(forget_deleted_photo, sender="gallery.ReferencePhoto",
                            dispatch_uid="forget-deleted-reference-photo")
