"""The original endpoints' catalogue writes sent at once by several curators' programs, on connections of their own."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from curation.models import Image
from gallery.compat.keys import pool_key
from tests.compat.pages import pool_image, post_json
from tests.factories import ApiKeyFactory

pytestmark = pytest.mark.usefixtures("shared_database")


def test_removals_of_the_same_keys_in_opposite_orders_all_succeed() -> None:
    """On PostgreSQL, two removals locking the same rows in opposite orders deadlocked: 3 of 6 were 500s."""
    keys = [pool_key(pool_image(f"race_{index}h.jpeg", emotion="DISGUSTED")) for index in range(30)]
    key = ApiKeyFactory(scopes=["curation"]).raw_key
    bodies = [{"objName": keys if turn % 2 else keys[::-1]} for turn in range(6)]
    barrier = threading.Barrier(len(bodies))

    def remove(body: dict[str, list[str]]) -> int:
        try:
            client = Client(headers={"X-Api-Key": key})
            barrier.wait(timeout=60)
            return post_json(client, "/removePool", body).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        statuses = list(pool.map(remove, bodies))

    assert statuses == [200] * len(bodies)
    assert not Image.objects.exists()
