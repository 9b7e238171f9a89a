"""The face capabilities, in Amazon Rekognition's shapes so that every backend answers the same way.

- FaceAnalyzer: DetectFaces(Attributes=ALL) -> FaceDetail per face.
- FaceIdentity: a face collection of visitors (IndexFaces, SearchFacesByImage, CompareFaces, DeleteFaces).
- ReferenceFaces: the look-alike's collection of reference people, kept apart from the visitors' faces.
"""

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import NotRequired, TypedDict

from emotion_garden.imaging import DecodedImage


class BoundingBox(TypedDict):
    """Ratios of the image's width and height, as Rekognition gives them."""

    Width: float
    Height: float
    Left: float
    Top: float


class Landmark(TypedDict):
    Type: str
    X: float
    Y: float


class EmotionScore(TypedDict):
    Type: str
    Confidence: float


class AgeRange(TypedDict):
    Low: int
    High: int


class BooleanAttribute(TypedDict):
    Value: bool
    Confidence: float


class GenderAttribute(TypedDict):
    Value: str
    Confidence: float


class FaceDetail(TypedDict):
    BoundingBox: BoundingBox
    Confidence: float
    Landmarks: list[Landmark]
    Emotions: list[EmotionScore]  # all 8 types, sorted by confidence, summing to ~100
    AgeRange: NotRequired[AgeRange]
    Gender: NotRequired[GenderAttribute]
    # Boolean attributes appear only where the backend can estimate them (see the API docs).
    Smile: NotRequired[BooleanAttribute]
    EyesOpen: NotRequired[BooleanAttribute]
    MouthOpen: NotRequired[BooleanAttribute]
    Eyeglasses: NotRequired[BooleanAttribute]
    Sunglasses: NotRequired[BooleanAttribute]
    Beard: NotRequired[BooleanAttribute]
    Mustache: NotRequired[BooleanAttribute]


def dominant_emotion(face: FaceDetail) -> str:
    return max(face["Emotions"], key=lambda score: score["Confidence"])["Type"]


def face_area(face: FaceDetail) -> float:
    return face["BoundingBox"]["Width"] * face["BoundingBox"]["Height"]


# The five landmarks every backend lists first and in this order, so identity alignment can use Landmarks[:5].
ALIGNMENT_LANDMARKS = ("eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight")


class FaceServiceUnavailable(Exception):
    """A remote face backend could not answer (outage, throttling beyond retries, credentials); worth a 503."""


class FaceAnalyzer(ABC):
    @abstractmethod
    def detect_faces(self, image: DecodedImage) -> list[FaceDetail]:
        """Every face in the image, largest first; an empty list when there is none."""

    def warm_up(self) -> None:  # noqa: B027 - an optional hook, not an abstract method: most backends load nothing
        """Load what the first call would otherwise load; a remote backend has nothing to load."""


@dataclass(frozen=True)
class FaceMatch:
    face_user_id: uuid.UUID
    similarity: float  # 0-100, as Rekognition's Similarity


class FaceIdentity(ABC):
    """Recognising people again. Only faces of people who consented are ever indexed."""

    def warm_up(self) -> None:  # noqa: B027 - an optional hook, not an abstract method: most backends load nothing
        """Load what the first call would otherwise load; a remote backend has nothing to load."""

    @abstractmethod
    def index_face(self, *, face_user_id: uuid.UUID, image: DecodedImage, face: FaceDetail) -> bool:
        """Remember this face as belonging to the face user; False when the backend refused the face (too poor)."""

    @abstractmethod
    def search(self, *, image: DecodedImage, face: FaceDetail, threshold: float) -> FaceMatch | None:
        """The most similar known person at or above `threshold` (0-100), if any."""

    @abstractmethod
    def compare(self, *, source: DecodedImage, target: DecodedImage) -> float | None:
        """Similarity (0-100) of the largest face of each image; None when either has no face."""

    @abstractmethod
    def forget(self, *, face_user_id: uuid.UUID) -> None:
        """Delete every face stored for the face user, in the caller's transaction: at once where the faces are in
        our database, through the outbox where a remote collection holds them (so an outage loses nothing)."""


@dataclass(frozen=True)
class ReferenceFace:
    """Where a reference photo's face is kept: `index` names the embedding model or remote collection that holds
    it, with the vector itself (held in our database) or the remote collection's face id."""

    index: str
    vector: bytes = b""
    face_id: str = ""


@dataclass(frozen=True)
class ReferenceMatch:
    photo_id: int
    similarity: float  # 0-100, as Rekognition's Similarity


class ReferenceFaces(ABC):
    """The look-alike's reference people, in an index of their own: a look-alike search never reaches the visitors'
    faces, and a visitor's photo is never recognised as a reference person."""

    @property
    @abstractmethod
    def index(self) -> str:
        """The name of the index this backend enrols into and searches (ReferencePhoto.model)."""

    @abstractmethod
    def enrol(self, image: DecodedImage) -> ReferenceFace | None:
        """Remember the image's largest face; None when there is none (or the backend judged it too poor)."""

    @abstractmethod
    def search(self, image: DecodedImage, *, people: int) -> list[ReferenceMatch] | None:
        """The enrolled photos most similar to the image's largest face, most similar first, with at least the best
        photo of each of the `people` most similar people among them (fewer if fewer are enrolled); None when the
        image has no face."""

    @abstractmethod
    def forget(self, faces: list[ReferenceFace]) -> None:
        """Delete enrolled faces, in the caller's transaction (a remote collection's through the outbox)."""
