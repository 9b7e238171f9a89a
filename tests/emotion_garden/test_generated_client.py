"""A Python client generated from the app's own OpenAPI schema (openapi-python-client) gets typed models for the
answers, and reads real answers into them: the schema is what client developers build on, not a list of maps.

The client calls the app in-process (httpx's WSGI transport): nothing reaches the network.
"""

import importlib
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from tests.factories import ApiKeyFactory, ApprovedImageFactory

PACKAGE = "eg_generated_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("client")
    schema = folder / "schema.json"
    schema.write_bytes(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run over the generated code: nothing to check in it
    generator = Path(sys.executable).with_name("openapi-python-client")
    run = subprocess.run(
        [generator, "generate", "--path", schema, "--config", config, "--meta", "none",
         "--output-path", folder / PACKAGE],
        capture_output=True, text=True, timeout=120, check=True,
    )
    warnings = [line for line in run.stdout.splitlines() if line.startswith("WARNING")]
    details = [line for line in run.stdout.splitlines() if line.startswith("Unsupported")]
    # The one thing it skips: the photo as a raw image/* body, which the generated client sends as multipart instead.
    assert {line.split(" within ")[0] for line in warnings} <= {"WARNING parsing POST /api/v1/emotion",
                                                                 "WARNING parsing POST /api/v1/lookalike"}, run.stdout
    assert all(line.startswith("Unsupported content type image/") for line in details), run.stdout
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_emotion_and_garden_answers_are_typed_models(generated: ModuleType) -> None:
    models = importlib.import_module(f"{generated.__name__}.models")
    emotion = models.EmotionAnswer.__annotations__
    assert (emotion["emotion"], emotion["faces"], emotion["emotions"]) == (
        "Emotion", "list[FaceDetail]", "list[EmotionScore]")
    assert models.FaceDetail.__annotations__["bounding_box"] == "BoundingBox"
    assert {member.value for member in models.Emotion} == {
        "HAPPY", "SAD", "ANGRY", "CONFUSED", "DISGUSTED", "SURPRISED", "CALM", "FEAR"}
    garden = models.GardenAnswer.__annotations__
    assert (garden["items"], garden["cursor"], garden["exhausted"]) == ("list[GardenItem]", "None | str", "bool")
    assert models.GardenItem.__annotations__["reason_code"] == "ReasonCodeEnum"
    assert models.LikesPage.__annotations__["likes"] == "list[LikedImage]"
    assert models.Error.__annotations__["error"] == "ErrorError"


@pytest.fixture
def client(generated: ModuleType, transactional_db: None) -> object:
    """The generated client with an API key, calling the app through WSGI (the app closes its connection after each
    request, hence the transactional database)."""
    key = ApiKeyFactory(scopes=["faces", "garden"]).raw_key
    return generated.AuthenticatedClient(
        base_url="http://testserver", token=key, prefix="Api-Key",
        httpx_args={"transport": httpx.WSGITransport(app=get_wsgi_application())},
    )


def test_the_client_reads_a_photo_and_pages_the_garden_into_its_models(
    generated: ModuleType, client: object, astronaut_jpeg: bytes,
) -> None:
    models = importlib.import_module(f"{generated.__name__}.models")
    read_emotion = importlib.import_module(f"{generated.__name__}.api.faces.read_emotion")
    garden = importlib.import_module(f"{generated.__name__}.api.garden.garden")
    File = importlib.import_module(f"{generated.__name__}.types").File  # noqa: N806

    photo = models.ReadEmotionFilesBody(image=File(payload=io.BytesIO(astronaut_jpeg), file_name="me.jpeg",
                                                   mime_type="image/jpeg"))
    reading = read_emotion.sync(client=client, body=photo)
    assert isinstance(reading, models.EmotionAnswer)
    assert reading.emotion is models.Emotion.HAPPY
    assert isinstance(reading.faces[0].bounding_box, models.BoundingBox) and reading.faces[0].bounding_box.width > 0

    ApprovedImageFactory.create_batch(3, emotion="HAPPY")
    request = models.GardenRequest(emotion=reading.emotion, n=2, mode=models.GardenRequestModeEnum.EMOTION)
    first = garden.sync(client=client, body=request)
    assert isinstance(first, models.GardenAnswer) and not first.exhausted
    assert all(isinstance(item, models.GardenItem) for item in first.items) and len(first.items) == 2
    request.cursor = first.cursor
    last = garden.sync(client=client, body=request)
    assert (len(last.items), last.exhausted, last.cursor) == (1, True, None)

    refused = garden.sync(client=client, body=models.GardenRequest(n=2))  # neither emotion nor face user
    assert isinstance(refused, models.Error) and refused.error.code == "invalid"
