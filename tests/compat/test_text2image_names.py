"""EG's /text2image previews: the original's answer and name shape, but a name nobody can work out from the time.

The probe's finding: a curator's preview at /media/text2image/img_<YYYYmmdd-HHMMSS>_0.jpeg was found without any
credential by trying the last 15 seconds' names.
"""

import json
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from tests.compat.pages import post_json

pytestmark = pytest.mark.django_db

PREVIEW_URL = re.compile(r"http://testserver/media/(text2image/img_\d{8}-\d{6}_[0-9a-f]{32}_0\.jpeg)")


def preview(client: Client, text: str = "a private prompt, sad red car") -> str:
    """The storage name of a fresh preview, read from the answer as EG's page reads it (JSON.parse(body))."""
    response = post_json(client, "/text2image", {"text": text, "width": 256, "height": 256})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["statusCode", "body", "time"] and body["statusCode"] == 200
    [url] = json.loads(body["body"])
    match = PREVIEW_URL.fullmatch(url)
    assert match is not None, url
    return match.group(1)


def test_guessing_the_last_seconds_names_finds_no_preview(curation_client: Client) -> None:
    name = preview(curation_client)
    stranger = Client()
    now = timezone.now()
    for seconds in range(16):
        guess = f"/media/text2image/img_{now - timedelta(seconds=seconds):%Y%m%d-%H%M%S}_0.jpeg"
        assert stranger.get(guess).status_code == 404, guess
    # Whoever was handed the url (the page's <img>, an API-key client) still sees the picture.
    answer = stranger.get(f"/media/{name}")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    assert "public" not in answer["Cache-Control"]


def test_two_previews_in_the_same_second_get_names_of_their_own(curation_client: Client) -> None:
    first, second = preview(curation_client), preview(curation_client)
    assert first != second
    stamp = re.compile(r"text2image/img_(\d{8}-\d{6})_")
    assert stamp.match(first) and stamp.match(second)  # the original's time stays in the name, for people


def test_a_preview_named_the_old_way_is_not_served(client: Client) -> None:
    """Files written before names had a token are as guessable as ever: they are not found."""
    stored = default_storage.save(f"text2image/img_{timezone.now():%Y%m%d-%H%M%S}_0.jpeg", ContentFile(b"old"))
    try:
        assert client.get(f"/media/{stored}").status_code == 404
    finally:
        default_storage.delete(stored)
