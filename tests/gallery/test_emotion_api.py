import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from gallery.faces import face_identity
from gallery.faces.base import FaceMatch
from gallery.models import FaceEmbedding, FaceUser
from tests.conftest import encode
from tests.emotion_garden.test_imaging import png_header_only

pytestmark = pytest.mark.django_db
URL = "/api/v1/emotion"


def test_raw_png_body_returns_happy_with_all_eight_emotions(api_client: APIClient, astronaut_png: bytes) -> None:
    response = api_client.post(URL, astronaut_png, content_type="image/png")
    assert response.status_code == 200
    body = response.json()
    assert body["emotion"] == "HAPPY"
    assert len(body["emotions"]) == 8
    assert body["emotions"][0] == {"Type": "HAPPY", "Confidence": pytest.approx(body["emotions"][0]["Confidence"])}
    assert len(body["faces"]) == 1
    assert body["face_user"] is None and body["recognised"] is False


def test_raw_jpeg_and_multipart_work_too(api_client: APIClient, astronaut_jpeg: bytes) -> None:
    raw = api_client.post(URL, astronaut_jpeg, content_type="image/jpeg")
    multipart = api_client.post(
        URL, {"image": SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg")}, format="multipart"
    )
    assert raw.status_code == multipart.status_code == 200
    assert raw.json()["emotion"] == multipart.json()["emotion"] == "HAPPY"


def test_without_consent_nothing_biometric_is_stored(api_client: APIClient, astronaut_png: bytes) -> None:
    api_client.post(URL, astronaut_png, content_type="image/png")
    assert not FaceUser.objects.exists()
    assert not FaceEmbedding.objects.exists()


@pytest.mark.parametrize(("query", "field"), [
    ("remember=false&remember=true", None),
    ("remember=false", "true"),
    ("remember=maybe", None),
    ("recognise=2", None),
])
def test_consent_that_does_not_say_one_thing_is_refused(api_client: APIClient, astronaut_jpeg: bytes, query: str,
                                                        field: str | None) -> None:
    """Conflicting values had enrolled the face (any "true" won), and words outside true and false read as no."""
    body = {"image": SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg")}
    if field is not None:
        body["remember"] = field
    response = api_client.post(f"{URL}?{query}", body, format="multipart")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"].keys() <= {"remember", "recognise"}
    assert not FaceUser.objects.exists()


@pytest.mark.parametrize("query", ["remember=TRUE&remember=yes", "remember=1", "remember=on&recognise="])
def test_consent_said_in_any_of_its_words_is_consent(api_client: APIClient, astronaut_png: bytes,
                                                    query: str) -> None:
    response = api_client.post(f"{URL}?{query}", astronaut_png, content_type="image/png")
    assert response.status_code == 200
    assert response.json()["face_user"] is not None


def test_with_consent_the_person_is_remembered_and_recognised(api_client: APIClient, astronaut_png: bytes,
                                                            astronaut_jpeg: bytes) -> None:
    first = api_client.post(f"{URL}?remember=true", astronaut_png, content_type="image/png").json()
    assert first["face_user"]["gender"] == "Female"
    assert first["recognised"] is False
    again = api_client.post(f"{URL}?recognise=true", astronaut_jpeg, content_type="image/jpeg").json()
    assert again["recognised"] is True
    assert again["face_user"]["id"] == first["face_user"]["id"]
    assert FaceUser.objects.count() == 1


def test_a_face_enrolled_while_this_request_searched_is_recognised_not_enrolled_again(
        api_client: APIClient, astronaut_png: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same photo sent twice at once: the second request's first search ran before the first one's enrolment was
    committed. It searches again once it holds the enrolment lock, and finds them (it became a second person)."""
    first = api_client.post(f"{URL}?remember=true", astronaut_png, content_type="image/png").json()
    identity = face_identity()
    searches: list[object] = []

    def search_racing_the_other_request(**kwargs: object) -> FaceMatch | None:
        searches.append(kwargs)
        return None if len(searches) == 1 else type(identity).search(identity, **kwargs)

    monkeypatch.setattr(identity, "search", search_racing_the_other_request)
    twin = api_client.post(f"{URL}?remember=true", astronaut_png, content_type="image/png").json()
    assert len(searches) == 2
    assert twin["recognised"] is True and twin["face_user"]["id"] == first["face_user"]["id"]
    assert FaceUser.objects.count() == 1 and FaceEmbedding.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"", "image/png", 400, "empty_image"),
        (b"not an image at all", "image/jpeg", 400, "not_an_image"),
        (png_header_only(30_000, 30_000), "image/png", 413, "too_many_pixels"),
    ],
)
def test_bad_bodies_get_a_clear_4xx(api_client: APIClient, body: bytes, content_type: str, status: int,
                                    code: str) -> None:
    response = api_client.post(URL, body, content_type=content_type)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_truncated_image(api_client: APIClient, astronaut_jpeg: bytes) -> None:
    response = api_client.post(URL, astronaut_jpeg[:5000], content_type="image/jpeg")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "corrupt_image"


def test_oversized_body_is_refused(api_client: APIClient, settings) -> None:  # noqa: ANN001
    settings.MAX_IMAGE_UPLOAD_BYTES = 1000
    response = api_client.post(URL, b"\xff\xd8" + b"\x00" * 5000, content_type="image/jpeg")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "image_too_large"


def test_no_face_is_422(api_client: APIClient, faceless_jpeg: bytes) -> None:
    response = api_client.post(URL, faceless_jpeg, content_type="image/jpeg")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_face"


def test_unsupported_media_type_and_missing_field(api_client: APIClient) -> None:
    assert api_client.post(URL, {"emotion": "HAPPY"}, format="json").status_code == 415
    response = api_client.post(URL, {"photo": "x"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_image"


def test_a_crowd_of_thirty_faces_is_answered_largest_first(api_client: APIClient, astronaut) -> None:  # noqa: ANN001
    from PIL import Image

    face = astronaut.crop((130, 20, 300, 210))
    crowd = Image.new("RGB", (1280, 900), (235, 235, 235))
    for position in range(30):
        side = 110 + (position % 3) * 20
        crowd.paste(face.resize((side, side + 14)), (40 + (position % 6) * 205, 20 + (position // 6) * 175))
    response = api_client.post(URL, encode(crowd, "JPEG"), content_type="image/jpeg")
    assert response.status_code == 200
    faces = response.json()["faces"]
    assert len(faces) >= 25
    areas = [face["BoundingBox"]["Width"] * face["BoundingBox"]["Height"] for face in faces]
    assert areas == sorted(areas, reverse=True)


def test_a_raw_image_announced_too_large_is_refused_before_its_body_is_read(api_client: APIClient,
                                                                            settings) -> None:  # noqa: ANN001
    settings.MAX_IMAGE_UPLOAD_BYTES = 1000
    # The stream holds less than it announces: reading it to the limit would wait for the rest (a stalled upload).
    response = api_client.generic("POST", URL, b"\xff\xd8" + b"\x00" * 100, content_type="image/jpeg",
                                  CONTENT_LENGTH="5000000")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "image_too_large"
