from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.test import override_settings
from django.utils import timezone
from django_q.models import Schedule

from recommender.models import OutboxMessage
from recommender.outbox import MAX_ATTEMPTS, OutboxConsumer, PermanentFailure, deliver_due, enqueue

pytestmark = pytest.mark.django_db


class FlakySink(OutboxConsumer):
    """A managed backend that is down for the first `outage` calls, then records what it receives."""

    outage: ClassVar[int] = 0
    received: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def consume(self, operation: str, payload: dict[str, Any]) -> None:
        if payload.get("invalid"):
            raise PermanentFailure("rejected by the backend")
        if FlakySink.outage > 0:
            FlakySink.outage -= 1
            raise ConnectionError("backend unreachable")
        FlakySink.received.append((operation, payload))


@pytest.fixture(autouse=True)
def sink(settings) -> type[FlakySink]:  # noqa: ANN001 (pytest-django fixture)
    FlakySink.outage = 0
    FlakySink.received = []
    with override_settings(EMOTION_GARDEN_BACKENDS={
        **settings.EMOTION_GARDEN_BACKENDS, "sink": {"BACKEND": f"{__name__}.FlakySink"}}):
        yield FlakySink


def make_due(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_message_is_delivered_after_the_commit(
    django_capture_on_commit_callbacks, sink: type[FlakySink]  # noqa: ANN001 (pytest-django fixture)
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue(capability="sink", operation="put_items", payload={"item": 1})
        assert sink.received == []  # nothing leaves before the transaction commits
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED and message.attempts == 1
    assert sink.received == [("put_items", {"item": 1})]


def test_an_outage_is_retried_with_backoff_and_loses_nothing(sink: type[FlakySink]) -> None:
    sink.outage = 2
    message = enqueue(capability="sink", operation="put_events", payload={"event": "e1"})
    assert deliver_due().retried == 1
    message.refresh_from_db()
    first_delay = message.next_attempt_at - timezone.now()
    assert message.status == OutboxMessage.Status.PENDING and "unreachable" in message.last_error
    assert deliver_due().retried == 0  # not due yet

    make_due(message)
    assert deliver_due().retried == 1
    message.refresh_from_db()
    assert message.next_attempt_at - timezone.now() > first_delay  # exponential backoff

    make_due(message)
    assert deliver_due().delivered == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxMessage.Status.DELIVERED, 3, "")
    assert sink.received == [("put_events", {"event": "e1"})]


def test_a_worker_killed_mid_delivery_leaves_the_message_to_be_retried_once(sink: type[FlakySink]) -> None:
    message = enqueue(capability="sink", operation="put_users", payload={"user": "u1"})
    # A worker claimed it (pushed next_attempt_at one lease ahead) and died before recording the outcome.
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=2))
    assert deliver_due().delivered == 0  # still leased: no second worker delivers it meanwhile
    make_due(message)  # the lease has expired
    assert deliver_due().delivered == 1
    assert deliver_due().delivered == 0
    assert sink.received == [("put_users", {"user": "u1"})]


def test_rejected_and_exhausted_messages_are_given_up(sink: type[FlakySink]) -> None:
    rejected = enqueue(capability="sink", operation="put_items", payload={"invalid": True})
    assert deliver_due().dead == 1
    rejected.refresh_from_db()
    assert rejected.status == OutboxMessage.Status.DEAD and "rejected" in rejected.last_error

    sink.outage = MAX_ATTEMPTS
    exhausted = enqueue(capability="sink", operation="put_items", payload={"item": 2})
    for _ in range(MAX_ATTEMPTS):
        make_due(exhausted)
        deliver_due()
    exhausted.refresh_from_db()
    assert exhausted.status == OutboxMessage.Status.DEAD and exhausted.attempts == MAX_ATTEMPTS


def test_retries_are_scheduled_every_minute() -> None:
    schedule = Schedule.objects.get(name="deliver-outbox")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == ("recommender.outbox.deliver_due", "I", 1)


def test_a_message_whose_attempts_never_return_is_given_up(sink: type[FlakySink]) -> None:
    message = enqueue(capability="sink", operation="put_events", payload={"event": "e1"})
    # Each claim counts an attempt before the backend is called; these all ended their workers.
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS)
    make_due(message)
    assert deliver_due().dead == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.DEAD, MAX_ATTEMPTS + 1)
    assert sink.received == []
