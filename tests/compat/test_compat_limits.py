"""The original endpoints' JSON bodies are held to the REST API's size limit, refused unparsed in plain text; their
image bodies keep the image limit. (Their throttling is in tests/gallery/test_throttling.py.)"""

import json

import pytest
from django.test import Client

from curation.models import Image
from gallery.compat.views import MAX_KEYS
from tests.compat.pages import live_image, pool_image
from tests.compat.test_compat_bad_input import JSON_ROUTES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", [*JSON_ROUTES, "/updateDisplay"])
def test_a_json_body_over_the_limit_is_a_413_before_it_is_parsed(curation_client: Client, settings,  # noqa: ANN001
                                                                 path: str) -> None:
    """11 MB of `[[],[],...]` to /retrieve held a worker for up to 30 s and 1.7 GB; the REST API refuses 64 KB."""
    settings.API_MAX_JSON_BYTES = 1000
    # Not even JSON: a parser that read it would answer 400.
    response = curation_client.post(path, b"[" * 1001, content_type="application/json")
    assert (response.status_code, response["Content-Type"]) == (413, "text/plain; charset=utf-8")
    assert response.content.decode() == "The body is larger than the limit of 1000 bytes."


def test_a_json_body_at_the_limit_is_read(compat_client: Client, settings) -> None:  # noqa: ANN001
    live_image("h_0h.jpeg")
    body = json.dumps({"emotion": "happy"}).encode()
    settings.API_MAX_JSON_BYTES = len(body)
    response = compat_client.post("/galleryfromDB", body, content_type="application/json")
    assert response.status_code == 200
    assert len(response.json()["landscape"]) == 1


def test_the_default_limit_holds_the_largest_bodies_the_pages_send(curation_client: Client) -> None:
    """A /like with its impressions is a few hundred bytes. The largest: a curator removing as many themed pool
    images as one request may (MAX_KEYS), sent as JSON.stringify writes it, about 63 KB."""
    theme = "winter,snowy,sunset"
    keys = [f"imgPool/calm/{theme}/img_20230423-101932_{index}v.jpeg" for index in range(MAX_KEYS)]
    kept = pool_image("img_20230423-101932_0v.jpeg", emotion="CALM", theme=theme)
    body = json.dumps({"objName": keys}, separators=(",", ":"))
    assert len(body) > 60_000
    assert curation_client.post("/removePool", body, content_type="application/json").status_code == 200
    assert not Image.objects.filter(pk=kept.pk).exists()


def test_an_image_body_keeps_the_image_limit(compat_client: Client, settings, astronaut_jpeg: bytes) -> None:  # noqa: ANN001
    assert len(astronaut_jpeg) > settings.API_MAX_JSON_BYTES
    response = compat_client.post("/emotion", astronaut_jpeg, content_type="image/jpeg")
    assert response.status_code == 200
    assert response.json()["emotions"]
