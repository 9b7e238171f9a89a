"""Locks held until the current transaction ends, for check-then-write steps that two requests must not interleave.

SQLite's transactions take its one write lock as they begin (settings: IMMEDIATE), which already serialises them;
PostgreSQL takes a transaction-scoped advisory lock, on a 64-bit key of the caller's naming.
"""

import hashlib

from django.db import connection


def hold_transaction_lock(name: str) -> None:
    """Wait for, then hold until the transaction ends, the lock called `name` (call it inside transaction.atomic)."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
