"""Paths that no view matches answer in the API's error format under /api/, with Django's page elsewhere."""

import pytest
from django.test import Client


@pytest.mark.parametrize("path", ["/api/v1/users/not-a-uuid", "/api/v1/nothing-here", "/api/v2/garden"])
def test_unknown_api_paths_get_the_error_format(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


def test_other_unknown_paths_get_the_usual_page(client: Client) -> None:
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
