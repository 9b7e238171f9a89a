"""Every error under /api/ is the JSON error format, a 500 included; a view that needed an unreachable Redis is 503."""

import pytest
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gallery import api_garden
from gallery.compat import views as compat_views

pytestmark = pytest.mark.django_db


def _raise(error: Exception):  # noqa: ANN202
    def view(*args: object, **kwargs: object) -> None:
        raise error
    return view


def test_an_unexpected_exception_under_the_api_is_a_500_in_the_error_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_garden.GardenView, "post", _raise(RuntimeError("a bug")))
    answer = Client(raise_request_exception=False).post("/api/v1/garden", {"emotion": "HAPPY"},
                                                         content_type="application/json")
    assert answer.status_code == 500
    assert answer["Content-Type"] == "application/json"
    error = answer.json()["error"]
    assert (error["code"], error["message"]) == ("server_error", "The server failed to answer this request.")
    assert error["request_id"] == answer["X-Request-ID"]  # to quote when reporting it


def test_a_500_outside_the_api_stays_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compat_views, "recommended_images", _raise(RuntimeError("a bug")))
    answer = Client(raise_request_exception=False).post("/gallery", {"userId": "female/happy", "emotion": "happy"},
                                                         content_type="application/json")
    assert answer.status_code == 500
    assert answer["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("error", [RedisConnectionError("Connection refused"), RedisTimeoutError("Timeout")])
def test_a_view_that_needs_an_unreachable_redis_answers_503(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    monkeypatch.setattr(api_garden.GardenView, "post", _raise(error))
    answer = Client().post("/api/v1/garden", {"emotion": "HAPPY"}, content_type="application/json")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "service_unavailable"
    assert answer["Retry-After"] == "5"


def test_an_original_endpoint_that_needs_it_answers_503_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compat_views, "recommended_images", _raise(RedisConnectionError("Connection refused")))
    answer = Client().post("/gallery", {"userId": "female/happy", "emotion": "happy"},
                           content_type="application/json")
    assert answer.status_code == 503
    assert answer["Content-Type"].startswith("text/plain")
    assert answer["Retry-After"] == "5"
