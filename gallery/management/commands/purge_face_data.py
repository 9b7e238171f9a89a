"""Forget the face users unseen for longer than the retention now, as the daily scheduled task does."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gallery.selectors import face_data_retention
from gallery.services import purge_expired_face_users


class Command(BaseCommand):
    help = (
        "Forget the face users unseen for longer than FACE_DATA_RETENTION_DAYS, with their face data in every "
        "backend (the daily task does the same)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count the face users that would be purged.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        retention = face_data_retention()
        if retention is None:
            self.stdout.write("FACE_DATA_RETENTION_DAYS is 0: face data is kept until people ask to be forgotten.")
            return
        purged = purge_expired_face_users(dry_run=dry_run)
        verb = "Would purge" if dry_run else "Purged"
        self.stdout.write(f"{verb} {purged} face users unseen for more than {retention.days} days.")
