"""The OpenAPI schema documents the API key, and the Swagger UI works offline, from the site's own static files."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client


def test_swagger_ui_loads_its_scripts_and_styles_from_our_static_files(client: Client) -> None:
    page = client.get("/api/docs").content.decode()
    assert not re.search(r"https?://|(src|href)=[\"']//", page)  # no CDN, not even a protocol-relative one
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
    assert {asset.rsplit(".", 1)[-1] for asset in assets} >= {"js", "css"}
    start_up = "/api/docs?script="  # the page's own start-up script, a file rather than inline (CSP)
    assert start_up in assets
    for asset in assets:
        if asset == start_up:
            script = client.get(asset)
            assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
            continue
        assert asset.startswith(settings.STATIC_URL), asset
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset
    assert "<script>" not in page and "<style>" not in page


def schema(client: Client) -> dict:
    return client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_the_schema_describes_the_api_key_and_that_it_is_optional(client: Client) -> None:
    document = schema(client)
    scheme = document["components"]["securitySchemes"]["ApiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-Api-Key")
    assert "Authorization: Api-Key" in scheme["description"] and "`users`" in scheme["description"]
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if path.startswith("/api/v1/users/"):  # a person's own data: their token or an operator's key
                assert operation["security"] == [{"PersonToken": []}, {"ApiKey": []}], path
            else:
                assert operation["security"] == [{"ApiKey": []}, {}], path
    person = document["components"]["securitySchemes"]["PersonToken"]
    assert (person["type"], person["in"], person["name"]) == ("apiKey", "header", "X-Person-Token")


def test_with_keys_required_the_schema_says_so(client: Client, settings) -> None:  # noqa: ANN001
    settings.API_KEYS_REQUIRED = True
    operation = schema(client)["paths"]["/api/v1/garden"]["post"]
    assert operation["security"] == [{"ApiKey": []}]


@pytest.mark.parametrize("path", ["/api/schema", "/api/docs"])
def test_docs_need_no_key_even_when_keys_are_required(client: Client, settings, path: str) -> None:  # noqa: ANN001
    settings.API_KEYS_REQUIRED = True
    assert client.get(path).status_code == 200


def test_every_api_operation_documents_the_error_format(client: Client) -> None:
    document = schema(client)
    assert document["components"]["schemas"]["Error"]["required"] == ["error"]
    for path, operations in document["paths"].items():
        for operation in operations.values():
            responses = operation["responses"]
            assert {"401", "403", "429", "default"} <= set(responses), path
            assert responses["429"]["headers"]["Retry-After"]["required"]
            assert responses["default"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}


# The error answers each operation documents, beyond the 401/403/429 every operation can give.
EXPECTED_ERRORS = {
    ("/api/v1/emotion", "post"): {"400", "413", "415", "422", "503"},
    ("/api/v1/lookalike", "post"): {"400", "413", "415", "422", "503"},
    ("/api/v1/faces/compare", "post"): {"400", "413", "415", "422", "503"},
    ("/api/v1/garden", "post"): {"400", "503"},
    ("/api/v1/songs", "post"): {"400", "503"},
    ("/api/v1/images/{image_id}/similar", "get"): {"400", "404", "503"},
    ("/api/v1/like", "post"): {"400", "404", "409"},
    ("/api/v1/unlike", "post"): {"400", "404", "409"},
    ("/api/v1/not-interested", "post"): {"400", "404", "409"},
    ("/api/v1/users/{face_user_id}", "get"): {"404"},
    ("/api/v1/users/{face_user_id}", "delete"): {"404"},
    ("/api/v1/users/{face_user_id}/likes", "get"): {"400", "404"},
    ("/api/v1/users/{face_user_id}/export", "get"): {"404"},
    ("/api/v1/credential", "delete"): set(),
}


def test_every_operation_has_a_summary_a_resource_tag_a_typed_answer_with_an_example_and_its_errors(
    client: Client,
) -> None:
    document = schema(client)
    operations = {(path, method): operation for path, methods in document["paths"].items()
                  for method, operation in methods.items()}
    assert operations.keys() == EXPECTED_ERRORS.keys()
    for (path, method), operation in operations.items():
        where = f"{method} {path}"
        assert operation["summary"] and len(operation["summary"]) <= 60, where
        assert operation["tags"] and set(operation["tags"]) <= {"faces", "garden", "likes", "people"}, where
        responses = operation["responses"]
        bodies = [response["content"]["application/json"] for status, response in responses.items()
                  if status.startswith("2") and "content" in response]
        for body in bodies:  # a named component, never a bare object that clients turn into a map
            assert set(body["schema"]) == {"$ref"}, where
        assert not bodies or any(body.get("examples") for body in bodies), where
        errors = {status for status in responses if status.startswith(("4", "5"))} - {"401", "403", "429"}
        assert errors == EXPECTED_ERRORS[path, method], where
        for status in errors:
            content = responses[status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}, where
            assert responses[status]["description"].startswith("`"), where  # names its codes
    no_face = operations["/api/v1/emotion", "post"]["responses"]["422"]
    assert "`no_face`" in no_face["description"]
    assert next(iter(no_face["content"]["application/json"]["examples"].values()))["value"]["error"]["code"] == (
        "no_face")
