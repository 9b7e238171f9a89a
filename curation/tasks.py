"""django-q2 task entry points: ids in, services out (a task must not hold model instances across processes)."""

from curation.models import GenerationJob, SongSuggestionRun
from curation.services import run_generation_job as run_job
from curation.songs.suggestions import run_suggestions


def run_generation_job(job_id: int) -> str:
    job = run_job(job=GenerationJob.objects.get(pk=job_id))
    return f"generation job {job.pk}: {job.status}"


def run_song_suggestions(run_id: int) -> str:
    run = run_suggestions(run=SongSuggestionRun.objects.get(pk=run_id))
    return f"song suggestion run {run.pk}: {run.status}"
