import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections


@pytest.fixture
def shared_database(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """A committed test database that other threads and processes reach over connections of their own, as the web
    and worker processes reach the real one. Yields the database's NAME for a subprocess to connect to.

    PostgreSQL's test database already is one. SQLite's is in memory with a shared cache: its table locks fail at
    once rather than waiting out the busy timeout, unlike the WAL file the site runs on, and no other process can
    open it. So on SQLite the migrated in-memory database is copied to a file for the test's duration; the
    in-memory one stays open (closing its last connection would delete it) and serves the next tests.
    """
    if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
        yield connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        return
    memory = connections[DEFAULT_DB_ALIAS]
    path = tmp_path / "shared.sqlite3"
    memory.ensure_connection()
    with closing(sqlite3.connect(path)) as copy:
        memory.connection.backup(copy)
    memory_settings = connections.settings[DEFAULT_DB_ALIAS]
    # A new settings dict rather than a changed one: the in-memory connection keeps its own.
    connections.settings[DEFAULT_DB_ALIAS] = {**memory_settings, "NAME": str(path)}
    connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        yield str(path)
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections.settings[DEFAULT_DB_ALIAS] = memory_settings
        connections[DEFAULT_DB_ALIAS] = memory
