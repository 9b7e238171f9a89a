"""Enrol every reference photo in the configured look-alike backend that is not enrolled there yet: after moving
from the local backend to Amazon Rekognition (or back), so the collection is searchable again."""

from typing import Any

from django.core.management.base import BaseCommand

from gallery.faces.base import FaceServiceUnavailable
from gallery.references import enrol_missing_photos


class Command(BaseCommand):
    help = "Enrol the reference photos that the configured look-alike backend does not hold yet."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = enrol_missing_photos()
        except FaceServiceUnavailable as error:
            # serve goes on: the photos enrolled so far are kept, and the next run enrols the rest.
            self.stderr.write(f"The face service is unavailable; some reference photos are not enrolled yet: {error}")
            return
        for photo, reason in report.refused:
            self.stderr.write(f"Photo {photo.pk} of {photo.person.name} could not be enrolled: {reason}")
        self.stdout.write(f"{len(report.enrolled)} reference photo(s) enrolled, {len(report.refused)} refused.")
