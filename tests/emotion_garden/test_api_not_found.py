"""Paths that no view matches answer in the API's error format under /api/, with Django's page elsewhere; an API
path with a trailing slash or in upper case is redirected (308, so a POST is repeated with its body) to the API's own
spelling."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import ApprovedImageFactory, FaceUserFactory


@pytest.mark.parametrize("path", ["/api/v1/users/not-a-uuid", "/api/v1/nothing-here", "/api/v2/garden",
                                  "/api/v1/nothing-here/"])
def test_unknown_api_paths_get_the_error_format(client: Client, path: str) -> None:
    response = client.get(path, HTTP_X_REQUEST_ID="trace-404")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found.", "request_id": "trace-404",
                                         "docs": "http://testserver/api/docs"}}


def test_other_unknown_paths_get_the_usual_page(client: Client) -> None:
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/v1/garden/", {"emotion": "HAPPY"}),
    ("get", "/api/schema/", None),
    ("get", "/api/v1/images/1/similar/?n=2", None),
])
def test_a_trailing_slash_is_redirected_keeping_the_method(api_client: APIClient, method: str, path: str,
                                                           body: dict | None) -> None:
    ApprovedImageFactory(pk=1)
    response = getattr(api_client, method)(path, body, format="json")
    assert response.status_code == 308
    assert response["Location"] == path.replace("/?", "?").rstrip("/")
    followed = getattr(api_client, method)(path, body, format="json", follow=True)
    assert followed.status_code == 200


@pytest.mark.django_db
def test_an_upper_case_uuid_is_redirected_to_the_apis_spelling(api_client: APIClient) -> None:
    """UUIDs are the same in either case (RFC 9562), but the path converter took lower case only: a 404."""
    person = FaceUserFactory()
    response = api_client.delete(f"/api/v1/users/{str(person.id).upper()}/")
    assert (response.status_code, response["Location"]) == (308, f"/api/v1/users/{person.id}")


@pytest.mark.django_db  # which images/ files may be seen is looked up in the catalogue
@pytest.mark.parametrize("path", ["/media/" + "a" * 256, "/media/images/" + "i" * 300 + ".jpeg"])
def test_a_media_name_too_long_for_the_filesystem_is_not_found(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404  # the filesystem's "File name too long" was a 500


def test_the_api_docs_page_answers_options_with_405(client: Client) -> None:
    assert client.options("/api/docs").status_code == 405  # DRF's OPTIONS answer had no template: a 500


def test_a_host_the_server_does_not_serve_gets_the_error_format_under_the_api(client: Client) -> None:
    api = client.get("/api/v1/garden", HTTP_HOST="evil.example")
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "disallowed_host" and "evil" not in api.json()["error"]["message"]
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
