from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, DataAndFiles, JSONParser, MultiPartParser

from emotion_garden.api import ApiError
from emotion_garden.json_input import UnreadableJson, parse_json
from emotion_garden.request_buffer import declared_length


class RawImageParser(BaseParser):
    """A request body that is the image itself (image/jpeg, image/png, image/webp), as `curl --data-binary` sends."""

    media_type = "image/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> bytes:
        if stream is None:
            return b""
        limit = settings.MAX_IMAGE_UPLOAD_BYTES
        # The declared length first, as the other parsers: reading a body announced too large waits for all of it.
        if _declared_length(parser_context) > limit or len(data := stream.read(limit + 1)) > limit:
            raise ApiError(
                code="image_too_large",
                message=f"The image is larger than the limit of {limit} bytes.",
                status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        return data


class LimitedJSONParser(BaseParser):
    """JSON bodies up to API_MAX_JSON_BYTES; larger ones get 413 `request_too_large` before any of it is parsed.
    Parsed with bounded nesting and valid Unicode only (emotion_garden.json_input): 400 with the reason's code.

    Not a JSONParser subclass on purpose: DRF reads a JSONParser's whole body into memory first (request.body),
    which this parser avoids by reading at most one byte past the limit from the stream.
    """

    media_type = JSONParser.media_type
    renderer_class = JSONParser.renderer_class

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        limit = settings.API_MAX_JSON_BYTES
        _refuse_declared_length(parser_context, limit)
        body = stream.read(limit + 1)
        if len(body) > limit:  # a body sent without (or with a false) Content-Length
            raise _too_large(limit)
        try:
            return parse_json(body)
        except UnreadableJson as error:
            if error.code == "invalid_json":  # malformed: DRF's own `parse_error`, which clients already know
                raise ParseError(error.message) from None
            raise ApiError(code=error.code, message=error.message) from None


class LimitedMultiPartParser(MultiPartParser):
    """Multipart forms up to API_MAX_MULTIPART_BYTES, refused with 413 `request_too_large` from the Content-Length
    alone. Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) counts only the non-file fields, so without this a
    client could stream any amount of file data into temporary files before a view refused it."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> DataAndFiles:
        limit = settings.API_MAX_MULTIPART_BYTES
        _refuse_declared_length(parser_context, limit)
        try:
            return super().parse(stream, media_type, parser_context)
        except RequestDataTooBig:
            raise _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) from None
        except SuspiciousOperation as error:  # too many fields or files: Django's answer would be an HTML 400
            raise ParseError(f"Multipart form parse error - {error}") from None


def _declared_length(parser_context: dict | None) -> int:
    return declared_length(parser_context["request"].META if parser_context else {})


def _refuse_declared_length(parser_context: dict | None, limit: int) -> None:
    if _declared_length(parser_context) > limit:
        raise _too_large(limit)


def _too_large(limit: int) -> ApiError:
    return ApiError(code="request_too_large", message=f"The request body is larger than the limit of {limit} bytes.",
                    status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
