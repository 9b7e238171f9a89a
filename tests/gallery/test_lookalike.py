import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from gallery.lookalike import add_reference_photo, find_lookalike
from gallery.models import ReferencePerson, ReferencePhoto
from gallery.services import NoFaceFound
from tests.conftest import encode

pytestmark = pytest.mark.django_db


@pytest.fixture
def astronaut_person(astronaut: Image.Image) -> ReferencePerson:
    person = ReferencePerson.objects.create(name="Eileen Collins", info_url="https://www.nasa.gov/")
    add_reference_photo(person=person, photo=encode(astronaut.crop((60, 0, 512, 450)), "JPEG"))
    return person


def test_finds_the_closest_reference_person(astronaut_person: ReferencePerson, astronaut_jpeg: bytes) -> None:
    result = find_lookalike(photo=astronaut_jpeg)
    assert result.photo is not None and result.photo.person == astronaut_person
    assert result.similarity is not None and result.similarity > 90
    assert result.reference_similarity is None


def test_without_reference_people_nothing_is_found(astronaut_jpeg: bytes) -> None:
    result = find_lookalike(photo=astronaut_jpeg, reference_photo=astronaut_jpeg)
    assert result.photo is None and result.similarity is None
    assert result.reference_similarity == pytest.approx(100, abs=0.5)


def test_reference_photo_without_face_is_refused(faceless_jpeg: bytes) -> None:
    person = ReferencePerson.objects.create(name="Nobody")
    with pytest.raises(NoFaceFound):
        add_reference_photo(person=person, photo=faceless_jpeg)
    assert not ReferencePhoto.objects.exists()


def test_lookalike_endpoint(api_client: APIClient, astronaut_person: ReferencePerson, astronaut_jpeg: bytes,
                            faceless_jpeg: bytes) -> None:
    response = api_client.post("/api/v1/lookalike", {
        "image": SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg"),
        "reference_image": SimpleUploadedFile("ref.jpg", astronaut_jpeg, content_type="image/jpeg"),
    }, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["found"] is True
    assert body["person"]["name"] == "Eileen Collins" and body["person"]["info_url"] == "https://www.nasa.gov/"
    assert body["person"]["photo_url"].startswith("http://testserver/media/references/")
    assert body["similarity"] > 90 and body["reference_similarity"] > 99

    no_face = api_client.post("/api/v1/lookalike", {
        "image": SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg"),
        "reference_image": SimpleUploadedFile("ref.jpg", faceless_jpeg, content_type="image/jpeg"),
    }, format="multipart")
    assert no_face.status_code == 422
    assert "reference photo" in no_face.json()["error"]["message"]


def test_curators_add_reference_people_in_the_admin(client: Client, astronaut_jpeg: bytes,
                                                    faceless_jpeg: bytes) -> None:
    client.force_login(get_user_model().objects.create_superuser("admin", "a@example.com", "pw"))
    form = {
        "name": "Eileen Collins", "info_url": "https://www.nasa.gov/",
        "photos-TOTAL_FORMS": "1", "photos-INITIAL_FORMS": "0", "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    refused = client.post("/admin/gallery/referenceperson/add/", {
        **form, "photos-0-photo": SimpleUploadedFile("x.jpg", faceless_jpeg, content_type="image/jpeg")})
    assert refused.status_code == 200 and b"No face was found" in refused.content
    assert not ReferencePerson.objects.exists()

    added = client.post("/admin/gallery/referenceperson/add/", {
        **form, "photos-0-photo": SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg")})
    assert added.status_code == 302
    photo = ReferencePhoto.objects.get()
    assert photo.person.name == "Eileen Collins" and len(photo.as_array()) == 128
