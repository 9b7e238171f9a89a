"""Who does this face look like? The closest people of the curated reference collection, found by the configured
reference backend (gallery.faces.reference_faces), each with an honest band for how alike they are."""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from emotion_garden.imaging import FACE_PHOTO_MAX_SIDE, decode_image
from gallery.faces import face_identity, reference_faces
from gallery.models import ReferencePerson, ReferencePhoto
from gallery.services import NoFaceFound

# How many reference people a look-alike answer names.
LOOKALIKE_PEOPLE = 3


class Resemblance(StrEnum):
    """How alike two faces are, in words: the same cut as faces/compare for "the same person" (FACE_MATCH_THRESHOLD),
    then LOOKALIKE_STRONG_THRESHOLD (see settings.py for what it means among strangers)."""

    SAME_PERSON = "same_person"
    STRONG = "strong_resemblance"
    FAINT = "faint_resemblance"


def resemblance(similarity: float) -> Resemblance:
    if similarity >= settings.FACE_MATCH_THRESHOLD:
        return Resemblance.SAME_PERSON
    if similarity >= settings.LOOKALIKE_STRONG_THRESHOLD:
        return Resemblance.STRONG
    return Resemblance.FAINT


@dataclass(frozen=True)
class LookalikeMatch:
    photo: ReferencePhoto  # the person's most similar photo; the person is photo.person
    similarity: float  # 0-100

    @property
    def resemblance(self) -> Resemblance:
        return resemblance(self.similarity)


@dataclass(frozen=True)
class Lookalikes:
    matches: list[LookalikeMatch]  # most similar first, one per person; empty when the collection is empty
    reference_similarity: float | None  # to the second photo the visitor sent, if any


def find_lookalikes(*, photo: bytes, reference_photo: bytes | None = None,
                    people: int = LOOKALIKE_PEOPLE) -> Lookalikes:
    """The `people` reference people who look most like the largest face in `photo`, and optionally how similar
    that face is to the largest one in a second photo. Raises InvalidImage or NoFaceFound (naming which photo)."""
    image = decode_image(photo, max_side=FACE_PHOTO_MAX_SIDE)
    second = decode_image(reference_photo, max_side=FACE_PHOTO_MAX_SIDE) if reference_photo is not None else None
    found = reference_faces().search(image, people=people)
    if found is None:
        raise NoFaceFound("No face was found in the photo.")
    best_per_person: dict[int, LookalikeMatch] = {}
    photos = ReferencePhoto.objects.select_related("person").defer("vector").in_bulk(
        [match.photo_id for match in found])
    for match in found:
        reference = photos.get(match.photo_id)  # gone since the search: deleted by a curator meanwhile
        if reference is not None and reference.person_id not in best_per_person:
            best_per_person[reference.person_id] = LookalikeMatch(photo=reference, similarity=match.similarity)
    reference_similarity = None
    if second is not None:
        # The first photo has a face (the search found it), so a missing face is the second photo's.
        reference_similarity = face_identity().compare(source=image, target=second)
        if reference_similarity is None:
            raise NoFaceFound("No face was found in the reference photo.")
    return Lookalikes(matches=list(best_per_person.values())[:people], reference_similarity=reference_similarity)


def searchable_people_count() -> int:
    """How many reference people a look-alike search can find: those with a photo in the configured backend's index."""
    return ReferencePerson.objects.filter(photos__model=reference_faces().index).distinct().count()
