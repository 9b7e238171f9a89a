"""Face pipeline benchmark: latency of the face pipeline alone and of POST /api/v1/emotion through gunicorn, and
throughput with concurrent clients, on a 640x480 one-face JPEG made from scikit-image's astronaut.

It measures the embedded install: a temporary data directory (SQLite), `manage.py migrate`, then gunicorn with two
workers on a free loopback port, stopped at the end. Every phase is bounded by a request count and by time.

Usage: .venv/bin/python benchmarks/face_pipeline.py [--requests 200] [--concurrency 4] [--threads-per-process 4]
"""

import argparse
import http.client
import io
import itertools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from loadtools import (
    ROOT,
    SINGLE_THREADED,
    UNTHROTTLED,
    WORKERS,
    Tally,
    cpu_yardstick_ms,
    gunicorn,
    print_table,
    run_clients,
    yardstick_text,
)

if TYPE_CHECKING:
    from emotion_garden.imaging import DecodedImage
    from gallery.faces.base import FaceDetail, FaceIdentity

WARM_UP_ROUNDS = 5
URL = "/api/v1/emotion"
# Every image is a different photo (the astronaut with faint noise of its own): SFace's results are kept a while for
# the same pixels (gallery/faces/sface.py), and one photo sent over and over would measure that memory, not SFace.
VARIANTS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="images per phase (default 200)")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent HTTP clients (default 4)")
    parser.add_argument(
        "--threads-per-process", type=int, default=4, help="gunicorn threads per worker (default 4, as serve)"
    )
    parser.add_argument("--max-seconds", type=float, default=60, help="time limit per phase (default 60)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="face-benchmark-") as data_dir:
        # This process and the server it starts measure the embedded install on a fresh data directory, whatever
        # DATABASE_URL or REDIS_URL this shell has. Set before numpy and the models load: they read it once.
        for name in ("DATABASE_URL", "REDIS_URL"):
            os.environ.pop(name, None)
        os.environ.update(
            SINGLE_THREADED, **UNTHROTTLED, DJANGO_SETTINGS_MODULE="emotion_garden.settings",
            EMOTION_GARDEN_DATA_DIR=data_dir,
        )
        photo = astronaut_jpeg()
        photos = astronaut_variants(photo, VARIANTS)
        yardstick_before = cpu_yardstick_ms()
        tallies = [pipeline_alone(photos, total=args.requests, max_seconds=args.max_seconds)]
        with gunicorn(threads=args.threads_per_process, log=Path(data_dir) / "gunicorn.log") as port:
            warm_up(port, photo, clients=WORKERS * args.threads_per_process)
            for clients in (1, args.concurrency):
                tallies.append(
                    http_phase(port, photos, clients=clients, total=args.requests, max_seconds=args.max_seconds)
                )
    settings = ", ".join(f"{name}={value}" for name, value in SINGLE_THREADED.items())
    print(f"Face pipeline on {VARIANTS} 640x480 JPEGs ({len(photo) // 1024} KB, one face); gunicorn {WORKERS} "
          f"workers x {args.threads_per_process} threads; {settings}; "
          f"{yardstick_text(yardstick_before, cpu_yardstick_ms())}")
    print_table(tallies, unit="images")


def astronaut_jpeg() -> bytes:
    """The upper 512x384 of the 512x512 portrait (the face is in its upper middle), scaled to 640x480."""
    from PIL import Image
    from skimage import data as skimage_data

    portrait = Image.fromarray(skimage_data.astronaut())
    image = portrait.crop((0, 0, 512, 384)).resize((640, 480), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def astronaut_variants(photo: bytes, count: int) -> list[bytes]:
    """`count` JPEGs of the photo, each with faint noise of its own (+-2 levels), so no two have the same pixels."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(photo)).convert("RGB")).astype(np.int16)
    rng = np.random.default_rng(0)
    variants = []
    for _ in range(count):
        noisy = np.clip(pixels + rng.integers(-2, 3, pixels.shape), 0, 255).astype(np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(noisy).save(buffer, format="JPEG", quality=90)
        variants.append(buffer.getvalue())
    return variants


def pipeline_alone(photos: list[bytes], *, total: int, max_seconds: float) -> Tally:
    """detect_faces (detection, expression, age and gender) plus the embedding of the largest face, in this process
    on one thread, over the photos in turn. The photos are decoded once, outside the timing."""
    import django

    django.setup()
    from emotion_garden.imaging import decode_image
    from gallery.faces import face_analyzer, face_identity

    images = itertools.cycle([decode_image(photo) for photo in photos])
    analyzer, identity = face_analyzer(), face_identity()
    embed = embedding_step(identity)

    def run_once() -> None:
        image = next(images)
        faces = analyzer.detect_faces(image)
        if not faces:
            raise SystemExit("The benchmark photo has no face: the face backend is misconfigured.")
        embed(image, faces[0])

    # Models load lazily on the first calls; that is start-up, not per-image latency.
    for _ in range(3):
        run_once()
    tally = Tally("pipeline alone (detect + embed)", total=total, max_seconds=max_seconds)
    started = time.perf_counter()
    while tally.take():
        start = time.perf_counter()
        run_once()
        tally.record((time.perf_counter() - start) * 1000, ok=True)
    tally.seconds = time.perf_counter() - started
    return tally


def embedding_step(identity: "FaceIdentity") -> Callable[["DecodedImage", "FaceDetail"], object]:
    """LocalFaceIdentity.embed; a backend without one (Rekognition) embeds inside search, so that is timed."""
    from django.conf import settings

    from gallery.faces.local import LocalFaceIdentity

    if isinstance(identity, LocalFaceIdentity):
        return identity.embed
    return lambda image, face: identity.search(image=image, face=face, threshold=settings.FACE_MATCH_THRESHOLD)


def post_photo(connection: http.client.HTTPConnection, photo: bytes, *, query: str = "") -> tuple[int, bytes]:
    connection.request("POST", URL + query, body=photo, headers={"Content-Type": "image/jpeg"})
    response = connection.getresponse()
    return response.status, response.read()


def warm_up(port: int, photo: bytes, *, clients: int) -> None:
    """Remember the astronaut once, so that every measured request takes the returning visitor's path (detect,
    embed, search), then warm up the workers' threads: each loads its own models on its first request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        status, body = post_photo(connection, photo, query="?remember=true")
    finally:
        connection.close()
    if status != 200 or b'"emotion":"HAPPY"' not in body:
        raise SystemExit(f"POST {URL} answered {status}: {body[:300]!r}")
    # Every round opens fresh connections, which the workers accept in turn, so that none of them stays cold.
    for _ in range(WARM_UP_ROUNDS):
        http_phase(port, [photo], clients=clients, total=clients, max_seconds=60)


def http_phase(port: int, photos: list[bytes], *, clients: int, total: int, max_seconds: float) -> Tally:
    turns = itertools.cycle(photos)  # next() on a cycle is atomic under the GIL: safe from the client threads
    return run_clients(
        port, lambda connection: post_photo(connection, next(turns))[0],
        name=f"POST {URL}, {clients} client{'s' if clients > 1 else ''}", clients=clients, total=total,
        max_seconds=max_seconds,
    )


if __name__ == "__main__":
    main()
