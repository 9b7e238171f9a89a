"""Throttling: API_ANON_RATE per address without a key, per key with one, per person with their credential; 429 in
the API's format with Retry-After."""

import logging
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.test import APIClient

from curation.models import Image
from emotion_garden import outages
from gallery import api_access, rate_counts
from gallery.compat.keys import live_key
from gallery.rates import parse_rate, validate_rate
from tests.factories import ApiKeyFactory, ApprovedImageFactory, FaceUserFactory, as_person

pytestmark = pytest.mark.django_db
GARDEN = "/api/v1/garden"
# 20 s into a minute window, so that no test straddles a window's edge.
PINNED = 1_800_000_000.0 + 20


@pytest.fixture(autouse=True)
def rates(settings, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001 (pytest-django fixture)
    settings.API_ANON_RATE = "3/min"
    settings.API_KEY_RATE = "5/min"
    settings.API_PERSON_RATE = "4/min"
    monkeypatch.setattr(api_access, "time", SimpleNamespace(time=lambda: PINNED))
    ApprovedImageFactory()


def statuses(client: APIClient | Client, count: int, **extra: str) -> list[int]:
    return [client.post(GARDEN, {"emotion": "HAPPY"}, content_type="application/json", **extra).status_code
            for _ in range(count)]


def test_callers_without_a_key_are_throttled_per_address(api_client: APIClient, fresh_ip: str) -> None:
    assert statuses(api_client, 3, REMOTE_ADDR=fresh_ip) == [200, 200, 200]

    refused = api_client.post(GARDEN, {"emotion": "HAPPY"}, format="json", REMOTE_ADDR=fresh_ip)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert refused["Retry-After"] == "40"  # the rest of the minute window

    assert statuses(api_client, 1, REMOTE_ADDR=fresh_ip + "1") == [200]  # another address has its own budget


def test_a_made_up_forwarded_for_header_does_not_dodge_the_limit(api_client: APIClient, fresh_ip: str) -> None:
    assert statuses(api_client, 3, REMOTE_ADDR=fresh_ip) == [200, 200, 200]
    assert statuses(api_client, 1, REMOTE_ADDR=fresh_ip, HTTP_X_FORWARDED_FOR="198.51.100.7") == [429]


def test_behind_a_proxy_the_forwarded_address_counts(api_client: APIClient, fresh_ip: str, settings) -> None:  # noqa: ANN001
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = fresh_ip
    assert statuses(api_client, 4, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=proxy + "a")[-1] == 429
    assert statuses(api_client, 1, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=proxy + "b") == [200]


def test_keys_are_throttled_per_key_at_their_own_rate(api_client: APIClient, fresh_ip: str) -> None:
    default, own, unlimited = ApiKeyFactory(), ApiKeyFactory(rate="2/min"), ApiKeyFactory(rate="none")

    assert statuses(api_client, 6, REMOTE_ADDR=fresh_ip, HTTP_X_API_KEY=default.raw_key) == [200] * 5 + [429]
    assert statuses(api_client, 3, REMOTE_ADDR=fresh_ip, HTTP_X_API_KEY=own.raw_key) == [200, 200, 429]
    assert set(statuses(api_client, 8, REMOTE_ADDR=fresh_ip, HTTP_X_API_KEY=unlimited.raw_key)) == {200}
    # Keyed calls never used the address's anonymous budget.
    assert statuses(api_client, 3, REMOTE_ADDR=fresh_ip) == [200, 200, 200]


def test_people_with_their_credential_are_throttled_per_person(api_client: APIClient, fresh_ip: str) -> None:
    first, second = as_person(FaceUserFactory()), as_person(FaceUserFactory())
    assert statuses(api_client, 5, REMOTE_ADDR=fresh_ip, **first) == [200] * 4 + [429]
    # Another person at the same address, and the address's anonymous callers, have budgets of their own.
    assert statuses(api_client, 4, REMOTE_ADDR=fresh_ip, **second) == [200] * 4
    assert statuses(api_client, 3, REMOTE_ADDR=fresh_ip) == [200, 200, 200]
    # A token that names nobody is an anonymous caller.
    assert statuses(api_client, 1, REMOTE_ADDR=fresh_ip, HTTP_X_PERSON_TOKEN="not-a-token") == [429]


def test_none_turns_throttling_off(api_client: APIClient, fresh_ip: str, settings) -> None:  # noqa: ANN001
    settings.API_ANON_RATE = "none"
    assert set(statuses(api_client, 10, REMOTE_ADDR=fresh_ip)) == {200}


def test_the_window_resets(api_client: APIClient, fresh_ip: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert statuses(api_client, 4, REMOTE_ADDR=fresh_ip)[-1] == 429
    monkeypatch.setattr(api_access, "time", SimpleNamespace(time=lambda: PINNED + 60))
    assert statuses(api_client, 1, REMOTE_ADDR=fresh_ip) == [200]


FACE_PATHS = ("/api/v1/emotion", "/api/v1/emotion?remember=true", "/api/v1/faces/compare", "/api/v1/lookalike")


def face_statuses(client: APIClient | Client, count: int, *, path: str = "/api/v1/emotion", **extra: str) -> list[int]:
    """Face requests with a body that is no image: each is counted, then refused (400) or 415 unread, never read."""
    return [client.post(path, b"x", content_type="image/jpeg", **extra).status_code for _ in range(count)]


def test_a_persons_credential_does_not_lift_the_address_limit_for_face_searches(api_client: APIClient,
                                                                                fresh_ip: str) -> None:
    """Every enrolment hands out a new credential, each was a budget of its own: one address enrolled and searched
    191 faces in 18 s while its anonymous budget was spent."""
    assert statuses(api_client, 3, REMOTE_ADDR=fresh_ip) == [200, 200, 200]
    person = as_person(FaceUserFactory())
    # The person's other calls have a budget of their own: people who share an address are not one caller.
    assert statuses(api_client, 1, REMOTE_ADDR=fresh_ip, **person) == [200]
    for search in ("/api/v1/emotion?remember=true", "/api/v1/emotion?recognise=true"):
        assert face_statuses(api_client, 1, path=search, REMOTE_ADDR=fresh_ip, **person) == [429], search
    # What searches no one is the person's: reading their face, comparing faces, the look-alike.
    other = as_person(FaceUserFactory())
    for path in ("/api/v1/emotion", "/api/v1/faces/compare", "/api/v1/lookalike"):
        assert face_statuses(api_client, 1, path=path, REMOTE_ADDR=fresh_ip, **other) != [429], path


def test_a_search_that_finds_the_credentials_person_is_given_back_to_the_address(
    api_client: APIClient, fresh_ip: str, settings, astronaut_jpeg: bytes, faceless_jpeg: bytes,  # noqa: ANN001
) -> None:
    """A returning visitor reading their own face with their credential spends their budget, not their address's
    (an office's visitors share one)."""
    settings.API_ANON_RATE, settings.API_PERSON_RATE = "4/min", "none"
    enrol = api_client.post("/api/v1/emotion?remember=true", astronaut_jpeg, content_type="image/jpeg",
                            REMOTE_ADDR=fresh_ip)
    person = {"HTTP_X_PERSON_TOKEN": enrol.json()["person_token"]}
    for _ in range(5):
        again = api_client.post("/api/v1/emotion?remember=true", astronaut_jpeg, content_type="image/jpeg",
                                REMOTE_ADDR=fresh_ip, **person)
        assert again.status_code == 200 and again.json()["recognised"]
    assert statuses(api_client, 2, REMOTE_ADDR=fresh_ip) == [200, 200]  # 1 + 2 of 4: nothing else was kept
    # A search that was not theirs stays the address's.
    assert api_client.post("/api/v1/emotion?remember=true", faceless_jpeg, content_type="image/jpeg",
                           REMOTE_ADDR=fresh_ip, **person).status_code == 422
    assert statuses(api_client, 1, REMOTE_ADDR=fresh_ip) == [429]


def test_a_face_request_costs_more_of_the_address_budget(api_client: APIClient, fresh_ip: str,
                                                         settings) -> None:  # noqa: ANN001
    settings.API_ANON_RATE, settings.API_FACE_REQUEST_COST = "10/min", 5
    assert face_statuses(api_client, 3, REMOTE_ADDR=fresh_ip) == [400, 400, 429]
    assert statuses(api_client, 1, REMOTE_ADDR=fresh_ip) == [429]  # one budget for all of the address's calls
    # A rate below the cost still lets one face request through in each window.
    settings.API_ANON_RATE = "3/min"
    assert face_statuses(api_client, 2, REMOTE_ADDR=fresh_ip + "1") == [400, 429]


def test_face_requests_with_a_credential_spend_the_persons_budget_too(api_client: APIClient, fresh_ip: str,
                                                                      settings) -> None:  # noqa: ANN001
    settings.API_ANON_RATE, settings.API_FACE_REQUEST_COST = "100/min", 1
    person = as_person(FaceUserFactory())
    assert face_statuses(api_client, 5, REMOTE_ADDR=fresh_ip, **person) == [400] * 4 + [429]
    assert face_statuses(api_client, 1, REMOTE_ADDR=fresh_ip + "1", **person) == [429]  # from any address
    assert face_statuses(api_client, 1, REMOTE_ADDR=fresh_ip) == [400]  # the address still has room


def test_a_keys_face_requests_cost_one_of_its_own_rate(api_client: APIClient, fresh_ip: str) -> None:
    key = ApiKeyFactory(scopes=["faces"]).raw_key  # 5/min
    assert face_statuses(api_client, 6, REMOTE_ADDR=fresh_ip, HTTP_X_API_KEY=key) == [400] * 5 + [429]


def test_the_original_face_readings_are_throttled_per_address_in_plain_text(fresh_ip: str) -> None:
    """They were never throttled: 12 threads got 3,000 /upload a minute with API_KEYS_REQUIRED."""
    client = Client(REMOTE_ADDR=fresh_ip)
    assert 429 not in [client.post("/upload", b"x", content_type="image/jpeg").status_code for _ in range(3)]
    refused = client.post("/emotion", b"x", content_type="image/jpeg")
    assert (refused.status_code, refused["Content-Type"], refused["Retry-After"]) == (
        429, "text/plain; charset=utf-8", "40")
    assert refused.content.decode() == "Too many requests from this address: try again in 40 seconds."
    # The API's calls from the address share its budget; another address has its own.
    assert statuses(APIClient(), 1, REMOTE_ADDR=fresh_ip) == [429]
    assert Client(REMOTE_ADDR=fresh_ip + "1").post("/upload", b"x", content_type="image/jpeg").status_code != 429
    # The cheap calls a booth's pages make as fast as visitors click, its screens' image files and the health check
    # are not counted.
    body = {"userId": "female/happy", "emotion": "happy", "gender": "female"}
    assert {client.post("/gallery", body, content_type="application/json").status_code for _ in range(5)} == {200}
    image = live_key(Image.objects.get())
    assert {client.get(f"/{image}").status_code for _ in range(5)} == {200}
    assert 429 not in {client.get("/healthz").status_code for _ in range(5)}


@pytest.mark.parametrize("path", ["/emotion", "/upload"])
def test_the_original_face_endpoints_cost_a_face_request(fresh_ip: str, settings, path: str) -> None:  # noqa: ANN001
    """With COMPAT_REMEMBER_FACES, /emotion searched faces for anyone, 350 in 9.6 s."""
    settings.API_ANON_RATE, settings.API_FACE_REQUEST_COST = "10/min", 5
    client = Client(REMOTE_ADDR=fresh_ip)
    assert [client.post(path, b"x", content_type="image/jpeg").status_code for _ in range(3)][-1] == 429


@pytest.mark.parametrize("method", ["get", "options", "head"])
def test_only_a_reading_costs_the_original_face_endpoints_anything(fresh_ip: str, method: str) -> None:
    """GETs and OPTIONS, answered 405, spent the address's budget: a kiosk's stray requests then got "No Face"."""
    client = Client(REMOTE_ADDR=fresh_ip)
    for path in ("/emotion", "/upload"):
        assert {getattr(client, method)(path).status_code for _ in range(5)} == {405}
    assert client.post("/emotion", b"x", content_type="image/jpeg").status_code != 429


def test_counters_live_for_one_window(api_client: APIClient, fresh_ip: str, settings) -> None:  # noqa: ANN001
    statuses(api_client, 2, REMOTE_ADDR=fresh_ip)
    if settings.API_RATE_COUNTERS:  # the embedded install: the file every worker process shares
        with sqlite3.connect(settings.API_RATE_COUNTERS) as connection:
            row = connection.execute("SELECT slot, count, expires FROM counters WHERE ident = ?",
                                     (f"ip:{fresh_ip}:60",)).fetchone()
        assert row == (int(PINNED // 60), 2, (int(PINNED // 60) + 1) * 60)
        return
    counter = f"throttle:ip:{fresh_ip}:60:{int(PINNED // 60)}"
    assert cache.get(counter) == 2
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):  # counted by the one-round-trip script, and expiring with its window
        assert api_access._redis_increment.cache_info().currsize == 1
        assert 0 < backend._cache.get_client().ttl(backend.make_and_validate_key(counter)) <= 60


def test_answers_carry_the_rate_limit_headers(api_client: APIClient, fresh_ip: str) -> None:
    answers = [api_client.post(GARDEN, {"emotion": "HAPPY"}, format="json", REMOTE_ADDR=fresh_ip) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer["RateLimit-Remaining"] for answer in answers] == ["2", "1", "0", "0"]
    assert {answer["RateLimit-Limit"] for answer in answers} == {"3"}
    assert {answer["RateLimit-Reset"] for answer in answers} == {"40"}  # seconds to the end of the minute window
    assert answers[-1]["Retry-After"] == "40"


def test_processes_share_the_counters_without_losing_a_count(tmp_path: Path) -> None:
    """The embedded install's workers are processes: four of them counting at once must add up exactly."""
    path = str(tmp_path / "counters.sqlite3")
    script = ("import sys, time; from pathlib import Path; from gallery import rate_counts\n"
              "for _ in range(50): rate_counts.count(path=Path(sys.argv[1]), ident='key:shared', window=1, "
              "expires=time.time() + 60)")
    processes = [subprocess.Popen([sys.executable, "-c", script, path], cwd=django_settings.BASE_DIR)
                 for _ in range(4)]
    assert [process.wait(60) for process in processes] == [0, 0, 0, 0]
    assert rate_counts.count(path=Path(path), ident="key:shared", window=1, expires=time.time() + 60) == 201
    assert rate_counts.count(path=Path(path), ident="key:shared", window=2, expires=time.time() + 60) == 1


def test_with_redis_unreachable_requests_are_served_unthrottled_and_logged_once(
    api_client: APIClient, fresh_ip: str, settings, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.API_RATE_COUNTERS = ""  # counted in the cache, as on a Redis install

    def unreachable(cache_key: str, *, timeout: int, amount: int) -> int:
        raise RedisConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(api_access, "_count", unreachable)
    monkeypatch.setattr(outages, "RETRY_SECONDS", 0.0)  # try Redis on every request: each one fails
    monkeypatch.setattr(outages.redis_cache, "_next_log", 0.0)
    with caplog.at_level(logging.WARNING, logger="emotion_garden.outages"):
        assert statuses(api_client, 6, REMOTE_ADDR=fresh_ip) == [200] * 6  # 3/min, yet all served
    assert len([record for record in caplog.records if "unreachable" in record.getMessage()]) == 1


def test_an_unreadable_rate_is_a_configuration_error(api_client: APIClient, settings) -> None:  # noqa: ANN001
    settings.API_ANON_RATE = "fast"
    with pytest.raises(ImproperlyConfigured, match="Unreadable rate"):
        api_client.post(GARDEN, {"emotion": "HAPPY"}, format="json")


@pytest.mark.parametrize(("rate", "parsed"), [("600/min", (600, 60)), ("10/s", (10, 1)), ("100/5s", (100, 5)),
                                               ("1000/day", (1000, 86400)), ("5 / hour", (5, 3600)),
                                               ("none", None), ("", None)])
def test_rates(rate: str, parsed: tuple[int, int] | None) -> None:
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["0/min", "0/s", "5/0min", "many/min"])
def test_rates_that_allow_nothing_or_cannot_be_read_are_refused(rate: str) -> None:
    """0/min was taken: every request a 429 whose Retry-After never came true."""
    with pytest.raises(ValidationError):
        validate_rate(rate)


def test_a_throttle_check_costs_about_one_cache_read(fresh_ip: str, settings) -> None:  # noqa: ANN001
    """One round trip to Redis (or one locmem operation) per request: timed against plain cache reads, so that a
    loaded machine slows both alike; two round trips or more would fail it."""
    settings.API_ANON_RATE = "1000000/min"
    request = SimpleNamespace(auth=None, META={"REMOTE_ADDR": fresh_ip}, headers={}, COOKIES={})
    throttle = api_access.ApiRateThrottle()

    def seconds_per_call(action: Callable[[], object], calls: int = 300) -> float:
        start = time.perf_counter()
        for _ in range(calls):
            action()
        return (time.perf_counter() - start) / calls

    read = seconds_per_call(lambda: cache.get(f"throttle-test:{fresh_ip}"))
    check = seconds_per_call(lambda: throttle.allow_request(request, None))  # type: ignore[arg-type]
    assert check < 2 * read + 0.000_2
