"""Ask a song suggester for songs of an emotion; they land as pending tracks for a curator to review."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.songs.suggesters import DEFAULT_SUGGESTER, available_suggesters
from curation.songs.suggestions import MAX_RUN_SONGS, create_suggestion_run, queue_suggestion_run, run_suggestions
from emotion_garden.vocabulary import Emotion


class Command(BaseCommand):
    help = "Suggest songs for an emotion with a configured suggester and add them as pending tracks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--emotion", required=True, choices=[emotion.value for emotion in Emotion],
                            type=str.upper)
        parser.add_argument("--count", type=int, default=10, help=f"Songs to ask for (1-{MAX_RUN_SONGS}).")
        parser.add_argument("--backend", default=DEFAULT_SUGGESTER,
                            help=f"One of the configured suggesters: {', '.join(available_suggesters())}.")
        parser.add_argument("--queue", action="store_true",
                            help="Hand the run to the task workers instead of running it here and printing its items.")

    def handle(self, *args: Any, emotion: str, count: int, backend: str, queue: bool, **options: Any) -> None:
        try:
            run = create_suggestion_run(emotion=Emotion.parse(emotion), count=count, backend=backend)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if queue:
            queue_suggestion_run(run=run)
            self.stdout.write(f"Song suggestion run {run.pk} queued.")
            return
        run = run_suggestions(run=run)
        for item in run.items.order_by("index"):
            self.stdout.write(f"{item.index:>3} {item.get_outcome_display():<28} {item.title} — {item.artist}"
                              + (f"  ({item.message})" if item.message else ""))
        if run.error:
            raise CommandError(f"Song suggestion run {run.pk} failed: {run.error}")
        added = run.items.filter(outcome="added").count()
        self.stdout.write(self.style.SUCCESS(f"Song suggestion run {run.pk}: {added} track(s) added for review."))
