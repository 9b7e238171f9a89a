"""The original endpoints' catalogue writes sent at once by several curators' programs, on connections of their own."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from curation.models import GenerationJob, Image
from gallery.compat.keys import pool_key
from tests.compat.pages import pool_image, post_json
from tests.factories import ApiKeyFactory

pytestmark = pytest.mark.usefixtures("shared_database")


def post_together(path: str, bodies: list[dict[str, object]]) -> list[int]:
    """POST each body from a curator's program of its own, all released at once; the statuses in the bodies' order."""
    key = ApiKeyFactory(scopes=["curation"]).raw_key
    barrier = threading.Barrier(len(bodies))

    def post(body: dict[str, object]) -> int:
        try:
            client = Client(headers={"X-Api-Key": key})
            barrier.wait(timeout=60)
            return post_json(client, path, body).status_code
        finally:
            connections.close_all()  # each thread opened its own connection

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(post, bodies))


def test_removals_of_the_same_keys_in_opposite_orders_all_succeed() -> None:
    """On PostgreSQL, two removals locking the same rows in opposite orders deadlocked: 3 of 6 were 500s."""
    keys = [pool_key(pool_image(f"race_{index}h.jpeg", emotion="DISGUSTED")) for index in range(30)]
    bodies = [{"objName": keys if turn % 2 else keys[::-1]} for turn in range(6)]

    statuses = post_together("/removePool", bodies)

    assert statuses == [200] * len(bodies)
    assert not Image.objects.exists()


def test_the_same_bulk_request_sent_at_once_queues_each_size_once() -> None:
    """20 identical requests at once made 14 jobs on PostgreSQL, 12 of which failed on the name."""
    body = {"index": 3, "fname": "imgPool/calm/flood1", "prompt": json.dumps(
        {"emotion": "calm", "emotionText": "calm", "favorite": "", "others": "lake"})}

    statuses = post_together("/bulk", [body] * 8)

    assert statuses == [200] * 8
    assert sorted(GenerationJob.objects.values_list("width", "height")) == [(800, 1280), (1280, 800)]  # EG: 2 sizes
