import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger(__name__)


class GalleryConfig(AppConfig):
    name = "gallery"
    verbose_name = "Gallery and faces"

    def ready(self) -> None:
        # drf-spectacular finds extensions by their registration at import time.
        import gallery.schema  # noqa: F401

        if settings.COMPAT_OPEN_CURATION:
            logger.warning(
                "COMPAT_OPEN_CURATION is on: anyone who can reach this server may remove images and start "
                "generation through the original endpoints (/remove, /removePool, /clearIndex, /bulk, "
                "/generateDataset, /text2image). Keep it only on a closed kiosk network."
            )
