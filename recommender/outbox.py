"""The transactional outbox: changes for managed backends (Personalize, Rekognition) are written as rows in the same
transaction as the change itself, then delivered by django-q2 with retries and exponential backoff.

A managed backend enqueues from its own interface methods (publish_item, record_interaction, forget...) and
implements OutboxConsumer.consume() to make the remote call, so services never need to know which backend is managed.

Delivery claims a message by pushing its next_attempt_at one lease into the future with a conditional UPDATE, calls
the backend outside any transaction, then records the outcome. A worker killed mid-call leaves the claim to expire
and the message is retried; consumers must therefore be idempotent (Personalize's PutItems/PutUsers are upserts and
PutEvents carries our event id).
"""

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from emotion_garden.backends import get_backend
from recommender.models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(hours=1)


class OutboxConsumer(ABC):
    """A backend that receives its changes through the outbox."""

    @abstractmethod
    def consume(self, operation: str, payload: dict[str, Any]) -> None:
        """Deliver one change; raise to have it retried later, PermanentFailure to give up at once."""


class PermanentFailure(Exception):
    """The message can never be delivered as it is (the backend rejected it as invalid)."""


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0


def enqueue(*, capability: str, operation: str, payload: dict[str, Any]) -> OutboxMessage:
    """Write a message in the caller's transaction; delivery is queued once that transaction commits."""
    message = OutboxMessage.objects.create(
        capability=capability, operation=operation, payload=payload, next_attempt_at=timezone.now()
    )
    # Robust: the message is committed, and the every-minute schedule delivers it if this nudge cannot be queued (the
    # broker unreachable); the request that wrote it must not fail after its commit.
    transaction.on_commit(lambda: async_task("recommender.outbox.deliver_due", task_name="deliver-outbox"),
                          robust=True)
    return message


def deliver_due(*, limit: int = 500) -> DeliveryReport:
    """Deliver the pending messages whose time has come, oldest first. Run by django-q2 after each commit that
    enqueued something, and every minute by schedule for the retries."""
    delivered = retried = dead = 0
    due = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
    for message_id in list(due.order_by("id").values_list("id", flat=True)[:limit]):
        message = _claim(message_id)
        if message is None:
            continue  # another worker holds it
        outcome = _deliver(message)
        delivered += outcome == OutboxMessage.Status.DELIVERED
        dead += outcome == OutboxMessage.Status.DEAD
        retried += outcome == OutboxMessage.Status.PENDING
    return DeliveryReport(delivered=delivered, retried=retried, dead=dead)


def _claim(message_id: int) -> OutboxMessage | None:
    """Lease the message and count the attempt in the same UPDATE: a message that kills its worker every time (out of
    memory, a crash inside the backend) still runs out of attempts instead of being retried forever."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    return OutboxMessage.objects.get(pk=message_id) if claimed else None


def _deliver(message: OutboxMessage) -> str:
    if message.attempts > MAX_ATTEMPTS:
        # Claimed too often without an outcome: every attempt killed its worker before it could report.
        logger.error("Outbox message %s gave up after %s attempts that never returned", message.pk, MAX_ATTEMPTS)
        message.status = OutboxMessage.Status.DEAD
        message.last_error = message.last_error or "Every attempt ended its worker before it returned."
        message.save(update_fields=["status", "last_error"])
        return message.status
    try:
        get_backend(message.capability, OutboxConsumer).consume(message.operation, message.payload)
    except PermanentFailure as error:
        logger.error("Outbox message %s rejected by %s: %s", message.pk, message.capability, error)
        message.status = OutboxMessage.Status.DEAD
        message.last_error = str(error)
    except Exception as error:  # noqa: BLE001 - any failure of a remote backend is retried, none may stop the loop
        logger.warning("Outbox message %s failed (attempt %s): %s", message.pk, message.attempts, error)
        message.last_error = f"{type(error).__name__}: {error}"
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.DEAD
        else:
            message.next_attempt_at = timezone.now() + min(FIRST_RETRY * 2 ** (message.attempts - 1), LONGEST_RETRY)
    else:
        message.status = OutboxMessage.Status.DELIVERED
        message.delivered_at = timezone.now()
        message.last_error = ""
    message.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "delivered_at"])
    return message.status
