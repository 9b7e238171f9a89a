"""Fill an empty look-alike collection with the demo people of gallery/demo_references (public-domain photos, see
its README), so a fresh install has someone to compare visitors with. Idempotent."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from curation.songs.names import match_key
from emotion_garden.imaging import InvalidImage
from gallery.faces.base import FaceServiceUnavailable
from gallery.models import ReferencePerson
from gallery.references import DuplicatePhoto, add_reference_photo
from gallery.services import NoFaceFound

DEMO_PEOPLE = Path(__file__).resolve().parents[2] / "demo_references"


class Command(BaseCommand):
    help = "Add the demo people (public-domain photos) to an empty look-alike collection."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Add the demo people even if the collection has "
                                                                 "people (photos already in it are skipped).")

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if not force and ReferencePerson.objects.exists():
            self.stdout.write("The look-alike collection already has people; use --force to add the demo people.")
            return
        for entry in json.loads((DEMO_PEOPLE / "people.json").read_text()):
            try:
                added = self._add(entry)
            except FaceServiceUnavailable as error:
                # serve goes on without them: the admin's empty collection says how to add people later.
                self.stderr.write(f"The face service is unavailable, no demo people were added: {error}")
                return
            self.stdout.write(f"{entry['name']}: {added} photo(s) added")

    def _add(self, entry: dict[str, Any]) -> int:
        with transaction.atomic():
            # Matched as names are unique (case and spacing aside): a curator's "grace hopper" is the demo's too.
            person, _ = ReferencePerson.objects.get_or_create(
                name_key=match_key(entry["name"]), defaults={"name": entry["name"], "info_url": entry["info_url"]})
            added = 0
            for file_name in entry["photos"]:
                try:
                    add_reference_photo(person=person, photo=(DEMO_PEOPLE / file_name).read_bytes())
                    added += 1
                except DuplicatePhoto:
                    pass  # seeded before
                except (InvalidImage, NoFaceFound) as error:
                    self.stderr.write(f"{file_name} was not added: {getattr(error, 'message', error)}")
            if not person.photos.exists():
                transaction.set_rollback(True)
            return added
