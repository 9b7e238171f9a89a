"""Bodies announced larger than the web server buffers (request_buffer.MAX_BUFFERED_BODY_BYTES) are read only for a
signed-in curator (emotion_garden.middleware.LargeBodyGuardMiddleware): the server hands them to a thread unread."""

import pytest
from django.test import Client

from emotion_garden.request_buffer import MAX_BUFFERED_BODY_BYTES

pytestmark = pytest.mark.django_db
TOO_LARGE = str(MAX_BUFFERED_BODY_BYTES + 1)


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/curation/image/add/", "/upload"])
def test_anyone_but_a_curator_is_refused_before_the_body_is_read(client: Client, path: str) -> None:
    # Ten bytes sent of the 32 MB announced: reading the body would fail the test client, as it would wait on a socket.
    response = client.generic("POST", path, b"--b\r\n-----", content_type="multipart/form-data; boundary=b",
                              CONTENT_LENGTH=TOO_LARGE, HTTP_COOKIE="csrftoken=" + "a" * 32)
    assert response.status_code == 413
    assert b"signed-in curator" in response.content


def test_under_the_api_the_refusal_is_the_error_format(client: Client) -> None:
    response = client.generic("POST", "/api/v1/emotion", b"\xff\xd8", content_type="image/jpeg",
                              CONTENT_LENGTH=TOO_LARGE)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_a_curator_is_let_through(admin_client: Client) -> None:
    assert admin_client.get("/admin/", CONTENT_LENGTH=TOO_LARGE).status_code == 200


def test_a_body_within_the_buffer_is_not_looked_at(client: Client) -> None:
    assert client.get("/healthz", CONTENT_LENGTH=str(MAX_BUFFERED_BODY_BYTES)).status_code != 413
