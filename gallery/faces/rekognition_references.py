"""The look-alike's reference people in an Amazon Rekognition collection of their own, never the visitors' one.

A reference photo's face is indexed (IndexFaces) into the reference collection and its FaceId kept on the
ReferencePhoto; a look-alike search is SearchFacesByImage on that collection alone, so a visitor's photo is never
compared with the visitors' faces, and a reference person can never be recognised as a visitor.
"""

import logging
from typing import Any

from botocore.exceptions import ClientError
from django.db.models import Count, Max

from emotion_garden.imaging import DecodedImage
from gallery.faces.base import ReferenceFace, ReferenceFaces, ReferenceMatch
from gallery.faces.rekognition import RekognitionClient, rekognition_jpeg
from gallery.models import ReferencePhoto
from recommender.outbox import OutboxConsumer, PermanentFailure, enqueue

logger = logging.getLogger(__name__)

# The EMOTION_GARDEN_BACKENDS entry the outbox delivers deletions to.
CAPABILITY = "face_reference"

# SearchFacesByImage returns at most this many faces.
MAX_FACES_PER_SEARCH = 4096


class RekognitionReferenceFaces(ReferenceFaces, OutboxConsumer):
    """Reference faces in a Rekognition collection (created on first use); deletions travel through the outbox."""

    def __init__(self, *, collection_id: str = "emotion-garden-references", region_name: str | None = None,
                 client: Any | None = None) -> None:
        self.collection_id = collection_id
        self._rekognition = RekognitionClient(region_name=region_name, client=client)

    @property
    def index(self) -> str:
        return f"rekognition:{self.collection_id}"

    def enrol(self, image: DecodedImage) -> ReferenceFace | None:
        # With MaxFaces 1, Rekognition keeps the largest face that passes its quality filter.
        response = self._rekognition.call_on_collection(
            "index_faces", collection_id=self.collection_id, Image={"Bytes": rekognition_jpeg(image.rgb)},
            MaxFaces=1, QualityFilter="AUTO",
        )
        if not response["FaceRecords"]:
            reasons = {reason for unindexed in response.get("UnindexedFaces", []) for reason in unindexed["Reasons"]}
            logger.info("Rekognition did not index a reference photo: %s", ", ".join(sorted(reasons)) or "no face")
            return None
        return ReferenceFace(index=self.index, face_id=response["FaceRecords"][0]["Face"]["FaceId"])

    def search(self, image: DecodedImage, *, people: int) -> list[ReferenceMatch] | None:
        try:
            response = self._rekognition.call_on_collection(
                "search_faces_by_image", collection_id=self.collection_id, let_through={"InvalidParameterException"},
                Image={"Bytes": rekognition_jpeg(image.rgb)}, MaxFaces=self._faces_to_ask_for(people),
                # Rekognition's default (80) would hide every resemblance short of "the same person".
                FaceMatchThreshold=0,
            )
        except ClientError:
            # InvalidParameterException: Rekognition found no face in the photo.
            return None
        face_ids = [match["Face"]["FaceId"] for match in response["FaceMatches"]]
        photo_ids = dict(
            ReferencePhoto.objects.filter(model=self.index, face_id__in=face_ids).values_list("face_id", "id")
        )
        # A face indexed for a photo whose saving then failed has no photo: it is skipped.
        return [ReferenceMatch(photo_id=photo_ids[match["Face"]["FaceId"]], similarity=float(match["Similarity"]))
                for match in response["FaceMatches"] if match["Face"]["FaceId"] in photo_ids]

    def _faces_to_ask_for(self, people: int) -> int:
        """Enough faces to hold the best photo of `people` people, whatever their photos' order: the faces of the
        first people - 1 people, and one more. With one photo each, that is `people`."""
        per_person = ReferencePhoto.objects.filter(model=self.index).values("person").annotate(photos=Count("id"))
        most_photos = per_person.aggregate(most=Max("photos"))["most"] or 1
        return max(1, min(MAX_FACES_PER_SEARCH, (people - 1) * most_photos + 1))

    def forget(self, faces: list[ReferenceFace]) -> None:
        face_ids = [face.face_id for face in faces if face.index == self.index and face.face_id]
        if face_ids:
            enqueue(capability=CAPABILITY, operation="delete_faces",
                    payload={"collection_id": self.collection_id, "face_ids": face_ids})

    def consume(self, operation: str, payload: dict[str, Any]) -> None:
        if operation != "delete_faces":
            raise PermanentFailure(f"Unknown Rekognition operation {operation!r}.")
        self._rekognition.delete_faces(collection_id=payload["collection_id"], face_ids=payload["face_ids"])
