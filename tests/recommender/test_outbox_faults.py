"""The outbox under real faults: a worker process killed inside the backend call, workers racing for the same
messages, and an outage during a burst. Each change reaches the backend exactly once.

test_outbox.py covers the delivery rules one call at a time, in one process; here several processes and threads
share a committed database (the shared_database fixture), as django-q2's workers do.
"""

import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from recommender.models import OutboxMessage
from recommender.outbox import DeliveryReport, deliver_due, enqueue
from tests.recommender.outbox_worker import (
    CAPABILITY,
    WORKER_COMMAND,
    journal_backend,
    read_journal,
    stalled_marker,
)

# Long enough that the claim is certainly still held when the test looks right after the kill, short enough to wait
# out.
WORKER_LEASE_SECONDS = 3
WORKER_START_TIMEOUT = 30


def make_due(*messages: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk__in=[message.pk for message in messages]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def start_stalling_worker(database: str, journal: Path) -> subprocess.Popen[bytes]:
    """A worker process that claims the due messages and hangs inside the backend call; returns once it is there."""
    worker = subprocess.Popen(
        [*WORKER_COMMAND, database, str(journal), str(WORKER_LEASE_SECONDS)],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "emotion_garden.settings_test"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while not stalled_marker(journal).exists():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            output = worker.communicate()[0].decode(errors="replace")
            pytest.fail(f"The worker never reached the backend call (exit {worker.returncode}):\n{output}")
        time.sleep(0.02)
    return worker


def test_a_worker_killed_inside_the_backend_call_leaves_the_message_to_one_later_delivery(
    shared_database: str, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    # The backend is down when the change is written: the delivery queued on commit fails and is to be retried.
    with journal_backend(journal, down=True):
        message = enqueue(capability=CAPABILITY, operation="put_events", payload={"event": "e1"})
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert "unreachable" in message.last_error

    # The backend is back. A worker claims the retry and is killed (SIGKILL: no cleanup at all) inside the call.
    make_due(message)
    worker = start_stalling_worker(shared_database, journal)
    worker.send_signal(signal.SIGKILL)
    assert worker.wait(timeout=10) == -signal.SIGKILL
    message.refresh_from_db()
    leased_until = message.next_attempt_at
    assert message.status == OutboxMessage.Status.PENDING and leased_until > timezone.now()

    with journal_backend(journal):
        assert deliver_due() == DeliveryReport()  # the dead worker's claim still holds: nobody else delivers it
        time.sleep(max(0.0, (leased_until - timezone.now()).total_seconds()) + 0.1)
        assert deliver_due() == DeliveryReport(delivered=1)
        assert deliver_due() == DeliveryReport()

    assert read_journal(journal) == [{"operation": "put_events", "payload": {"event": "e1"}, "pid": os.getpid()}]
    message.refresh_from_db()
    # The killed attempt counts (the claim recorded it), so a message that always kills its worker dies in the end.
    assert (message.status, message.attempts, message.last_error) == (OutboxMessage.Status.DELIVERED, 3, "")


def test_workers_delivering_at_once_deliver_each_message_once(shared_database: str, tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    workers = 4
    # Written directly rather than enqueued, which would deliver each at once on its commit.
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(capability=CAPABILITY, operation="put_items", payload={"item": n}, next_attempt_at=timezone.now())
        for n in range(40)
    )
    barrier = threading.Barrier(workers)

    def work() -> DeliveryReport:
        try:
            barrier.wait(timeout=60)
            return deliver_due()
        finally:
            connections.close_all()  # each thread opened its own connection

    with journal_backend(journal), ThreadPoolExecutor(max_workers=workers) as pool:
        reports = list(pool.map(lambda _: work(), range(workers)))

    assert sum(report.delivered for report in reports) == len(messages)
    assert sorted(entry["payload"]["item"] for entry in read_journal(journal)) == list(range(len(messages)))
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.DELIVERED}


@pytest.mark.django_db
def test_an_outage_during_a_burst_loses_nothing_and_keeps_the_order(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    with journal_backend(journal, down=True):
        messages = [enqueue(capability=CAPABILITY, operation="put_events", payload={"event": n}) for n in range(20)]
        make_due(*messages)
        assert deliver_due() == DeliveryReport(retried=len(messages))
    make_due(*messages)
    with journal_backend(journal):
        assert deliver_due() == DeliveryReport(delivered=len(messages))
        assert deliver_due() == DeliveryReport()
    assert [entry["payload"]["event"] for entry in read_journal(journal)] == list(range(len(messages)))
