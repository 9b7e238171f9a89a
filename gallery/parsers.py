from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.parsers import BaseParser

from emotion_garden.api import ApiError


class RawImageParser(BaseParser):
    """A request body that is the image itself (image/jpeg, image/png, image/webp), as `curl --data-binary` sends."""

    media_type = "image/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> bytes:
        if stream is None:
            return b""
        limit = settings.MAX_IMAGE_UPLOAD_BYTES
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise ApiError(
                code="image_too_large",
                message=f"The image is larger than the limit of {limit} bytes.",
                status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        return data
