"""emotion_garden.gunicorn_worker: a worker with every thread busy leaves new connections to the others."""

import logging
import os
import selectors
import socket
import threading
from collections.abc import Iterator

import pytest
from gunicorn.config import Config

from emotion_garden.gunicorn_worker import BalancedThreadWorker


class _Connection:
    """What gthread's bookkeeping touches on a connection that is closed after its request."""

    closed = False

    def close(self, graceful: bool = False) -> None:
        self.closed = True


@pytest.fixture
def worker() -> Iterator[BalancedThreadWorker]:
    """A two-thread worker, its poller and thread pool set up as gthread's init_process does, whose requests wait
    until `release` is set."""
    config = Config()
    config.set("threads", 2)
    listener = socket.create_server(("127.0.0.1", 0))
    worker = BalancedThreadWorker(0, os.getpid(), [listener], None, 30, config, logging.getLogger("test"))
    worker.release = threading.Event()
    worker.handle = lambda connection: worker.release.wait(10) and False  # answered, then closed
    worker.tpool = worker.get_thread_pool()
    worker.poller = selectors.DefaultSelector()
    worker.method_queue.init()
    worker.set_accept_enabled(True)
    try:
        yield worker
    finally:
        worker.release.set()
        worker.tpool.shutdown(wait=True)
        worker.poller.close()
        worker.method_queue.close()
        listener.close()
        worker.tmp.close()


def test_a_worker_stops_accepting_while_every_thread_has_a_request_and_resumes_after_one(
    worker: BalancedThreadWorker,
) -> None:
    connections = [_Connection(), _Connection()]
    worker.nr_conns = 2
    for connection in connections:
        assert worker._accepting
        worker.enqueue_req(connection)
    assert not worker._accepting
    # gthread's loop asks to accept again (it is below worker_connections): refused while both threads are busy.
    worker.set_accept_enabled(True)
    assert not worker._accepting

    worker.release.set()
    worker.tpool.shutdown(wait=True)
    finished = threading.Event()
    worker.method_queue.defer(finished.set)
    while not finished.is_set():  # the finish_request callbacks, run on the "main thread" as gthread's loop does
        worker.method_queue.run_callbacks(None)
    assert worker.requests_in_hand == 0 and all(connection.closed for connection in connections)
    worker.set_accept_enabled(True)
    assert worker._accepting


def test_idle_kept_alive_connections_do_not_stop_accepting(worker: BalancedThreadWorker) -> None:
    worker.nr_conns = 50  # e.g. browsers holding connections open between requests
    worker.set_accept_enabled(False)
    worker.set_accept_enabled(True)
    assert worker._accepting
