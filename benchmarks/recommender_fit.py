"""Fit benchmark: the scheduled refit (recommender.training.refit_personal_model) on a database of 100,000 approved
images, 1,000,000 face users and 10,000,000 likes, streamed from the database as in production. Prints the fit's wall
time and the fitting process's peak memory (its own process, so generating the data does not count).

The likes are shaped like the product's: visitors' activity is log-normal (ten likes on average, a few hundred at
most) and images' popularity long-tailed. Rows are written with raw executemany in large transactions (the data,
not the writing, is what is measured).

Usage: nice -n 10 .venv/bin/python benchmarks/recommender_fit.py [--images 100000] [--users 1000000]
       [--likes 10000000] [--database-url postgres://...]
"""

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BATCH = 200_000


def setup(data_dir: str, database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.update(DJANGO_SETTINGS_MODULE="emotion_garden.settings", EMOTION_GARDEN_DATA_DIR=data_dir,
                      OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2")
    import django

    django.setup()


def insert_statement(model, given: list[str], *, connection) -> tuple[str, tuple]:
    """An INSERT of every column of the model's table: the `given` ones as parameters (in that order), followed by
    each other column's default, prepared once. Naming every column keeps this benchmark working when a model gains
    a column (a NOT NULL one without a database default failed the whole run)."""
    columns = [field for field in model._meta.concrete_fields if field.attname not in given
               and not (field.primary_key and field.attname == "id" and "id" not in given)]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in columns)
    names = ", ".join(list(given) + [field.column for field in columns])
    placeholders = ", ".join(["%s"] * (len(given) + len(columns)))
    return f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({placeholders})", defaults


def generate(*, images: int, users: int, likes: int, seed: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from curation.models import Image
    from gallery.models import FaceUser
    from recommender.models import Interaction

    rng = np.random.default_rng(seed)
    now = timezone.now()
    stamp = Interaction._meta.get_field("created_at").get_db_prep_value(now, connection)
    insert, defaults = insert_statement(
        Image, ["id", "emotion", "name", "file", "width", "height", "orientation", "source", "status", "created_at",
                "approved_at"], connection=connection)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(insert, [(index + 1, "HAPPY", f"fit_{index}h.jpeg", f"fit/{index}h.jpeg", 768, 512,
                                     "landscape", "generated", "approved", stamp, stamp) + defaults
                                    for index in range(images)])
    prep = FaceUser._meta.pk.get_db_prep_value
    # Sorted, so that rows reach the person-first indexes in order (appends, not random inserts).
    user_keys = np.array(sorted(prep(uuid.UUID(bytes=rng.bytes(16), version=4), connection)
                                for _ in range(users)), dtype=object)
    insert, defaults = insert_statement(
        FaceUser, ["id", "gender", "age_low", "age_high", "consented_at", "last_seen_at", "created_at"],
        connection=connection)
    for start in range(0, users, BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, [(key, "Female", 30, 34, stamp, stamp, stamp) + defaults
                                        for key in user_keys[start:start + BATCH]])
    activity = rng.lognormal(0.0, 1.0, users)
    user_of = np.sort(rng.choice(users, size=likes, p=activity / activity.sum()))
    image_of = np.minimum(rng.zipf(1.3, likes) - 1, images - 1)
    image_of = (rng.permutation(images)[image_of] + 1).tolist()
    insert, defaults = insert_statement(
        Interaction, ["event", "emotion", "gender", "age_band", "image_id", "face_user_id", "created_at"],
        connection=connection)
    raw = connection.vendor == "sqlite"
    if raw:
        # SQLite: the driver's own executemany, without Django's per-row conversion (the data, not the writing, is
        # what is measured).
        connection.ensure_connection()
        insert = insert.replace("%s", "?")
    for start in range(0, likes, BATCH):
        stop = min(start + BATCH, likes)
        rows = [("like", "HAPPY", "Female", "adult", image, user, stamp) + defaults for image, user in zip(
            image_of[start:stop], user_keys[user_of[start:stop]], strict=True)]
        with transaction.atomic():
            if raw:
                connection.connection.executemany(insert, rows)
            else:
                with connection.cursor() as cursor:
                    cursor.executemany(insert, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def fit(data_dir: str, database_url: str, queue: "multiprocessing.Queue[tuple[float, float, str]]") -> None:
    """In a process of its own: the refit, its wall time and this process's peak resident memory."""
    setup(data_dir, database_url)
    from recommender.training import refit_personal_model

    started = time.monotonic()
    snapshot = refit_personal_model()
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = f"{snapshot.likes} likes of {snapshot.users} people modelled" if snapshot else "nothing fitted"
    queue.put((seconds, peak_mb, summary))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--likes", type=int, default=10_000_000)
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL (an empty database); default SQLite")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recommender-fit-") as data_dir:
        setup(data_dir, args.database_url)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        started = time.monotonic()
        generate(images=args.images, users=args.users, likes=args.likes, seed=args.seed)
        generated = time.monotonic() - started
        vendor = connection.vendor
        connection.close()
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        process = context.Process(target=fit, args=(data_dir, args.database_url, queue))
        process.start()
        seconds, peak_mb, summary = queue.get()
        process.join()
    print(f"Refit on {vendor}: {args.images} images, {args.users} face users, {args.likes} likes "
          f"(generated in {generated:.0f} s)")
    print(f"fit: {seconds:.1f} s, peak memory of the fitting process: {peak_mb:.0f} MB ({summary})")


if __name__ == "__main__":
    main()
