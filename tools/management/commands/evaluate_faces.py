"""manage.py evaluate_faces: measure the configured face backends on labelled photos.

A thin command: the work (running the backends as the product does, the metrics, the report) is in
tools/faces/evaluation_run.py, imported when the command runs.
"""

import csv
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Measure expression, verification, gender and attribute accuracy and latency of the configured face backends."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--expressions", type=Path, help="CSV path,label (Rekognition or FER label names)")
        parser.add_argument("--pairs", type=Path, help="CSV path_a,path_b,same (same is 0 or 1)")
        parser.add_argument("--gender", type=Path, help="CSV path,gender (Male or Female)")
        parser.add_argument(
            "--attributes", type=Path,
            help="CSV path plus any of eyes_open, mouth_open, smile, eyeglasses, sunglasses, beard, mustache "
            "(1, 0, or blank for cannot tell)",
        )
        parser.add_argument(
            "--attribute-photos", type=Path,
            help="folder the attributes CSV's paths are relative to (default: its own)",
        )
        parser.add_argument(
            "--threshold", type=float, default=None, help="similarity (0-100) for pairs; default FACE_MATCH_THRESHOLD"
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print one JSON object instead of tables"
        )

    def handle(self, *args: Any, expressions: Path | None, pairs: Path | None, gender: Path | None,
               attributes: Path | None, attribute_photos: Path | None, threshold: float | None, as_json: bool,
               **options: Any) -> None:
        if not (expressions or pairs or gender or attributes):
            raise CommandError("Give at least one of --expressions, --pairs, --gender and --attributes.")
        from tools.faces.evaluation_run import evaluate, text_report

        try:
            report = evaluate(
                expressions_csv=expressions, pairs_csv=pairs, gender_csv=gender, attributes_csv=attributes,
                attribute_photos=attribute_photos,
                threshold=settings.FACE_MATCH_THRESHOLD if threshold is None else threshold,
            )
        except (UnicodeDecodeError, csv.Error, KeyError) as error:  # a file that is not the CSV the option names
            raise CommandError(f"A labels file could not be read as its CSV: {error!r}") from None
        self.stdout.write(json.dumps(report, indent=2) if as_json else text_report(report))
