"""django-q2 task entry points: ids in, services out (a task must not hold model instances across processes)."""

from curation.models import GenerationJob
from curation.services import run_generation_job as run_job


def run_generation_job(job_id: int) -> str:
    job = run_job(job=GenerationJob.objects.get(pk=job_id))
    return f"generation job {job.pk}: {job.status}"
