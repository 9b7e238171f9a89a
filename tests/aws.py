"""Helpers for the AWS backend tests (botocore Stubber and moto): requests never leave the machine."""

import base64
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.exceptions import EndpointConnectionError
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


def aws_client(service: str) -> Any:
    """A real boto3 client with fake credentials, for a Stubber to answer."""
    return boto3.client(service, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


@contextmanager
def unreachable(client: Any, operation: str) -> Iterator[None]:
    """Calls of `operation` (e.g. "DeleteFaces") fail as when the network or the endpoint is down.

    The failure is raised before a Stubber on the client answers (its answer stays queued for after the outage), so
    nothing leaves the machine either way.
    """

    def refuse(model: Any, **kwargs: Any) -> None:
        if model.name == operation:
            raise EndpointConnectionError(endpoint_url=client.meta.endpoint_url)

    # On the Stubber's own wildcard event, ahead of it: botocore runs wildcard handlers before specific ones.
    client.meta.events.register_first("before-call.*.*", refuse, unique_id="tests-unreachable")
    try:
        yield
    finally:
        client.meta.events.unregister("before-call.*.*", unique_id="tests-unreachable")
