"""Face data is kept only with consent, whichever identity backend holds it. (The original clients' protocol, which
never asks, is covered in tests/compat/test_compat_emotion.py: it keeps faces only with COMPAT_REMEMBER_FACES.)"""

import pytest
from botocore.stub import ANY, Stubber
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from gallery.models import CollectionFace, FaceEmbedding, FaceUser
from tests.conftest import REKOGNITION_COLLECTION

pytestmark = pytest.mark.django_db

NO_MATCH = {"FaceMatches": [], "FaceModelVersion": "7.0"}
FACE_ID = "10139039-5d61-4cae-9bae-b8fe3edc935a"


@pytest.mark.parametrize(("query", "form"), [
    ("", {}), ("?remember=false", {}), ("?remember=0", {}), ("", {"remember": "no"}), ("", {"remember": ""}),
])
def test_anything_but_a_yes_keeps_nothing(api_client: APIClient, astronaut_jpeg: bytes, query: str,
                                         form: dict[str, str]) -> None:
    photo = SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg")
    response = api_client.post(f"/api/v1/emotion{query}", {"image": photo, **form}, format="multipart")
    assert response.status_code == 200 and response.json()["face_user"] is None
    assert not FaceUser.objects.exists() and not FaceEmbedding.objects.exists()


def test_without_consent_no_face_reaches_rekognition_at_all(api_client: APIClient, astronaut_png: bytes,
                                                            rekognition_identity: Stubber) -> None:
    # No answer is queued: the Stubber fails the request if the face is sent to be searched or kept.
    response = api_client.post("/api/v1/emotion", astronaut_png, content_type="image/png")
    assert response.status_code == 200 and response.json()["face_user"] is None
    assert not FaceUser.objects.exists() and not CollectionFace.objects.exists()


def test_recognise_searches_but_never_keeps_the_face(api_client: APIClient, astronaut_png: bytes,
                                                     rekognition_identity: Stubber) -> None:
    rekognition_identity.add_response("search_faces_by_image", NO_MATCH)
    # No IndexFaces answer is queued: the Stubber fails the request if the face is sent to be kept.
    response = api_client.post("/api/v1/emotion?recognise=true", astronaut_png, content_type="image/png")
    assert response.status_code == 200 and response.json()["face_user"] is None
    assert not FaceUser.objects.exists() and not CollectionFace.objects.exists()


def test_with_consent_rekognition_keeps_the_face_and_we_keep_its_id(api_client: APIClient, astronaut_png: bytes,
                                                                    rekognition_identity: Stubber) -> None:
    for _ in range(2):  # searched, then searched again under the enrolment lock before the face is kept
        rekognition_identity.add_response("search_faces_by_image", NO_MATCH)
    rekognition_identity.add_response("index_faces", {"FaceRecords": [{"Face": {"FaceId": FACE_ID}}]}, {
        "CollectionId": REKOGNITION_COLLECTION, "Image": {"Bytes": ANY}, "ExternalImageId": ANY, "MaxFaces": 1,
        "QualityFilter": "AUTO"})
    response = api_client.post("/api/v1/emotion?remember=true", astronaut_png, content_type="image/png")
    face_user = FaceUser.objects.get()
    assert response.json()["face_user"]["id"] == str(face_user.pk)
    assert face_user.consented_at is not None
    assert list(CollectionFace.objects.values_list("face_user", "face_id")) == [(face_user.pk, FACE_ID)]
