"""CORS: browser apps on CORS_ALLOWED_ORIGINS may call /api/ with a key header; nobody else, and nothing else."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

APP = "https://app.example.org"
SETTINGS_FILE = Path(django_settings.BASE_DIR) / "emotion_garden" / "settings.py"


@pytest.fixture(autouse=True)
def allowed_origin(settings) -> None:  # noqa: ANN001 (pytest-django fixture)
    settings.CORS_ALLOWED_ORIGINS = [APP]


def preflight(client: Client, path: str, origin: str, headers: str = "content-type, x-api-key"):  # noqa: ANN201
    return client.options(path, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                          HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers)


def test_preflight_from_an_allowed_origin_allows_the_key_headers(client: Client) -> None:
    response = preflight(client, "/api/v1/garden", APP, "authorization, content-type, x-api-key")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    allowed = {header.strip() for header in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "x-api-key"} <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response


def test_preflight_from_another_origin_gets_no_cors_headers(client: Client) -> None:
    response = preflight(client, "/api/v1/garden", "https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_api_answers_carry_the_origin_and_expose_retry_after_and_the_rate_limit(client: Client) -> None:
    response = client.post("/api/v1/garden", {}, content_type="application/json", HTTP_ORIGIN=APP)
    assert response["Access-Control-Allow-Origin"] == APP
    assert response["Access-Control-Expose-Headers"] == (
        "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset")


@pytest.mark.parametrize("path", ["/admin/login/", "/gallery", "/"])
def test_paths_outside_the_api_get_no_cors_headers(client: Client, path: str) -> None:
    assert "Access-Control-Allow-Origin" not in preflight(client, path, APP)


def test_origins_come_from_the_environment_and_none_by_default(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    monkeypatch.setenv("EMOTION_GARDEN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CORS_ALLOWED_ORIGINS", raising=False)
    assert runpy.run_path(str(SETTINGS_FILE))["CORS_ALLOWED_ORIGINS"] == []
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", f"{APP},https://kiosk.example.org")
    assert runpy.run_path(str(SETTINGS_FILE))["CORS_ALLOWED_ORIGINS"] == [APP, "https://kiosk.example.org"]
