import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.test import override_settings
from PIL import Image as PillowImage
from rest_framework.test import APIClient

from curation.generators.base import GenerationFailed, GenerationRequest, ImageGenerator
from curation.models import Image
from curation.services import (
    add_image_to_pool,
    approve_image,
    create_generation_job,
    reject_image,
    retire_image,
    run_generation_job,
)
from gallery.emotions import Emotion
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


class FailsOnOddSeeds(ImageGenerator):
    """A generator whose backend errors on every other image, like a flaky endpoint."""

    def generate(self, request: GenerationRequest) -> PillowImage.Image:
        if request.seed % 2:
            raise GenerationFailed("endpoint timed out")
        return PillowImage.new("RGB", (request.width, request.height), (10, 200, 90))


FLAKY_BACKENDS = {
    "face_analysis": {"BACKEND": "gallery.faces.local.LocalFaceAnalyzer"},
    "face_identity": {"BACKEND": "gallery.faces.local.LocalFaceIdentity"},
    "recommender": {"BACKEND": "recommender.engines.local.LocalRecommender"},
    "image_generation": {"BACKEND": f"{__name__}.FailsOnOddSeeds"},
}


def test_added_image_is_pending_reencoded_and_thumbnailed() -> None:
    picture = PillowImage.new("RGBA", (600, 900), (20, 40, 200, 128))
    image = add_image_to_pool(picture=picture, emotion=Emotion.SAD, source=Image.Source.UPLOADED, theme="winter")
    assert image.status == Image.Status.PENDING
    assert (image.width, image.height, image.orientation) == (600, 900, Image.Orientation.PORTRAIT)
    assert image.file.name.endswith("v.jpeg") and image.file.name.startswith("images/sad/")
    with default_storage.open(image.thumbnail.name) as thumbnail_file:
        assert PillowImage.open(thumbnail_file).size == (256, 384)


def test_generation_job_records_progress_and_per_image_errors() -> None:
    with override_settings(EMOTION_GARDEN_BACKENDS=FLAKY_BACKENDS):
        job = create_generation_job(emotion=Emotion.CALM, count=4, width=128, height=96, theme="spring")
        run_generation_job(job=job)
    job.refresh_from_db()
    assert (job.done_count, job.failed_count, job.status) == (2, 2, job.Status.DONE)
    assert [error["error"] for error in job.errors] == ["endpoint timed out"] * 2
    assert job.backend.endswith("FailsOnOddSeeds")
    assert set(job.images.values_list("status", flat=True)) == {Image.Status.PENDING}
    assert job.images.count() == 2


def test_approval_and_retirement_change_the_garden() -> None:
    client = APIClient()
    curator = get_user_model().objects.create_user("curator")
    image = ImageFactory(emotion="ANGRY")

    def garden_ids() -> list[int]:
        response = client.post("/api/v1/garden", {"emotion": "ANGRY"}, format="json")
        return [item["id"] for item in response.json()["items"]]

    assert garden_ids() == []
    approve_image(image=image, reviewer=curator)
    assert garden_ids() == [image.id]
    image.refresh_from_db()
    assert image.reviewed_by == curator and image.approved_at is not None
    retire_image(image=image, reviewer=curator)
    assert garden_ids() == []
    assert Image.objects.get(pk=image.pk).status == Image.Status.RETIRED


def test_rejection_records_the_decision() -> None:
    image = ImageFactory()
    reject_image(image=image)
    image.refresh_from_db()
    assert image.status == Image.Status.REJECTED and image.reviewed_at is not None
