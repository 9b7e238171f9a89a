"""Canned Rekognition answers and the parameters our backends must send, for botocore's Stubber."""

import io
import uuid
from typing import Any

from botocore.stub import ANY, Stubber
from django.conf import settings
from django.test import override_settings
from PIL import Image

from gallery.faces.base import FaceDetail

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


def opened(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    return image


def face_in(box: dict[str, float]) -> FaceDetail:
    return {"BoundingBox": box, "Confidence": 99.9, "Landmarks": [], "Emotions": []}


def image_bytes(operation_params: dict[str, Any], key: str = "Image") -> bytes:
    return operation_params[key]["Bytes"]



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



def search_params(threshold: float) -> dict[str, Any]:
    return {"CollectionId": "garden-test", "Image": {"Bytes": ANY}, "FaceMatchThreshold": threshold, "MaxFaces": 1}


def search_response(*matches: dict[str, Any]) -> dict[str, Any]:
    return {
        "SearchedFaceBoundingBox": {"Width": 0.5, "Height": 0.52, "Left": 0.25, "Top": 0.24},
        "SearchedFaceConfidence": 99.99,
        "FaceMatches": list(matches),
        "FaceModelVersion": "7.0",
    }



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


def stored_face(index: int, owner: uuid.UUID) -> dict[str, Any]:
    return {"FaceId": str(uuid.UUID(int=index)), "BoundingBox": {"Width": 0.5, "Height": 0.5, "Left": 0.2, "Top": 0.2},
            "ImageId": IMAGE_ID, "ExternalImageId": str(owner), "Confidence": 99.9, "IndexFacesModelVersion": "7.0"}


def deletion(face_ids: list[str]) -> dict[str, Any]:
    """The payload of the outbox message that forgetting PERSON enqueues."""
    return {"collection_id": "garden-test", "face_user_id": str(PERSON), "face_ids": face_ids}



def rekognition_backend(capability: str, class_name: str, **options: Any) -> override_settings:
    """The settings with one capability served by a Rekognition backend class built with `options`."""
    backend = {"BACKEND": f"gallery.faces.rekognition.{class_name}", "OPTIONS": options}
    return override_settings(EMOTION_GARDEN_BACKENDS={**settings.EMOTION_GARDEN_BACKENDS, capability: backend})


