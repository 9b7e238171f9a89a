import logging

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class GalleryConfig(AppConfig):
    name = "gallery"
    verbose_name = _("Gallery and faces")

    def ready(self) -> None:
        # drf-spectacular finds extensions by their registration at import time.
        import gallery.schema  # noqa: F401
        from gallery.references import forget_deleted_photo

        post_delete.connect(forget_deleted_photo, sender="gallery.ReferencePhoto",
                            dispatch_uid="forget-deleted-reference-photo")

        if settings.COMPAT_OPEN_CURATION:
            logger.warning(
                "COMPAT_OPEN_CURATION is on: anyone who can reach this server may remove images, start "
                "generation and fill the booth's screens through the original endpoints (/remove, /removePool, "
                "/clearIndex, /bulk, /generateDataset, /text2image, /updateDisplay). Keep it only on a closed kiosk "
                "network."
            )
