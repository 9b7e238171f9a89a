"""Reads for the review and grid views: the pending queue, oldest first, and where an image stands in it."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from curation.models import Image


@dataclass(frozen=True)
class ReviewPosition:
    image: Image | None
    previous: Image | None
    next: Image | None
    position: int  # 1-based place of `image` in the queue; 0 when it has already been reviewed
    pending: int


def review_queue(
    *, emotion: str = "", theme: str = "", generation_job_id: int | None = None, status: str = Image.Status.PENDING
) -> QuerySet[Image]:
    """The images of `status` (pending: the pool) in the order they arrived, so a generation job is reviewed in the
    order it was made."""
    queue = Image.objects.filter(status=status).select_related("generation_job", "duplicate_of")
    if emotion:
        queue = queue.filter(emotion=emotion)
    if theme:
        queue = queue.filter(theme=theme)
    if generation_job_id is not None:
        queue = queue.filter(generation_job_id=generation_job_id)
    return queue.order_by("created_at", "id")


def review_position(*, queue: QuerySet[Image], image: Image | None = None) -> ReviewPosition:
    """`image` (by default the head of the queue) with its neighbours in the queue, which it need not be part of."""
    current = image or queue.first()
    if current is None:
        return ReviewPosition(image=None, previous=None, next=None, position=0, pending=0)
    earlier = _before(queue, current)
    in_queue = queue.filter(pk=current.pk).exists()
    return ReviewPosition(
        image=current,
        previous=earlier.order_by("-created_at", "-id").first(),
        next=_after(queue, current).first(),
        position=earlier.count() + 1 if in_queue else 0,
        pending=queue.count(),
    )


def next_to_review(*, queue: QuerySet[Image], after: Image) -> Image | None:
    """What to show once `after` is decided: the image behind it, else the oldest one skipped on the way."""
    return _after(queue, after).first() or queue.first()


def _before(queue: QuerySet[Image], image: Image) -> QuerySet[Image]:
    return queue.filter(Q(created_at__lt=image.created_at) | Q(created_at=image.created_at, id__lt=image.pk))


def _after(queue: QuerySet[Image], image: Image) -> QuerySet[Image]:
    return queue.filter(Q(created_at__gt=image.created_at) | Q(created_at=image.created_at, id__gt=image.pk))


def image_themes(*, limit: int = 100) -> list[str]:
    """The themes images have, alphabetically: the choices of the theme filter (search finds the rarer ones)."""
    themes = Image.objects.exclude(theme="").order_by("theme").values_list("theme", flat=True).distinct()
    return list(themes[:limit])
