"""Whatever reaches the original routes, the answer is a status the pages treat as failure (non-200), never a 500.

The Django test client re-raises any exception a view lets through, so a crash fails these tests outright.
"""

import pytest
from django.test import Client

from tests.compat.pages import live_image, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def compat_client(curation_client: Client) -> Client:
    """These requests come from a curator (tests/compat/test_compat_access.py covers everyone else): what is
    checked here is what the endpoints do with what they are sent."""
    return curation_client


JSON_ROUTES = ["/gallery", "/createUser", "/like", "/galleryfromDB", "/gardenfromDB", "/garden", "/generateDataset",
               "/bulk", "/remove", "/removePool", "/clearIndex", "/retrieve", "/text2image"]
MALFORMED_BODIES = [
    b"",
    b"not json",
    b'{"emotion": "happy"',
    b"\xff\xfe{\x00}\x00\xff",
    b"[" * 30_000 + b"]" * 30_000,  # too deep, within the size limit (test_compat_limits.py)
    b"null",
    b'"happy"',
    b"42",
    b"{}",
    b"[{}]",
]


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize("body", MALFORMED_BODIES, ids=lambda body: repr(body[:20]))
def test_malformed_json_is_a_400(compat_client: Client, path: str, body: bytes) -> None:
    response = compat_client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/gallery", {"userId": 5, "emotion": "happy", "gender": "female"}),
        ("/gallery", {"userId": "female/happy", "emotion": "joyful", "gender": "female"}),
        ("/gallery", {"userId": "female/happy", "emotion": "happy", "gender": ["female"]}),
        ("/gallery", {"userId": "female", "gender": "female"}),
        ("/createUser", {"userId": "x/happy", "gender": "female", "emotion": ["happy"]}),
        ("/createUser", {"userId": None, "gender": "female", "emotion": "happy"}),
        ("/like", {"id": "x/happy", "itemId": 7, "impression": []}),
        ("/like", {"id": ["x"], "itemId": "emotions/happy/live_1h.jpeg", "impression": []}),
        ("/like", {"id": "x/happy", "itemId": "emotions/happy/live_1h.jpeg", "impression": "emotions/happy/live"}),
        ("/like", {"id": "x/happy", "itemId": "emotions/happy/live_1h.jpeg", "impression": [1, 2]}),
        ("/like", {"id": "x" * 3000, "itemId": "emotions/happy/live_1h.jpeg", "impression": []}),
        ("/galleryfromDB", {"emotion": "joy"}),
        ("/gardenfromDB", {"emotion": None}),
        ("/garden", {"id": "x", "emotion": "happy/spring", "gender": 1}),
        ("/garden", {"id": "x", "emotion": "unknown/spring"}),
        ("/retrieve", {"emotion": 5}),
        ("/clearIndex", {"objName": 5}),
        ("/retrieve", {"emotion": "happy/spring\x00"}),
        ("/bulk", {"index": 0, "prompt": '{"emotion": "sad", "text": "x"}', "fname": f"imgPool/sad/{'x' * 195}"}),
        ("/bulk", {"index": 0, "prompt": '{"emotion": "sad", "text": "x"}', "fname": f"imgPool/sad/{'y' * 101}/x"}),
    ],
)
def test_wrong_types_and_values_are_a_400(compat_client: Client, path: str, body: dict[str, object]) -> None:
    live_image("live_1h.jpeg")
    assert post_json(compat_client, path, body).status_code == 400


@pytest.mark.parametrize("path", [*JSON_ROUTES, "/emotion"])
def test_only_post_is_allowed(compat_client: Client, path: str) -> None:
    assert compat_client.get(path).status_code == 405


def test_no_route_needs_a_trailing_slash_or_a_csrf_token(compat_client: Client) -> None:
    live_image("live_1h.jpeg")
    response = post_json(compat_client, "/galleryfromDB", {"emotion": "happy"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response


@pytest.mark.parametrize(("path", "content_type"), [("/emotion", "image/jpeg"), ("/gallery", "application/json"),
                                                    ("/like", "application/json")])
def test_a_body_over_the_upload_limit_is_a_413_that_says_so(compat_client: Client, settings, path: str,  # noqa: ANN001
                                                            content_type: str) -> None:
    """Bodies between the upload limit (11 MB) and the worker's (32 MB) got Django's HTML "Bad Request (400)"."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = compat_client.post(path, data=b"x" * 2048, content_type=content_type)
    assert (response.status_code, response["Content-Type"]) == (413, "text/plain; charset=utf-8")
    assert response.content.decode() == "The request body is larger than 1024 bytes."


@pytest.mark.parametrize("path", ["/image?content=emotions/happy/live_1h.jpeg", "/emotions/happy/live_1h.jpeg",
                                  "/display/zone1/img1h.jpeg"])
def test_the_pages_and_files_that_are_only_read_refuse_a_post_with_405(compat_client: Client, path: str) -> None:
    """A POST got Django's CSRF page (403, HTML) where every other route answers a wrong method with 405."""
    live_image("live_1h.jpeg")
    response = compat_client.post(path, b"{}", content_type="application/json")
    assert response.status_code == 405
