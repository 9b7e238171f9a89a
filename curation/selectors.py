"""Reads of the catalogue for curators."""

from dataclasses import dataclass

from django.db.models import Count

from curation.models import GenerationItem, GenerationJob, Image


@dataclass(frozen=True)
class JobProgress:
    total: int
    done: int
    failed: int
    cancelled: int

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.failed - self.cancelled

    @property
    def percent(self) -> int:
        return round(100 * (self.done + self.failed + self.cancelled) / self.total) if self.total else 100


def job_progress(*, job: GenerationJob) -> JobProgress:
    counts = dict(job.items.values_list("status").annotate(n=Count("id")).order_by())
    return JobProgress(
        total=sum(counts.values()),
        done=counts.get(GenerationItem.Status.DONE, 0),
        failed=counts.get(GenerationItem.Status.FAILED, 0),
        cancelled=counts.get(GenerationItem.Status.CANCELLED, 0),
    )


def garden_sample(*, size: int) -> list[Image]:
    """A few approved images for a page to open with, before anyone's emotion is known: the newest of each emotion
    first, so the sample shows the garden's range, then the next newest. One query over the newest few."""
    newest = Image.objects.filter(status=Image.Status.APPROVED).order_by("-approved_at", "-pk")[: size * 8]
    firsts: list[Image] = []
    others: list[Image] = []
    emotions: set[str] = set()
    for image in newest:
        (others if image.emotion in emotions else firsts).append(image)
        emotions.add(image.emotion)
    return (firsts + others)[:size]
