"""manage.py compute_item_content: store what each live item shows (emotion, theme, prompt or title words, pixel
statistics) for the recommender, for items approved before it computed this on approval."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from recommender.items import IMAGES, KINDS, backfill_item_content


class Command(BaseCommand):
    help = "Compute the recommender's content features of live items that have none (all of them with --all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", dest="recompute",
                            help="Recompute every live item's content, not only the missing ones.")
        parser.add_argument("--kind", choices=sorted(KINDS), default=IMAGES.name,
                            help="Which items: images (the default) or tracks (the songs).")

    def handle(self, *args: Any, recompute: bool, kind: str, **options: Any) -> None:
        stored = backfill_item_content(kind=KINDS[kind], recompute=recompute)
        self.stdout.write(f"Stored the content of {stored} {kind}{'s' * (stored != 1)}.")
