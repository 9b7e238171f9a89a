"""Face pipeline benchmark: latency of the face pipeline alone and of POST /api/v1/emotion through gunicorn, and
throughput with concurrent clients, on a 640x480 one-face JPEG made from scikit-image's astronaut.

It measures the embedded install: a temporary data directory (SQLite), `manage.py migrate`, then gunicorn with two
workers on a free loopback port, stopped at the end. Every phase is bounded by a request count and by time.

Usage: .venv/bin/python benchmarks/face_pipeline.py [--requests 200] [--concurrency 4] [--threads-per-process 4]
"""

import argparse
import http.client
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emotion_garden.imaging import DecodedImage
    from gallery.faces.base import FaceDetail, FaceIdentity

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
STARTUP_SECONDS = 90
WARM_UP_ROUNDS = 5
URL = "/api/v1/emotion"
# One math-library thread per process, as in production: the parallelism comes from processes and requests, and
# more threads than cores only makes them fight over the CPU. The local backends pin OpenCV and onnxruntime already.
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class Tally:
    """Requests handed out to clients and what came back, bounded by a count and a deadline."""

    def __init__(self, name: str, *, total: int, max_seconds: float) -> None:
        self.name = name
        self.latencies_ms: list[float] = []
        self.errors = 0
        self.seconds = 0.0
        self._left = total
        self._deadline = time.monotonic() + max_seconds
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0 or time.monotonic() >= self._deadline:
                return False
            self._left -= 1
            return True

    def record(self, elapsed_ms: float, *, ok: bool) -> None:
        with self._lock:
            if ok:
                self.latencies_ms.append(elapsed_ms)
            else:
                self.errors += 1


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
            SINGLE_THREADED, DJANGO_SETTINGS_MODULE="emotion_garden.settings", EMOTION_GARDEN_DATA_DIR=data_dir
        )
        photo = astronaut_jpeg()
        tallies = [pipeline_alone(photo, total=args.requests, max_seconds=args.max_seconds)]
        with gunicorn(threads=args.threads_per_process, log=Path(data_dir) / "gunicorn.log") as port:
            warm_up(port, photo, clients=WORKERS * args.threads_per_process)
            for clients in (1, args.concurrency):
                tallies.append(
                    http_phase(port, photo, clients=clients, total=args.requests, max_seconds=args.max_seconds)
                )
    settings = ", ".join(f"{name}={value}" for name, value in SINGLE_THREADED.items())
    print(f"Face pipeline on a 640x480 JPEG ({len(photo) // 1024} KB, one face); gunicorn {WORKERS} workers x "
          f"{args.threads_per_process} threads; {settings}")
    print_table(tallies)


def astronaut_jpeg() -> bytes:
    """The upper 512x384 of the 512x512 portrait (the face is in its upper middle), scaled to 640x480."""
    from PIL import Image
    from skimage import data as skimage_data

    portrait = Image.fromarray(skimage_data.astronaut())
    image = portrait.crop((0, 0, 512, 384)).resize((640, 480), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def pipeline_alone(photo: bytes, *, total: int, max_seconds: float) -> Tally:
    """detect_faces (detection, expression, age and gender) plus the embedding of the largest face, in this process
    on one thread. The photo is decoded once, outside the timing."""
    import django

    django.setup()
    from emotion_garden.imaging import decode_image
    from gallery.faces import face_analyzer, face_identity

    image = decode_image(photo)
    analyzer, identity = face_analyzer(), face_identity()
    embed = embedding_step(identity)

    def run_once() -> None:
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


@contextmanager
def gunicorn(*, threads: int, log: Path) -> Iterator[int]:
    """Migrate, start gunicorn on a free loopback port and yield the port; stop it however the block ends."""
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, check=True)
    port = free_port()
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "emotion_garden.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(WORKERS), "--threads", str(threads), "--graceful-timeout", "10"],
            cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_until_serving(port, server, log)
            yield port
        finally:
            stop(server)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/api/schema")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.5)
        finally:
            connection.close()
    raise SystemExit(f"gunicorn did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        # gunicorn's own session: this reaches its workers and nothing else.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


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
        http_phase(port, photo, clients=clients, total=clients, max_seconds=STARTUP_SECONDS)


def http_phase(port: int, photo: bytes, *, clients: int, total: int, max_seconds: float) -> Tally:
    """`clients` threads, each with its own keep-alive connection, posting the photo until the tally runs out."""
    tally = Tally(f"POST {URL}, {clients} client{'s' if clients > 1 else ''}", total=total, max_seconds=max_seconds)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            while tally.take():
                start = time.perf_counter()
                try:
                    status, _ = post_photo(connection, photo)
                except (OSError, http.client.HTTPException):
                    # The next request reopens the connection.
                    connection.close()
                    status = 0
                tally.record((time.perf_counter() - start) * 1000, ok=status == 200)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds = time.perf_counter() - started
    return tally


def print_table(tallies: list[Tally]) -> None:
    from gallery.evaluation import latency_percentiles

    header = f"{'phase':<36}{'images':>8}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'images/s':>10}"
    print(header)
    print("-" * len(header))
    for tally in tallies:
        latency = latency_percentiles(tally.latencies_ms)
        p50, p99 = (f"{latency.p50:.1f}", f"{latency.p99:.1f}") if latency else ("n/a", "n/a")
        throughput = len(tally.latencies_ms) / tally.seconds if tally.seconds else 0.0
        print(f"{tally.name:<36}{len(tally.latencies_ms):>8}{tally.errors:>8}{p50:>9}{p99:>9}{throughput:>10.1f}")


if __name__ == "__main__":
    main()
