"""Writes to the image catalogue: adding images to the pool, generation jobs, and the review decisions."""

import logging
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PillowImage

from curation.generators import image_generator
from curation.generators.base import GenerationFailed, GenerationRequest
from curation.models import GenerationJob, Image
from emotion_garden.imaging import encode_jpeg, thumbnail_jpeg
from gallery.emotions import Emotion
from recommender.engines import recommender_engine

logger = logging.getLogger(__name__)


def add_image_to_pool(
    *,
    picture: PillowImage.Image,
    emotion: Emotion,
    source: Image.Source,
    theme: str = "",
    prompt: str = "",
    generation_job: GenerationJob | None = None,
) -> Image:
    """Store a re-encoded JPEG and its thumbnail as a pending image. No row exists unless both files do."""
    image = Image(
        emotion=emotion,
        theme=theme,
        prompt=prompt,
        source=source,
        generation_job=generation_job,
        width=picture.width,
        height=picture.height,
        orientation=Image.Orientation.PORTRAIT if picture.height > picture.width else Image.Orientation.LANDSCAPE,
    )
    image.file.save("image.jpeg", ContentFile(encode_jpeg(picture)), save=False)
    try:
        image.thumbnail.save("thumbnail.jpeg", ContentFile(thumbnail_jpeg(picture)), save=False)
        image.save()
    except Exception:
        # Never leave files behind that no row points to.
        image.file.delete(save=False)
        if image.thumbnail:
            image.thumbnail.delete(save=False)
        raise
    return image


def create_generation_job(
    *,
    emotion: Emotion,
    count: int,
    width: int,
    height: int,
    theme: str = "",
    prompt: str = "",
    created_by: AbstractBaseUser | None = None,
) -> GenerationJob:
    generator = image_generator()
    return GenerationJob.objects.create(
        emotion=emotion,
        theme=theme,
        prompt=prompt,
        count=count,
        width=width,
        height=height,
        backend=f"{type(generator).__module__}.{type(generator).__qualname__}",
        created_by=created_by,
    )


def run_generation_job(*, job: GenerationJob) -> GenerationJob:
    """Generate the job's images into the pool, one at a time, recording progress and per-image errors."""
    generator = image_generator()
    GenerationJob.objects.filter(pk=job.pk).update(status=GenerationJob.Status.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    for index in range(job.done_count + job.failed_count, job.count):
        request = GenerationRequest(
            emotion=job.emotion, theme=job.theme, prompt=job.prompt, width=job.width, height=job.height,
            seed=job.pk * 1000 + index,
        )
        try:
            picture = generator.generate(request)
            add_image_to_pool(
                picture=picture, emotion=Emotion(job.emotion), source=Image.Source.GENERATED, theme=job.theme,
                prompt=job.prompt, generation_job=job,
            )
            job.done_count += 1
        except GenerationFailed as error:
            logger.warning("Generation job %s image %s failed: %s", job.pk, index, error)
            job.failed_count += 1
            job.errors = [*job.errors, {"index": index, "error": str(error)}]
        job.save(update_fields=["done_count", "failed_count", "errors"])
    job.status = GenerationJob.Status.DONE if job.done_count else GenerationJob.Status.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    return job


@transaction.atomic
def approve_image(*, image: Image, reviewer: AbstractBaseUser | None = None) -> Image:
    """Move an image into the gallery and publish it to the recommender."""
    now = timezone.now()
    image.status = Image.Status.APPROVED
    image.approved_at = now
    _record_review(image, reviewer, now)
    recommender_engine().publish_item(image)
    return image


@transaction.atomic
def reject_image(*, image: Image, reviewer: AbstractBaseUser | None = None) -> Image:
    was_live = image.status == Image.Status.APPROVED
    image.status = Image.Status.REJECTED
    _record_review(image, reviewer, timezone.now())
    if was_live:
        recommender_engine().retire_item(image)
    return image


@transaction.atomic
def retire_image(*, image: Image, reviewer: AbstractBaseUser | None = None) -> Image:
    """Take an image out of the gallery (and the recommender) for good, keeping its history."""
    image.status = Image.Status.RETIRED
    _record_review(image, reviewer, timezone.now())
    recommender_engine().retire_item(image)
    return image


def _record_review(image: Image, reviewer: AbstractBaseUser | None, when: datetime) -> None:
    image.reviewed_at = when
    image.reviewed_by = reviewer if reviewer is not None and reviewer.is_authenticated else None
    image.save(update_fields=["status", "approved_at", "reviewed_at", "reviewed_by"])
