"""CPU per request: what one garden or like costs in Python and in the PostgreSQL backend that serves it.

Runs the requests in this process through Django's test client (the whole middleware and DRF stack, no HTTP), on
load.py's catalogue (generated into the database on the first run), and reads the CPU time of this connection's
PostgreSQL backend from /proc, so the database must run on this machine. "At most" is 2,000 ms of CPU per second over
(Python + PostgreSQL CPU) per request: a ceiling for two cores, which the test client's own cost lowers a little and
the web server's (gunicorn, HTTP parsing) and the load generator's lower further.

Usage: .venv/bin/python benchmarks/request_cost.py [--database-url postgres://postgres@127.0.0.1:5432/egrh]
       [--requests 1000]
Appending ?server_side_binding=true to the URL makes psycopg prepare repeated statements on the server.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from load import DEFAULT_DATABASE, catalogue_ids, issue_benchmark_key, prepare_catalogue
from loadtools import ROOT, SINGLE_THREADED, cpu_yardstick_ms, yardstick_text

WARM_UP_REQUESTS = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help=f"PostgreSQL (default {DEFAULT_DATABASE})")
    parser.add_argument("--requests", type=int, default=1000, help="measured requests per kind (default 1000)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="request-cost-") as data_dir:
        os.environ.pop("REDIS_URL", None)
        os.environ.update(SINGLE_THREADED, DJANGO_SETTINGS_MODULE="emotion_garden.settings",
                          DATABASE_URL=args.database_url, EMOTION_GARDEN_DATA_DIR=data_dir)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        call_command("migrate", verbosity=0)
        prepared = prepare_catalogue(images=10_000, users=100_000, interactions=1_000_000)
        image_ids, users = catalogue_ids()
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Api-Key {issue_benchmark_key()}")
        chooser = random.Random(7)

        def garden() -> int:
            body = {"emotion": chooser.choice(["HAPPY", "SAD", "CALM"]), "gender": "Female", "age": 30, "n": 3}
            return client.post("/api/v1/garden", json.dumps(body), content_type="application/json").status_code

        def like() -> int:
            shown = chooser.sample(image_ids, 3)
            body = {"image": shown[0], "impressions": shown, "emotion": "HAPPY", "face_user": chooser.choice(users),
                    "client_event_id": uuid.uuid4().hex}
            return client.post("/api/v1/like", json.dumps(body), content_type="application/json").status_code

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        print(f"CPU per request in one process on PostgreSQL ({prepared}), {args.requests} requests each; "
              f"{yardstick_text(cpu_yardstick_ms())}")
        for name, request in (("garden", garden), ("like", like)):
            python_ms, postgres_ms, wall_ms = measure(request, backend, requests=args.requests)
            print(f"{name:8s} python {python_ms:5.2f} ms   postgres {postgres_ms:5.2f} ms   wall {wall_ms:5.2f} ms   "
                  f"at most {2000 / (python_ms + postgres_ms):4.0f} req/s on 2 cores")


def measure(request: Callable[[], int], backend: Path, *, requests: int) -> tuple[float, float, float]:
    for _ in range(WARM_UP_REQUESTS):
        check(request())
    python_started, postgres_started, wall_started = time.process_time(), cpu_seconds(backend), time.perf_counter()
    for _ in range(requests):
        check(request())
    return tuple(  # type: ignore[return-value]
        seconds * 1000 / requests for seconds in (
            time.process_time() - python_started, cpu_seconds(backend) - postgres_started,
            time.perf_counter() - wall_started,
        )
    )


def check(status: int) -> None:
    if status >= 300:
        raise SystemExit(f"A request answered {status}")


def cpu_seconds(stat: Path) -> float:
    """User plus system CPU time of a process, from /proc/<pid>/stat (fields 14 and 15, after the command name)."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
