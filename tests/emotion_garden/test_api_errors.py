"""Every API error carries the request's id (also the X-Request-ID header) and a link to the docs."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_an_error_names_the_request_id_the_client_sent(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/garden", {}, format="json", HTTP_X_REQUEST_ID="client-trace.42")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["request_id"], response["X-Request-ID"]) == ("invalid", "client-trace.42",
                                                                              "client-trace.42")
    assert error["docs"] == "http://testserver/api/docs"


@pytest.mark.parametrize("sent", [None, "x" * 200, "evil\\nline", ""])
def test_without_a_sane_id_the_error_names_one_of_ours(api_client: APIClient, sent: str | None) -> None:
    headers = {} if sent is None else {"HTTP_X_REQUEST_ID": sent}
    response = api_client.post("/api/v1/garden", {"emotion": "nope"}, format="json", **headers)
    request_id = response.json()["error"]["request_id"]
    assert request_id == response["X-Request-ID"] and request_id != sent and len(request_id) == 32


def test_errors_from_outside_the_views_carry_them_too(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/garden", b'{"emotion": ', content_type="application/json")
    assert response.json()["error"]["code"] == "parse_error"
    assert response.json()["error"]["request_id"] == response["X-Request-ID"]
    refused = api_client.post("/api/v1/garden", {"emotion": "HAPPY"}, format="json", HTTP_X_API_KEY="not-a-key")
    assert refused.status_code == 401 and refused.json()["error"]["request_id"] == refused["X-Request-ID"]


def test_the_schema_documents_the_request_id_header_on_every_answer(client) -> None:  # noqa: ANN001
    document = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                assert response["headers"]["X-Request-ID"]["required"], (path, status)


@pytest.mark.parametrize("accept", ["text/html", "text/html,application/xhtml+xml,*/*;q=0.8"])
def test_a_client_asking_for_html_gets_json_errors_and_answers(api_client: APIClient, accept: str) -> None:
    """DRF's browsable renderer answered errors, and answers, as HTML pages to `Accept: text/html`."""
    missing = api_client.get("/api/v1/images/999/similar", HTTP_ACCEPT=accept)
    assert missing["Content-Type"] == "application/json"
    expected = (404, "image_not_found") if "*/*" in accept else (406, "not_acceptable")  # html only: none we make
    assert (missing.status_code, missing.json()["error"]["code"]) == expected


@pytest.mark.parametrize(("method", "query", "accept", "status"), [
    ("post", "", "*/*", 405), ("get", "", "text/html", 406), ("get", "?format=xml", "*/*", 404),
])
def test_the_schemas_errors_are_the_json_error_format(client, method: str, query: str, accept: str,  # noqa: ANN001
                                                      status: int) -> None:
    """They came back as YAML documents, the schema's own format."""
    response = getattr(client, method)(f"/api/schema{query}", HTTP_ACCEPT=accept)
    assert (response.status_code, response["Content-Type"]) == (status, "application/json")
    assert response.json()["error"]["code"]
