"""Rekognition's failures, the lazy client, and the backends behind the loader and the API."""

from typing import Any

import pytest
from botocore.stub import ANY, Stubber
from rest_framework.test import APIClient

from emotion_garden.imaging import DecodedImage
from gallery.faces.rekognition import (
    RekognitionFaceAnalyzer,
    RekognitionFaceIdentity,
    RekognitionUnavailable,
)
from gallery.models import FaceUser
from tests.gallery.rekognition.stubs import (
    FACE_BOX,
    FACE_ID,
    LARGE_BOX,
    PERSON,
    collection_missing,
    deletion,
    face_in,
    rekognition_backend,
    rekognition_face,
    search_params,
    search_response,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_real_aws")]

# --- Failures -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "use"),
    [
        ("detect_faces", lambda analyzer, identity, photo: analyzer.detect_faces(photo)),
        ("index_faces", lambda analyzer, identity, photo: identity.index_face(
            face_user_id=PERSON, image=photo, face=face_in(FACE_BOX))),
        ("search_faces_by_image", lambda analyzer, identity, photo: identity.search(
            image=photo, face=face_in(FACE_BOX), threshold=80.0)),
        ("compare_faces", lambda analyzer, identity, photo: identity.compare(source=photo, target=photo)),
        ("list_faces", lambda analyzer, identity, photo: identity.consume("delete_faces", deletion([]))),
        ("delete_faces", lambda analyzer, identity, photo: identity.consume("delete_faces", deletion([FACE_ID]))),
    ],
)
@pytest.mark.parametrize(
    ("code", "http_status"),
    [("ThrottlingException", 400), ("AccessDeniedException", 400), ("InternalServerError", 500)],
)
def test_aws_errors_become_rekognition_unavailable(operation: str, use: Any, code: str, http_status: int,
                                                   analyzer: RekognitionFaceAnalyzer,
                                                   identity: RekognitionFaceIdentity, stub: Stubber,
                                                   photo: DecodedImage) -> None:
    stub.add_client_error(operation, service_error_code=code, service_message="Rate exceeded",
                          http_status_code=http_status)
    with pytest.raises(RekognitionUnavailable, match=code):
        use(analyzer, identity, photo)


def test_a_collection_still_missing_after_creation_is_unavailable(identity: RekognitionFaceIdentity, stub: Stubber,
                                                                  photo: DecodedImage) -> None:
    collection_missing(stub, "index_faces")
    stub.add_response("create_collection", {"StatusCode": 200})
    collection_missing(stub, "index_faces")
    with pytest.raises(RekognitionUnavailable, match="ResourceNotFoundException"):
        identity.index_face(face_user_id=PERSON, image=photo, face=face_in(FACE_BOX))


def test_building_needs_no_aws_and_a_missing_region_is_unavailable(photo: DecodedImage) -> None:
    analyzer = RekognitionFaceAnalyzer()
    with pytest.raises(RekognitionUnavailable, match="region"):
        analyzer.detect_faces(photo)


def test_the_client_is_made_lazily_with_short_timeouts_and_bounded_retries() -> None:
    identity = RekognitionFaceIdentity(region_name="eu-west-1")
    client = identity._rekognition._client.get()
    assert client.meta.region_name == "eu-west-1"
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (3, 8)
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}


# --- Through the backend loader and the API -----------------------------------------------------------------------

def test_the_emotion_api_answers_from_rekognition(api_client: APIClient, client: Any, stub: Stubber,
                                                  astronaut_png: bytes) -> None:
    surprised = {"SURPRISED": 88.0, "HAPPY": 9.0, "FEAR": 2.0, "CALM": 1.0}
    stub.add_response(
        "detect_faces",
        {"FaceDetails": [rekognition_face(LARGE_BOX, surprised, smiling=False)]},
        {"Image": {"Bytes": ANY}, "Attributes": ["ALL"]},
    )
    with rekognition_backend("face_analysis", "RekognitionFaceAnalyzer", client=client):
        response = api_client.post("/api/v1/emotion", astronaut_png, content_type="image/png")
    assert response.status_code == 200
    body = response.json()
    assert body["emotion"] == "SURPRISED"
    assert body["emotions"][0] == {"Type": "SURPRISED", "Confidence": 88.0}
    assert len(body["emotions"]) == 8
    assert body["faces"][0]["AgeRange"] == {"Low": 26, "High": 34}
    assert body["face_user"] is None and body["recognised"] is False


def test_a_rekognition_outage_is_a_503_not_a_500(api_client: APIClient, client: Any, stub: Stubber,
                                                 astronaut_png: bytes) -> None:
    stub.add_client_error("detect_faces", service_error_code="ServiceUnavailableException", http_status_code=503)
    with rekognition_backend("face_analysis", "RekognitionFaceAnalyzer", client=client):
        response = api_client.post("/api/v1/emotion", astronaut_png, content_type="image/png")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "face_service_unavailable"


def test_a_face_rekognition_refuses_creates_no_face_user(api_client: APIClient, client: Any, stub: Stubber,
                                                         astronaut_png: bytes) -> None:
    for _ in range(2):  # searched, then searched again under the enrolment lock before the face is kept
        stub.add_response("search_faces_by_image", {"FaceMatches": [], "FaceModelVersion": "7.0"})
    stub.add_response("index_faces", {"FaceRecords": [], "FaceModelVersion": "7.0", "UnindexedFaces": [
        {"Reasons": ["LOW_SHARPNESS"], "FaceDetail": {"BoundingBox": FACE_BOX}}]})
    with rekognition_backend("face_identity", "RekognitionFaceIdentity", client=client, collection_id="garden-test"):
        response = api_client.post("/api/v1/emotion?remember=true", astronaut_png, content_type="image/png")
    assert response.status_code == 200
    assert response.json()["face_user"] is None
    assert not FaceUser.objects.exists()


@pytest.mark.parametrize("configured", [None, 80.0])
def test_visitors_are_searched_for_at_the_search_threshold(api_client: APIClient, client: Any, stub: Stubber,
                                                           astronaut_png: bytes, settings: Any,
                                                           configured: float | None) -> None:
    if configured is not None:
        settings.FACE_SEARCH_THRESHOLD = configured
    stub.add_response("search_faces_by_image", search_response(), search_params(configured or 95.0))
    with rekognition_backend("face_identity", "RekognitionFaceIdentity", client=client, collection_id="garden-test"):
        response = api_client.post("/api/v1/emotion?recognise=true", astronaut_png, content_type="image/png")
    assert response.status_code == 200
    assert response.json()["recognised"] is False

