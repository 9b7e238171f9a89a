"""Load benchmark: wrk against gunicorn (2 workers, the production gunicorn.conf.py) on PostgreSQL, loopback only.

Three phases, each bounded in time: POST /api/v1/garden (emotion picks for visitors of random emotion, gender and
age), POST /api/v1/like (a face user's like with two more images shown and a fresh client event id) and
POST /api/v1/emotion (a 640x480 one-face JPEG of a person remembered beforehand: detect, embed, search). Prints
requests per second, p50/p99 latency and errors (any answer that is not 2xx, and socket errors) per phase: the table
in README.md.

The catalogue is the recommender benchmark's (benchmarks/recommender_http.py: 10,000 images, 100,000 face users,
1,000,000 likes), generated into the database once and reused by later runs against the same database; the clients
use an API key with scopes garden, likes and faces and a rate above the load, so throttling runs as in production.
Needs wrk (`apt-get install -y wrk`).

Usage: .venv/bin/python benchmarks/load.py [--database-url postgres://postgres@127.0.0.1:5432/emotion_garden_load]
       [--seconds 20] [--connections 8] [--threads 2]
"""

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from face_pipeline import astronaut_jpeg
from loadtools import ROOT, SINGLE_THREADED, WORKERS, Row, cpu_yardstick_ms, gunicorn, print_rows, yardstick_text
from recommender_http import EMOTIONS, earlier_catalogue_exists, fit_personal_model, generate

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_post.lua"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/emotion_garden_load"
WARM_UP_SECONDS = 10


@dataclass(frozen=True)
class Phase:
    name: str
    path: str
    content_type: str
    body_file: Path
    mode: str  # "lines" or "binary", as wrk_post.lua reads body_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help=f"PostgreSQL (default {DEFAULT_DATABASE})")
    parser.add_argument("--seconds", type=int, default=20, help="length of each phase (default 20)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="load-benchmark-") as work_dir:
        work = Path(work_dir)
        os.environ.pop("REDIS_URL", None)
        os.environ.update(SINGLE_THREADED, DJANGO_SETTINGS_MODULE="emotion_garden.settings",
                          DATABASE_URL=args.database_url, EMOTION_GARDEN_DATA_DIR=str(work))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        prepared = prepare_catalogue(images=args.images, users=args.users, interactions=args.interactions)
        authorization = f"Api-Key {issue_benchmark_key()}"
        phases = write_bodies(work, *catalogue_ids())
        connection.close()
        yardstick_before = cpu_yardstick_ms()
        with gunicorn(log=work / "gunicorn.log") as port:
            remember_the_face(port, work / "face.jpeg", authorization)
            rows = []
            for phase in phases:
                run_wrk(port, phase, authorization, seconds=WARM_UP_SECONDS, connections=args.connections,
                        threads=args.threads)
                rows.append(run_wrk(port, phase, authorization, seconds=args.seconds, connections=args.connections,
                                    threads=args.threads))
    print(f"Load on PostgreSQL ({prepared}); gunicorn {WORKERS} workers (emotion_garden/gunicorn.conf.py), wrk "
          f"{args.threads} threads x {args.connections} connections, {args.seconds} s per phase, {os.cpu_count()} "
          f"cores shared by all; {yardstick_text(yardstick_before, cpu_yardstick_ms())}")
    print_rows(rows)


def prepare_catalogue(*, images: int, users: int, interactions: int) -> str:
    """Generate the catalogue unless the database has it from an earlier run; say which."""
    from curation.models import Image

    if earlier_catalogue_exists():
        return f"catalogue of an earlier run: {Image.objects.count()} images"
    started = time.monotonic()
    generate(np.random.default_rng(7), images=images, users=users, interactions=interactions)
    generated = time.monotonic() - started
    fitted = fit_personal_model()
    return (f"{images} images, {users} face users, {interactions} likes, generated in {generated:.0f} s, "
            f"personal model fitted in {fitted:.0f} s")


def issue_benchmark_key() -> str:
    from gallery.api_keys import create_api_key

    issued = create_api_key(name=f"load benchmark {uuid.uuid4().hex[:6]}", scopes=["garden", "likes", "faces"],
                            rate="1000000/min")
    return issued.raw_key


def catalogue_ids() -> tuple[list[int], list[str]]:
    """The ids of the approved images and of face users who have liked something."""
    from curation.models import Image
    from recommender.models import Interaction

    image_ids = list(Image.objects.filter(status=Image.Status.APPROVED).order_by("id").values_list("id", flat=True))
    users = Interaction.objects.filter(face_user__isnull=False).values_list("face_user_id", flat=True)
    return image_ids, sorted({str(user) for user in users[:20_000]})


def write_bodies(work: Path, image_ids: list[int], users: list[str]) -> list[Phase]:
    chooser = random.Random(7)
    garden = [{"emotion": chooser.choice(EMOTIONS), "gender": chooser.choice(("Male", "Female")),
               "age": chooser.randint(16, 80), "n": 3} for _ in range(2000)]
    likes = []
    for _ in range(2000):
        shown = chooser.sample(image_ids, 3)
        likes.append({"image": shown[0], "impressions": shown, "emotion": chooser.choice(EMOTIONS),
                      "face_user": chooser.choice(users), "client_event_id": "__EVENT__"})
    (work / "garden.jsonl").write_text("".join(json.dumps(body) + "\n" for body in garden))
    (work / "like.jsonl").write_text("".join(json.dumps(body) + "\n" for body in likes))
    (work / "face.jpeg").write_bytes(astronaut_jpeg())
    return [
        Phase("garden", "/api/v1/garden", "application/json", work / "garden.jsonl", "lines"),
        Phase("like", "/api/v1/like", "application/json", work / "like.jsonl", "lines"),
        Phase("emotion (640x480 JPEG)", "/api/v1/emotion", "image/jpeg", work / "face.jpeg", "binary"),
    ]


def remember_the_face(port: int, photo: Path, authorization: str) -> None:
    """Remember the benchmark face once: the emotion phase then takes a returning visitor's path (detect, embed,
    search)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", "/api/v1/emotion?remember=true", body=photo.read_bytes(),
                           headers={"Content-Type": "image/jpeg", "Authorization": authorization})
        response = connection.getresponse()
        if response.status != 200:
            raise SystemExit(f"POST /api/v1/emotion answered {response.status}: {response.read()[:300]!r}")
        response.read()
    finally:
        connection.close()


def run_wrk(port: int, phase: Phase, authorization: str, *, seconds: int, connections: int, threads: int) -> Row:
    command = ["wrk", f"--threads={threads}", f"--connections={connections}", f"--duration={seconds}s",
               "--timeout=10s", f"--script={WRK_SCRIPT}", f"http://127.0.0.1:{port}{phase.path}",
               "--", phase.path, phase.content_type, str(phase.body_file), phase.mode, uuid.uuid4().hex[:8],
               authorization]
    output = subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    succeeded = figures["requests"] - figures["non_2xx"]
    return Row(name=phase.name, requests=succeeded, errors=figures["non_2xx"] + figures["socket_errors"],
               p50_ms=figures["p50_us"] / 1000, p99_ms=figures["p99_us"] / 1000,
               per_second=succeeded / (figures["duration_us"] / 1e6))


if __name__ == "__main__":
    main()
