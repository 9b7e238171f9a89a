"""benchmarks/probe.py's probes of requests that cost the server more than their size says, and of connections.

- escapes: 4 clients send 64 KB JSON bodies of an unterminated string of \\" (the nesting check once took 14 s of
  a worker's GIL for each), while /healthz is asked every 0.1 s.
- stalled: 16 sockets announce a large body (8 of 100 MB to /admin/login/, with a CSRF cookie so the form would be
  read, 8 of 40 MB to /api/v1/emotion), send 1 KB and go silent, while /healthz is asked every 0.1 s.
- keepalive: 32 clients each keep one connection open and ask for gardens back to back (more than the workers have
  threads), while /healthz is asked every 0.1 s on new connections: a kept-alive client's next request is ready the
  moment a thread frees, and busy workers once never got round to accepting anyone else.
"""

import http.client
import json
import socket
import time

from probe_requests import Outcome, ask_health, call, socket_answers, timed, while_asking_health

ESCAPED_QUOTES = b'{"emotion": "' + b'\\"' * 32_760


def probe_escapes(port: int, seconds: float, hang: float) -> list[Outcome]:
    senders, health = Outcome("escapes: 64 KB of \\\" x 4 clients"), Outcome("escapes: /healthz beside them")
    deadline = time.monotonic() + seconds

    def send() -> None:
        while time.monotonic() < deadline:
            timed(senders, port, "POST", "/api/v1/garden", ESCAPED_QUOTES, timeout=hang)

    while_asking_health(health, port, deadline, hang, send, clients=4)
    return [senders, health]


def probe_stalled(port: int, seconds: float, hang: float) -> Outcome:
    outcome = Outcome("stalled: /healthz beside 16 stalled")
    for _ in range(8):  # every worker thread past its first request (lazy imports), as probe_slow does
        call(port, "GET", "/healthz", timeout=hang)
    heads = [b"POST /admin/login/ HTTP/1.1\r\nHost: x\r\nCookie: csrftoken=" + b"a" * 32 + b"\r\n"
             b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000000\r\n\r\n"] * 8
    heads += [b"POST /api/v1/emotion HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
              b"Content-Length: 40000000\r\n\r\n"] * 8
    sockets = []
    for head in heads:
        connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(head + b"--b\r\n" + b"x" * 1019)
        sockets.append(connection)
    ask_health(outcome, port, time.monotonic() + seconds, hang)
    outcome.notes.append(f"the stalled sockets were answered: {socket_answers(sockets)}")
    return outcome


def probe_keepalive(port: int, seconds: float, hang: float) -> list[Outcome]:
    kept, health = Outcome("keepalive: 32 kept-alive gardens"), Outcome("keepalive: /healthz beside them")
    deadline = time.monotonic() + seconds
    body = json.dumps({"emotion": "HAPPY", "n": 3}).encode()

    def keep_asking() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=hang)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/garden", body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except TimeoutError:
                status = 0
            except (OSError, http.client.HTTPException):
                status = -1  # closed by the server for the waiting ones' sake: connect again
            if status <= 0:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=hang)
            kept.record(status, (time.perf_counter() - started) * 1000)
        connection.close()

    while_asking_health(health, port, deadline, hang, keep_asking, clients=32)
    return [kept, health]

