"""What benchmarks/probe.py and benchmarks/probe_bodies.py share: one request's outcome counted, the table they print,
and the two things several probes do beside their load (ask /healthz every 0.1 s, read what stalled sockets got)."""

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from socket import socket


@dataclass
class Outcome:
    name: str
    tries: int = 0
    server_errors: int = 0
    hangs: int = 0
    rows_lost: int | None = None
    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int, elapsed_ms: float) -> None:
        with self.lock:
            self.tries += 1
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors += 1
            if status == 0:
                self.hangs += 1
            elif status > 0:
                self.latencies_ms.append(elapsed_ms)

    def line(self) -> str:
        ordered = sorted(self.latencies_ms)
        p50 = ordered[len(ordered) // 2] if ordered else float("nan")
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")
        lost = "-" if self.rows_lost is None else str(self.rows_lost)
        labels = {0: "hang", -1: "reset"}
        statuses = " ".join(f"{labels.get(status, status)}:{count}" for status, count in sorted(self.statuses.items()))
        text = (f"{self.name:<34}{self.tries:>7}{self.server_errors:>6}{self.hangs:>7}{lost:>6}{p50:>9.1f}{p99:>9.1f}"
                f"  {statuses}")
        return "\n".join([text, *(f"{'':<34}{note}" for note in self.notes)])


class Outcomes:
    """Printed as each probe ends, so that a probe that fails still leaves the others' figures."""

    def __init__(self) -> None:
        print(f"{'probe':<34}{'tries':>7}{'5xx':>6}{'hangs':>7}{'lost':>6}{'p50 ms':>9}{'p99 ms':>9}  statuses",
              flush=True)

    def append(self, outcome: Outcome) -> None:
        print(outcome.line(), flush=True)

    def extend(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            self.append(outcome)


def call(port: int, method: str, path: str, body: bytes | None = None, *, content_type: str = "application/json",
         timeout: float) -> tuple[int, bytes]:
    """One request on a new connection: (status, body), or (0, b"") when no answer came within `timeout`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": content_type} if body else {})
        response = connection.getresponse()
        return response.status, response.read()
    except TimeoutError:
        return 0, b""
    except (OSError, http.client.HTTPException):
        return -1, b""  # refused or reset: the client retries
    finally:
        connection.close()


def timed(outcome: Outcome, port: int, method: str, path: str, body: bytes | None = None, *, timeout: float,
          content_type: str = "application/json") -> tuple[int, bytes]:
    started = time.perf_counter()
    status, answer = call(port, method, path, body, content_type=content_type, timeout=timeout)
    outcome.record(status, (time.perf_counter() - started) * 1000)
    return status, answer


def ask_health(outcome: Outcome, port: int, deadline: float, hang: float) -> None:
    """/healthz every 0.1 s until `deadline`: whether the server still answers beside a probe's load."""
    while time.monotonic() < deadline:
        timed(outcome, port, "GET", "/healthz", timeout=hang)
        time.sleep(0.1)


def while_asking_health(health: Outcome, port: int, deadline: float, hang: float, load: Callable[[], None], *,
                        clients: int) -> None:
    """`clients` threads each running `load`, while /healthz is asked every 0.1 s until `deadline`."""
    threads = [threading.Thread(target=load) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ask_health(health, port, deadline, hang)
    for thread in threads:
        thread.join()


def socket_answers(sockets: list[socket]) -> dict[str, int]:
    """The status each socket was answered with so far (read at once, without waiting), then closes them."""
    answered = Counter()
    for connection in sockets:
        connection.setblocking(False)
        try:
            answered[connection.recv(100).split(b" ")[1].decode()] += 1
        except (OSError, IndexError):
            answered["still open"] += 1
        with suppress(OSError):
            connection.close()
    return dict(answered)
