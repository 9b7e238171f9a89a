from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image as PillowImage
from rest_framework.test import APIClient

from curation import services
from curation.models import GenerationItem, GenerationJob, Image
from curation.selectors import JobProgress, job_progress
from curation.services import (
    add_image_to_pool,
    approve_image,
    cancel_generation_job,
    create_generation_job,
    delete_image,
    queue_generation_job,
    reject_image,
    retire_image,
    retry_failed_items,
    run_generation_job,
)
from emotion_garden.vocabulary import Emotion
from tests.curation.curation_helpers import SCRIPTED, ScriptedGenerator, garden_ids
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def test_added_image_is_pending_reencoded_and_thumbnailed() -> None:
    picture = PillowImage.new("RGBA", (600, 900), (20, 40, 200, 128))
    image = add_image_to_pool(picture=picture, emotion=Emotion.SAD, source=Image.Source.UPLOADED, theme="winter")
    assert image.status == Image.Status.PENDING
    assert (image.width, image.height, image.orientation) == (600, 900, Image.Orientation.PORTRAIT)
    assert image.file.name.endswith("v.jpeg") and image.file.name.startswith("images/sad/")
    with default_storage.open(image.thumbnail.name) as thumbnail_file:
        assert PillowImage.open(thumbnail_file).size == (256, 384)


def test_generation_job_runs_in_the_worker_and_retries_a_failed_image(
    scripted_backends: type[ScriptedGenerator], django_capture_on_commit_callbacks  # noqa: ANN001 (pytest-django fixture)
) -> None:
    scripted_backends.broken, scripted_backends.hiccup = {1}, {2}
    with django_capture_on_commit_callbacks(execute=True):
        job = create_generation_job(emotion=Emotion.CALM, count=4, width=128, height=96, theme="spring",
                                    backend=SCRIPTED)
        queue_generation_job(job=job)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE
    assert job_progress(job=job) == JobProgress(total=4, done=3, failed=1, cancelled=0)
    failed = job.items.get(status=GenerationItem.Status.FAILED)
    assert (failed.index, failed.attempts, failed.error) == (1, 3, "endpoint timed out")
    assert job.items.get(index=2).attempts == 2  # a hiccup is retried, not failed
    assert set(job.images.values_list("status", flat=True)) == {Image.Status.PENDING}  # the pool, not the gallery

    scripted_backends.broken = set()
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_items(job=job) == 1
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE
    assert job_progress(job=job) == JobProgress(total=4, done=4, failed=0, cancelled=0)
    assert job.images.count() == 4


def test_failed_images_leave_no_files_behind(scripted_backends: type[ScriptedGenerator]) -> None:
    scripted_backends.broken = {0, 1}
    before = {path for path in Path(default_storage.location).rglob("*") if path.is_file()}
    job = create_generation_job(emotion=Emotion.SAD, count=2, width=64, height=64, backend=SCRIPTED)
    run_generation_job(job=job)
    after = {path for path in Path(default_storage.location).rglob("*") if path.is_file()}
    assert after == before
    assert GenerationJob.objects.get(pk=job.pk).status == GenerationJob.Status.FAILED


def test_cancel_stops_the_remaining_images() -> None:
    job = create_generation_job(emotion=Emotion.FEAR, count=3, width=64, height=64)
    cancel_generation_job(job=job)
    run_generation_job(job=job)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.CANCELLED
    assert job_progress(job=job) == JobProgress(total=3, done=0, failed=0, cancelled=3)
    assert not job.images.exists()


def test_images_are_named_after_the_file_stem() -> None:
    job = create_generation_job(emotion=Emotion.HAPPY, count=2, width=96, height=64, file_stem="img_20230423",
                                first_index=5)
    run_generation_job(job=job)
    assert sorted(job.images.values_list("name", flat=True)) == ["img_20230423_5h.jpeg", "img_20230423_6h.jpeg"]


def test_unknown_generator_is_refused() -> None:
    with pytest.raises(ValueError, match="not a configured image generator"):
        create_generation_job(emotion=Emotion.HAPPY, count=1, width=64, height=64, backend="image_generation.gpu")


def test_approval_and_retirement_change_the_garden() -> None:
    curator = get_user_model().objects.create_user("curator")
    image = ImageFactory(emotion="ANGRY")

    assert garden_ids("ANGRY") == set()
    approve_image(image=image, reviewer=curator)
    assert garden_ids("ANGRY") == {image.id}
    image.refresh_from_db()
    assert image.reviewed_by == curator and image.approved_at is not None
    retire_image(image=image, reviewer=curator)
    assert garden_ids("ANGRY") == set()
    assert Image.objects.get(pk=image.pk).status == Image.Status.RETIRED


def test_rejection_records_the_decision() -> None:
    image = ImageFactory()
    reject_image(image=image)
    image.refresh_from_db()
    assert image.status == Image.Status.REJECTED and image.reviewed_at is not None


def test_delete_removes_the_image_from_the_garden_and_its_files(
    django_capture_on_commit_callbacks  # noqa: ANN001 (pytest-django fixture)
) -> None:
    picture = PillowImage.new("RGB", (120, 80), (200, 30, 30))
    image = approve_image(image=add_image_to_pool(picture=picture, emotion=Emotion.ANGRY,
                                                  source=Image.Source.UPLOADED))
    files = [image.file.name, image.thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        delete_image(image=image)
    assert not Image.objects.filter(pk=image.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    response = APIClient().post("/api/v1/garden", {"emotion": "ANGRY"}, format="json")
    assert response.json()["items"] == []


@pytest.mark.parametrize(("count", "width", "height"), [(0, 64, 64), (501, 64, 64), (1, 0, 64), (1, 64, 4096)])
def test_job_sizes_and_counts_are_checked(count: int, width: int, height: int) -> None:
    with pytest.raises(ValueError):
        create_generation_job(emotion=Emotion.HAPPY, count=count, width=width, height=height)
    assert not GenerationJob.objects.exists()


def test_a_name_already_taken_fails_that_image_not_the_job() -> None:
    first = create_generation_job(emotion=Emotion.CALM, count=1, width=64, height=64, file_stem="img_x")
    run_generation_job(job=first)
    again = create_generation_job(emotion=Emotion.CALM, count=2, width=64, height=64, file_stem="img_x")
    run_generation_job(job=again)
    again.refresh_from_db()
    assert again.status == GenerationJob.Status.DONE
    clash = again.items.get(index=0)
    assert (clash.status, clash.attempts) == (GenerationItem.Status.FAILED, 1)
    assert "already exists" in clash.error
    assert again.items.get(index=1).status == GenerationItem.Status.DONE


def test_a_theme_no_image_may_have_is_refused_when_the_job_is_made() -> None:
    """Found only when the first image was stored, it left the job "running" for ever (the outside probe's /bulk)."""
    with pytest.raises(ValidationError):
        create_generation_job(emotion=Emotion.HAPPY, count=1, width=64, height=64, theme="a.b")
    with pytest.raises(ValidationError):
        create_generation_job(emotion=Emotion.HAPPY, count=1, width=64, height=64, file_stem="a/b")
    assert not GenerationJob.objects.exists()


def test_a_job_that_stops_on_something_unforeseen_ends_failed_with_the_reason(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    job = create_generation_job(emotion=Emotion.HAPPY, count=2, width=64, height=64)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "add_image_to_pool", broken)
    with pytest.raises(RuntimeError):
        run_generation_job(job=job)

    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED and job.finished_at is not None
    assert {(item.status, item.error) for item in job.items.all()} == {
        (GenerationItem.Status.FAILED, "The job stopped: the database went away")}
