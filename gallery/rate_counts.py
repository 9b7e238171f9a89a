"""Throttle counters shared by every process of one machine, without Redis: a small SQLite file of its own.

The embedded install runs several gunicorn workers, each with its own locmem cache, so a key allowed 5 a minute got
10 of 30 requests through with two workers. Django's file and database caches would share the counts but not count
right: their incr() is a read and then a write, so concurrent requests overwrite each other's increments. Here one
statement counts, under SQLite's write lock, and returns the new count. The file is not the site's database, so a
counter never waits on (or delays) a like's transaction; it holds no data worth keeping (synchronous=OFF).
"""

import random
import sqlite3
import threading
import time
from pathlib import Path

# One row per client: its current window and the count in it; a new window restarts the count.
_COUNT = """
INSERT INTO counters (ident, slot, count, expires) VALUES (?, ?, ?, ?)
ON CONFLICT (ident) DO UPDATE SET
    count = CASE WHEN slot = excluded.slot THEN count + excluded.count ELSE excluded.count END,
    slot = excluded.slot, expires = excluded.expires
RETURNING count
"""
# Clients that stopped calling: about one request in PURGE_EVERY clears every finished window.
PURGE_EVERY = 1000
SETUP_SECONDS = 5.0

_local = threading.local()


def count(*, path: Path, ident: str, window: int, expires: float, amount: int = 1) -> int:
    """Add `amount` to `ident`'s count in `window` (which ends at `expires`, a Unix time) and return the count."""
    connection = _connection(path)
    with connection:
        (counted,) = connection.execute(_COUNT, (ident, window, amount, expires)).fetchone()
        if random.randrange(PURGE_EVERY) == 0:
            connection.execute("DELETE FROM counters WHERE expires < ?", (time.time(),))
    return counted


def refund(*, path: Path, ident: str, window: int, amount: int) -> None:
    """Take `amount` back from `ident`'s count, if its window is still `window`."""
    connection = _connection(path)
    with connection:
        connection.execute("UPDATE counters SET count = count - ? WHERE ident = ? AND slot = ?",
                           (amount, ident, window))


def _connection(path: Path) -> sqlite3.Connection:
    """One connection per thread and file (sqlite3 connections must not be shared between threads)."""
    connections: dict[Path, sqlite3.Connection] = getattr(_local, "connections", None) or {}
    _local.connections = connections
    if path not in connections:
        connections[path] = _open(path)
    return connections[path]


def _open(path: Path) -> sqlite3.Connection:
    """A connection to the counters file, set up. Switching a file to WAL needs it to itself, and SQLite answers
    "database is locked" at once, without waiting out the busy timeout, when another process is setting it up or
    counting at that moment (workers that start together): the setup is tried again for up to SETUP_SECONDS."""
    deadline = time.monotonic() + SETUP_SECONDS
    while True:
        connection = sqlite3.connect(path, timeout=2, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("CREATE TABLE IF NOT EXISTS counters (ident TEXT PRIMARY KEY, slot INTEGER NOT NULL, "
                               "count INTEGER NOT NULL, expires REAL NOT NULL)")
        except sqlite3.OperationalError as error:
            connection.close()
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))
            continue
        connection.isolation_level = "IMMEDIATE"  # the `with` block: take the write lock up front
        return connection
