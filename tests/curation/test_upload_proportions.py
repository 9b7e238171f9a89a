"""Pictures too narrow or too elongated for the catalogue are refused where they come in (F8: a 20000x20 PNG became
an approvable image with a 384x1 thumbnail, whose visual statistics then failed), and measuring a tiny picture no
longer fails anyway."""

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PillowImage

from curation.models import Image
from curation.services import MAX_ASPECT_RATIO, MIN_SIDE, add_image_to_pool, create_generation_job
from curation.uploads import import_uploads
from emotion_garden.imaging import InvalidImage
from emotion_garden.vocabulary import Emotion
from recommender.content import VISUAL_DIMS, visual_statistics
from recommender.items import IMAGES
from tests.factories import ImageFactory, jpeg_bytes

pytestmark = pytest.mark.django_db


def png_bytes(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    # A little texture, so that two accepted sizes are not taken for copies of one another.
    pixels = np.random.default_rng(width * 7919 + height).integers(0, 255, (height, width, 3), dtype=np.uint8)
    PillowImage.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def nothing_stored() -> Iterator[None]:
    files = {path for path in Path(default_storage.location).rglob("*") if path.is_file()}
    yield
    assert {path for path in Path(default_storage.location).rglob("*") if path.is_file()} == files
    assert not Image.objects.exists()


@pytest.mark.parametrize(("width", "height", "reason"), [
    (20000, 20, "its shorter side must be at least 64 pixels"),
    (63, 200, "its shorter side must be at least 64 pixels"),
    (1000, 200, "its longer side may be at most 4 times its shorter one"),
    (100, 401, "its longer side may be at most 4 times its shorter one"),
])
def test_an_upload_too_narrow_or_too_elongated_is_refused_with_the_reason(
        width: int, height: int, reason: str, nothing_stored: None) -> None:
    report = import_uploads(files=[("strip.png", png_bytes(width, height))], emotion=Emotion.CALM)
    assert report.accepted == []
    [(name, why)] = report.refused
    assert name == "strip.png" and f"{width}×{height} pixels" in why and reason in why


@pytest.mark.parametrize(("width", "height"), [(64, 64), (256, 64), (100, 400), (1280, 800), (480, 320)])
def test_shapes_the_generators_and_the_demo_make_are_accepted(width: int, height: int) -> None:
    report = import_uploads(files=[("fine.png", png_bytes(width, height))], emotion=Emotion.CALM)
    assert report.refused == [] and len(report.accepted) == 1


def test_the_admin_upload_names_the_refused_strip(curator_client: Client) -> None:
    response = curator_client.post(reverse("admin:curation_image_upload"), {
        "emotion": "SAD", "files": [SimpleUploadedFile("strip.png", png_bytes(20000, 20), "image/png"),
                                    SimpleUploadedFile("pond.jpg", jpeg_bytes(), "image/jpeg")],
    }, follow=True)
    page = response.content.decode()
    assert "strip.png" in page and "its shorter side must be at least 64 pixels" in page
    assert Image.objects.count() == 1


def test_the_pool_itself_refuses_such_a_picture(nothing_stored: None) -> None:
    with pytest.raises(InvalidImage) as refused:
        add_image_to_pool(picture=PillowImage.new("RGB", (2000, 100)), emotion=Emotion.CALM,
                          source=Image.Source.UPLOADED)
    assert refused.value.code == "extreme_aspect_ratio"


def test_a_generation_job_of_such_a_size_is_refused() -> None:
    assert MIN_SIDE * MAX_ASPECT_RATIO < 2048  # so the test asks for a size within the sides' own limits
    with pytest.raises(ValueError, match="at most 4 times"):
        create_generation_job(emotion=Emotion.CALM, count=1, width=64, height=2048)


@pytest.mark.parametrize("shape", [(1, 384, 3), (384, 1, 3), (1, 1, 3), (2, 2, 3), (2, 700, 3)])
def test_visual_statistics_of_a_tiny_picture_are_numbers(shape: tuple[int, int, int]) -> None:
    pixels = np.random.default_rng(3).integers(0, 255, shape, dtype=np.uint8)
    statistics = visual_statistics(pixels)
    assert statistics.shape == (VISUAL_DIMS,) and np.isfinite(statistics).all()


def test_visual_statistics_of_an_ordinary_picture_are_unchanged() -> None:
    # Recorded with the code before the tiny-picture fix: what is stored for every image must not move.
    pixels = np.random.default_rng(11).integers(0, 255, (48, 64, 3), dtype=np.uint8)
    recorded = [0.4997025728225708, 0.5004467964172363, 0.49294066429138184, 0.6712326407432556, 0.23480626940727234,
                0.0030088319908827543, 0.006500496994704008, 0.5104166865348816, 0.5438447594642639,
                0.4993685781955719, 0.18955098092556, 0.624828040599823, 0.17555375397205353, 0.77734375,
                -0.009975045919418335, -0.000990450382232666]
    assert np.array_equal(visual_statistics(pixels), np.array(recorded, dtype=np.float32))


def test_an_image_stored_with_a_one_pixel_thumbnail_is_measured() -> None:
    image = ImageFactory(thumbnail=ContentFile(jpeg_bytes(384, 1), name="thumbnail.jpeg"))
    statistics = IMAGES.visual(image)
    assert statistics is not None and np.isfinite(statistics).all()
