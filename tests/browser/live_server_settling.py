"""Waiting for the live server to finish what a closed browser left it answering.

A page keeps asking after its test's last assertion (the garden behind a reading, its impressions, a like), and
closing the browser does not stop the server threads already answering. pytest-django empties the database when a
live-server test ends, and on PostgreSQL that TRUNCATE deadlocks with such a request's foreign-key checks (CI saw
it). A test therefore ends only once the server has been idle for a moment."""

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from pytest_django.live_server_helper import LiveServer

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class InFlightRequests:
    """A WSGI app wrapped to count the requests it is answering."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self._answering = 0
        self._last_finished = time.monotonic()
        self._changed = threading.Condition()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self._changed:
            self._answering += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self._changed:
                self._answering -= 1
                self._last_finished = time.monotonic()
                self._changed.notify_all()

    def wait_until_quiet(self, *, quiet_seconds: float, timeout: float) -> bool:
        """True once no request has been answered for quiet_seconds: a connection the browser opened just before
        it closed may still sit in the listen queue when the count first reaches zero."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                now = time.monotonic()
                if self._answering == 0 and now - self._last_finished >= quiet_seconds:
                    return True
                if now >= deadline:
                    return False
                wait = quiet_seconds if self._answering else quiet_seconds - (now - self._last_finished)
                self._changed.wait(min(wait, deadline - now))


def counted_requests(live_server: LiveServer) -> InFlightRequests:
    """The live server's app, wrapped once per server (the server lives for the whole session)."""
    server = live_server.thread.httpd
    app = server.get_app()
    if not isinstance(app, InFlightRequests):
        app = InFlightRequests(app)
        server.set_app(app)
    return app
