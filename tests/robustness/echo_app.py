"""A WSGI app for the worker's tests: it reads the whole body and says what it got; /slow takes 0.5 s."""

import hashlib
import json
import time
from collections.abc import Callable, Iterable


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    if environ["PATH_INFO"] == "/slow":
        time.sleep(0.5)
    answer = json.dumps({"path": environ["PATH_INFO"], "content_length": length, "body_bytes": len(body),
                         "sha256": hashlib.sha256(body).hexdigest(),
                         "transfer_encoding": environ.get("HTTP_TRANSFER_ENCODING", "")}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))])
    return [answer]
