"""Re-uploading an image, exactly or as a resized or re-encoded copy, is refused with the image it repeats; a
generated repeat is kept but flagged for the reviewer."""

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PillowImage
from PIL import ImageDraw

from curation.duplicates import NEAR_BITS, find_duplicate, fingerprint
from curation.models import Image
from curation.services import add_image_to_pool, create_generation_job, run_generation_job
from curation.uploads import import_uploads
from emotion_garden.imaging import encode_jpeg
from emotion_garden.vocabulary import Emotion
from tests.conftest import encode
from tests.curation.curation_helpers import SCRIPTED
from tests.curation.test_uploads import zip_of
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def scene(seed: int, size: tuple[int, int] = (320, 200)) -> PillowImage.Image:
    """Distinct pictures with structure (pHash of a flat card says nothing)."""
    picture = PillowImage.new("RGB", size, (40 + 20 * seed, 120, 200 - 15 * seed))
    draw = ImageDraw.Draw(picture)
    for step in range(6):
        x = (seed * 53 + step * 71) % size[0]
        y = (seed * 29 + step * 43) % size[1]
        draw.ellipse([x - 30, y - 20, x + 30, y + 20], fill=(250 - 30 * step, 200, 30 * step))
    return picture


def upload(name: str, content: bytes) -> tuple[list[Image], list[tuple[str, str]]]:
    report = import_uploads(files=[(name, content)], emotion=Emotion.CALM, theme="lake")
    return report.accepted, report.refused


def test_an_exact_reupload_is_refused_naming_the_image_it_repeats() -> None:
    photo = encode(scene(1), "PNG")
    [first], _ = upload("lake.png", photo)
    accepted, refused = upload("lake-again.png", photo)
    assert accepted == [] and len(refused) == 1
    name, reason = refused[0]
    assert name == "lake-again.png"
    assert reason == f"It is an exact copy of image #{first.pk} (Calm lake, pending review)."
    assert Image.objects.count() == 1


def test_a_resized_or_reencoded_copy_is_a_near_duplicate() -> None:
    [first], _ = upload("lake.png", encode(scene(2), "PNG"))
    smaller = scene(2).resize((240, 150), PillowImage.Resampling.LANCZOS)
    for copy in (encode(smaller, "PNG"), encode(scene(2), "JPEG", quality=40)):
        accepted, [(_, reason)] = upload("copy", copy)
        assert accepted == []
        assert reason.startswith("It is a near copy (") and f"of image #{first.pk} " in reason


def test_different_pictures_and_orientations_are_accepted() -> None:
    accepted, refused = [], []
    for name, picture in [("a.png", scene(1)), ("b.png", scene(3)), ("c.png", scene(5)),
                          ("portrait.png", scene(1).transpose(PillowImage.Transpose.ROTATE_90))]:
        added, not_added = upload(name, encode(picture, "PNG"))
        accepted += added
        refused += not_added
    assert refused == [] and len(accepted) == 4


def test_a_zip_with_a_copy_of_its_own_image_keeps_one() -> None:
    photo = encode(scene(4), "PNG")
    report = import_uploads(files=[("batch.zip", zip_of({"one.png": photo, "two.png": photo}))], emotion=Emotion.SAD)
    [kept] = report.accepted
    assert report.refused == [("batch.zip/two.png", f"It is an exact copy of image #{kept.pk} (Sad, pending review).")]


def test_the_fingerprint_reads_nearness_in_bits_and_colour() -> None:
    original = scene(6)
    print_ = fingerprint(picture=original, stored_jpeg=encode_jpeg(original))
    assert len(print_.digest) == 64 and len(print_.perceptual_hash) == 16 and len(print_.colour) == 6
    add_image_to_pool(picture=original, emotion=Emotion.HAPPY, source=Image.Source.UPLOADED)
    recoloured = PillowImage.merge("RGB", original.split()[::-1])  # the same shapes, red and blue swapped
    recoloured_print = fingerprint(picture=recoloured, stored_jpeg=encode_jpeg(recoloured))
    assert find_duplicate(print_=recoloured_print, orientation=Image.Orientation.LANDSCAPE) is None
    found = find_duplicate(print_=print_, orientation=Image.Orientation.LANDSCAPE)
    assert found is not None and found.exact and found.distance == 0 <= NEAR_BITS


def test_a_generated_repeat_is_kept_and_flagged(scripted_backends: type) -> None:
    # The scripted generator draws the same flat picture every time: the second is a repeat of the first.
    job = create_generation_job(emotion=Emotion.HAPPY, count=2, width=64, height=64, backend=SCRIPTED)
    run_generation_job(job=job)
    first, second = job.images.order_by("id")
    assert first.duplicate_of is None and second.duplicate_of == first
    assert second.status == Image.Status.PENDING


def test_the_migration_fingerprints_images_stored_before() -> None:
    backfill = importlib.import_module("curation.migrations.0009_fingerprint_existing_images")
    stored = ImageFactory(file=ContentFile(encode(scene(7), "JPEG", quality=90), name="old.jpeg"))
    broken = ImageFactory(file=ContentFile(b"not an image", name="broken.jpeg"))
    assert stored.perceptual_hash == ""
    backfill.fingerprint_images(apps, None)
    stored.refresh_from_db()
    broken.refresh_from_db()
    assert len(stored.pixel_digest) == 64 and len(stored.perceptual_hash) == 16 and len(stored.colour) == 6
    assert broken.perceptual_hash == ""
    # Uploading the old image's picture again is now caught.
    accepted, [(_, reason)] = upload("again.png", encode(scene(7), "PNG"))
    assert accepted == [] and f"of image #{stored.pk} " in reason


def test_a_curator_may_keep_near_copies_but_never_exact_ones(curator_client: Client) -> None:
    [first], _ = upload("lake.png", encode(scene(8), "PNG"))
    near = SimpleUploadedFile("near.jpeg", encode(scene(8), "JPEG", quality=40))
    exact = SimpleUploadedFile("exact.png", encode(scene(8), "PNG"))
    curator_client.post(reverse("admin:curation_image_upload"),
                        {"emotion": "CALM", "files": [near, exact], "keep_near_copies": "on"})
    kept = Image.objects.exclude(pk=first.pk).get()
    assert kept.duplicate_of == first
    response = curator_client.get(reverse("admin:curation_image_changelist"))
    messages = [str(message) for message in response.context["messages"]]
    assert any("exact.png: It is an exact copy of image" in message for message in messages)
