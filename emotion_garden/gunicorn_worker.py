"""gunicorn's threaded worker, but one whose threads are all busy leaves new connections to the other workers.

Every gthread worker accepts from the same listening socket, whoever wakes first, and keeps what it accepted for
the life of the connection. A burst of new keep-alive connections (a load balancer's pool, a client opening several
at once) can therefore all land on one worker: one Python process, so one core, while the others idle. With
`benchmarks/load.py`'s 8 connections on 2 workers, splits of 8-0 and 7-1 were common, and they were the runs where
likes fell from about 380 to 260 per second.

Here a worker stops accepting while as many requests as it has threads are in hand, and starts again when one
finishes. Idle kept-alive connections do not count, so browsers holding connections open never stop a worker from
accepting. This leans on gthread's internals (the accept switch, enqueue_req and finish_request, all run on the
worker's main thread), hence the pinned gunicorn release in requirements.txt.
"""

from concurrent.futures import Future
from typing import Any

from gunicorn.workers.gthread import ThreadWorker


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
