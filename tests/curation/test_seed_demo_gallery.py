from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from PIL import Image as PillowImage

from curation.models import Image
from emotion_garden.vocabulary import Emotion

pytestmark = pytest.mark.django_db


def test_seeds_twelve_approved_images_per_emotion_in_both_orientations() -> None:
    call_command("seed_demo_gallery", stdout=StringIO())
    counts = {
        (row["emotion"], row["orientation"]): row["n"]
        for row in Image.objects.filter(status=Image.Status.APPROVED).values("emotion", "orientation").annotate(
            n=Count("id"))
    }
    for emotion in Emotion:
        assert counts[(emotion.value, "landscape")] == 6
        assert counts[(emotion.value, "portrait")] == 6
    sample = Image.objects.filter(orientation="portrait").first()
    with sample.file.open() as stored:
        assert PillowImage.open(stored).size == (512, 768)


def test_is_idempotent() -> None:
    call_command("seed_demo_gallery", per_emotion=2, stdout=StringIO())
    output = StringIO()
    call_command("seed_demo_gallery", per_emotion=2, stdout=output)
    assert Image.objects.count() == 16
    assert "already has images" in output.getvalue()
