"""Writes to the image catalogue: adding images to the pool, generation jobs, and the review decisions."""

import logging
import time
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_q.tasks import async_task
from PIL import Image as PillowImage

from curation.duplicates import Duplicate, find_duplicate, fingerprint
from curation.generators import DEFAULT_GENERATOR, available_generators, image_generator
from curation.generators.base import GenerationFailed, GenerationRequest, ImageGenerator
from curation.models import GenerationItem, GenerationJob, Image, PromptTemplate, Track, validate_image_name
from curation.placeholders import PromptError
from curation.prompts import render_prompt
from curation.signals import image_corrected, image_published, image_withdrawn
from emotion_garden.imaging import InvalidImage, check_proportions, encode_jpeg, thumbnail_jpeg
from emotion_garden.themes import checked_theme
from emotion_garden.vocabulary import Emotion

logger = logging.getLogger(__name__)

MIN_SIDE, MAX_SIDE = 64, 2048
# The longest side of a catalogue image at most this many times its shortest: the generators make 1.6 at most
# (1280x800), the demo 1.5; a 20000x20 upload had made a 384x1 thumbnail that nothing could measure or show.
MAX_ASPECT_RATIO = 4
MAX_JOB_IMAGES = 500


class DuplicateImage(ValueError):
    """The picture repeats an image of the catalogue; `duplicate` says which."""

    def __init__(self, duplicate: Duplicate) -> None:
        super().__init__(duplicate.reason)
        self.duplicate = duplicate


def add_image_to_pool(
    *,
    picture: PillowImage.Image,
    emotion: Emotion,
    source: Image.Source,
    theme: str = "",
    prompt: str = "",
    name: str = "",
    generation_job: GenerationJob | None = None,
    refuse_exact_copies: bool = False,
    refuse_near_copies: bool = False,
) -> Image:
    """Store a re-encoded JPEG and its thumbnail as a pending image. No row exists unless both files do.

    `name` is the file name clients know the image by (unique within its emotion and theme); by default a fresh
    one ending in the orientation letter, as the original clients expect. A picture that repeats an image of the
    catalogue, exactly or nearly, raises DuplicateImage when asked to refuse such copies, and is otherwise stored
    flagged with duplicate_of. A picture too narrow or too elongated to show (check_picture_shape) raises
    InvalidImage.
    """
    check_picture_shape(width=picture.width, height=picture.height)
    image = Image(
        emotion=emotion,
        theme=checked_theme(theme),
        prompt=prompt,
        source=source,
        generation_job=generation_job,
        width=picture.width,
        height=picture.height,
        orientation=Image.Orientation.PORTRAIT if picture.height > picture.width else Image.Orientation.LANDSCAPE,
    )
    image.name = name or f"{uuid.uuid4().hex}{image.orientation_letter}.jpeg"
    validate_image_name(image.name)
    stored = encode_jpeg(picture)
    print_ = fingerprint(picture=picture, stored_jpeg=stored)
    image.pixel_digest, image.perceptual_hash, image.colour = print_.digest, print_.perceptual_hash, print_.colour
    duplicate = find_duplicate(print_=print_, orientation=image.orientation)
    if duplicate is not None and (refuse_exact_copies if duplicate.exact else refuse_near_copies):
        raise DuplicateImage(duplicate)
    image.duplicate_of = duplicate.image if duplicate else None
    image.file.save("image.jpeg", ContentFile(stored), save=False)
    try:
        image.thumbnail.save("thumbnail.jpeg", ContentFile(thumbnail_jpeg(picture)), save=False)
        with transaction.atomic():  # a savepoint: a refused row leaves the caller's transaction usable
            image.save()
    except Exception:
        # Never leave files behind that no row points to.
        image.file.delete(save=False)
        if image.thumbnail:
            image.thumbnail.delete(save=False)
        raise
    return image


def check_picture_shape(*, width: int, height: int) -> None:
    """InvalidImage (a ValueError) unless a catalogue image may have this size: each side MIN_SIDE pixels or more,
    the longer at most MAX_ASPECT_RATIO times the shorter."""
    check_proportions(width=width, height=height, min_side=MIN_SIDE, max_aspect=MAX_ASPECT_RATIO)


@transaction.atomic
def create_generation_job(
    *,
    emotion: Emotion,
    count: int,
    width: int,
    height: int,
    theme: str = "",
    prompt: str = "",
    backend: str = DEFAULT_GENERATOR,
    prompt_template: PromptTemplate | None = None,
    file_stem: str = "",
    first_index: int = 0,
    created_by: AbstractBaseUser | None = None,
) -> GenerationJob:
    """A job of `count` images, numbered from `first_index`; queue it with queue_generation_job(). Raises ValueError
    for a backend, size or count it cannot make (or a template whose negative text cannot be filled in), and
    ValidationError for a theme or file stem no image may have: found only when the first image was stored, it left
    the job "running" for ever. The template's negative text is filled in and kept as the job's negative prompt."""
    theme = checked_theme(theme)
    if file_stem:
        validate_image_name(file_stem)
    if backend not in available_generators():
        raise ValueError(f"{backend!r} is not a configured image generator.")
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValueError(f"Images must be {MIN_SIDE} to {MAX_SIDE} pixels a side, not {width}x{height}.")
    check_picture_shape(width=width, height=height)
    if not 1 <= count <= MAX_JOB_IMAGES:
        raise ValueError(f"A job makes 1 to {MAX_JOB_IMAGES} images, not {count}.")
    job = GenerationJob.objects.create(
        emotion=emotion, theme=theme, prompt=prompt, prompt_template=prompt_template, count=count, width=width,
        height=height, backend=backend, file_stem=file_stem,
        negative_prompt=_negative_prompt(prompt_template, emotion=emotion, theme=theme),
        created_by=created_by if created_by and created_by.is_authenticated else None,
    )
    GenerationItem.objects.bulk_create(
        GenerationItem(job=job, index=index) for index in range(first_index, first_index + count)
    )
    return job


def _negative_prompt(template: PromptTemplate | None, *, emotion: Emotion, theme: str) -> str:
    if template is None or not template.negative_text.strip():
        return ""
    try:
        return render_prompt(text=template.negative_text, emotion=emotion, theme=theme)
    except PromptError as error:  # a template saved before its negative text was checked
        raise PromptError(gettext("The negative text of “%(template)s” cannot be used: %(reason)s")
                          % {"template": template, "reason": error}) from None


def queue_generation_job(*, job: GenerationJob) -> None:
    """Run the job in a django-q2 worker once the current transaction has committed."""
    transaction.on_commit(
        lambda: async_task("curation.tasks.run_generation_job", job.pk, task_name=f"generation-job-{job.pk}")
    )


def run_generation_job(*, job: GenerationJob) -> GenerationJob:
    """Generate the job's pending images into the pool, one at a time, until done or cancelled.

    Each image is tried up to GENERATION_ATTEMPTS times with exponential backoff; its last error is kept.
    """
    GenerationJob.objects.filter(pk=job.pk, status=GenerationJob.Status.QUEUED).update(
        status=GenerationJob.Status.RUNNING, started_at=timezone.now()
    )
    generator = image_generator(job.backend)
    job.undrawn_words = generator.undrawable_words(_request(job, index=0))
    GenerationJob.objects.filter(pk=job.pk).update(undrawn_words=job.undrawn_words)
    # Items are fetched one by one, so that a cancel (which marks the pending ones cancelled) stops the loop.
    try:
        while (item := job.items.filter(status=GenerationItem.Status.PENDING).order_by("index").first()) is not None:
            _generate_item(job, item, generator)
    except Exception as error:
        # Anything unforeseen ends the job as failed, with the reason on its images, not "running" for ever.
        job.items.filter(status=GenerationItem.Status.PENDING).update(
            status=GenerationItem.Status.FAILED, error=f"The job stopped: {error}")
        _finish_generation_job(job)
        raise
    return _finish_generation_job(job)


def _finish_generation_job(job: GenerationJob) -> GenerationJob:
    job.refresh_from_db()
    if job.status != GenerationJob.Status.CANCELLED:
        job.status = GenerationJob.Status.DONE if job.items.filter(
            status=GenerationItem.Status.DONE).exists() else GenerationJob.Status.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    return job


def _request(job: GenerationJob, *, index: int) -> GenerationRequest:
    return GenerationRequest(emotion=job.emotion, theme=job.theme, prompt=job.prompt, width=job.width,
                             height=job.height, seed=job.pk * 10_000 + index, negative_prompt=job.negative_prompt)


def _generate_item(job: GenerationJob, item: GenerationItem, generator: ImageGenerator) -> None:
    request = _request(job, index=item.index)
    for attempt in range(1, settings.GENERATION_ATTEMPTS + 1):
        item.attempts += 1
        try:
            picture = generator.generate(request)
            if not isinstance(picture, PillowImage.Image):
                raise GenerationFailed(f"The backend answered with {type(picture).__name__}, not an image.")
            image = add_image_to_pool(
                picture=picture, emotion=Emotion(job.emotion), source=Image.Source.GENERATED, theme=job.theme,
                prompt=job.prompt, generation_job=job, name=_item_name(job, item),
            )
        except IntegrityError:
            # Another image already has this name in its emotion and theme: no retry can fix that.
            item.error = f"An image named {_item_name(job, item)} already exists in this emotion and theme."
            break
        except InvalidImage as error:  # a picture of a shape the catalogue refuses: the same again next time
            item.error = error.message
            break
        except GenerationFailed as error:
            logger.warning("Generation job %s image %s, attempt %s: %s", job.pk, item.index, attempt, error)
            item.error = str(error)
            if attempt < settings.GENERATION_ATTEMPTS:
                time.sleep(settings.GENERATION_RETRY_SECONDS * 2 ** (attempt - 1))
            continue
        item.status, item.image, item.error = GenerationItem.Status.DONE, image, ""
        break
    if item.status != GenerationItem.Status.DONE:
        item.status = GenerationItem.Status.FAILED
    # Only this item's own row: a concurrent cancel must not be overwritten for the others.
    GenerationItem.objects.filter(pk=item.pk, status=GenerationItem.Status.PENDING).update(
        status=item.status, attempts=item.attempts, error=item.error, image=item.image
    )


def _item_name(job: GenerationJob, item: GenerationItem) -> str:
    return f"{job.file_stem}_{item.index}{job.orientation_letter}.jpeg" if job.file_stem else ""


@transaction.atomic
def cancel_generation_job(*, job: GenerationJob) -> None:
    """Stop a queued or running job after the image in progress; the images made so far stay in the pool."""
    if job.status not in (GenerationJob.Status.QUEUED, GenerationJob.Status.RUNNING):
        return
    job.items.filter(status=GenerationItem.Status.PENDING).update(status=GenerationItem.Status.CANCELLED)
    job.status = GenerationJob.Status.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])


@transaction.atomic
def retry_failed_items(*, job: GenerationJob) -> int:
    """Queue the job's failed images again; returns how many."""
    retried = job.items.filter(status=GenerationItem.Status.FAILED).update(status=GenerationItem.Status.PENDING)
    if retried:
        job.status = GenerationJob.Status.QUEUED
        job.finished_at = None
        job.save(update_fields=["status", "finished_at"])
        queue_generation_job(job=job)
    return retried


@transaction.atomic
def approve_image(*, image: Image, reviewer: AbstractBaseUser | None = None) -> Image:
    """Move an image into the gallery and publish it (to the recommender, which listens to image_published)."""
    now = timezone.now()
    image.status = Image.Status.APPROVED
    image.approved_at = now
    record_review(image, reviewer, now)
    image_published.send(sender=Image, image=image)
    return image


@transaction.atomic
def reject_image(*, image: Image, reviewer: AbstractBaseUser | None = None) -> Image:
    was_live = image.status == Image.Status.APPROVED
    image.status = Image.Status.REJECTED
    record_review(image, reviewer, timezone.now())
    if was_live:
        image_withdrawn.send(sender=Image, image=image)
    return image


@transaction.atomic
def retire_image(*, image: Image, reviewer: AbstractBaseUser | None = None) -> Image:
    """Take an image out of the gallery (and the recommender) for good, keeping its history."""
    image.status = Image.Status.RETIRED
    record_review(image, reviewer, timezone.now())
    image_withdrawn.send(sender=Image, image=image)
    return image


@transaction.atomic
def return_image_to_pool(*, image: Image) -> Image:
    """Put an image back in the pool as if never reviewed (out of the gallery if it was live): an undone decision."""
    was_live = image.status == Image.Status.APPROVED
    image.status, image.approved_at, image.reviewed_at, image.reviewed_by = Image.Status.PENDING, None, None, None
    image.save(update_fields=["status", "approved_at", "reviewed_at", "reviewed_by"])
    if was_live:
        image_withdrawn.send(sender=Image, image=image)
    return image


def set_image_status(*, image: Image, status: str, reviewer: AbstractBaseUser | None = None) -> Image:
    """Give an image `status` through the decision that leads there, so the gallery and recommender follow."""
    if status == Image.Status.PENDING:
        return return_image_to_pool(image=image)
    decide = {Image.Status.APPROVED: approve_image, Image.Status.REJECTED: reject_image,
              Image.Status.RETIRED: retire_image}[Image.Status(status)]
    return decide(image=image, reviewer=reviewer)


@transaction.atomic
def decide_images(*, images: list[Image], status: str,
                  reviewer: AbstractBaseUser | None = None) -> tuple[list[tuple[Image, str]], int]:
    """Give each image `status` (set_image_status), each read again under a lock of its row first, in id order: the
    list was read a moment ago, and an image removed meanwhile (/removePool) made the whole batch fail with the
    decisions before it made but never logged. Returns the (image, status before) of each image that changed, and
    how many were gone; one that has the status already is left alone."""
    decisions, gone = [], 0
    for image in sorted(images, key=lambda image: image.pk):
        try:
            image.refresh_from_db(from_queryset=Image.objects.select_for_update())
        except Image.DoesNotExist:
            gone += 1
            continue
        if image.status != status:
            before = image.status
            set_image_status(image=image, status=status, reviewer=reviewer)
            decisions.append((image, before))
    return decisions, gone


@transaction.atomic
def correct_image(*, image: Image, emotion: str, theme: str) -> list[str]:
    """Refile an image under another emotion or theme, whatever its status; returns the fields that changed.

    A live image is announced with image_corrected, so that the recommender recomputes what it knows of it. Raises
    ValidationError for a theme word emotion_garden.themes.checked_theme refuses, or when another image of that
    emotion and theme has the same name.
    """
    theme = checked_theme(theme)
    changed = [field for field, value in (("emotion", emotion), ("theme", theme)) if getattr(image, field) != value]
    if not changed:
        return []
    image.emotion, image.theme = emotion, theme
    image.validate_constraints()
    if image.status != Image.Status.APPROVED:
        image.save(update_fields=changed)
        return changed
    # A correction is a review: its time is also what tells every process's recommender that the live catalogue
    # changed (ItemKind.version), without which their cached catalogue kept the old emotion and theme.
    image.reviewed_at = timezone.now()
    image.save(update_fields=[*changed, "reviewed_at"])
    image_corrected.send(sender=Image, image=image, fields=changed)
    return changed


@transaction.atomic
def delete_image(*, image: Image) -> None:
    """Remove an image for good: out of the recommender first if it was live, then its row, then its files.

    The files go only after the transaction commits, so a failed delete never leaves a row without its file.
    """
    if image.status == Image.Status.APPROVED:
        image_withdrawn.send(sender=Image, image=image)
    files = [field.name for field in (image.file, image.thumbnail) if field]
    storage = image.file.storage
    image.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files])


def record_review(item: Image | Track, reviewer: AbstractBaseUser | None, when: datetime) -> None:
    """Save a reviewed image's or track's new status with who decided it and when (an anonymous reviewer as nobody)."""
    item.reviewed_at = when
    item.reviewed_by = reviewer if reviewer is not None and reviewer.is_authenticated else None
    item.save(update_fields=["status", "approved_at", "reviewed_at", "reviewed_by"])
