"""Face analysis through Rekognition's DetectFaces: our shape, the eight emotions, the image within its limits."""

from typing import Any

import numpy as np
import pytest
from botocore.stub import ANY, Stubber
from PIL import Image

from emotion_garden.imaging import DecodedImage
from emotion_garden.vocabulary import Emotion
from gallery.faces import rekognition
from gallery.faces.rekognition import (
    RekognitionFaceAnalyzer,
    rekognition_jpeg,
)
from tests.gallery.rekognition.stubs import (
    ALIGNMENT_LANDMARKS,
    LANDMARK_LAYOUT,
    LARGE_BOX,
    LARGE_FACE_KNOWN_TOTAL,
    SMALL_BOX,
    TWO_FACES_SMALL_FIRST,
    image_bytes,
    opened,
    rekognition_face,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_real_aws")]

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


