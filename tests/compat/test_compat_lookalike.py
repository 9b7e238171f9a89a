"""The original celebrity look-alike page's POST /upload, answered from the curated reference collection."""

import base64
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gallery.models import ReferencePerson
from gallery.references import add_reference_photo
from tests.conftest import encode

pytestmark = pytest.mark.django_db

HOPPER = Path(settings.BASE_DIR) / "gallery" / "demo_references" / "grace_hopper.jpg"


@pytest.fixture
def eileen_collins(astronaut: Image.Image) -> ReferencePerson:
    person = ReferencePerson.objects.create(name="Eileen Collins", info_url="https://www.nasa.gov/")
    add_reference_photo(person=person, photo=encode(astronaut.crop((60, 0, 512, 450)), "JPEG"))
    return person


def upload(client: Client, **files: bytes) -> dict:
    response = client.post("/upload", {name: SimpleUploadedFile(f"{name}.jpg", data, "image/jpeg")
                                       for name, data in files.items()})
    return {"status": response.status_code, **response.json()}


def test_the_same_person_is_found_with_their_photo_and_the_comparison(
    client: Client, eileen_collins: ReferencePerson, astronaut_jpeg: bytes
) -> None:
    answer = upload(client, user_image=astronaut_jpeg, reference_image=HOPPER.read_bytes())
    assert answer["status"] == 200 and answer["found"] is True and answer["message"] == ""
    assert answer["name"] == "Eileen Collins" and answer["info_url"] == "https://www.nasa.gov/"
    assert answer["match_confidence"] >= settings.FACE_MATCH_THRESHOLD
    assert 0 <= answer["comparison_confidence"] < settings.FACE_MATCH_THRESHOLD  # the astronaut is not Grace Hopper
    header, data = answer["image"].split(",", 1)
    assert header == "data:image/jpeg;base64" and base64.b64decode(data)[:2] == b"\xff\xd8"


def test_a_face_like_nobody_is_not_found_but_still_compared(client: Client, astronaut_jpeg: bytes) -> None:
    person = ReferencePerson.objects.create(name="Grace Hopper")
    add_reference_photo(person=person, photo=HOPPER.read_bytes())
    answer = upload(client, user_image=astronaut_jpeg, reference_image=astronaut_jpeg)
    assert answer["status"] == 200 and answer["found"] is False and "name" not in answer
    assert answer["comparison_confidence"] >= settings.FACE_MATCH_THRESHOLD  # the same photo twice
    assert answer["message"]


def test_nobody_alike_is_said_in_the_visitors_language(client: Client, astronaut_jpeg: bytes) -> None:
    """The original's page is Korean, and so was its message; ours was English in every language."""
    person = ReferencePerson.objects.create(name="Grace Hopper")
    add_reference_photo(person=person, photo=HOPPER.read_bytes())
    response = client.post("/upload", {name: SimpleUploadedFile(f"{name}.jpg", astronaut_jpeg, "image/jpeg")
                                       for name in ("user_image", "reference_image")}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.json()["message"].startswith("참고 인물 모음에는")


def test_a_missing_file_is_the_originals_error(client: Client, astronaut_jpeg: bytes) -> None:
    answer = upload(client, user_image=astronaut_jpeg)
    assert answer == {"status": 200, "error": "Both user image and reference image are required"}


def test_no_face_and_not_an_image(client: Client, faceless_jpeg: bytes, astronaut_jpeg: bytes) -> None:
    answer = upload(client, user_image=faceless_jpeg, reference_image=astronaut_jpeg)
    assert answer["status"] == 200 and answer["found"] is False and answer["comparison_confidence"] == 0
    answer = upload(client, user_image=b"not an image", reference_image=astronaut_jpeg)
    assert answer["status"] == 400 and answer["error"]


def test_only_post(client: Client) -> None:
    assert client.get("/upload").status_code == 405
