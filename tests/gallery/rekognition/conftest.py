"""Real boto3 Rekognition clients under botocore's Stubber, and the backends built on them: no network."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from PIL import Image

from emotion_garden.imaging import DecodedImage
from gallery.faces.rekognition import (
    RekognitionFaceAnalyzer,
    RekognitionFaceIdentity,
)
from gallery.models import FaceUser
from tests.factories import FaceUserFactory
from tests.gallery.rekognition.stubs import PERSON


@pytest.fixture
def client() -> Any:
    return boto3.client(
        "rekognition", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def stub(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def sent(client: Any) -> list[tuple[str, dict[str, Any]]]:
    """(operation, parameters) of every call the client makes, in order."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **kwargs: Any) -> None:
        calls.append((model.name, params))

    client.meta.events.register("before-parameter-build.rekognition", record)
    return calls


@pytest.fixture
def analyzer(client: Any) -> RekognitionFaceAnalyzer:
    return RekognitionFaceAnalyzer(client=client)


@pytest.fixture
def identity(client: Any) -> RekognitionFaceIdentity:
    return RekognitionFaceIdentity(collection_id="garden-test", client=client)


@pytest.fixture
def person() -> FaceUser:
    return FaceUserFactory(id=PERSON)


@pytest.fixture
def photo() -> DecodedImage:
    return DecodedImage(rgb=Image.new("RGB", (640, 480), (120, 110, 100)), source_format="PNG")

