"""gunicorn's threaded worker, but one whose threads are all busy leaves new connections to the other workers, and
(BufferedThreadWorker) whose threads are never held by a slow client.

Every gthread worker accepts from the same listening socket, whoever wakes first, and keeps what it accepted for
the life of the connection. A burst of new keep-alive connections (a load balancer's pool, a client opening several
at once) can therefore all land on one worker: one Python process, so one core, while the others idle. With
`benchmarks/load.py`'s 8 connections on 2 workers, splits of 8-0 and 7-1 were common, and they were the runs where
likes fell from about 380 to 260 per second.

Here a worker stops accepting while as many requests as it has threads are in hand, and starts again when one
finishes. Idle kept-alive connections do not count, so browsers holding connections open never stop a worker from
accepting. Busy ones could starve the accept queue, though: a kept-alive client's next request is ready the moment a
thread frees, so a worker whose threads its own clients keep busy never got round to accepting (32 keep-alive
clients on 2 workers left 9 others, and /healthz, without an answer for 30 s). So while every thread is busy and
connections wait to be accepted, a response closes its connection: that client queues again behind the waiting ones.
This leans on gthread's internals (the accept switch, enqueue_req and finish_request, all run on the worker's main
thread, and max_keepalived, read before each response), hence the pinned gunicorn release in requirements.txt.
"""

import contextlib
import errno
import selectors
import socket
import struct
import time
from concurrent.futures import Future
from functools import partial
from typing import Any

from gunicorn.http import errors
from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import TConn, ThreadWorker

from emotion_garden.request_buffer import CONTINUE, RequestBuffer, State, error_response

_TCP_INFO = getattr(socket, "TCP_INFO", None)
_TCP_INFO_BYTES = 104
_TCP_INFO_UNACKED_OFFSET = 24  # after eight one-byte fields and four u32s (rto, ato, snd_mss, rcv_mss)


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requests_in_hand = 0

    def set_accept_enabled(self, enabled: bool) -> None:
        # gthread's loop asks for accepting whenever it is below worker_connections; busy threads say no.
        super().set_accept_enabled(enabled and self.requests_in_hand < self.cfg.threads)

    def enqueue_req(self, conn: Any) -> None:
        self.requests_in_hand += 1
        if self.requests_in_hand >= self.cfg.threads:
            super().set_accept_enabled(False)
        super().enqueue_req(conn)

    def finish_request(self, conn: Any, fs: Future) -> None:
        # The loop turns accepting back on at its next turn (set_accept_enabled above).
        self.requests_in_hand -= 1
        super().finish_request(conn, fs)

    # gthread reads this before each response, and closes the connection after it when as many are kept alive.
    @property
    def max_keepalived(self) -> int:
        if self.requests_in_hand >= self.cfg.threads and self._connections_waiting():
            return 0
        return self._max_keepalived

    @max_keepalived.setter
    def max_keepalived(self, value: int) -> None:
        self._max_keepalived = value

    def _connections_waiting(self) -> bool:
        """Whether a listening socket has connections the kernel holds for accept (Linux's TCP_INFO of a listener
        reports its accept queue's length where a connection's reports unacknowledged segments)."""
        for listener in self.sockets:
            try:
                info = listener.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, _TCP_INFO_BYTES)
            except (OSError, TypeError):  # a Unix socket, or no TCP_INFO on this platform
                continue
            if struct.unpack_from("I", info, _TCP_INFO_UNACKED_OFFSET)[0]:
                return True
        return False


# No byte for this long in the middle of a request (a body shorter than its Content-Length, a stalled upload): 408.
IDLE_TIMEOUT = 5.0
# A whole request, headers and body, from its first byte: a client trickling a byte every few seconds gets 408 too.
REQUEST_TIMEOUT = 60.0
_RECV_BYTES = 64 * 1024
# A request handed to a thread before all of it arrived (an admin upload over the buffer's limit, or an arrival past
# BUFFER_BUDGET_BYTES): the thread's reads of its body fail after this long without a byte, where they waited for ever.
HANDED_OVER_IDLE_TIMEOUT = 30.0
# The bytes one worker may hold of requests still arriving. Past it, each arrival of a megabyte or more goes on to a
# thread as gthread would take it (so memory stays bounded when many large uploads trickle in at once).
BUFFER_BUDGET_BYTES = 256 * 1024 * 1024
_LARGE_ARRIVAL_BYTES = 1024 * 1024


# What gunicorn's parser refuses in a request the buffer handed over (a request line over 4094 bytes, over 100 header
# fields, a header name with a space, an unknown transfer coding), with gunicorn's status, in the API's error format
# under /api/: gunicorn writes HTML pages.
_MALFORMED: tuple[tuple[type[Exception], int, str], ...] = (
    (errors.LimitRequestLine, 414, "URI Too Long"),
    (errors.LimitRequestHeaders, 431, "Request Header Fields Too Large"),
    (errors.UnsupportedTransferCoding, 501, "Not Implemented"),
    (errors.ExpectationFailed, 417, "Expectation Failed"),
    ((errors.InvalidRequestLine, errors.InvalidRequestMethod, errors.InvalidHTTPVersion, errors.InvalidHeader,
      errors.InvalidHeaderName, errors.ObsoleteFolding, errors.InvalidSchemeHeaders, errors.InvalidChunkSize,
      errors.ChunkMissingTerminator, errors.InvalidChunkExtension), 400, "Bad Request"),
)


class _ReplaySocket:
    """The client's socket, whose reads return the request the main thread buffered before reading the socket."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._pending = memoryview(b"")
        self.path = ""  # the replayed request's, for the format of its refusal (BufferedThreadWorker.handle_error)
        self.read_timeout: float | None = None  # for the thread's reads, once gthread makes the socket blocking
        self._closing = False

    def setblocking(self, flag: bool) -> None:
        if flag and self.read_timeout is not None:
            self._sock.settimeout(self.read_timeout)
        else:
            self._sock.setblocking(flag)

    def shutdown(self, how: int) -> None:
        self._sock.shutdown(how)
        self._closing = self._closing or how in (socket.SHUT_WR, socket.SHUT_RDWR)

    def settimeout(self, value: float | None) -> None:
        # gthread closes a connection with close_graceful on the worker's main thread: after shutting down its side,
        # it waits up to 2 s for the client to close, and a few clients that never did (answered 413 with their
        # upload unsent, or asking "Connection: close") stalled every other connection of the worker, 2 s each.
        # Once closing, only what has already arrived is read before the socket closes.
        self._sock.settimeout(0.0 if self._closing else value)

    def replay(self, data: bytes, *, path: str) -> None:
        self._pending = memoryview(data)
        self.path = path

    def recv(self, size: int, flags: int = 0) -> bytes:
        if self._pending:
            chunk, self._pending = bytes(self._pending[:size]), self._pending[size:]
            return chunk
        return self._sock.recv(size, flags)

    def recv_into(self, buffer: Any, size: int = 0, flags: int = 0) -> int:
        if self._pending:
            count = min(size or len(buffer), len(self._pending))
            buffer[:count], self._pending = self._pending[:count], self._pending[count:]
            return count
        return self._sock.recv_into(buffer, size, flags)

    def __getattr__(self, name: str) -> Any:  # send, sendall, sendfile, fileno, close, setblocking...
        return getattr(self._sock, name)


class BufferedThreadWorker(BalancedThreadWorker):
    """BalancedThreadWorker, except that a request reaches a thread only once all of it has arrived.

    gthread hands a connection to a thread at its first byte, and the thread then waits on the socket for the rest:
    10 sockets sending a POST's headers and then a byte every 3 s held all 8 threads of two workers, and /healthz
    timed out 10 times in 10 s; a body shorter than its Content-Length held a thread until the client went away.
    Here the worker's main thread, which already watches every socket, reads each request into memory as it
    arrives (emotion_garden.request_buffer) and queues it for a thread when it is whole, so the threads only ever
    serve. A request stalling for IDLE_TIMEOUT, or unfinished after REQUEST_TIMEOUT, is answered 408 by the main
    thread. Chunked bodies are decoded into a Content-Length request (Django read them as empty before).
    TLS and HTTP/2 connections, which this project's deployments do not use (TLS ends at the proxy), keep gthread's
    own handling.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.buffering: set[TConn] = set()
        self.buffered_bytes = 0

    def accept(self, listener: socket.socket) -> None:
        try:
            client_sock, client_addr = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        if self.cfg.is_ssl or negotiation.prior_knowledge_allowed(self.cfg, client_addr):
            self.enqueue_req(TConn(self.cfg, client_sock, client_addr, listener.getsockname()))
            return
        conn = TConn(self.cfg, _ReplaySocket(client_sock), client_addr, listener.getsockname())
        self._buffer_next_request(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def on_client_socket_readable(self, conn: TConn, client: Any) -> None:
        if not isinstance(conn.sock, _ReplaySocket):
            super().on_client_socket_readable(conn, client)
            return
        self.keepalived_conns.remove(conn)
        self._buffer_next_request(conn)
        self.poller.modify(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))
        self._on_readable(conn, client)

    def finish_request(self, conn: TConn, fs: Future) -> None:
        super().finish_request(conn, fs)
        surplus = getattr(conn, "surplus", b"")
        if surplus and conn in self.keepalived_conns:  # a pipelined request: no readable event will announce it
            conn.surplus = b""
            self.keepalived_conns.remove(conn)
            self._buffer_next_request(conn)
            self.poller.modify(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))
            self._feed(conn, surplus)

    def _keepalive_after(self, conn: TConn, keepalive: bool) -> bool:
        # Handed over before its body arrived, a request may have been answered without reading it (a 413 from the
        # large-body guard): gthread would drain the body first, holding the thread up to 5 s for bytes nobody wants.
        # The connection closes instead.
        if isinstance(conn.sock, _ReplaySocket) and conn.sock.read_timeout is not None:
            return False
        return super()._keepalive_after(conn, keepalive)

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        path = getattr(client, "path", "")
        refusal = next(((status, reason) for kinds, status, reason in _MALFORMED if isinstance(exc, kinds)), None)
        if refusal is None or not path.startswith("/api/"):
            super().handle_error(req, client, addr, exc)
            return
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        status, reason = refusal
        with contextlib.suppress(OSError):
            client.sendall(error_response(status=status, reason=reason, code="malformed_request", path=path,
                                          message=f"The request is malformed: {exc}"))

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn in [conn for conn in self.buffering if now >= min(conn.idle_deadline, conn.request_deadline)]:
            buffer: RequestBuffer = conn.request_buffer
            if now < conn.request_deadline and self._on_readable(conn, None):
                continue  # bytes were waiting: this loop was late (a starved CPU), not the client
            if conn not in self.buffering:
                continue  # the client went away
            self._stop_buffering(conn)
            if buffer.data:
                self.log.info("408 for %s %s: %d bytes received, the last %.1f s ago", conn.client, buffer.path or "-",
                              len(buffer.data), now - (conn.idle_deadline - IDLE_TIMEOUT))
                self._answer_and_close(conn, error_response(
                    status=408, reason="Request Timeout", code="request_timeout", path=buffer.path,
                    message=f"The request did not arrive whole in time (nothing for {IDLE_TIMEOUT:g} s, or not "
                            f"all of it within {REQUEST_TIMEOUT:g} s)."))
            else:  # an idle connection: closed as gthread closes idle kept-alive ones
                self.nr_conns -= 1
                conn.close()

    def _buffer_next_request(self, conn: TConn) -> None:
        conn.request_buffer = RequestBuffer()
        # Until the first byte, a connection may idle as long as a kept-alive one.
        conn.idle_deadline = time.monotonic() + self.cfg.keepalive
        conn.request_deadline = float("inf")
        self.buffering.add(conn)

    def _on_readable(self, conn: TConn, client: Any) -> bool:
        """Take what the socket holds; False if it held nothing (and was not closed)."""
        try:
            data = conn.sock.recv(_RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            data = b""
        if not data:  # the client went away
            self._stop_buffering(conn)
            self.nr_conns -= 1
            conn.close()
            return False
        now = time.monotonic()
        if not conn.request_buffer.data:
            conn.request_deadline = now + REQUEST_TIMEOUT
        conn.idle_deadline = now + IDLE_TIMEOUT
        self._feed(conn, data)
        return True

    def _feed(self, conn: TConn, data: bytes) -> None:
        self.buffered_bytes += len(data)
        self._advance(conn, conn.request_buffer.feed(data))

    def _advance(self, conn: TConn, state: State) -> None:
        buffer: RequestBuffer = conn.request_buffer
        if buffer.send_continue:  # the client waits for this before it sends its body
            buffer.send_continue = False
            self._send(conn, CONTINUE)
        if state is State.INCOMPLETE:
            if self.buffered_bytes <= BUFFER_BUDGET_BYTES or len(buffer.data) < _LARGE_ARRIVAL_BYTES:
                return
            state = buffer.over_budget()
        self._stop_buffering(conn)
        if state is State.REFUSED:
            refusal = buffer.refusal
            self._answer_and_close(conn, error_response(
                status=refusal.status, reason=refusal.reason, code=refusal.code, message=refusal.message,
                path=buffer.path))
            return
        conn.sock.replay(buffer.request if state is State.COMPLETE else bytes(buffer.data), path=buffer.path)
        conn.sock.read_timeout = None if state is State.COMPLETE else HANDED_OVER_IDLE_TIMEOUT
        conn.surplus = buffer.surplus
        conn.data_ready = True  # gthread's handle() must not wait for the socket to be readable: the data is here
        self.enqueue_req(conn)

    def _stop_buffering(self, conn: TConn) -> None:
        if conn in self.buffering:
            self.buffered_bytes -= len(conn.request_buffer.data)
        self.buffering.discard(conn)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)

    def _answer_and_close(self, conn: TConn, response: bytes) -> None:
        self._send(conn, response)
        self.nr_conns -= 1
        conn.close()

    @staticmethod
    def _send(conn: TConn, data: bytes) -> None:
        """A few hundred bytes at most, on a socket without a request in flight: the send buffer takes them."""
        with contextlib.suppress(OSError):
            conn.sock.send(data)
