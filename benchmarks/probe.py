"""Probes an outside tester would run against a live server, each printing tries, 5xx, hangs and rows lost.

- slow: 10 sockets send a POST's headers and then one byte every 3 s, while /healthz is asked every 0.1 s.
- decode: 16 clients send a PNG just under the pixel limit to /api/v1/emotion, while one client asks for gardens;
  the web workers' memory (RSS) is sampled throughout.
- kill-web: 8 clients like images (retrying with the same client_event_id, as the API asks), and one web worker is
  killed with SIGKILL; then every acknowledged like must be in the database exactly once.
- kill-tasks: 40 tasks are queued and the task worker (qcluster) is killed with SIGKILL while it runs them; once it
  is restarted, every task must finish.
- redis: the server runs with REDIS_URL pointing at a port where nothing listens; gardens, likes and emotions must
  still be served (no 5xx), and /healthz must say 503.
- escapes, stalled, keepalive: bodies that cost more than their size says, and kept-alive clients that keep every
  thread busy (benchmarks/probe_bodies.py).

The server is the embedded install in a temporary EMOTION_GARDEN_DATA_DIR (gunicorn with the production
configuration, 2 workers), unthrottled. A hang is a request without an answer within --hang-seconds.

Usage: .venv/bin/python benchmarks/probe.py [--probes slow,decode,kill-web,kill-tasks,redis,escapes,stalled,keepalive]
       [--seconds 20] [--worker-class gthread] (to compare with gunicorn's own worker)
"""

import argparse
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from loadtools import ROOT, SINGLE_THREADED, UNTHROTTLED, free_port, stop, wait_until_serving
from probe_bodies import probe_escapes, probe_keepalive, probe_stalled
from probe_requests import Outcome, Outcomes, ask_health, call, socket_answers, timed


@contextmanager
def server(data_dir: Path, env: dict[str, str], worker_class: str | None) -> Iterator[tuple[int, subprocess.Popen]]:
    port = free_port()
    extra = ["--worker-class", worker_class] if worker_class else []
    log = data_dir / f"gunicorn-{port}.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "emotion_garden/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--workers", "2", *extra],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_serving(port, process, log)
            yield port, process
        finally:
            stop(process)


def workers_of(master: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(stat.parent.name))
    return children


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def near_limit_png(max_pixels: int) -> bytes:
    from PIL import Image

    height = int((max_pixels * 0.98 / (4 / 3)) ** 0.5)
    width = int(height * 4 / 3)
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def probe_slow(port: int, seconds: float, hang: float) -> Outcome:
    outcome = Outcome("slow: /healthz beside 10 slow")
    for _ in range(8):  # every worker thread past its first request (lazy imports), so the probe times only the stall
        call(port, "GET", "/healthz", timeout=hang)
    sockets = []
    for _ in range(10):
        connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(b"POST /api/v1/like HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 200\r\n\r\n{")
        sockets.append(connection)
    deadline = time.monotonic() + seconds
    stopped = threading.Event()

    def trickle() -> None:  # a thread of its own, so a slow /healthz answer never delays a byte
        while not stopped.wait(3):
            for connection in sockets:
                with suppress(OSError):
                    connection.sendall(b" ")

    trickler = threading.Thread(target=trickle)
    trickler.start()
    ask_health(outcome, port, deadline, hang)
    stopped.set()
    trickler.join()
    # At once: a few seconds more without a byte and each would rightly get its 408.
    outcome.notes.append(f"the slow sockets were answered: {socket_answers(sockets)}")
    return outcome


def probe_decode(port: int, master: int, seconds: float, hang: float, max_pixels: int) -> list[Outcome]:
    photo = near_limit_png(max_pixels)
    photos, gardens = Outcome("decode: 16 x near-limit PNG"), Outcome("decode: garden beside them")
    workers = workers_of(master)
    baseline = {pid: rss_mb(pid) for pid in workers}
    peak = dict(baseline)
    stop_at = time.monotonic() + seconds

    def send_photos() -> None:
        while time.monotonic() < stop_at:
            timed(photos, port, "POST", "/api/v1/emotion", photo, content_type="image/png", timeout=hang)

    def ask_gardens() -> None:
        while time.monotonic() < stop_at:
            timed(gardens, port, "POST", "/api/v1/garden", b'{"emotion": "HAPPY"}', timeout=hang)

    threads = [threading.Thread(target=send_photos) for _ in range(16)] + [threading.Thread(target=ask_gardens)]
    for thread in threads:
        thread.start()
    while time.monotonic() < stop_at:
        for pid in workers:
            peak[pid] = max(peak[pid], rss_mb(pid))
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    photos.notes.append(f"{len(photo) // 1024} KB PNG; worker RSS MB before -> peak: "
                        + ", ".join(f"{baseline[pid]:.0f} -> {peak[pid]:.0f}" for pid in workers))
    return [photos, gardens]


def probe_kill_web(port: int, master: int, seconds: float, hang: float, image_ids: list[int]) -> Outcome:
    outcome = Outcome("kill-web: likes, kill -9 a worker")
    acknowledged: list[str] = []
    stop_at = time.monotonic() + seconds

    def like(number: int) -> None:
        while time.monotonic() < stop_at:
            event_id = uuid.uuid4().hex
            body = json.dumps({"image": image_ids[number % len(image_ids)], "client_event_id": event_id}).encode()
            for _ in range(6):  # retried with the same id until answered, as a client should
                status, _ = timed(outcome, port, "POST", "/api/v1/like", body, timeout=hang)
                if status in (200, 201):
                    acknowledged.append(event_id)
                    break
                time.sleep(0.2)

    threads = [threading.Thread(target=like, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 3)
    victim = workers_of(master)[0]
    os.kill(victim, signal.SIGKILL)
    outcome.notes.append(f"killed worker {victim}; retried requests (refused or reset): {outcome.statuses[-1]}")
    for thread in threads:
        thread.join()
    from recommender.models import Interaction

    stored = Counter(Interaction.objects.filter(client_event_id__in=acknowledged)
                     .values_list("client_event_id", flat=True))
    outcome.rows_lost = sum(1 for event_id in acknowledged if event_id not in stored)
    outcome.notes.append(f"{len(acknowledged)} likes acknowledged; doubled: "
                         f"{sum(1 for count in stored.values() if count > 1)}")
    return outcome


def probe_kill_tasks(env: dict[str, str], hang: float) -> Outcome:
    from django_q.models import Task
    from django_q.tasks import async_task

    outcome = Outcome("kill-tasks: 40 tasks, kill -9")
    cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ids = [async_task("time.sleep", 0.3, task_name=f"probe-{number}") for number in range(40)]
    outcome.tries = len(ids)
    time.sleep(4)
    done_before = Task.objects.filter(id__in=ids).count()
    os.killpg(cluster.pid, signal.SIGKILL)
    cluster.wait()
    cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + hang * 12
    while Task.objects.filter(id__in=ids).count() < len(ids) and time.monotonic() < deadline:
        time.sleep(0.5)
    finished = Task.objects.filter(id__in=ids)
    outcome.rows_lost = len(ids) - finished.count()
    outcome.server_errors = finished.filter(success=False).count()
    outcome.notes.append(f"{done_before} done before the kill; all done {finished.count() == len(ids)} "
                         f"(Q_TIMEOUT/Q_RETRY 3/5 s for the probe)")
    stop(cluster)  # SIGTERM, then SIGKILL to its process group after 20 s
    return outcome


def probe_redis(port: int, seconds: float, hang: float, image_ids: list[int], face: bytes) -> Outcome:
    outcome = Outcome("redis: unreachable, API served")
    health = Counter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        timed(outcome, port, "POST", "/api/v1/garden", b'{"emotion": "HAPPY"}', timeout=hang)
        timed(outcome, port, "POST", "/api/v1/like", json.dumps({"image": image_ids[0]}).encode(), timeout=hang)
        timed(outcome, port, "POST", "/api/v1/emotion", face, content_type="image/jpeg", timeout=hang)
        health[call(port, "GET", "/healthz", timeout=hang)[0]] += 1
    outcome.notes.append(f"/healthz answered {dict(health)}")
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--probes", default="slow,decode,kill-web,kill-tasks,redis,escapes,stalled,keepalive")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--hang-seconds", type=float, default=10)
    parser.add_argument("--worker-class", default=None, help="e.g. gthread, to compare with gunicorn's own worker")
    parser.add_argument("--keep", action="store_true", help="keep the servers' logs and database, and print where")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="emotion-garden-probe-"))
    try:
        run_probes(args, data_dir)
    finally:
        if args.keep:
            print(f"the servers' logs and database: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def run_probes(args: argparse.Namespace, data_dir: Path) -> None:
    probes = set(args.probes.split(","))
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SINGLE_THREADED, **UNTHROTTLED, DJANGO_SETTINGS_MODULE="emotion_garden.settings",
               EMOTION_GARDEN_DATA_DIR=str(data_dir), Q_TIMEOUT="3", Q_RETRY="5")
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "seed_demo_gallery", "--per-emotion", "2"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from curation.models import Image

    image_ids = list(Image.objects.filter(status=Image.Status.APPROVED).values_list("id", flat=True))
    outcomes = Outcomes()
    with server(data_dir, env, args.worker_class) as (port, master):
        if "slow" in probes:
            outcomes.append(probe_slow(port, args.seconds, args.hang_seconds))
        if "decode" in probes:
            outcomes.extend(probe_decode(port, master.pid, args.seconds, args.hang_seconds, settings.MAX_IMAGE_PIXELS))
        if "escapes" in probes:
            outcomes.extend(probe_escapes(port, args.seconds, args.hang_seconds))
        if "stalled" in probes:
            outcomes.append(probe_stalled(port, args.seconds, args.hang_seconds))
        if "keepalive" in probes:
            outcomes.extend(probe_keepalive(port, args.seconds, args.hang_seconds))
        if "kill-web" in probes:
            outcomes.append(probe_kill_web(port, master.pid, args.seconds, args.hang_seconds, image_ids))
    if "kill-tasks" in probes:
        outcomes.append(probe_kill_tasks(env, args.hang_seconds))
    if "redis" in probes:
        from face_pipeline import astronaut_jpeg

        unreachable = {**env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/1"}
        with server(data_dir, unreachable, args.worker_class) as (port, _):
            outcomes.append(probe_redis(port, args.seconds, args.hang_seconds, image_ids, astronaut_jpeg()))


if __name__ == "__main__":
    main()
