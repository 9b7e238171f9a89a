"""manage.py compute_item_content: store what each live image shows (emotion, theme, prompt words, pixel
statistics) for the recommender, for images approved before it computed this on approval."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from recommender.items import backfill_item_content


class Command(BaseCommand):
    help = "Compute the recommender's content features of live images that have none (all of them with --all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", dest="recompute",
                            help="Recompute every live image's content, not only the missing ones.")

    def handle(self, *args: Any, recompute: bool, **options: Any) -> None:
        stored = backfill_item_content(recompute=recompute)
        self.stdout.write(f"Stored the content of {stored} image{'s' * (stored != 1)}.")
