"""Face identity benchmark: LocalFaceIdentity's search over 100,000 stored faces, without the embedding itself.

Stores --faces face users with one random unit embedding each (the first run against a database adds them; later
runs reuse them), then times, on one process: the first search's load of every embedding, the index check each later
search makes (one indexed max(id); the full count-and-sum check for deletions only every recheck_seconds, timed
apart), and the cosine search over the matrix. The embedding of the photo (see face_pipeline.py) is not included.

Usage: .venv/bin/python benchmarks/identity_search.py [--faces 100000] [--searches 500]
       [--database-url postgres://postgres@127.0.0.1:5432/emotion_garden_faces]
"""

import argparse
import os
import sys
import tempfile
import time
import uuid

import numpy as np
from loadtools import ROOT, SINGLE_THREADED

BATCH = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faces", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL; default: SQLite in a temporary folder")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="identity-benchmark-") as data_dir:
        os.environ.pop("DATABASE_URL", None)
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        os.environ.update(SINGLE_THREADED, DJANGO_SETTINGS_MODULE="emotion_garden.settings",
                          EMOTION_GARDEN_DATA_DIR=data_dir)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from gallery.faces.local import LocalFaceIdentity

        call_command("migrate", verbosity=0)
        stored = store_faces(args.faces)
        rng = np.random.default_rng(1)
        identity = LocalFaceIdentity()
        started = time.perf_counter()
        matrix, _ = identity._current_index()
        loaded_s = time.perf_counter() - started
        checks, full_checks, searches = [], [], []
        for index in range(args.searches):
            query = unit_vectors(rng, 1)[0]
            started = time.perf_counter()
            matrix, owners = identity._current_index()
            checks.append(time.perf_counter() - started)
            started = time.perf_counter()
            best = int(np.argmax(matrix @ query))
            searches.append(time.perf_counter() - started)
            assert owners[best]
            if index % 50 == 0:
                started = time.perf_counter()
                identity._reload_if_changed(identity._rows())
                full_checks.append(time.perf_counter() - started)
    print(f"Face identity on {connection.vendor}: {stored} faces of {matrix.shape[1]} dimensions; "
          f"first search loaded them in {loaded_s:.2f} s")
    for name, seconds in (("index check per search", checks), ("cosine search", searches),
                          (f"full check (every {identity.recheck_seconds:.0f} s)", full_checks)):
        milliseconds = np.array(seconds) * 1000
        p50, p99 = np.percentile(milliseconds, [50, 99])
        print(f"{name:32s} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   ({len(milliseconds)} runs)")


def unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray:
    vectors = rng.standard_normal((count, 128)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def store_faces(count: int) -> int:
    """Add face users with one embedding each until the database holds `count` embeddings; return how many."""
    from django.utils import timezone

    from gallery.faces.local import EMBEDDING_MODEL
    from gallery.models import FaceEmbedding, FaceUser

    rng = np.random.default_rng(0)
    now = timezone.now()
    while (have := FaceEmbedding.objects.filter(model=EMBEDDING_MODEL).count()) < count:
        size = min(BATCH, count - have)
        users = FaceUser.objects.bulk_create(
            FaceUser(id=uuid.uuid4(), consented_at=now, last_seen_at=now) for _ in range(size)
        )
        FaceEmbedding.objects.bulk_create(
            FaceEmbedding(face_user_id=user.id, model=EMBEDDING_MODEL, vector=vector.tobytes())
            for user, vector in zip(users, unit_vectors(rng, size), strict=True)
        )
    return have


if __name__ == "__main__":
    main()
