"""factory_boy factories for the catalogue, face users and interactions."""

import io

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PillowImage

from curation.models import Image
from gallery.emotions import Emotion
from gallery.models import FaceUser


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
    width = 96
    height = 64
    name = factory.Sequence(lambda n: f"test_{n}h.jpeg")
    file = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(), name="test.jpeg"))


class ApprovedImageFactory(ImageFactory):
    status = Image.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)


class FaceUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaceUser

    gender = "Female"
    age_low = 26
    age_high = 34
    consented_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)
