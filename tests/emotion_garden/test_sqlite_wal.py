"""emotion_garden.sqlite_wal: web workers checkpoint SQLite's write-ahead log off the request path."""

import sqlite3
from pathlib import Path

import pytest
from django.db import connection

from emotion_garden.sqlite_wal import checkpoint, start_wal_checkpointer


def test_checkpoint_copies_the_whole_log_back(tmp_path: Path) -> None:
    database = sqlite3.connect(tmp_path / "site.sqlite3", isolation_level=None)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA wal_autocheckpoint=0")  # only the call under test checkpoints
    database.execute("CREATE TABLE likes (id INTEGER PRIMARY KEY, image INTEGER)")
    database.executemany("INSERT INTO likes (image) VALUES (?)", [(image,) for image in range(5000)])
    assert (tmp_path / "site.sqlite3-wal").stat().st_size > 0

    log_pages, checkpointed_pages = checkpoint(database.cursor())

    assert log_pages > 0
    assert checkpointed_pages == log_pages
    reader = sqlite3.connect(tmp_path / "site.sqlite3")
    assert reader.execute("SELECT count(*) FROM likes").fetchone() == (5000,)


@pytest.mark.django_db(transaction=True)
def test_checkpointer_runs_in_the_background_on_sqlite_only() -> None:
    checkpointer = start_wal_checkpointer(interval_seconds=0.01)
    if connection.vendor != "sqlite":
        assert checkpointer is None
        return
    assert checkpointer is not None and checkpointer.daemon and checkpointer.is_alive()
    checkpointer.stop()
    checkpointer.join(timeout=5)
    assert not checkpointer.is_alive()
