"""The configured django-q2 broker (ORM by default, Redis in CI's second run) carries a signed task both ways."""

import uuid

import pytest
from django_q.brokers import get_broker
from django_q.signing import SignedPackage


@pytest.mark.django_db(transaction=True)
def test_broker_round_trip() -> None:
    broker = get_broker(list_key=f"test-{uuid.uuid4().hex}")
    task = {"id": uuid.uuid4().hex, "func": "curation.tasks.run_generation_job", "args": (42,)}
    broker.enqueue(SignedPackage.dumps(task))
    assert broker.queue_size() == 1
    task_id, package = broker.dequeue()[0]
    assert SignedPackage.loads(package) == task
    broker.acknowledge(task_id)
    broker.delete_queue()
    assert broker.queue_size() == 0
