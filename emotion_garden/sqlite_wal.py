"""SQLite's write-ahead-log checkpoints, moved off the request path of the embedded install.

A checkpoint copies the log back into the database file and syncs it to disk. SQLite runs one inside whichever commit
pushes the log past `wal_autocheckpoint` pages, so with the default (1,000 pages) about one Like in a hundred waited
for it, which made most of the like's p99 on SQLite (`benchmarks/recommender_http.py`). Web workers therefore
checkpoint on a thread of their own every second, and the settings raise the connections' own limit to 10,000 pages,
the log of a few thousand Likes: the safety net for processes without the thread (the django-q2 worker, management
commands), which keeps the log from growing without bound.
"""

import logging
import threading
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)


def checkpoint(cursor: Any) -> tuple[int, int]:
    """Run a PASSIVE checkpoint on a DB-API cursor of an SQLite connection: (pages in the log, pages copied back).

    PASSIVE never waits for readers or writers: it copies what it can, and the next one goes on from there.
    """
    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
    _busy, log_pages, checkpointed_pages = cursor.fetchone()
    return log_pages, checkpointed_pages


class WalCheckpointer(threading.Thread):
    """Checkpoints the default database every `interval_seconds` on a connection of its own, until stopped."""

    def __init__(self, *, interval_seconds: float = 1.0) -> None:
        super().__init__(name="sqlite-wal-checkpoint", daemon=True)
        self.interval_seconds = interval_seconds
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopped.wait(self.interval_seconds):
                try:
                    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                        checkpoint(cursor)
                except DatabaseError:
                    # The next round tries again; until then commits still checkpoint past the connections' limit.
                    logger.exception("Checkpointing the SQLite write-ahead log failed")
        finally:
            connections[DEFAULT_DB_ALIAS].close()

    def stop(self) -> None:
        self._stopped.set()


def start_wal_checkpointer(*, interval_seconds: float = 1.0) -> WalCheckpointer | None:
    """Start checkpointing in the background when the default database is SQLite; None (nothing to do) otherwise."""
    if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
        return None
    checkpointer = WalCheckpointer(interval_seconds=interval_seconds)
    checkpointer.start()
    return checkpointer
