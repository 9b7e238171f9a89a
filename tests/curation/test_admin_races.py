"""Curators' admin writes sent at once, on connections of their own, as two curators' browsers send them."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.urls import reverse

from curation.models import Track

pytestmark = pytest.mark.usefixtures("shared_database")


def test_the_same_song_added_at_once_is_one_track_and_the_other_forms_say_so() -> None:
    """Each form found no duplicate, and the writes after the first failed: six 500s of eight (the outside probe)."""
    # A superuser: the groups the migrations made are gone once an earlier transactional test flushed the database.
    curator = get_user_model().objects.create_superuser("racer", password="pw")
    barrier = threading.Barrier(6)

    def add(_: int) -> tuple[int, str]:
        try:
            client = Client(raise_request_exception=False)
            client.force_login(curator)
            barrier.wait(timeout=60)
            response = client.post(reverse("admin:curation_track_add"),
                                   {"title": "Race Song", "artist": "Race Artist", "emotions": ["FEAR"]})
            return response.status_code, response.content.decode(errors="replace")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(add, range(6)))

    assert sorted(status for status, _ in answers) == [200] * 5 + [302]
    assert all("already has this song" in page for status, page in answers if status == 200)
    assert Track.objects.count() == 1
