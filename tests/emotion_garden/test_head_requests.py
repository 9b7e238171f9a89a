"""HEAD answers carry the GET's headers and no body: gunicorn dropped the body but logged a warning for each one (a
monitor's HEAD /healthz every few seconds). The WSGI handler itself, as gunicorn calls it: the test client strips
HEAD bodies on its own."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from tests.factories import ApprovedImageFactory

pytestmark = pytest.mark.django_db


def serve(method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    answered: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        answered.update(status=status, headers=dict(headers))

    environ = RequestFactory()._base_environ(REQUEST_METHOD=method, PATH_INFO=path, SERVER_NAME="127.0.0.1")
    # As Django's test client does: a request must not close the test's database connection (and its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = WSGIHandler()(environ, start_response)
        try:
            content = b"".join(body)
        finally:
            body.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answered["status"], answered["headers"], content


@pytest.mark.parametrize("path", ["/healthz", "/lookalike", "MEDIA"])
def test_a_head_answer_has_the_gets_headers_and_no_body(path: str) -> None:
    if path == "MEDIA":  # a file answer, streamed
        path = ApprovedImageFactory().file.url
    status, headers, body = serve("GET", path)
    assert status.startswith("200") and body
    head_status, head_headers, head_body = serve("HEAD", path)
    assert (head_status, head_body) == (status, b"")
    assert head_headers.get("Content-Length") == headers.get("Content-Length", str(len(body)))
