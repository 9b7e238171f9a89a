"""Collecting one HTTP/1.1 request's bytes before any thread serves it (see emotion_garden.gunicorn_worker).

`RequestBuffer.feed()` takes bytes as they arrive and says when the request is whole: its headers, and its body by
Content-Length or to the last chunk. What it hands over is always a plain Content-Length request: a chunked body is
decoded (Django reads CONTENT_LENGTH bytes, so it saw a chunked body as empty), and an `Expect: 100-continue` has been
answered already, so it is dropped. Requests it cannot judge (a transfer coding other than chunked, conflicting
lengths) and the admin's large uploads are handed over as they are, for gunicorn and Django to refuse or read.
"""

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

# Far above real headers (a browser's cookies are a few KB), far below what would hurt to hold per connection.
MAX_HEADER_BYTES = 64 * 1024
# Bodies up to this size are buffered whole (the API's multipart limit is 2 photos of 10 MB). Larger ones are refused
# with 413 from their declared length, except under LARGE_BODY_PATHS, where they are handed over unread: the admin
# takes curators' archives of up to 200 MB. A thread that read such a body from a silent client waited for ever, and
# eight of them took the site down.
MAX_BUFFERED_BODY_BYTES = 32 * 1024 * 1024
LARGE_BODY_PATHS = ("/admin/",)

_HEADER_END = b"\r\n\r\n"
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r\n")
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
# Headers that describe the framing as received, replaced by one Content-Length once the body is whole.
_REFRAMED = {b"transfer-encoding", b"expect", b"content-length"}


def declared_length(meta: Mapping[str, object]) -> int:
    """A Django request's announced Content-Length (its META), 0 when absent or not a number."""
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class State(Enum):
    INCOMPLETE = "incomplete"
    COMPLETE = "complete"  # `request` holds the (normalised) request
    HAND_OVER = "hand_over"  # serve the bytes so far as they are; the thread reads the rest
    REFUSED = "refused"  # answer `refusal` and close


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str
    code: str
    message: str


class RequestBuffer:
    def __init__(self) -> None:
        self.data = bytearray()
        self.request = b""
        self.surplus = b""  # bytes of a pipelined next request
        self.path = ""
        self.refusal: Refusal | None = None
        self.send_continue = False  # set once, when the client waits for 100 Continue before its body
        self._head: bytes | None = None
        self._body_start = 0
        self._length: int | None = None
        self._chunked = False
        self._expects_continue = False

    def feed(self, data: bytes) -> State:
        self.data += data
        if self._head is None:
            end = self.data.find(_HEADER_END)
            if end < 0:
                if len(self.data) > MAX_HEADER_BYTES:
                    self.path = _request_target(bytes(self.data[:self.data.find(b"\r\n")]))
                    return self._refuse(431, "Request Header Fields Too Large", "headers_too_large",
                                        f"The request's headers are longer than {MAX_HEADER_BYTES} bytes.")
                return State.INCOMPLETE
            self._head, self._body_start = bytes(self.data[:end]), end + len(_HEADER_END)
            state = self._read_head()
            if state is not State.INCOMPLETE:
                return state
        return self._read_body()

    def over_budget(self) -> State:
        """The worker holds too much of requests still arriving: serve this one as it streams in, unless its body is
        chunked (decoded only here), which is refused for now."""
        if self._chunked:
            return self._refuse(503, "Service Unavailable", "server_busy",
                                "The server is receiving too much at once; send the request again shortly.")
        return State.HAND_OVER

    def _read_head(self) -> State:
        lines = self._head.split(b"\r\n")
        self.path = _request_target(lines[0])
        lengths, codings = [], []
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                lengths.append(value.strip())
            elif name == b"transfer-encoding":
                codings.append(value.strip().lower())
            elif name == b"expect" and value.strip().lower() == b"100-continue":
                self._expects_continue = True
        if codings:
            if codings != [b"chunked"] or lengths:  # other codings, or both framings (a smuggling attempt)
                return State.HAND_OVER  # gunicorn refuses or decodes these itself, as before
            self._chunked = True
        elif len(lengths) > 1 or (lengths and not lengths[0].isdigit()):
            return State.HAND_OVER  # gunicorn answers 400 to conflicting or malformed lengths
        else:
            self._length = int(lengths[0]) if lengths else 0
            if self._length > MAX_BUFFERED_BODY_BYTES:
                if self.path.startswith(LARGE_BODY_PATHS):
                    return State.HAND_OVER
                return self._refuse(413, "Content Too Large", "request_too_large",
                                    f"The request body is larger than {MAX_BUFFERED_BODY_BYTES} bytes.")
        if self._expects_continue and len(self.data) == self._body_start and (self._chunked or self._length):
            self.send_continue = True
        return State.INCOMPLETE

    def _read_body(self) -> State:
        if not self._chunked:
            end = self._body_start + self._length
            if len(self.data) < end:
                return State.INCOMPLETE
            return self._complete(bytes(self.data[self._body_start:end]), end)
        body, offset = bytearray(), self._body_start
        while True:
            match = _CHUNK_SIZE.match(self.data, offset)
            if match is None:
                if self.data.find(b"\r\n", offset) >= 0:
                    return self._refuse(400, "Bad Request", "bad_chunk", "A chunk size line is malformed.")
                return State.INCOMPLETE
            size, offset = int(match[1], 16), match.end()
            if size == 0:
                break
            if len(body) + size > MAX_BUFFERED_BODY_BYTES:
                return self._refuse(413, "Content Too Large", "request_too_large",
                                    f"The chunked body is larger than {MAX_BUFFERED_BODY_BYTES} bytes.")
            if len(self.data) < offset + size + 2:
                return State.INCOMPLETE
            if self.data[offset + size:offset + size + 2] != b"\r\n":
                return self._refuse(400, "Bad Request", "bad_chunk", "A chunk does not end where its size says.")
            body += self.data[offset:offset + size]
            offset += size + 2
        # Trailer fields, if any, end with an empty line; they are dropped (nothing here reads them).
        if self.data[offset:offset + 2] == b"\r\n":
            return self._complete(bytes(body), offset + 2)
        end = self.data.find(_HEADER_END, offset)
        if end < 0:
            return State.INCOMPLETE
        return self._complete(bytes(body), end + len(_HEADER_END))

    def _complete(self, body: bytes, end: int) -> State:
        head = self._head
        if self._chunked or self._expects_continue:
            lines = head.split(b"\r\n")
            kept = [line for line in lines[1:] if line.partition(b":")[0].strip().lower() not in _REFRAMED]
            head = b"\r\n".join([lines[0], *kept, f"Content-Length: {len(body)}".encode()])
        self.request = head + _HEADER_END + body
        self.surplus = bytes(self.data[end:])
        return State.COMPLETE

    def _refuse(self, status: int, reason: str, code: str, message: str) -> State:
        self.refusal = Refusal(status=status, reason=reason, code=code, message=message)
        return State.REFUSED


def _request_target(request_line: bytes) -> str:
    """The path (and query) of a request line, or of its beginning; "" if it names none."""
    parts = request_line.split(b" ")
    return parts[1].decode("latin-1") if len(parts) >= 2 else ""


def error_response(*, status: int, reason: str, code: str, message: str, path: str) -> bytes:
    """A complete HTTP answer that closes the connection: the API's error format under /api/ (with a request id of
    its own, in the X-Request-ID header too, and the docs' path: no host is trusted this early), text elsewhere."""
    request_id = uuid.uuid4().hex
    if path.startswith("/api/"):
        error = {"code": code, "message": message, "request_id": request_id, "docs": "/api/docs"}
        body, content_type = json.dumps({"error": error}).encode(), "application/json"
    else:
        body, content_type = message.encode(), "text/plain; charset=utf-8"
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            f"X-Request-ID: {request_id}\r\nConnection: close\r\n\r\n").encode() + body
