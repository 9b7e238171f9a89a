"""What the HTTP benchmarks share: gunicorn on a free loopback port, bounded concurrent clients, the results table.

Loopback only; every phase stops after its request count or its time limit, and the server is stopped however the
benchmark ends.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
STARTUP_SECONDS = 90
# One math-library thread per process, as in production: the parallelism comes from processes and requests, and
# more threads than cores only makes them fight over the CPU. The local backends pin OpenCV and onnxruntime already.
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# The Python-client benchmarks measure one endpoint's own cost from one address, which the anonymous per-address
# throttle would cut short (benchmarks/load.py keeps throttling on, with an API key above its load).
UNTHROTTLED = {"API_ANON_RATE": "none", "API_PERSON_RATE": "none"}

# A client's request on its keep-alive connection; returns the HTTP status.
Request = Callable[[http.client.HTTPConnection], int]


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


@contextmanager
def gunicorn(*, log: Path, threads: int | None = None, workers: int = WORKERS, root: Path = ROOT) -> Iterator[int]:
    """Migrate, start gunicorn with the production configuration (emotion_garden/gunicorn.conf.py) on a free loopback
    port and yield the port; stop it however the block ends. `threads` overrides the configuration's; `root` is the
    checkout whose code serves (another one's, for a comparison on the same data).

    The server inherits this process's environment (EMOTION_GARDEN_DATA_DIR, DATABASE_URL, ...).
    """
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=root, check=True)
    port = free_port()
    overrides = ["--threads", str(threads)] if threads else []
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "emotion_garden/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), *overrides],
            cwd=root, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_until_serving(port, server, log)
            yield port
        finally:
            stop(server)


def cpu_yardstick_ms() -> float:
    """How long this machine takes, now, for a fixed pure-Python loop (best of three, in ms). The shared 2-core
    machines these benchmarks run on have drifted by 15-45% within an hour: printed beside a benchmark's figures, it
    tells whether two runs were on a machine of the same speed."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(5_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def yardstick_text(*readings: float) -> str:
    """cpu_yardstick_ms readings for a results header: "CPU yardstick 150/162 ms (before/after)"."""
    when = " (before/after)" if len(readings) > 1 else ""
    return f"CPU yardstick {'/'.join(f'{ms:.0f}' for ms in readings)} ms{when}"


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


def run_clients(port: int, request: Request, *, name: str, clients: int, total: int, max_seconds: float) -> Tally:
    """`clients` threads, each with its own keep-alive connection, sending `request` until the tally runs out."""
    tally = Tally(name, total=total, max_seconds=max_seconds)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            while tally.take():
                start = time.perf_counter()
                try:
                    status = request(connection)
                except (OSError, http.client.HTTPException):
                    # The next request reopens the connection.
                    connection.close()
                    status = 0
                tally.record((time.perf_counter() - start) * 1000, ok=200 <= status < 300)
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


@dataclass(frozen=True)
class Row:
    """One phase's line of the results table."""

    name: str
    requests: int  # answered with a 2xx
    errors: int
    p50_ms: float | None
    p99_ms: float | None
    per_second: float


def print_table(tallies: list[Tally], *, unit: str = "requests") -> None:
    from tools.faces.evaluation import latency_percentiles

    rows = []
    for tally in tallies:
        latency = latency_percentiles(tally.latencies_ms)
        rows.append(Row(name=tally.name, requests=len(tally.latencies_ms), errors=tally.errors,
                        p50_ms=latency.p50 if latency else None, p99_ms=latency.p99 if latency else None,
                        per_second=len(tally.latencies_ms) / tally.seconds if tally.seconds else 0.0))
    print_rows(rows, unit=unit)


def print_rows(rows: list[Row], *, unit: str = "requests") -> None:
    width = max([40, *(len(row.name) + 2 for row in rows)])
    header = f"{'phase':<{width}}{unit:>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'per s':>9}"
    print(header)
    print("-" * len(header))
    for row in rows:
        p50, p99 = (f"{row.p50_ms:.1f}", f"{row.p99_ms:.1f}") if row.p50_ms is not None else ("n/a", "n/a")
        print(f"{row.name:<{width}}{row.requests:>9}{row.errors:>8}{p50:>9}{p99:>9}{row.per_second:>9.1f}")
