import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from gallery.models import FaceEmbedding, FaceUser
from recommender.models import Interaction
from tests.conftest import encode
from tests.factories import ApprovedImageFactory

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_compare_same_face_is_the_same_person(api_client: APIClient, astronaut: Image.Image,
                                              astronaut_jpeg: bytes) -> None:
    shifted = encode(astronaut.crop((30, 0, 512, 480)).resize((360, 358)), "JPEG")
    response = api_client.post("/api/v1/faces/compare", {"source": upload("a.jpg", astronaut_jpeg),
                                                          "target": upload("b.jpg", shifted)}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["same_person"] is True and body["similarity"] > 90 and body["threshold"] == 80


def test_compare_needs_a_face_in_both(api_client: APIClient, astronaut_jpeg: bytes, faceless_jpeg: bytes) -> None:
    response = api_client.post("/api/v1/faces/compare", {"source": upload("a.jpg", astronaut_jpeg),
                                                          "target": upload("b.jpg", faceless_jpeg)}, format="multipart")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_face"


def test_compare_needs_both_photos(api_client: APIClient, astronaut_jpeg: bytes) -> None:
    response = api_client.post("/api/v1/faces/compare", {"source": upload("a.jpg", astronaut_jpeg)},
                               format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_image"


def test_forget_me_deletes_the_face_data_and_keeps_anonymous_likes(api_client: APIClient,
                                                                   astronaut_png: bytes) -> None:
    reading = api_client.post("/api/v1/emotion?remember=1", astronaut_png, content_type="image/png").json()
    face_user_id = reading["face_user"]["id"]
    api_client.credentials(HTTP_X_PERSON_TOKEN=reading["person_token"])
    image = ApprovedImageFactory()
    api_client.post("/api/v1/like", {"image": image.id, "face_user": face_user_id}, format="json")
    assert api_client.get(f"/api/v1/users/{face_user_id}").json()["id"] == face_user_id

    assert api_client.delete(f"/api/v1/users/{face_user_id}").status_code == 204

    assert not FaceUser.objects.exists() and not FaceEmbedding.objects.exists()
    assert Interaction.objects.get().face_user is None
    again = api_client.post("/api/v1/emotion?recognise=1", astronaut_png, content_type="image/png").json()
    assert again["face_user"] is None and again["recognised"] is False
    # Forgetting revoked the credential with the person: it opens nothing any more.
    assert api_client.delete(f"/api/v1/users/{face_user_id}").status_code == 403
