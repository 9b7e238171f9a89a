"""Reads of the catalogue for curators."""

from dataclasses import dataclass

from django.db.models import Count

from curation.models import GenerationItem, GenerationJob


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
