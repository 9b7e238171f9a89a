"""Fill an empty catalogue with procedural demo art and the offline song catalogue, so a fresh install has something
to show. Idempotent.

Every emotion gets themed images: the original Emotion Garden page's default favorite ("spring,cloudy,day") three
times, so that page shows a full row out of the box, then the other fifteen season x weather pairs, each at a time of
day chosen so that every season and every weather meets every time of day once, then two without a theme (the
original pages that ask for an emotion alone, such as dummygenerator.html and viewer.html with no favorite, find
exactly those), then a few with an animal.
"""

import time
from itertools import cycle
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from curation.models import GenerationJob, Image
from curation.selectors import job_progress
from curation.services import approve_image, create_generation_job, run_generation_job
from curation.songs.services import seed_catalogue
from emotion_garden.arguments import at_least
from emotion_garden.themes import Season, TimeOfDay, Weather, all_combinations
from emotion_garden.vocabulary import Emotion

# Small enough that 176 images take seconds, large enough for the pages (EG's garden shows them 400 pixels wide).
SIZES = {"landscape": (480, 320), "portrait": (320, 480)}
DEFAULT_FAVORITE = all_combinations()[0]  # "spring,cloudy,day", selected on the original garden page
NO_THEME = ""
ANIMAL_THEMES = ["summer,sunny,day,dog", "autumn,cloudy,sunset,cat", "winter,snowy,the-early-dawn,rabbit",
                 "spring,sunny,day,butterfly", "summer,rainy,sunset,bird"]


def demo_themes(count: int) -> list[tuple[str, str]]:
    """The first `count` (theme, orientation) pairs of an emotion's demo set."""
    times = TimeOfDay.values
    pairs = [
        f"{season},{weather},{times[(si + wi) % len(times)]}"
        for si, season in enumerate(Season.values) for wi, weather in enumerate(Weather.values)
    ]
    # A Latin square: each season and each weather meets each time of day once; spring,cloudy falls on "day".
    assert pairs[0] == DEFAULT_FAVORITE
    themes = [DEFAULT_FAVORITE] * 3 + pairs[1:] + [NO_THEME] * 2 + ANIMAL_THEMES
    orientations = cycle(["landscape", "portrait"])
    plan = [(theme, next(orientations)) for theme in themes]
    return [plan[index % len(plan)] for index in range(count)]


class Command(BaseCommand):
    help = "Generate, approve and publish a demo gallery of themed emotion images and songs (no download needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-emotion", type=at_least(0), default=22,
                            help="Images per emotion: 3 of spring,cloudy,day, the 15 other season x weather pairs, "
                                 "2 without a theme, then animals (default 22).")
        parser.add_argument("--force", action="store_true",
                            help="Add a demo set even if the catalogue has images, and any missing catalogue songs.")

    def handle(self, *args: Any, per_emotion: int, force: bool, **options: Any) -> None:
        songs = seed_catalogue(only_if_empty=not force)
        self.stdout.write(f"{songs} songs of the offline catalogue approved." if songs else
                          "The catalogue already has songs.")
        if not force and Image.objects.exists():
            self.stdout.write("The catalogue already has images; use --force to add a demo set anyway.")
            return
        started = time.monotonic()
        approved = failed = 0
        for emotion in Emotion:
            # One job per theme and orientation: a job's images share both.
            wanted: dict[tuple[str, str], int] = {}
            for theme_and_orientation in demo_themes(per_emotion):
                wanted[theme_and_orientation] = wanted.get(theme_and_orientation, 0) + 1
            for (theme, orientation), count in wanted.items():
                job = self._run(emotion, theme, orientation, count)
                progress = job_progress(job=job)
                approved, failed = approved + progress.done, failed + progress.failed
            self.stdout.write(f"{emotion.value:<10} {len(wanted)} themes")
        self.stdout.write(f"Demo gallery: {approved} images approved, {failed} failed, "
                          f"in {time.monotonic() - started:.1f} s.")

    def _run(self, emotion: Emotion, theme: str, orientation: str, count: int) -> GenerationJob:
        width, height = SIZES[orientation]
        job = create_generation_job(emotion=emotion, count=count, width=width, height=height, theme=theme,
                                    prompt=f"a {emotion.value.lower()} garden")
        run_generation_job(job=job)
        with transaction.atomic():
            for image in job.images.filter(status=Image.Status.PENDING):
                approve_image(image=image)
        return job
