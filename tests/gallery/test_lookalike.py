"""The look-alike with the local face backends: the closest reference people with honest bands, over the API."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient
from skimage import data as skimage_data

from gallery.lookalike import Resemblance, find_lookalikes, resemblance
from gallery.models import FaceEmbedding, FaceUser, ReferencePerson, ReferencePhoto
from gallery.references import add_reference_photo
from gallery.services import NoFaceFound
from tests.conftest import encode

pytestmark = pytest.mark.django_db

DEMO_PEOPLE = Path(settings.BASE_DIR) / "gallery" / "demo_references"


@pytest.fixture(scope="session")
def cameraman_jpeg() -> bytes:
    """scikit-image's CC0 "camera" photo: a man in near profile, someone none of the demo people are."""
    return encode(Image.fromarray(skimage_data.camera()).convert("RGB"), "JPEG", quality=90)


@pytest.fixture
def astronaut_person(astronaut: Image.Image) -> ReferencePerson:
    person = ReferencePerson.objects.create(name="Eileen Collins", info_url="https://www.nasa.gov/")
    add_reference_photo(person=person, photo=encode(astronaut.crop((60, 0, 512, 450)), "JPEG"))
    return person


@pytest.fixture
def hopper_person() -> ReferencePerson:
    person = ReferencePerson.objects.create(name="Grace Hopper")
    add_reference_photo(person=person, photo=(DEMO_PEOPLE / "grace_hopper.jpg").read_bytes())
    return person


@pytest.fixture
def cameraman_person(cameraman_jpeg: bytes) -> ReferencePerson:
    person = ReferencePerson.objects.create(name="The cameraman")
    add_reference_photo(person=person, photo=cameraman_jpeg)
    return person


def test_bands_follow_the_two_thresholds(settings: Settings) -> None:
    settings.FACE_MATCH_THRESHOLD, settings.LOOKALIKE_STRONG_THRESHOLD = 80.0, 55.0
    assert resemblance(80.0) == Resemblance.SAME_PERSON
    assert resemblance(79.9) == resemblance(55.0) == Resemblance.STRONG
    assert resemblance(54.9) == resemblance(0.0) == Resemblance.FAINT


def test_the_three_closest_people_most_similar_first(
    astronaut_person: ReferencePerson, hopper_person: ReferencePerson, cameraman_person: ReferencePerson,
    astronaut_jpeg: bytes,
) -> None:
    result = find_lookalikes(photo=astronaut_jpeg)
    people = [match.photo.person for match in result.matches]
    assert people[0] == astronaut_person and set(people) == {astronaut_person, hopper_person, cameraman_person}
    similarities = [match.similarity for match in result.matches]
    assert similarities == sorted(similarities, reverse=True)
    assert result.matches[0].similarity > 90 and result.matches[0].resemblance == Resemblance.SAME_PERSON
    # Different people: well below the cut for the same person.
    assert all(match.resemblance != Resemblance.SAME_PERSON for match in result.matches[1:])
    assert result.reference_similarity is None


def test_a_person_with_several_photos_counts_once_with_their_closest_photo(
    astronaut_person: ReferencePerson, hopper_person: ReferencePerson, astronaut: Image.Image, astronaut_jpeg: bytes,
) -> None:
    closest = add_reference_photo(person=astronaut_person, photo=encode(astronaut, "PNG"))
    add_reference_photo(person=astronaut_person, photo=encode(astronaut.rotate(8).crop((40, 40, 480, 480)), "JPEG"))
    result = find_lookalikes(photo=astronaut_jpeg)
    assert [match.photo.person for match in result.matches] == [astronaut_person, hopper_person]
    assert result.matches[0].photo == closest


def test_a_different_face_gets_a_resemblance_band(astronaut_person: ReferencePerson,
                                                  hopper_person: ReferencePerson, cameraman_jpeg: bytes) -> None:
    result = find_lookalikes(photo=cameraman_jpeg)
    assert len(result.matches) == 2
    assert {match.resemblance for match in result.matches} <= {Resemblance.STRONG, Resemblance.FAINT}


def test_without_reference_people_nothing_is_found(astronaut_jpeg: bytes) -> None:
    result = find_lookalikes(photo=astronaut_jpeg, reference_photo=astronaut_jpeg)
    assert result.matches == []
    assert result.reference_similarity == pytest.approx(100, abs=0.5)


def test_no_face_names_the_photo_that_has_none(astronaut_person: ReferencePerson, astronaut_jpeg: bytes,
                                               faceless_jpeg: bytes) -> None:
    with pytest.raises(NoFaceFound, match="in the photo"):
        find_lookalikes(photo=faceless_jpeg)
    with pytest.raises(NoFaceFound, match="in the reference photo"):
        find_lookalikes(photo=astronaut_jpeg, reference_photo=faceless_jpeg)


def test_reference_people_are_never_recognised_as_visitors(api_client: APIClient, astronaut_person: ReferencePerson,
                                                           astronaut_jpeg: bytes) -> None:
    # Searched among the remembered visitors (with consent to be recognised): the reference person is not one.
    response = api_client.post("/api/v1/emotion?recognise=true", astronaut_jpeg, content_type="image/jpeg")
    assert response.status_code == 200
    assert response.json()["face_user"] is None and response.json()["recognised"] is False
    assert not FaceEmbedding.objects.exists()


def test_the_lookalike_never_searches_the_visitors(api_client: APIClient, astronaut_jpeg: bytes) -> None:
    remembered = api_client.post("/api/v1/emotion?remember=true", astronaut_jpeg, content_type="image/jpeg")
    assert remembered.json()["face_user"] is not None and FaceUser.objects.count() == 1
    response = api_client.post("/api/v1/lookalike", astronaut_jpeg, content_type="image/jpeg")
    assert response.status_code == 200
    assert response.json()["found"] is False and response.json()["matches"] == []


def test_raw_image_body_answers_the_top_three_with_bands_and_photos(
    api_client: APIClient, astronaut_person: ReferencePerson, hopper_person: ReferencePerson,
    cameraman_person: ReferencePerson, astronaut_png: bytes,
) -> None:
    response = api_client.post("/api/v1/lookalike", astronaut_png, content_type="image/png")
    assert response.status_code == 200
    body = response.json()
    assert body["found"] is True and len(body["matches"]) == 3
    first = body["matches"][0]
    assert first["person"] == {"id": astronaut_person.pk, "name": "Eileen Collins", "info_url": "https://www.nasa.gov/"}
    assert first["band"] == "same_person" and first["similarity"] > 90
    assert first["photo_url"].startswith("http://testserver/media/references/")
    assert {match["band"] for match in body["matches"][1:]} <= {"strong_resemblance", "faint_resemblance"}
    # The best match again at the top level, as the answer had before it listed three.
    assert body["person"] == {**first["person"], "photo_url": first["photo_url"]}
    assert body["similarity"] == first["similarity"] and body["band"] == "same_person"
    assert body["thresholds"] == {"same_person": settings.FACE_MATCH_THRESHOLD,
                                  "strong_resemblance": settings.LOOKALIKE_STRONG_THRESHOLD}
    assert api_client.get(first["photo_url"]).status_code == 200


def test_multipart_with_a_reference_photo(api_client: APIClient, astronaut_person: ReferencePerson,
                                          astronaut_jpeg: bytes, faceless_jpeg: bytes) -> None:
    response = api_client.post("/api/v1/lookalike", {
        "image": SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg"),
        "reference_image": SimpleUploadedFile("ref.jpg", astronaut_jpeg, content_type="image/jpeg"),
    }, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["name"] == "Eileen Collins" and body["person"]["info_url"] == "https://www.nasa.gov/"
    assert body["similarity"] > 90 and body["reference_similarity"] > 99

    no_face = api_client.post("/api/v1/lookalike", {
        "image": SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg"),
        "reference_image": SimpleUploadedFile("ref.jpg", faceless_jpeg, content_type="image/jpeg"),
    }, format="multipart")
    assert no_face.status_code == 422
    assert no_face.json()["error"]["code"] == "no_face" and "reference photo" in no_face.json()["error"]["message"]

    empty = api_client.post("/api/v1/lookalike", {  # was taken as no reference photo at all: a 200
        "image": SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg"),
        "reference_image": SimpleUploadedFile("ref.jpg", b"", content_type="image/jpeg"),
    }, format="multipart")
    assert (empty.status_code, empty.json()["error"]["code"]) == (400, "empty_image")


@pytest.mark.parametrize(("body", "content_type", "status", "code"), [
    (b"", "image/jpeg", 400, None),
    (b"not an image at all", "image/jpeg", 400, None),
    (b"GIF89a", "text/plain", 415, "unsupported_media_type"),
])
def test_bad_bodies_get_a_clear_error(api_client: APIClient, astronaut_person: ReferencePerson, body: bytes,
                                      content_type: str, status: int, code: str | None) -> None:
    response = api_client.post("/api/v1/lookalike", body, content_type=content_type)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["message"] and (code is None or error["code"] == code)


def test_a_photo_without_a_face_is_a_422(api_client: APIClient, astronaut_person: ReferencePerson,
                                          faceless_jpeg: bytes) -> None:
    response = api_client.post("/api/v1/lookalike", faceless_jpeg, content_type="image/jpeg")
    assert response.status_code == 422 and response.json()["error"]["code"] == "no_face"


def test_the_schema_types_the_answer_and_the_raw_body(api_client: APIClient) -> None:
    schema = api_client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/lookalike"]["post"]
    assert {"image/jpeg", "image/png", "image/webp", "multipart/form-data"} <= set(operation["requestBody"]["content"])
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    components = schema["components"]["schemas"]
    assert {"found", "matches", "person", "similarity", "band", "thresholds"} <= set(components[answer]["properties"])
    match = components[components[answer]["properties"]["matches"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"person", "photo_url", "similarity", "band"} <= set(match["properties"])


def test_deleting_a_reference_person_deletes_their_photos(astronaut_person: ReferencePerson,
                                                          django_capture_on_commit_callbacks) -> None:
    stored = ReferencePhoto.objects.get().photo
    assert stored.storage.exists(stored.name)
    with django_capture_on_commit_callbacks(execute=True):
        astronaut_person.delete()
    assert not ReferencePhoto.objects.exists() and not stored.storage.exists(stored.name)
