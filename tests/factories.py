"""factory_boy factories for the catalogue, face users and interactions."""

import io
import zipfile

import factory
import numpy as np
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PillowImage

from curation.models import Image, Track, TrackEmotion
from emotion_garden.vocabulary import Emotion
from gallery.api_keys import issue_key
from gallery.credentials import issue_person_credential
from gallery.faces.local import EMBEDDING_MODEL
from gallery.models import ApiKey, ApiScope, CollectionFace, FaceEmbedding, FaceUser


def jpeg_bytes(width: int = 96, height: int = 64, colour: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (width, height), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    emotion = Emotion.HAPPY
    orientation = Image.Orientation.LANDSCAPE
    source = Image.Source.GENERATED
    status = Image.Status.PENDING
    # A retired image was live once: only what was published is ever retired (/remove, the admin's retire).
    approved_at = factory.LazyAttribute(lambda image: timezone.now() if image.status == Image.Status.RETIRED else None)
    width = 96
    height = 64
    name = factory.Sequence(lambda n: f"test_{n}h.jpeg")
    file = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(), name="test.jpeg"))


class ApprovedImageFactory(ImageFactory):
    status = Image.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)


class TrackFactory(factory.django.DjangoModelFactory):
    """A track with a placeholder cover; `emotions=[...]` gives it its emotions (HAPPY by default)."""

    class Meta:
        model = Track
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Song {n}")
    artist = "Test Artist"
    source = Track.Source.CURATOR
    status = Track.Status.PENDING
    approved_at = factory.LazyAttribute(lambda track: timezone.now() if track.status == Track.Status.RETIRED else None)
    cover = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(64, 64), name="cover.jpeg"))

    @factory.post_generation
    def emotions(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            TrackEmotion.objects.bulk_create(
                TrackEmotion(track=self, emotion=emotion) for emotion in extracted or [Emotion.HAPPY]
            )


class ApprovedTrackFactory(TrackFactory):
    status = Track.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)


class FaceUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaceUser

    gender = "Female"
    age_low = 26
    age_high = 34
    consented_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)


def zipped(files: list[tuple[str, bytes]]) -> bytes:
    """A zip archive of (name, content) members, in order (a name may repeat)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


def unit_vector(seed: int) -> np.ndarray:
    """A random L2-normalised 128-d face embedding; two different seeds are far apart, as two people's faces are."""
    vector = np.random.default_rng(seed).standard_normal(128).astype(np.float32)
    return vector / np.linalg.norm(vector)


class FaceEmbeddingFactory(factory.django.DjangoModelFactory):
    """A face of the local identity backend."""

    class Meta:
        model = FaceEmbedding

    face_user = factory.SubFactory(FaceUserFactory)
    model = EMBEDDING_MODEL
    vector = factory.Sequence(lambda n: unit_vector(n).tobytes())


class CollectionFaceFactory(factory.django.DjangoModelFactory):
    """A face held in a Rekognition collection."""

    class Meta:
        model = CollectionFace

    face_user = factory.SubFactory(FaceUserFactory)
    collection_id = "garden-test"
    face_id = factory.Sequence(lambda n: f"00000000-0000-4000-8000-{n:012d}")


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """An API key with every scope; the raw key (only ever known at creation) is on `.raw_key`."""

    class Meta:
        model = ApiKey

    name = factory.Sequence(lambda n: f"client {n}")
    scopes = factory.LazyFunction(lambda: list(ApiScope.values))
    rate = ""

    @classmethod
    def _create(cls, model_class: type[ApiKey], *args: object, **kwargs: object) -> ApiKey:
        api_key = model_class(*args, **kwargs)
        api_key.raw_key = issue_key(api_key)  # type: ignore[attr-defined]
        return api_key


def as_person(face_user: FaceUser) -> dict[str, str]:
    """Request headers carrying a new credential of the person, as an API client that enrolled them would send."""
    return {"HTTP_X_PERSON_TOKEN": issue_person_credential(face_user=face_user)}
