"""The look-alike's reference people, offline: SFace embeddings of their photos, kept on the ReferencePhoto rows, so
they never mix with the visitors' faces (FaceEmbedding).

Both sides are flip-averaged (see sface.py): reference collections are small, so a search compares a visitor with
every photo directly, and the look-alike is asked far less often than the emotion, so the better embedding is worth
its 9 ms.
"""

import numpy as np

from emotion_garden.imaging import DecodedImage
from gallery.faces.base import ReferenceFace, ReferenceFaces, ReferenceMatch
from gallery.faces.local import EMBEDDING_MODEL, SAME_PERSON_COSINE, cosine_to_similarity, largest_face_embedding
from gallery.models import ReferencePhoto


class LocalReferenceFaces(ReferenceFaces):
    def __init__(self, *, cosine_at_80: float = SAME_PERSON_COSINE, steepness: float = 12.0, threads: int = 1) -> None:
        self.cosine_at_80 = cosine_at_80
        self.steepness = steepness
        self.threads = threads

    @property
    def index(self) -> str:
        return EMBEDDING_MODEL

    def enrol(self, image: DecodedImage) -> ReferenceFace | None:
        vector = largest_face_embedding(image, threads=self.threads)
        return None if vector is None else ReferenceFace(index=self.index, vector=vector.tobytes())

    def search(self, image: DecodedImage, *, people: int) -> list[ReferenceMatch] | None:
        vector = largest_face_embedding(image, threads=self.threads)
        if vector is None:
            return None
        photos = list(ReferencePhoto.objects.filter(model=self.index).values_list("id", "vector"))
        if not photos:
            return []
        cosines = np.stack([np.frombuffer(bytes(stored), dtype=np.float32) for _, stored in photos]) @ vector
        ranked = np.argsort(-cosines)
        return [
            ReferenceMatch(photo_id=photos[row][0], similarity=cosine_to_similarity(
                float(cosines[row]), cosine_at_80=self.cosine_at_80, steepness=self.steepness))
            for row in ranked
        ]

    def forget(self, faces: list[ReferenceFace]) -> None:
        """Nothing to do: the vectors live on the ReferencePhoto rows being deleted."""
