"""The Rekognition backends against botocore's Stubber: real clients, canned Rekognition answers, no network."""

import io
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import numpy as np
import pytest
from botocore.stub import ANY, Stubber
from django.conf import settings
from django.test import override_settings
from PIL import Image
from rest_framework.test import APIClient

from emotion_garden.imaging import DecodedImage
from emotion_garden.vocabulary import Emotion
from gallery.faces import rekognition
from gallery.faces.base import FaceDetail
from gallery.faces.rekognition import (
    RekognitionFaceAnalyzer,
    RekognitionFaceIdentity,
    RekognitionUnavailable,
    face_crop,
    rekognition_jpeg,
)
from gallery.models import CollectionFace, FaceUser
from recommender.models import OutboxMessage
from recommender.outbox import PermanentFailure
from tests.factories import FaceUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_real_aws")]

# Where each landmark sits inside the face's box (share of width, share of height), in the order Rekognition lists
# them: note nose after the mouth corners.
LANDMARK_LAYOUT = [
    ("eyeLeft", 0.30, 0.38), ("eyeRight", 0.70, 0.38), ("mouthLeft", 0.36, 0.76), ("mouthRight", 0.64, 0.76),
    ("nose", 0.50, 0.58), ("leftEyeBrowLeft", 0.15, 0.28), ("leftEyeBrowRight", 0.42, 0.27),
    ("leftEyeBrowUp", 0.29, 0.24), ("rightEyeBrowLeft", 0.58, 0.27), ("rightEyeBrowRight", 0.85, 0.28),
    ("rightEyeBrowUp", 0.71, 0.24), ("leftEyeLeft", 0.22, 0.38), ("leftEyeRight", 0.38, 0.39),
    ("leftEyeUp", 0.30, 0.35), ("leftEyeDown", 0.30, 0.41), ("rightEyeLeft", 0.62, 0.39),
    ("rightEyeRight", 0.78, 0.38), ("rightEyeUp", 0.70, 0.35), ("rightEyeDown", 0.70, 0.41),
    ("noseLeft", 0.42, 0.62), ("noseRight", 0.58, 0.62), ("mouthUp", 0.50, 0.72), ("mouthDown", 0.50, 0.82),
    ("leftPupil", 0.30, 0.38), ("rightPupil", 0.70, 0.38), ("upperJawlineLeft", 0.02, 0.40),
    ("midJawlineLeft", 0.12, 0.78), ("chinBottom", 0.50, 1.00), ("midJawlineRight", 0.88, 0.78),
    ("upperJawlineRight", 0.98, 0.40),
]
ALIGNMENT_LANDMARKS = ["eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight"]


def rekognition_face(box: dict[str, float], emotions: dict[str, float], *, smiling: bool) -> dict[str, Any]:
    """A FaceDetail as DetectFaces(Attributes=["ALL"]) returns it, every key included."""
    return {
        "BoundingBox": box,
        "AgeRange": {"Low": 26, "High": 34},
        "Smile": {"Value": smiling, "Confidence": 97.6},
        "Eyeglasses": {"Value": False, "Confidence": 99.9},
        "Sunglasses": {"Value": False, "Confidence": 99.98},
        "Gender": {"Value": "Female", "Confidence": 99.7},
        "Beard": {"Value": False, "Confidence": 96.1},
        "Mustache": {"Value": False, "Confidence": 98.9},
        "EyesOpen": {"Value": True, "Confidence": 98.2},
        "MouthOpen": {"Value": smiling, "Confidence": 91.4},
        "Emotions": [{"Type": kind, "Confidence": confidence} for kind, confidence in emotions.items()],
        "Landmarks": [
            {"Type": kind, "X": box["Left"] + x * box["Width"], "Y": box["Top"] + y * box["Height"]}
            for kind, x, y in LANDMARK_LAYOUT
        ],
        "Pose": {"Roll": -3.1, "Yaw": 7.9, "Pitch": 4.2},
        "Quality": {"Brightness": 83.4, "Sharpness": 89.9},
        "Confidence": 99.99,
        "FaceOccluded": {"Value": False, "Confidence": 99.4},
        "EyeDirection": {"Yaw": 2.1, "Pitch": -6.5, "Confidence": 99.1},
    }


SMALL_BOX = {"Width": 0.09, "Height": 0.12, "Left": 0.70, "Top": 0.20}
LARGE_BOX = {"Width": 0.30, "Height": 0.41, "Left": 0.32, "Top": 0.18}
# Rekognition's newer models score each emotion on its own, so confidences need not sum to 100; UNKNOWN appears too.
LARGE_FACE_EMOTIONS = {
    "HAPPY": 96.87, "SURPRISED": 6.44, "FEAR": 5.93, "UNKNOWN": 3.5, "SAD": 2.17, "CALM": 1.05, "CONFUSED": 0.42,
    "ANGRY": 0.31, "DISGUSTED": 0.2,
}
LARGE_FACE_KNOWN_TOTAL = sum(value for kind, value in LARGE_FACE_EMOTIONS.items() if kind != "UNKNOWN")
# Not every type is always listed.
SMALL_FACE_EMOTIONS = {"CALM": 71.2, "SAD": 12.3, "CONFUSED": 8.8, "SURPRISED": 4.1, "HAPPY": 2.0}

TWO_FACES_SMALL_FIRST = {
    "FaceDetails": [
        rekognition_face(SMALL_BOX, SMALL_FACE_EMOTIONS, smiling=False),
        rekognition_face(LARGE_BOX, LARGE_FACE_EMOTIONS, smiling=True),
    ],
}


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


def opened(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    return image


def face_in(box: dict[str, float]) -> FaceDetail:
    return {"BoundingBox": box, "Confidence": 99.9, "Landmarks": [], "Emotions": []}


def image_bytes(operation_params: dict[str, Any], key: str = "Image") -> bytes:
    return operation_params[key]["Bytes"]


# --- Face analysis ------------------------------------------------------------------------------------------------


def test_detect_faces_returns_our_shape_largest_first(analyzer: RekognitionFaceAnalyzer, stub: Stubber,
                                                      photo: DecodedImage) -> None:
    stub.add_response("detect_faces", TWO_FACES_SMALL_FIRST, {"Image": {"Bytes": ANY}, "Attributes": ["ALL"]})
    faces = analyzer.detect_faces(photo)
    assert [face["BoundingBox"] for face in faces] == [LARGE_BOX, SMALL_BOX]
    largest = faces[0]
    assert set(largest) == {
        "BoundingBox", "Confidence", "Landmarks", "Emotions", "AgeRange", "Gender",
        "Smile", "EyesOpen", "MouthOpen", "Eyeglasses", "Sunglasses", "Beard", "Mustache",
    }
    assert largest["Confidence"] == 99.99
    assert largest["AgeRange"] == {"Low": 26, "High": 34}
    assert largest["Gender"] == {"Value": "Female", "Confidence": 99.7}
    assert largest["Smile"] == {"Value": True, "Confidence": 97.6}
    assert largest["Sunglasses"] == {"Value": False, "Confidence": 99.98}
    assert faces[1]["Smile"]["Value"] is False


def test_landmarks_keep_all_points_with_the_alignment_five_first(analyzer: RekognitionFaceAnalyzer, stub: Stubber,
                                                                 photo: DecodedImage) -> None:
    stub.add_response("detect_faces", TWO_FACES_SMALL_FIRST)
    landmarks = analyzer.detect_faces(photo)[0]["Landmarks"]
    assert [point["Type"] for point in landmarks[:5]] == ALIGNMENT_LANDMARKS
    assert len(landmarks) == len(LANDMARK_LAYOUT)
    assert [point["Type"] for point in landmarks[5:]] == [kind for kind, _, _ in LANDMARK_LAYOUT[5:]]
    nose = landmarks[2]
    assert nose == {"Type": "nose", "X": pytest.approx(0.32 + 0.5 * 0.30), "Y": pytest.approx(0.18 + 0.58 * 0.41)}


def test_emotions_are_the_eight_types_without_unknown_summing_to_100(analyzer: RekognitionFaceAnalyzer,
                                                                      stub: Stubber, photo: DecodedImage) -> None:
    stub.add_response("detect_faces", TWO_FACES_SMALL_FIRST)
    largest, smallest = (face["Emotions"] for face in analyzer.detect_faces(photo))
    for emotions in (largest, smallest):
        assert sorted(score["Type"] for score in emotions) == sorted(Emotion.values)
        assert sum(score["Confidence"] for score in emotions) == pytest.approx(100, abs=0.01)
        confidences = [score["Confidence"] for score in emotions]
        assert confidences == sorted(confidences, reverse=True)
    assert largest[0] == {"Type": "HAPPY", "Confidence": pytest.approx(100 * 96.87 / LARGE_FACE_KNOWN_TOTAL, abs=1e-3)}
    assert smallest[0]["Type"] == "CALM"
    assert {score["Type"]: score["Confidence"] for score in smallest}["FEAR"] == 0.0


def test_a_face_read_only_as_unknown_gets_an_even_spread(analyzer: RekognitionFaceAnalyzer, stub: Stubber,
                                                         photo: DecodedImage) -> None:
    stub.add_response("detect_faces", {"FaceDetails": [rekognition_face(LARGE_BOX, {"UNKNOWN": 99.0}, smiling=False)]})
    emotions = analyzer.detect_faces(photo)[0]["Emotions"]
    assert [score["Confidence"] for score in emotions] == [12.5] * 8


def test_no_face_is_an_empty_list(analyzer: RekognitionFaceAnalyzer, stub: Stubber, photo: DecodedImage) -> None:
    stub.add_response("detect_faces", {"FaceDetails": [], "OrientationCorrection": "ROTATE_0"})
    assert analyzer.detect_faces(photo) == []


def test_the_image_is_sent_as_jpeg_within_rekognitions_limits(analyzer: RekognitionFaceAnalyzer, stub: Stubber,
                                                              sent: list[tuple[str, dict[str, Any]]],
                                                              astronaut: Image.Image) -> None:
    stub.add_response("detect_faces", TWO_FACES_SMALL_FIRST, {"Image": {"Bytes": ANY}, "Attributes": ["ALL"]})
    analyzer.detect_faces(DecodedImage(rgb=astronaut, source_format="PNG"))
    [(operation, params)] = sent
    jpeg = image_bytes(params)
    assert operation == "DetectFaces"
    assert len(jpeg) <= rekognition.MAX_IMAGE_BYTES
    assert opened(jpeg).size == astronaut.size


def test_large_images_are_shrunk_under_the_byte_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Noise hardly compresses, like a sharp, detailed phone photo; a small limit keeps the test fast.
    monkeypatch.setattr(rekognition, "MAX_IMAGE_BYTES", 60_000)
    noise = Image.fromarray(np.random.default_rng(7).integers(0, 256, (600, 800, 3), dtype=np.uint8))
    jpeg = rekognition_jpeg(noise)
    assert len(jpeg) <= 60_000
    width, height = opened(jpeg).size
    assert width < 800 and width / height == pytest.approx(800 / 600, rel=0.02)


def test_long_sides_are_shrunk_to_4096_pixels() -> None:
    panorama = Image.new("RGB", (5000, 40), (200, 180, 160))
    assert opened(rekognition_jpeg(panorama)).size == (4096, 33)


# --- Face identity ------------------------------------------------------------------------------------------------

FACE_ID = "10139039-5d61-4cae-9bae-b8fe3edc935a"
IMAGE_ID = "8b5a8f3c-7f4e-4b0e-a0f1-5d0c3a1e9b2f"
PERSON = uuid.UUID("5f0e4b1a-2c3d-4e5f-8a9b-0c1d2e3f4a5b")
FACE_BOX = {"Width": 0.2, "Height": 0.3, "Left": 0.5, "Top": 0.25}
# FACE_BOX in the 640x480 photo, widened by half its size on each side.
FACE_CROP_SIZE = (256, 288)


def collection_missing(stub: Stubber, operation: str) -> None:
    stub.add_client_error(
        operation,
        service_error_code="ResourceNotFoundException",
        service_message="The collection id: garden-test does not exist",
        http_status_code=400,
    )


def no_face_in_image(stub: Stubber, operation: str) -> None:
    stub.add_client_error(
        operation,
        service_error_code="InvalidParameterException",
        service_message="There are no faces in the image. Should be at least 1.",
        http_status_code=400,
    )


def indexed_face_response(external_image_id: str) -> dict[str, Any]:
    return {
        "FaceRecords": [{
            "Face": {"FaceId": FACE_ID, "BoundingBox": {"Width": 0.5, "Height": 0.52, "Left": 0.25, "Top": 0.24},
                     "ImageId": IMAGE_ID, "ExternalImageId": external_image_id, "Confidence": 99.99},
        }],
        "FaceModelVersion": "7.0",
        "UnindexedFaces": [],
    }


def index_params() -> dict[str, Any]:
    return {"CollectionId": "garden-test", "Image": {"Bytes": ANY}, "ExternalImageId": str(PERSON), "MaxFaces": 1,
            "QualityFilter": "AUTO"}


def test_index_face_creates_the_collection_on_first_use(identity: RekognitionFaceIdentity, stub: Stubber,
                                                        sent: list[tuple[str, dict[str, Any]]],
                                                        photo: DecodedImage, person: FaceUser) -> None:
    collection_missing(stub, "index_faces")
    stub.add_response(
        "create_collection",
        {"StatusCode": 200, "CollectionArn": "aws:rekognition:us-east-1:123456789012:collection/garden-test",
         "FaceModelVersion": "7.0"},
        {"CollectionId": "garden-test"},
    )
    stub.add_response("index_faces", indexed_face_response(str(PERSON)), index_params())
    assert identity.index_face(face_user_id=PERSON, image=photo, face=face_in(FACE_BOX)) is True
    assert [operation for operation, _ in sent] == ["IndexFaces", "CreateCollection", "IndexFaces"]
    assert opened(image_bytes(sent[-1][1])).size == FACE_CROP_SIZE
    # The FaceId is kept, so that forgetting the person deletes exactly this face.
    assert list(person.collection_faces.values_list("collection_id", "face_id")) == [("garden-test", FACE_ID)]


@pytest.mark.usefixtures("person")
def test_a_collection_created_meanwhile_by_another_process_is_used(identity: RekognitionFaceIdentity, stub: Stubber,
                                                                   photo: DecodedImage) -> None:
    collection_missing(stub, "index_faces")
    stub.add_client_error("create_collection", service_error_code="ResourceAlreadyExistsException",
                          service_message="The collection id: garden-test already exists", http_status_code=400)
    stub.add_response("index_faces", indexed_face_response(str(PERSON)), index_params())
    identity.index_face(face_user_id=PERSON, image=photo, face=face_in(FACE_BOX))


def test_a_face_rekognition_will_not_index_is_refused_and_logged(identity: RekognitionFaceIdentity, stub: Stubber,
                                                     photo: DecodedImage, caplog: pytest.LogCaptureFixture) -> None:
    stub.add_response("index_faces", {
        "FaceRecords": [],
        "FaceModelVersion": "7.0",
        "UnindexedFaces": [{"Reasons": ["LOW_SHARPNESS", "LOW_FACE_QUALITY"], "FaceDetail": {
            "BoundingBox": {"Width": 0.5, "Height": 0.52, "Left": 0.25, "Top": 0.24}, "Confidence": 97.2,
        }}],
    }, index_params())
    with caplog.at_level(logging.WARNING, logger="gallery.faces.rekognition"):
        assert identity.index_face(face_user_id=PERSON, image=photo, face=face_in(FACE_BOX)) is False
    assert "LOW_FACE_QUALITY, LOW_SHARPNESS" in caplog.text


def search_params(threshold: float) -> dict[str, Any]:
    return {"CollectionId": "garden-test", "Image": {"Bytes": ANY}, "FaceMatchThreshold": threshold, "MaxFaces": 1}


def search_response(*matches: dict[str, Any]) -> dict[str, Any]:
    return {
        "SearchedFaceBoundingBox": {"Width": 0.5, "Height": 0.52, "Left": 0.25, "Top": 0.24},
        "SearchedFaceConfidence": 99.99,
        "FaceMatches": list(matches),
        "FaceModelVersion": "7.0",
    }


def test_search_finds_the_person_behind_the_best_match(identity: RekognitionFaceIdentity, stub: Stubber,
                                                       sent: list[tuple[str, dict[str, Any]]],
                                                       photo: DecodedImage) -> None:
    stub.add_response("search_faces_by_image", search_response({
        "Similarity": 99.2,
        "Face": {"FaceId": FACE_ID, "BoundingBox": {"Width": 0.5, "Height": 0.52, "Left": 0.25, "Top": 0.24},
                 "ImageId": IMAGE_ID, "ExternalImageId": str(PERSON), "Confidence": 99.99},
    }), search_params(80.0))
    match = identity.search(image=photo, face=face_in(FACE_BOX), threshold=80.0)
    assert match is not None
    assert (match.face_user_id, match.similarity) == (PERSON, 99.2)
    # Only the given face is searched, not whichever face is largest in the frame.
    assert opened(image_bytes(sent[0][1])).size == FACE_CROP_SIZE


def test_search_without_a_match_is_none(identity: RekognitionFaceIdentity, stub: Stubber,
                                        photo: DecodedImage) -> None:
    stub.add_response("search_faces_by_image", search_response(), search_params(90.0))
    assert identity.search(image=photo, face=face_in(FACE_BOX), threshold=90.0) is None


def test_search_where_rekognition_sees_no_face_is_none(identity: RekognitionFaceIdentity, stub: Stubber,
                                                       photo: DecodedImage) -> None:
    no_face_in_image(stub, "search_faces_by_image")
    assert identity.search(image=photo, face=face_in(FACE_BOX), threshold=80.0) is None


def test_search_creates_a_missing_collection_and_finds_no_one(identity: RekognitionFaceIdentity, stub: Stubber,
                                                              photo: DecodedImage) -> None:
    collection_missing(stub, "search_faces_by_image")
    stub.add_response("create_collection", {"StatusCode": 200}, {"CollectionId": "garden-test"})
    stub.add_response("search_faces_by_image", search_response(), search_params(80.0))
    assert identity.search(image=photo, face=face_in(FACE_BOX), threshold=80.0) is None


def test_face_crop_stays_inside_the_image(photo: DecodedImage) -> None:
    crop = face_crop(photo, face_in({"Width": 0.3, "Height": 0.4, "Left": 0.8, "Top": -0.05}))
    # Left 0.65-1.0 of 640 and top 0-0.55 of 480.
    assert crop.size == (224, 264)


def compared_face(box: dict[str, float]) -> dict[str, Any]:
    return {"BoundingBox": box, "Confidence": 99.9, "Pose": {"Roll": 1.0, "Yaw": -4.0, "Pitch": 2.5},
            "Quality": {"Brightness": 80.1, "Sharpness": 92.3}}


def compare_response(matches: list[tuple[dict[str, float], float]],
                     unmatched: list[dict[str, float]]) -> dict[str, Any]:
    return {
        "SourceImageFace": {"BoundingBox": LARGE_BOX, "Confidence": 99.99},
        "FaceMatches": [{"Similarity": similarity, "Face": compared_face(box)} for box, similarity in matches],
        "UnmatchedFaces": [compared_face(box) for box in unmatched],
    }


COMPARE_PARAMS = {"SourceImage": {"Bytes": ANY}, "TargetImage": {"Bytes": ANY}, "SimilarityThreshold": 0}


def test_compare_gives_the_similarity_of_the_targets_largest_face(identity: RekognitionFaceIdentity, stub: Stubber,
                                                                  sent: list[tuple[str, dict[str, Any]]],
                                                                  photo: DecodedImage, astronaut: Image.Image) -> None:
    # Rekognition orders matches by similarity: a small face in the background can come first.
    stub.add_response("compare_faces", compare_response([(SMALL_BOX, 97.5), (LARGE_BOX, 91.25)], []), COMPARE_PARAMS)
    target = DecodedImage(rgb=astronaut, source_format="PNG")
    assert identity.compare(source=photo, target=target) == 91.25
    params = sent[0][1]
    assert opened(image_bytes(params, "SourceImage")).size == photo.rgb.size
    assert opened(image_bytes(params, "TargetImage")).size == astronaut.size


def test_compare_with_a_face_below_every_threshold_is_zero(identity: RekognitionFaceIdentity, stub: Stubber,
                                                           photo: DecodedImage) -> None:
    stub.add_response("compare_faces", compare_response([], [LARGE_BOX]), COMPARE_PARAMS)
    assert identity.compare(source=photo, target=photo) == 0.0


def test_compare_without_a_face_in_either_image_is_none(identity: RekognitionFaceIdentity, stub: Stubber,
                                                        photo: DecodedImage) -> None:
    no_face_in_image(stub, "compare_faces")
    assert identity.compare(source=photo, target=photo) is None


def test_compare_with_nothing_in_the_target_is_none(identity: RekognitionFaceIdentity, stub: Stubber,
                                                    photo: DecodedImage) -> None:
    stub.add_response("compare_faces", compare_response([], []), COMPARE_PARAMS)
    assert identity.compare(source=photo, target=photo) is None


def stored_face(index: int, owner: uuid.UUID) -> dict[str, Any]:
    return {"FaceId": str(uuid.UUID(int=index)), "BoundingBox": {"Width": 0.5, "Height": 0.5, "Left": 0.2, "Top": 0.2},
            "ImageId": IMAGE_ID, "ExternalImageId": str(owner), "Confidence": 99.9, "IndexFacesModelVersion": "7.0"}


def deletion(face_ids: list[str]) -> dict[str, Any]:
    """The payload of the outbox message that forgetting PERSON enqueues."""
    return {"collection_id": "garden-test", "face_user_id": str(PERSON), "face_ids": face_ids}


def test_forget_enqueues_the_deletion_of_the_tracked_faces(identity: RekognitionFaceIdentity,
                                                           person: FaceUser) -> None:
    CollectionFace.objects.create(face_user=person, collection_id="garden-test", face_id=FACE_ID)
    identity.forget(face_user_id=PERSON)  # no AWS call: the Stubber has no answer queued
    [message] = OutboxMessage.objects.all()
    assert (message.capability, message.operation, message.payload) == (
        "face_identity", "delete_faces", deletion([FACE_ID]))
    assert not CollectionFace.objects.exists()


def test_tracked_faces_are_deleted_4096_per_call(identity: RekognitionFaceIdentity, stub: Stubber) -> None:
    face_ids = [str(uuid.UUID(int=index)) for index in range(4097)]
    stub.add_response("delete_faces", {"DeletedFaces": face_ids[:4096]},
                      {"CollectionId": "garden-test", "FaceIds": face_ids[:4096]})
    stub.add_response("delete_faces", {"DeletedFaces": face_ids[4096:]},
                      {"CollectionId": "garden-test", "FaceIds": face_ids[4096:]})
    identity.consume("delete_faces", deletion(face_ids))


def test_faces_indexed_before_their_ids_were_kept_are_found_across_pages(identity: RekognitionFaceIdentity,
                                                                        stub: Stubber) -> None:
    someone_else = uuid.uuid4()
    # 4097 faces of the person, more than one DeleteFaces call takes, spread over two ListFaces pages.
    first_page = [stored_face(index, PERSON if index % 3 else someone_else) for index in range(6000)]
    second_page = [stored_face(6000 + index, PERSON) for index in range(97)]
    expected = [face["FaceId"] for face in first_page + second_page if face["ExternalImageId"] == str(PERSON)]
    assert len(expected) == 4097
    list_params = {"CollectionId": "garden-test", "MaxResults": 4096}
    stub.add_response("list_faces", {"Faces": first_page, "NextToken": "page-2", "FaceModelVersion": "7.0"},
                      list_params)
    stub.add_response("list_faces", {"Faces": second_page, "FaceModelVersion": "7.0"},
                      {**list_params, "NextToken": "page-2"})
    stub.add_response("delete_faces", {"DeletedFaces": expected[:4096]},
                      {"CollectionId": "garden-test", "FaceIds": expected[:4096]})
    stub.add_response("delete_faces", {"DeletedFaces": expected[4096:]},
                      {"CollectionId": "garden-test", "FaceIds": expected[4096:]})
    identity.consume("delete_faces", deletion([]))


def test_forget_someone_never_indexed_deletes_nothing(identity: RekognitionFaceIdentity, stub: Stubber) -> None:
    identity.forget(face_user_id=PERSON)
    [message] = OutboxMessage.objects.all()
    stub.add_response("list_faces", {"Faces": [stored_face(1, uuid.uuid4())]})
    identity.consume(message.operation, message.payload)


@pytest.mark.parametrize("face_ids", [[], [FACE_ID]])
def test_nothing_is_left_to_delete_without_a_collection(identity: RekognitionFaceIdentity, stub: Stubber,
                                                        face_ids: list[str]) -> None:
    collection_missing(stub, "delete_faces" if face_ids else "list_faces")
    identity.consume("delete_faces", deletion(face_ids))


def test_an_unknown_operation_is_given_up(identity: RekognitionFaceIdentity) -> None:
    with pytest.raises(PermanentFailure):
        identity.consume("index_faces", deletion([FACE_ID]))


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


def rekognition_backend(capability: str, class_name: str, **options: Any) -> override_settings:
    """The settings with one capability served by a Rekognition backend class built with `options`."""
    backend = {"BACKEND": f"gallery.faces.rekognition.{class_name}", "OPTIONS": options}
    return override_settings(EMOTION_GARDEN_BACKENDS={**settings.EMOTION_GARDEN_BACKENDS, capability: backend})


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
