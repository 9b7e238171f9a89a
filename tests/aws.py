"""Helpers for the AWS backend tests (botocore Stubber and moto): requests never leave the machine."""

import base64
import io
import json
from typing import Any

from PIL import Image


class JsonBody:
    """Equal to a JSON document that decodes to `expected`, whatever its key order or spacing."""

    def __init__(self, expected: dict[str, Any]) -> None:
        self.expected = expected

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str | bytes) and json.loads(other) == self.expected

    def __repr__(self) -> str:
        return f"JsonBody({self.expected!r})"


def jpeg_base64(width: int, height: int, colour: tuple[int, int, int] = (40, 160, 90)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="JPEG")
    return base64.b64encode(buffer.getvalue()).decode()
