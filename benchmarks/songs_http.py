"""Songs benchmark: POST /api/v1/songs (anonymous and personal picks) and a like of a song, through gunicorn
(2 workers) on a generated catalogue of 10,000 approved tracks, 20,000 face users and 200,000 song likes (each with
the two songs shown beside it), on the embedded SQLite or on the PostgreSQL of --database-url. Issue 18's target:
p99 <= 20 ms at 10k tracks.

The data is synthetic but shaped like the product's: visitors favour one or two moods, songs' popularity is
long-tailed, every like carries the songs shown beside it, and the track segment counters are built from it.
Loopback only; every phase is bounded.

Usage: .venv/bin/python benchmarks/songs_http.py [--database-url postgres://postgres@127.0.0.1:5432/bench]
       [--tracks 10000] [--users 20000] [--interactions 200000] [--requests 1000] [--concurrency 1,4]
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

WARM_UP_REQUESTS = 300
HEADERS = {"Content-Type": "application/json"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL; default: SQLite in a temporary folder")
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--interactions", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=1000, help="requests per phase (default 1000)")
    parser.add_argument("--concurrency", default="1,4",
                        help="concurrent HTTP clients, one round of phases per number (default 1,4)")
    parser.add_argument("--threads-per-process", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=60, help="time limit per phase (default 60)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="songs-benchmark-") as data_dir:
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

        # An operator's key: songs and likes in a person's name need it (or that person's credential).
        HEADERS["X-Api-Key"] = create_api_key(name="benchmark", scopes=["garden", "likes", "users"]).raw_key
        rng = np.random.default_rng(args.seed)
        started = time.monotonic()
        world = generate(rng, tracks=args.tracks, users=args.users, interactions=args.interactions)
        generated = time.monotonic() - started
        database = connection.vendor
        connection.close()
        yardstick = cpu_yardstick_ms()
        with gunicorn(threads=args.threads_per_process, log=Path(data_dir) / "gunicorn.log") as port:
            chooser = random.Random(args.seed)  # shared by the clients' threads: its calls are atomic
            phases = [
                ("songs, anonymous", songs_request(world, chooser, personal=False)),
                ("songs, personal", songs_request(world, chooser, personal=True)),
                ("like a song", like_request(world, chooser)),
            ]
            levels = [int(level) for level in args.concurrency.split(",")]
            for _, request in phases:
                run_clients(port, request, name="warm-up", clients=max(levels), total=WARM_UP_REQUESTS,
                            max_seconds=120)
            tallies: list[Tally] = [
                run_clients(port, request, name=f"{name}, {clients} client{'s' * (clients > 1)}", clients=clients,
                            total=args.requests, max_seconds=args.max_seconds)
                for clients in levels
                for name, request in phases
            ]
    print(f"Songs on {database}: {args.tracks} tracks, {args.users} face users, {args.interactions} song likes "
          f"(generated in {generated:.0f} s); gunicorn {WORKERS} workers x {args.threads_per_process} threads; "
          f"{yardstick_text(yardstick)}")
    print_table(tallies)


class World:
    def __init__(self, track_ids: np.ndarray, users: list[str], active_users: list[str]) -> None:
        self.track_ids = track_ids
        self.users = users
        self.active_users = active_users


def generate(rng: np.random.Generator, *, tracks: int, users: int, interactions: int) -> World:
    from django.db import transaction
    from django.utils import timezone

    from curation.models import Track, TrackEmotion
    from curation.songs.names import match_key
    from recommender.models import TrackInteraction, TrackSegmentStat

    now = timezone.now()
    emotions = rng.integers(0, len(EMOTIONS), tracks)
    with transaction.atomic():
        # bulk_create skips Track.save(), which sets the match keys: set here. One shared cover file: the answer only
        # names it.
        created = Track.objects.bulk_create(
            (Track(title=f"Song {index}", artist=f"Artist {index % 997}", title_key=match_key(f"Song {index}"),
                   artist_key=match_key(f"Artist {index % 997}"), cover="covers/bench.jpeg",
                   source=Track.Source.SEEDED, status=Track.Status.APPROVED, approved_at=now)
             for index in range(tracks)),
            batch_size=BATCH,
        )
        track_ids = np.array([track.pk for track in created], dtype=np.int64)
        second = rng.integers(0, len(EMOTIONS), tracks)
        TrackEmotion.objects.bulk_create(
            (TrackEmotion(track_id=int(track_id), emotion=EMOTIONS[emotion])
             for track_id, first, other in zip(track_ids, emotions, second, strict=True)
             for emotion in {int(first), *([int(other)] if other % 3 == 0 else [])}),
            batch_size=BATCH,
        )
    likes = create_likes(rng, item_emotions=emotions, users=users, interactions=interactions)
    store_likes(likes, item_ids=track_ids, interaction=TrackInteraction, counter=TrackSegmentStat, item="track")
    active = sorted({str(likes.user_ids[user]) for user in np.unique(likes.user_of)[:5000]})
    return World(track_ids=track_ids, users=[str(user) for user in likes.user_ids], active_users=active)


def songs_request(world: World, chooser: random.Random, *, personal: bool) -> Request:
    def request(connection: http.client.HTTPConnection) -> int:
        body: dict[str, object] = {"emotion": chooser.choice(EMOTIONS), "n": 3}
        if personal:
            body["face_user"] = chooser.choice(world.active_users)
        else:
            body |= {"gender": chooser.choice(("Male", "Female")), "age": chooser.randint(16, 80)}
        return post_json(connection, "/api/v1/songs", body)

    return request


def like_request(world: World, chooser: random.Random) -> Request:
    def request(connection: http.client.HTTPConnection) -> int:
        shown = [int(track_id) for track_id in chooser.sample(list(world.track_ids[:2000]), 3)]
        return post_json(connection, "/api/v1/like", {
            "track": shown[0], "impressions": shown, "emotion": chooser.choice(EMOTIONS),
            "client_event_id": uuid.uuid4().hex, "face_user": chooser.choice(world.users),
        })

    return request


def post_json(connection: http.client.HTTPConnection, path: str, body: dict[str, object]) -> int:
    connection.request("POST", path, body=json.dumps(body), headers=HEADERS)
    response = connection.getresponse()
    response.read()
    return response.status


if __name__ == "__main__":
    main()
