"""The Amazon Rekognition backends: DetectFaces for analysis, a face collection for identity.

Images go to Rekognition as JPEG bytes, never through S3, so nothing of a visitor's photo is stored on AWS; only
the feature vectors of people who consented live in the collection, tagged with their FaceUser id. Forgetting a person
deletes their faces through the transactional outbox, so a Rekognition outage delays the deletion but never loses it.
AWS failures other than the few handled here surface as RekognitionUnavailable, for the API to answer 503.
"""

import logging
import math
import uuid
from collections.abc import Collection, Iterator
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from PIL import Image

from emotion_garden.aws import LazyClient, error_code
from emotion_garden.imaging import DecodedImage, encode_jpeg
from emotion_garden.vocabulary import Emotion
from gallery.faces.base import (
    ALIGNMENT_LANDMARKS,
    BooleanAttribute,
    BoundingBox,
    EmotionScore,
    FaceAnalyzer,
    FaceDetail,
    FaceIdentity,
    FaceMatch,
    FaceServiceUnavailable,
    Landmark,
    face_area,
)
from gallery.models import CollectionFace
from recommender.outbox import OutboxConsumer, PermanentFailure, enqueue

logger = logging.getLogger(__name__)

# The EMOTION_GARDEN_BACKENDS entry the outbox delivers deletions to.
CAPABILITY = "face_identity"

# Rekognition refuses image bytes over 5 MB and sides over 4096 pixels.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 4096

# Rekognition needs some head and background around a face to detect it again in a crop: each side of the crop
# extends the bounding box by this share of its size.
FACE_CROP_MARGIN = 0.5

BOOLEAN_ATTRIBUTES = ("Smile", "EyesOpen", "MouthOpen", "Eyeglasses", "Sunglasses", "Beard", "Mustache")

# DeleteFaces takes at most this many ids, and ListFaces returns at most this many per page.
FACE_IDS_PER_CALL = 4096

# Three attempts in all, and short enough timeouts that a visitor's request fails fast instead of hanging a worker.
CLIENT_CONFIG = Config(retries={"total_max_attempts": 3, "mode": "standard"}, connect_timeout=3, read_timeout=8)


class RekognitionUnavailable(FaceServiceUnavailable):
    """Rekognition could not answer: an outage, throttling beyond the retries, missing credentials or rights."""


class RekognitionClient:
    """The boto3 client, made on first use so that importing or building a backend needs no credentials, and the
    one place where AWS errors are translated."""

    def __init__(self, *, region_name: str | None, client: Any | None) -> None:
        self._client = LazyClient("rekognition", region_name=region_name, config=CLIENT_CONFIG, client=client)

    def call(self, operation: str, *, let_through: Collection[str] = (), **params: Any) -> dict[str, Any]:
        """Call `operation` (boto3's snake_case name). A ClientError whose code is in `let_through` reaches the
        caller, which handles it; every other AWS failure becomes RekognitionUnavailable."""
        try:
            return getattr(self._client.get(), operation)(**params)
        except ClientError as error:
            if error_code(error) in let_through:
                raise
            raise RekognitionUnavailable(f"Rekognition {operation} failed: {error_code(error)}") from error
        except BotoCoreError as error:
            raise RekognitionUnavailable(f"Rekognition {operation} failed: {error}") from error

    def call_on_collection(
        self, operation: str, *, collection_id: str, let_through: Collection[str] = (), **params: Any
    ) -> dict[str, Any]:
        """Call an operation on a face collection, creating the collection when it does not exist yet."""
        try:
            return self.call(operation, let_through={"ResourceNotFoundException", *let_through},
                             CollectionId=collection_id, **params)
        except ClientError as error:
            if error_code(error) != "ResourceNotFoundException":
                raise
        self._create_collection(collection_id)
        return self.call(operation, let_through=let_through, CollectionId=collection_id, **params)

    def _create_collection(self, collection_id: str) -> None:
        try:
            self.call("create_collection", let_through={"ResourceAlreadyExistsException"}, CollectionId=collection_id)
        except ClientError:
            # ResourceAlreadyExistsException: another process created it first, which is just as good.
            logger.info("Rekognition collection %s was created concurrently", collection_id)
        else:
            logger.info("Created Rekognition collection %s", collection_id)

    def delete_faces(self, *, collection_id: str, face_ids: list[str]) -> None:
        """DeleteFaces in batches. It ignores ids that are already gone, so a retried delivery is harmless."""
        try:
            for start in range(0, len(face_ids), FACE_IDS_PER_CALL):
                self.call("delete_faces", let_through={"ResourceNotFoundException"}, CollectionId=collection_id,
                          FaceIds=face_ids[start : start + FACE_IDS_PER_CALL])
        except ClientError:
            # ResourceNotFoundException: the collection is gone, and every face in it with it.
            logger.info("Rekognition collection %s does not exist: nothing to delete", collection_id)


class RekognitionFaceAnalyzer(FaceAnalyzer):
    """DetectFaces with every attribute, converted to our FaceDetail: the eight emotions summing to 100, the
    alignment landmarks first, and only the attributes we model."""

    def __init__(self, *, region_name: str | None = None, client: Any | None = None) -> None:
        self._rekognition = RekognitionClient(region_name=region_name, client=client)

    def detect_faces(self, image: DecodedImage) -> list[FaceDetail]:
        response = self._rekognition.call(
            "detect_faces", Image={"Bytes": rekognition_jpeg(image.rgb)}, Attributes=["ALL"]
        )
        faces = [face_detail(detail) for detail in response["FaceDetails"]]
        return sorted(faces, key=face_area, reverse=True)


def face_detail(rekognition_face: dict[str, Any]) -> FaceDetail:
    """Our FaceDetail from one of Rekognition's, dropping what we do not model (Pose, Quality, EyeDirection...)."""
    box = rekognition_face["BoundingBox"]
    face: FaceDetail = {
        "BoundingBox": BoundingBox(Width=box["Width"], Height=box["Height"], Left=box["Left"], Top=box["Top"]),
        "Confidence": float(rekognition_face["Confidence"]),
        "Landmarks": alignment_first(rekognition_face.get("Landmarks", [])),
        "Emotions": rekognition_emotion_scores(rekognition_face.get("Emotions", [])),
    }
    if "AgeRange" in rekognition_face:
        face["AgeRange"] = {"Low": int(rekognition_face["AgeRange"]["Low"]),
                            "High": int(rekognition_face["AgeRange"]["High"])}
    if "Gender" in rekognition_face:
        face["Gender"] = {"Value": str(rekognition_face["Gender"]["Value"]),
                          "Confidence": float(rekognition_face["Gender"]["Confidence"])}
    for name in BOOLEAN_ATTRIBUTES:
        if name in rekognition_face:
            attribute = rekognition_face[name]
            face[name] = BooleanAttribute(Value=bool(attribute["Value"]), Confidence=float(attribute["Confidence"]))
    return face


def alignment_first(landmarks: list[dict[str, Any]]) -> list[Landmark]:
    """Rekognition's landmarks with the five alignment points moved to the front, in ALIGNMENT_LANDMARKS order."""
    converted = [Landmark(Type=point["Type"], X=float(point["X"]), Y=float(point["Y"])) for point in landmarks]
    rank = {kind: position for position, kind in enumerate(ALIGNMENT_LANDMARKS)}
    # sorted() is stable, so the other landmarks keep Rekognition's order behind the five.
    return sorted(converted, key=lambda point: rank.get(point["Type"], len(rank)))


def rekognition_emotion_scores(rekognition_emotions: list[dict[str, Any]]) -> list[EmotionScore]:
    """All eight emotion types, summing to 100 and sorted by confidence.

    Rekognition may add UNKNOWN; it says nothing about which emotion is shown, so it is dropped and the rest
    rescaled. A face read as entirely UNKNOWN gets an even spread, which claims no emotion over another.
    """
    confidences = dict.fromkeys(Emotion.values, 0.0)
    for score in rekognition_emotions:
        if score["Type"] in confidences:
            confidences[score["Type"]] += float(score["Confidence"])
    total = sum(confidences.values())
    if total <= 0:
        confidences = dict.fromkeys(Emotion.values, 1.0)
        total = float(len(confidences))
    ranked = sorted(confidences.items(), key=lambda item: item[1], reverse=True)
    return [EmotionScore(Type=kind, Confidence=round(100 * value / total, 3)) for kind, value in ranked]


def rekognition_jpeg(image: Image.Image) -> bytes:
    """JPEG bytes within Rekognition's limits: no side over MAX_IMAGE_SIDE, no more than MAX_IMAGE_BYTES."""
    image = _shrunk(image, min(1.0, MAX_IMAGE_SIDE / max(image.width, image.height)))
    while len(data := encode_jpeg(image)) > MAX_IMAGE_BYTES:
        # JPEG size grows about with the pixel count: shrink the area by the overshoot, and a tenth more so a
        # noisy photo does not take many rounds.
        image = _shrunk(image, 0.9 * math.sqrt(MAX_IMAGE_BYTES / len(data)))
    return data


def _shrunk(image: Image.Image, scale: float) -> Image.Image:
    if scale >= 1.0:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def face_crop(image: DecodedImage, face: FaceDetail) -> Image.Image:
    """The face's bounding box widened by FACE_CROP_MARGIN on each side, within the image.

    Rekognition searches and indexes the largest face of an image; a crop makes that the face we mean when
    several people are in the frame.
    """
    box = face["BoundingBox"]
    left = (box["Left"] - FACE_CROP_MARGIN * box["Width"]) * image.width
    top = (box["Top"] - FACE_CROP_MARGIN * box["Height"]) * image.height
    right = (box["Left"] + (1 + FACE_CROP_MARGIN) * box["Width"]) * image.width
    bottom = (box["Top"] + (1 + FACE_CROP_MARGIN) * box["Height"]) * image.height
    # Rekognition's boxes may reach past the image's edges.
    left, top = max(0, math.floor(left)), max(0, math.floor(top))
    right, bottom = min(image.width, math.ceil(right)), min(image.height, math.ceil(bottom))
    return image.rgb.crop((left, top, max(right, left + 1), max(bottom, top + 1)))


class RekognitionFaceIdentity(FaceIdentity, OutboxConsumer):
    """A Rekognition face collection, created on first use. Each indexed face carries its FaceUser id as
    ExternalImageId, so a match names the person directly, and its FaceId is kept as a CollectionFace, so forgetting
    someone deletes exactly their faces. Deletions travel through the outbox (operation "delete_faces")."""

    def __init__(
        self, *, collection_id: str = "emotion-garden", region_name: str | None = None, client: Any | None = None
    ) -> None:
        self.collection_id = collection_id
        self._rekognition = RekognitionClient(region_name=region_name, client=client)

    def index_face(self, *, face_user_id: uuid.UUID, image: DecodedImage, face: FaceDetail) -> bool:
        response = self._rekognition.call_on_collection(
            "index_faces",
            collection_id=self.collection_id,
            Image={"Bytes": rekognition_jpeg(face_crop(image, face))},
            ExternalImageId=str(face_user_id),
            MaxFaces=1,
            QualityFilter="AUTO",
        )
        if response["FaceRecords"]:
            # In the caller's transaction: the ids exist only if the face user does.
            CollectionFace.objects.bulk_create([
                CollectionFace(face_user_id=face_user_id, collection_id=self.collection_id,
                               face_id=record["Face"]["FaceId"])
                for record in response["FaceRecords"]
            ])
            return True
        # Rekognition judged the face too poor to remember (blur, pose, size).
        reasons = {reason for unindexed in response.get("UnindexedFaces", []) for reason in unindexed["Reasons"]}
        logger.warning(
            "Rekognition did not index the face of %s: %s", face_user_id, ", ".join(sorted(reasons)) or "no face"
        )
        return False

    def search(self, *, image: DecodedImage, face: FaceDetail, threshold: float) -> FaceMatch | None:
        try:
            response = self._rekognition.call_on_collection(
                "search_faces_by_image",
                collection_id=self.collection_id,
                let_through={"InvalidParameterException"},
                Image={"Bytes": rekognition_jpeg(face_crop(image, face))},
                FaceMatchThreshold=threshold,
                MaxFaces=1,
            )
        except ClientError:
            # InvalidParameterException: Rekognition found no face in the crop, so there is no one to recognise.
            return None
        if not response["FaceMatches"]:
            return None
        best = response["FaceMatches"][0]
        return FaceMatch(face_user_id=uuid.UUID(best["Face"]["ExternalImageId"]), similarity=float(best["Similarity"]))

    def compare(self, *, source: DecodedImage, target: DecodedImage) -> float | None:
        try:
            response = self._rekognition.call(
                "compare_faces",
                let_through={"InvalidParameterException"},
                SourceImage={"Bytes": rekognition_jpeg(source.rgb)},
                TargetImage={"Bytes": rekognition_jpeg(target.rgb)},
                # Zero puts every target face in FaceMatches with its similarity, however low.
                SimilarityThreshold=0,
            )
        except ClientError:
            # InvalidParameterException: one of the images has no face.
            return None
        # Rekognition compares the source's largest face with every target face; the interface wants the target's
        # largest face too, which is not always the most similar one.
        target_faces = [
            (_box_area(match["Face"]["BoundingBox"]), float(match["Similarity"])) for match in response["FaceMatches"]
        ] + [(_box_area(unmatched["BoundingBox"]), 0.0) for unmatched in response.get("UnmatchedFaces", [])]
        if not target_faces:
            return None
        return max(target_faces)[1]

    def forget(self, *, face_user_id: uuid.UUID) -> None:
        """Enqueue the deletion of the person's faces in the caller's transaction, one message per collection that
        holds some, and drop our record of them."""
        tracked = CollectionFace.objects.filter(face_user_id=face_user_id)
        face_ids: dict[str, list[str]] = {}
        for collection_id, face_id in tracked.order_by("id").values_list("collection_id", "face_id"):
            face_ids.setdefault(collection_id, []).append(face_id)
        # A person indexed before FaceIds were kept has none: delivery finds their faces by ExternalImageId instead.
        for collection_id, ids in (face_ids or {self.collection_id: []}).items():
            enqueue(capability=CAPABILITY, operation="delete_faces",
                    payload={"collection_id": collection_id, "face_user_id": str(face_user_id), "face_ids": ids})
        tracked.delete()

    def consume(self, operation: str, payload: dict[str, Any]) -> None:
        """Deliver a deletion. DeleteFaces ignores ids that are already gone, so a retried delivery is harmless."""
        if operation != "delete_faces":
            raise PermanentFailure(f"Unknown Rekognition operation {operation!r}.")
        collection_id = payload["collection_id"]
        try:
            face_ids = payload["face_ids"] or list(self._face_ids_of(collection_id, payload["face_user_id"]))
        except ClientError:
            # ResourceNotFoundException: the collection is gone, and every face in it with it.
            logger.info("Rekognition collection %s does not exist: nothing to delete", collection_id)
            return
        self._rekognition.delete_faces(collection_id=collection_id, face_ids=face_ids)

    def _face_ids_of(self, collection_id: str, external_image_id: str) -> Iterator[str]:
        # ListFaces filters by FaceId or UserId only, so the person's faces are found by reading the whole collection.
        params: dict[str, Any] = {"CollectionId": collection_id, "MaxResults": FACE_IDS_PER_CALL}
        while True:
            page = self._rekognition.call("list_faces", let_through={"ResourceNotFoundException"}, **params)
            yield from (face["FaceId"] for face in page["Faces"] if face.get("ExternalImageId") == external_image_id)
            if not page.get("NextToken"):
                return
            params["NextToken"] = page["NextToken"]


def _box_area(box: dict[str, float]) -> float:
    return box["Width"] * box["Height"]
