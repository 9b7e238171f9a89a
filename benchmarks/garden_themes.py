"""Garden with and without a theme: recommender.selectors.garden over a catalogue of approved images, in one process.

Stores --images approved images (SQLite in a temporary folder, or the PostgreSQL database given) spread over the eight
emotions and the 64 original favorites plus no theme, then times garden(emotion="HAPPY", n=3) without a theme, with
an exact theme, with "any" of three words (two engine calls: the images with all of them first) and with one word.
The HTTP stack is not included (see recommender_http.py).

Usage: .venv/bin/python benchmarks/garden_themes.py [--images 10000] [--calls 500]
       [--database-url postgres://postgres@127.0.0.1:5432/emotion_garden_themes]
"""

import argparse
import os
import sys
import tempfile
import time

import numpy as np
from loadtools import ROOT, SINGLE_THREADED, cpu_yardstick_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL; default: SQLite in a temporary folder")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="themes-benchmark-") as data_dir:
        os.environ.pop("DATABASE_URL", None)
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        os.environ.update(SINGLE_THREADED, DJANGO_SETTINGS_MODULE="emotion_garden.settings",
                          EMOTION_GARDEN_DATA_DIR=data_dir)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from emotion_garden.themes import ThemeMatch
        from recommender.selectors import garden

        call_command("migrate", verbosity=0)
        stored = store_images(args.images)
        yardstick = cpu_yardstick_ms()
        cases = {
            "no theme": {},
            "exact spring,cloudy,day": {"theme": "spring,cloudy,day", "theme_match": ThemeMatch.EXACT},
            "any of spring,cloudy,day": {"theme": "spring,cloudy,day"},
            "any of winter": {"theme": "winter"},
        }
        print(f"Garden on {connection.vendor}: {stored} approved images; CPU yardstick {yardstick} ms")
        for name, theme in cases.items():
            for _ in range(20):  # warm the engine's caches
                garden(emotion="HAPPY", n=3, **theme)
            seconds = []
            for _ in range(args.calls):
                started = time.perf_counter()
                result = garden(emotion="HAPPY", n=3, **theme)
                seconds.append(time.perf_counter() - started)
                assert len(result.items) == 3
            p50, p99 = np.percentile(np.array(seconds) * 1000, [50, 99])
            print(f"{name:28s} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   ({args.calls} calls)")


def store_images(count: int) -> int:
    from django.utils import timezone

    from curation.models import Image
    from emotion_garden.themes import all_combinations
    from emotion_garden.vocabulary import Emotion

    approved = Image.objects.filter(status=Image.Status.APPROVED)
    if approved.count() >= count:
        return approved.count()
    themes, emotions, now = [*all_combinations(), ""], list(Emotion), timezone.now()
    Image.objects.bulk_create(
        (Image(emotion=emotions[index % len(emotions)], theme=themes[index % len(themes)], name=f"bench_{index}h.jpeg",
               file=f"bench/{index}.jpeg", width=480, height=320, orientation=Image.Orientation.LANDSCAPE,
               source=Image.Source.GENERATED, status=Image.Status.APPROVED, approved_at=now)
         for index in range(count)),
        batch_size=2_000,
    )
    return approved.count()


if __name__ == "__main__":
    main()
