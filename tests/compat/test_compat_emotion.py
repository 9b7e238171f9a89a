import io
import uuid

import pytest
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from emotion_garden.vocabulary import Emotion
from gallery.compat.services import VisitorReading
from gallery.compat.shapes import emotion_info
from gallery.faces.base import FaceDetail
from gallery.models import FaceEmbedding, FaceUser, PersonCredential
from gallery.person_access import PERSON_COOKIE
from gallery.services import EmotionReading

pytestmark = pytest.mark.django_db

FLAGS = ("smile", "eyeglasses", "sunglasses", "beard", "mustache", "eyesOpen", "mouthOpen")


def test_a_gallery_canvas_frame_gets_the_flat_emotion_info(compat_client: Client, gallery_canvas_png: bytes) -> None:
    response = compat_client.post("/emotion", gallery_canvas_png, content_type="image/png")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    info = response.json()
    # The local backend estimates the smile; the attributes it does not estimate are left out.
    assert list(info) == ["id", "bucket", "key", "ageRange", "smile", "gender", "emotions", "generation"]
    assert info["emotions"] == "HAPPY"
    assert info["gender"] == "Female"
    assert set(info["ageRange"]) == {"Low", "High"}
    assert all(isinstance(info["ageRange"][bound], int) for bound in ("Low", "High"))
    assert info["generation"] in {"young-adult", "adult"}
    assert info["smile"] is True
    assert info["key"] == f"profile/{info['id']}.jpeg"


def test_the_emotion_page_frame_and_a_jpeg_upload_work_too(compat_client: Client, emotion_canvas_png: bytes,
                                                           astronaut_jpeg: bytes) -> None:
    from_canvas = compat_client.post("/emotion", emotion_canvas_png, content_type="image/png")
    from_file = compat_client.post("/emotion", astronaut_jpeg, content_type="image/jpeg")
    assert from_canvas.status_code == from_file.status_code == 200
    assert from_canvas.json()["emotions"] == from_file.json()["emotions"] == "HAPPY"


def test_without_consent_the_id_is_fresh_and_nothing_is_kept(compat_client: Client, gallery_canvas_png: bytes) -> None:
    first = compat_client.post("/emotion", gallery_canvas_png, content_type="image/png").json()["id"]
    second = compat_client.post("/emotion", gallery_canvas_png, content_type="image/png").json()["id"]
    assert uuid.UUID(first).version == 4
    assert first != second
    assert not FaceUser.objects.exists() and not FaceEmbedding.objects.exists()


def test_a_page_that_never_asked_does_not_name_someone_who_consented_elsewhere(
    compat_client: Client, api_client: APIClient, astronaut_jpeg: bytes, gallery_canvas_png: bytes
) -> None:
    consented = api_client.post("/api/v1/emotion?remember=true", astronaut_jpeg, content_type="image/jpeg")
    face_user_id = consented.json()["face_user"]["id"]
    response = compat_client.post("/emotion", gallery_canvas_png, content_type="image/png")
    assert response.json()["id"] != face_user_id
    assert PERSON_COOKIE not in response.cookies


def test_a_kiosk_with_consent_remembers_new_faces_and_hands_the_browser_their_cookie(
    compat_client: Client, settings, gallery_canvas_png: bytes, astronaut_jpeg: bytes  # noqa: ANN001 (pytest-django)
) -> None:
    settings.COMPAT_REMEMBER_FACES = True
    first = compat_client.post("/emotion", gallery_canvas_png, content_type="image/png")
    cookie = first.cookies[PERSON_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    # The local backend's flags: only what it estimates (see test_a_gallery_canvas_frame_gets_the_flat_emotion_info).
    assert set(first.json()) == {"id", "bucket", "key", "ageRange", "smile", "gender", "emotions", "generation"}
    again = compat_client.post("/emotion", astronaut_jpeg, content_type="image/jpeg")
    assert first.json()["id"] == again.json()["id"] == str(FaceUser.objects.get().pk)
    # The browser already holds the person's credential: no second one.
    assert again.cookies[PERSON_COOKIE].value == cookie.value
    assert PersonCredential.objects.count() == 1


def test_the_x_user_id_header_names_an_unknown_visitor(compat_client: Client, gallery_canvas_png: bytes) -> None:
    info = compat_client.post("/emotion", gallery_canvas_png, content_type="image/png",
                              headers={"X-user-id": "1234567890"}).json()
    assert (info["id"], info["key"]) == ("1234567890", "profile/1234567890.jpeg")


def test_no_face_is_a_404_no_face(compat_client: Client, faceless_jpeg: bytes) -> None:
    response = compat_client.post("/emotion", faceless_jpeg, content_type="image/jpeg")
    assert (response.status_code, response.content) == (404, b"No Face")


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (1, 2, 3)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"", {}, 400),
        (b'{"image": "me.png"}', {}, 400),
        (b"\x89PNG\r\n\x1a\n truncated", {}, 400),
        (_png(4, 4), {}, 400),
        (_png(64, 64), {"X-user-id": "x" * 129}, 400),
    ],
)
def test_bad_photos_get_a_4xx(compat_client: Client, body: bytes, headers: dict[str, str], status: int) -> None:
    response = compat_client.post("/emotion", body, content_type="image/png", headers=headers)
    assert response.status_code == status


def test_oversized_bodies_are_refused_before_decoding(
    compat_client: Client, settings, gallery_canvas_png: bytes  # noqa: ANN001 (pytest-django fixture)
) -> None:
    settings.MAX_IMAGE_UPLOAD_BYTES = 1000
    assert compat_client.post("/emotion", gallery_canvas_png, content_type="image/png").status_code == 413
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    # Django's own limit, answered with its reason.
    assert compat_client.post("/emotion", gallery_canvas_png, content_type="image/png").status_code == 413


def test_a_truncated_canvas_frame_gets_a_400(compat_client: Client, gallery_canvas_png: bytes) -> None:
    truncated = gallery_canvas_png[: len(gallery_canvas_png) // 2]
    assert compat_client.post("/emotion", truncated, content_type="image/png").status_code == 400


def _reading(face: FaceDetail) -> VisitorReading:
    reading = EmotionReading(faces=[face], emotion=Emotion.SAD, face_user=None, recognised=False)
    return VisitorReading(reading=reading, visitor_id="10139039-5d61-4cae-9bae-b8fe3edc935a")


def test_rekognition_attributes_map_to_the_flat_fields() -> None:
    face: FaceDetail = {
        "BoundingBox": {"Width": 0.5, "Height": 0.5, "Left": 0.1, "Top": 0.1},
        "Confidence": 99.9,
        "Landmarks": [],
        "Emotions": [{"Type": "SAD", "Confidence": 80.0}, {"Type": "CALM", "Confidence": 20.0}],
        "AgeRange": {"Low": 52, "High": 66},
        "Gender": {"Value": "Male", "Confidence": 99.0},
        "Smile": {"Value": False, "Confidence": 90.0},
        "Eyeglasses": {"Value": True, "Confidence": 90.0},
        "Sunglasses": {"Value": False, "Confidence": 90.0},
        "Beard": {"Value": True, "Confidence": 90.0},
        "Mustache": {"Value": True, "Confidence": 90.0},
        "EyesOpen": {"Value": True, "Confidence": 90.0},
        "MouthOpen": {"Value": False, "Confidence": 90.0},
    }
    info = emotion_info(visitor=_reading(face))
    assert info == {
        "id": "10139039-5d61-4cae-9bae-b8fe3edc935a", "bucket": "",
        "key": "profile/10139039-5d61-4cae-9bae-b8fe3edc935a.jpeg", "ageRange": {"Low": 52, "High": 66},
        "smile": False, "eyeglasses": True, "sunglasses": False, "gender": "Male", "beard": True, "mustache": True,
        "eyesOpen": True, "mouthOpen": False, "emotions": "SAD", "generation": "middle-age",
    }


def test_attributes_a_backend_does_not_estimate_are_left_out_and_known_ones_kept() -> None:
    face: FaceDetail = {
        "BoundingBox": {"Width": 0.5, "Height": 0.5, "Left": 0.1, "Top": 0.1},
        "Confidence": 99.9,
        "Landmarks": [],
        "Emotions": [{"Type": "SAD", "Confidence": 100.0}],
        "AgeRange": {"Low": 3, "High": 5},
        "MouthOpen": {"Value": False, "Confidence": 70.0},
    }
    info = emotion_info(visitor=_reading(face))
    assert info["mouthOpen"] is False
    assert not any(flag in info for flag in FLAGS if flag != "mouthOpen")
    assert (info["gender"], info["generation"]) == ("", "toddler")
