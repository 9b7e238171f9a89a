"""Recommender benchmark: POST /api/v1/garden (emotion, personal and trending picks) and /api/v1/like through
gunicorn (2 workers) on a generated catalogue
of 10,000 approved images, 100,000 face users and 1,000,000 likes (each with three impressions), on the embedded
SQLite or on the PostgreSQL of --database-url.

The data is synthetic but shaped like the product's: visitors favour one or two emotions, images' popularity is
long-tailed, every like carries the two images shown beside it. The segment counters are built from it and the
personal model is fitted once before serving, as the scheduled refit would. Loopback only; every phase is bounded.

With --baseline, another checkout's code (a worktree of an older commit) serves the same data and the same requests
first, with the database migrated back to that checkout's schema, then this checkout's: on a shared machine whose
speed drifts within the hour, a comparison is only fair within one run.

A database that holds the catalogue of an earlier run (PostgreSQL, or the SQLite of a kept --data-dir) is reused
as it is: generating 1,000,000 likes takes minutes.

Usage: .venv/bin/python benchmarks/recommender_http.py [--database-url postgres://postgres@127.0.0.1:5432/bench]
       [--data-dir /tmp/bench-1m] [--images 10000] [--users 100000] [--interactions 1000000] [--requests 2000]
       [--concurrency 1,8] [--baseline ../wt-base]
"""

import argparse
import http.client
import json
import os
import random
import sys
import tempfile
import time
import uuid
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import numpy as np
from loadtools import (
    ROOT,
    SINGLE_THREADED,
    UNTHROTTLED,
    WORKERS,
    Request,
    Tally,
    cpu_yardstick_ms,
    gunicorn,
    print_table,
    run_clients,
    yardstick_text,
)
from synthetic_likes import BATCH, EMOTIONS, create_likes, store_likes

WARM_UP_REQUESTS = 600
HEADERS = {"Content-Type": "application/json"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL; default: SQLite in the data folder")
    parser.add_argument("--data-dir", default="",
                        help="a folder kept between runs for the SQLite database (default: a temporary one)")
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000, help="requests per phase (default 2000)")
    parser.add_argument("--concurrency", default="1,8",
                        help="concurrent HTTP clients, one round of phases per number (default 1,8)")
    parser.add_argument("--threads-per-process", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=60, help="time limit per phase (default 60)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline", default="", help="a checkout to serve the same requests first, for comparison")
    parser.add_argument("--rounds", type=int, default=1,
                        help="with --baseline: rounds of baseline then this checkout (default 1)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.data_dir:
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    kept = nullcontext(args.data_dir) if args.data_dir else tempfile.TemporaryDirectory(prefix="recommender-benchmark-")
    with kept as data_dir:
        os.environ.pop("REDIS_URL", None)
        os.environ.pop("DATABASE_URL", None)
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        os.environ.update(SINGLE_THREADED, **UNTHROTTLED, DJANGO_SETTINGS_MODULE="emotion_garden.settings",
                          EMOTION_GARDEN_DATA_DIR=data_dir, API_KEY_RATE="none")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        from gallery.api_keys import create_api_key

        # An operator's key: personal picks and likes in a person's name need it (or that person's credential).
        HEADERS["X-Api-Key"] = create_api_key(name="benchmark", scopes=["garden", "likes", "users"]).raw_key
        started = time.monotonic()
        if earlier_catalogue_exists():
            prepared = "the catalogue of an earlier run"
        else:
            generate(np.random.default_rng(args.seed), images=args.images, users=args.users,
                     interactions=args.interactions)
            generated = time.monotonic() - started
            prepared = (f"generated in {generated:.0f} s, personal model fitted in {fit_personal_model():.0f} s")
        catalogue = read_catalogue()
        database = connection.vendor
        connection.close()
        checkouts = [(Path(args.baseline).resolve(), "baseline: "), (ROOT, "")] if args.baseline else [(ROOT, "")]
        if args.baseline and args.rounds > 1:
            # Alternated, so that neither side always serves first on a cold cache or a drifting machine.
            checkouts = [(root, f"{label or 'this: '}round {round_}, ") for round_ in range(1, args.rounds + 1)
                         for root, label in checkouts]
        tallies: list[Tally] = []
        for root, label in checkouts:
            if root != ROOT:
                migrate_to_schema_of(root)
            tallies += serve_phases(catalogue, args, root=root, label=label, log=Path(data_dir) / "gunicorn.log")
    yardstick = yardstick_text(cpu_yardstick_ms())
    load = " ".join(f"{average:.1f}" for average in os.getloadavg())
    print(f"Recommender on {database}: {catalogue.image_ids.size} images, {len(catalogue.users)} face users, "
          f"{catalogue.likes} likes ({prepared}); gunicorn {WORKERS} workers x "
          f"{args.threads_per_process} threads; {yardstick}; load average {load} (1, 5, 15 min)")
    print_table(tallies)


def serve_phases(catalogue: "Catalogue", args: argparse.Namespace, *, root: Path, label: str,
                 log: Path) -> list[Tally]:
    """The warm-up and the measured phases against gunicorn serving `root`'s code."""
    with gunicorn(threads=args.threads_per_process, log=log, root=root) as port:
        # The clients' threads share one random.Random: its calls are atomic, unlike numpy's generators. Seeded
        # again per checkout, so that each serves the same requests.
        chooser = random.Random(args.seed)
        phases = [
            ("garden, emotion picks", garden_request(catalogue, chooser, personal=False)),
            ("garden, personal picks", garden_request(catalogue, chooser, personal=True)),
            ("garden, trending", garden_request(catalogue, chooser, personal=False, mode="trending")),
            ("like", like_request(catalogue, chooser)),
        ]
        levels = [int(level) for level in args.concurrency.split(",")]
        # Every worker thread loads its code and the model, and each process reads the counters of the
        # segments it serves (about a hundred), before anything is measured.
        for _, request in phases:
            run_clients(port, request, name="warm-up", clients=max(levels), total=WARM_UP_REQUESTS,
                        max_seconds=120)
        return [
            run_clients(port, request, name=f"{label}{name}, {clients} client{'s' * (clients > 1)}",
                        clients=clients, total=args.requests, max_seconds=args.max_seconds)
            for clients in levels
            for name, request in phases
        ]


def migrate_to_schema_of(root: Path) -> None:
    """Unapply the migrations that `root` lacks (this checkout's newer ones), app by app."""
    from django.core.management import call_command
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    for app in sorted({app for app, _ in loader.disk_migrations}):
        folder = root / app / "migrations"
        if not folder.is_dir():
            continue
        theirs = sorted(path.stem for path in folder.glob("0*.py"))
        ours = sorted(name for label, name in loader.disk_migrations if label == app)
        if theirs and ours and theirs[-1] != ours[-1] and theirs[-1] in ours:
            call_command("migrate", app, theirs[-1], verbosity=0)


class Catalogue:
    """What the clients choose from: the approved images, every face user and those who like something."""

    def __init__(self, image_ids: np.ndarray, users: list[str], active_users: list[str], likes: int) -> None:
        self.image_ids = image_ids
        self.users = users
        self.active_users = active_users
        self.likes = likes


def earlier_catalogue_exists() -> bool:
    from curation.models import Image

    return Image.objects.filter(name__startswith="bench_").exists()


def read_catalogue() -> Catalogue:
    """The catalogue as the database holds it, whether generated just now or by an earlier run."""
    from curation.models import Image
    from gallery.models import FaceUser
    from recommender.models import Interaction

    image_ids = np.array(Image.objects.filter(status=Image.Status.APPROVED).order_by("pk").values_list("pk", flat=True),
                         dtype=np.int64)
    users = sorted(str(user) for user in FaceUser.objects.values_list("pk", flat=True))
    likers = Interaction.objects.filter(face_user__isnull=False).order_by("pk").values_list("face_user_id", flat=True)
    active: set[str] = set()
    for user in likers[:50_000].iterator():
        active.add(str(user))
        if len(active) == 5000:
            break
    likes = Interaction.objects.filter(event=Interaction.Event.LIKE).count()
    return Catalogue(image_ids=image_ids, users=users, active_users=sorted(active), likes=likes)


def generate(rng: np.random.Generator, *, images: int, users: int, interactions: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from curation.models import Image
    from recommender.models import Interaction, SegmentStat

    now = timezone.now()
    image_emotions = rng.integers(0, len(EMOTIONS), images)
    with transaction.atomic():
        created = Image.objects.bulk_create(
            (Image(emotion=EMOTIONS[emotion], name=f"bench_{index}h.jpeg", file=f"bench/{index}h.jpeg",
                   width=768, height=512, orientation=Image.Orientation.LANDSCAPE, source=Image.Source.GENERATED,
                   status=Image.Status.APPROVED, approved_at=now - timedelta(days=float(rng.uniform(0, 90))))
             for index, emotion in enumerate(image_emotions)),
            batch_size=BATCH,
        )
    likes = create_likes(rng, item_emotions=image_emotions, users=users, interactions=interactions)
    store_likes(likes, item_ids=np.array([image.pk for image in created], dtype=np.int64), interaction=Interaction,
                counter=SegmentStat, item="image")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # The generated rows out of the write-ahead log: the first server would otherwise pay to checkpoint them.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def fit_personal_model() -> float:
    from recommender.training import refit_personal_model

    started = time.monotonic()
    refit_personal_model()
    return time.monotonic() - started


def garden_request(catalogue: Catalogue, chooser: random.Random, *, personal: bool, mode: str = "") -> Request:
    def request(connection: http.client.HTTPConnection) -> int:
        body: dict[str, object] = {"emotion": chooser.choice(EMOTIONS), "n": 3, **({"mode": mode} if mode else {})}
        if personal:
            body |= {"face_user": chooser.choice(catalogue.active_users), "mode": "personal"}
        else:
            body |= {"gender": chooser.choice(("Male", "Female")), "age": chooser.randint(16, 80)}
        return post_json(connection, "/api/v1/garden", body)

    return request


def like_request(catalogue: Catalogue, chooser: random.Random) -> Request:
    def request(connection: http.client.HTTPConnection) -> int:
        shown = [int(image_id) for image_id in chooser.sample(list(catalogue.image_ids[:2000]), 3)]
        return post_json(connection, "/api/v1/like", {
            "image": shown[0], "impressions": shown, "emotion": chooser.choice(EMOTIONS),
            "client_event_id": uuid.uuid4().hex, "face_user": chooser.choice(catalogue.users),
        })

    return request


def post_json(connection: http.client.HTTPConnection, path: str, body: dict[str, object]) -> int:
    connection.request("POST", path, body=json.dumps(body), headers=HEADERS)
    response = connection.getresponse()
    response.read()
    return response.status


if __name__ == "__main__":
    main()
