"""Fill an empty catalogue with procedural demo art and the offline song catalogue, so a fresh install has something
to show. Idempotent."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from curation.models import GenerationJob, Image
from curation.selectors import job_progress
from curation.services import approve_image, create_generation_job, run_generation_job
from curation.songs.services import seed_catalogue
from emotion_garden.vocabulary import Emotion

SIZES = {"landscape": (768, 512), "portrait": (512, 768)}


class Command(BaseCommand):
    help = "Generate, approve and publish a demo gallery of emotion images and songs (no download needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-emotion", type=int, default=12, help="Images per emotion, half of them portrait.")
        parser.add_argument("--force", action="store_true",
                            help="Add a demo set even if the catalogue has images, and any missing catalogue songs.")

    def handle(self, *args: Any, per_emotion: int, force: bool, **options: Any) -> None:
        songs = seed_catalogue(only_if_empty=not force)
        self.stdout.write(f"{songs} songs of the offline catalogue approved." if songs else
                          "The catalogue already has songs.")
        if not force and Image.objects.exists():
            self.stdout.write("The catalogue already has images; use --force to add a demo set anyway.")
            return
        for emotion in Emotion:
            for orientation, (width, height) in SIZES.items():
                count = per_emotion // 2 + (per_emotion % 2 if orientation == "landscape" else 0)
                job = create_generation_job(emotion=emotion, count=count, width=width, height=height,
                                            prompt=f"procedural {emotion.label.lower()} garden")
                run_generation_job(job=job)
                with transaction.atomic():
                    for image in job.images.filter(status=Image.Status.PENDING):
                        approve_image(image=image)
                self._report(job, emotion, orientation)

    def _report(self, job: GenerationJob, emotion: Emotion, orientation: str) -> None:
        progress = job_progress(job=job)
        self.stdout.write(f"{emotion.value:<10} {orientation:<9} {progress.done} approved, {progress.failed} failed")
