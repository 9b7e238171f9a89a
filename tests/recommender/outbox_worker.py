"""A managed backend that keeps a journal of what it receives, and an outbox worker to run in a process of its own.

The journal is a file, so deliveries made by any thread or process can be counted afterwards. Importing this module
needs Django set up; the worker process does that itself (see WORKER_COMMAND).
"""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings

from recommender import outbox
from recommender.outbox import OutboxConsumer

CAPABILITY = "journal"
# Run from the repository root with DJANGO_SETTINGS_MODULE set; arguments: database NAME, journal, lease seconds.
WORKER_COMMAND = [
    sys.executable, "-c",
    "import django; django.setup(); from tests.recommender.outbox_worker import work; work()",
]
# Longer than any test waits for a stalled worker: it is killed well before.
STALL_SECONDS = 60


class JournalConsumer(OutboxConsumer):
    """Appends every change it receives to `journal`, one JSON line with the receiving process's id.

    `down`: fails as an unreachable backend does. `stall`: hangs inside the call, where a test kills its worker,
    after writing stalled_marker(journal) to say it got there.
    """

    def __init__(self, *, journal: str, down: bool = False, stall: bool = False) -> None:
        self.journal = Path(journal)
        self.down = down
        self.stall = stall

    def consume(self, operation: str, payload: dict[str, Any]) -> None:
        if self.down:
            raise ConnectionError("backend unreachable")
        if self.stall:
            stalled_marker(self.journal).write_text(str(os.getpid()))
            time.sleep(STALL_SECONDS)
            # Never a delivery: a worker that outlived its test must not count as one.
            raise TimeoutError("the stalled worker was not killed")
        with self.journal.open("a") as journal:
            journal.write(json.dumps({"operation": operation, "payload": payload, "pid": os.getpid()}) + "\n")


def stalled_marker(journal: Path) -> Path:
    return journal.with_name(f"{journal.name}.stalled")


def journal_backend(journal: Path, **options: bool) -> override_settings:
    """Settings that make the JournalConsumer the CAPABILITY backend."""
    return override_settings(EMOTION_GARDEN_BACKENDS={
        **settings.EMOTION_GARDEN_BACKENDS,
        CAPABILITY: {"BACKEND": f"{__name__}.JournalConsumer", "OPTIONS": {"journal": str(journal), **options}},
    })


def read_journal(journal: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal.read_text().splitlines()] if journal.exists() else []


def work() -> None:
    """Deliver the due outbox messages of the database named by argv[1], with a lease of argv[3] seconds, to a
    JournalConsumer on argv[2] that stalls inside consume() (for the test to kill this process there)."""
    database, journal, lease_seconds = sys.argv[1:4]
    # Before the first query, so the worker never opens the database the settings name (the development one).
    connections[DEFAULT_DB_ALIAS].settings_dict["NAME"] = database
    outbox.LEASE = timedelta(seconds=float(lease_seconds))
    with journal_backend(Path(journal), stall=True):
        outbox.deliver_due()
