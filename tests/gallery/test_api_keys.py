"""API keys: issuing them, both headers, refusals in the API's error format, scopes, and API_KEYS_REQUIRED."""

import hashlib
import io
import re
import time
import uuid
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import URLPattern, get_resolver
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from gallery import api_keys
from gallery.api_access import SITE_PAGE_COOKIE, ApiScopePermission, site_page_id
from gallery.api_keys import client_for_key, create_api_key, revoke_api_key
from gallery.models import ApiKey, ApiScope
from tests.factories import ApiKeyFactory, ApprovedImageFactory, FaceUserFactory

pytestmark = pytest.mark.django_db
GARDEN = "/api/v1/garden"


def garden(client: APIClient | Client, **headers: str) -> int:
    return client.post(GARDEN, {"emotion": "HAPPY"}, content_type="application/json", **headers).status_code


def test_a_new_key_is_returned_once_and_only_its_hash_is_stored() -> None:
    issued = create_api_key(name="iOS app", scopes=["garden", "faces", "garden"])

    assert re.fullmatch(r"eg_[a-z0-9]{8}_[A-Za-z0-9_-]{43}", issued.raw_key)
    stored = ApiKey.objects.get()
    assert stored.prefix == issued.raw_key[3:11]
    assert stored.key_hash == hashlib.sha256(issued.raw_key.encode()).hexdigest()
    assert stored.scopes == ["faces", "garden"]
    secret = issued.raw_key[12:]
    assert not any(secret in str(value) for value in vars(stored).values())


@pytest.mark.parametrize(("scopes", "rate"), [([], ""), (["admin"], ""), (["garden"], "lots"), (["garden"], "5/0s")])
def test_keys_need_known_scopes_and_a_readable_rate(scopes: list[str], rate: str) -> None:
    with pytest.raises(ValidationError):
        create_api_key(name="bad", scopes=scopes, rate=rate)
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("header", ["HTTP_X_API_KEY", "HTTP_AUTHORIZATION"])
def test_a_key_in_either_header_is_accepted(api_client: APIClient, header: str) -> None:
    ApprovedImageFactory()
    key = ApiKeyFactory(scopes=["garden"])
    value = key.raw_key if header == "HTTP_X_API_KEY" else f"Api-Key {key.raw_key}"
    assert garden(api_client, **{header: value}) == 200


def test_unknown_malformed_and_forged_keys_get_401_in_the_error_format(api_client: APIClient) -> None:
    real = ApiKeyFactory()
    for raw_key in ("eg_abcdefgh_" + "x" * 43, "not-a-key", "eg_ABCDEFGH_x", real.raw_key[:12] + "x" * 43):
        response = api_client.post(GARDEN, {"emotion": "HAPPY"}, format="json", HTTP_X_API_KEY=raw_key)
        assert response.status_code == 401, raw_key
        assert response.json()["error"].items() >= {
            "code": "invalid_api_key", "message": "The API key is unknown or revoked."}.items()
        assert response["WWW-Authenticate"].startswith("Api-Key")


def test_a_revoked_key_is_refused_at_once_though_it_was_cached(api_client: APIClient) -> None:
    ApprovedImageFactory()
    key = ApiKeyFactory()
    for _ in range(2):  # the first use writes last_used_at, the second caches the key
        assert garden(api_client, HTTP_X_API_KEY=key.raw_key) == 200
    assert cache.get(f"api-key:{key.prefix}") is not None
    revoke_api_key(api_key=key)
    assert garden(api_client, HTTP_X_API_KEY=key.raw_key) == 401
    assert ApiKey.objects.get().revoked_at is not None


def test_other_authorization_schemes_are_anonymous(api_client: APIClient) -> None:
    ApprovedImageFactory()
    assert garden(api_client, HTTP_AUTHORIZATION="Bearer something") == 200


def test_a_cached_key_costs_no_query_and_last_use_is_written_at_most_once_a_minute(
    django_assert_num_queries, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001 (pytest-django fixture)
) -> None:
    key = ApiKeyFactory()
    clock = SimpleNamespace(time=time.time)
    monkeypatch.setattr(api_keys, "time", clock)

    with django_assert_num_queries(2):  # read the row, write last_used_at (never written before)
        assert client_for_key(key.raw_key) is not None
    with django_assert_num_queries(1):  # the write dropped the cache entry: read the new last_used_at
        client_for_key(key.raw_key)
    with django_assert_num_queries(0):
        for _ in range(3):
            client_for_key(key.raw_key)
    first_use = ApiKey.objects.get().last_used_at

    later = clock.time() + api_keys.LAST_USED_WRITE_SECONDS + 1
    clock.time = lambda: later
    with django_assert_num_queries(1):  # still cached: only the write
        client_for_key(key.raw_key)
    assert ApiKey.objects.get().last_used_at > first_use


# Which scope each operation needs: the decision, written down once more so that a change to it is deliberate.
OPERATIONS = [
    ("post", "/api/v1/emotion", ApiScope.FACES),
    ("post", "/api/v1/faces/compare", ApiScope.FACES),
    ("post", "/api/v1/lookalike", ApiScope.FACES),
    ("post", "/api/v1/garden", ApiScope.GARDEN),
    ("post", "/api/v1/songs", ApiScope.GARDEN),
    ("post", "/api/v1/like", ApiScope.LIKES),
    ("post", "/api/v1/unlike", ApiScope.LIKES),
    ("post", "/api/v1/not-interested", ApiScope.LIKES),
    ("get", "/api/v1/images/{image}/similar", ApiScope.GARDEN),
    ("delete", "/api/v1/credential", ApiScope.FACES),
    ("get", "/api/v1/users/{id}", ApiScope.USERS),
    ("delete", "/api/v1/users/{id}", ApiScope.USERS),
    ("get", "/api/v1/users/{id}/likes", ApiScope.USERS),
    ("get", "/api/v1/users/{id}/export", ApiScope.USERS),
]


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
def test_each_operation_needs_its_scope(api_client: APIClient, method: str, path: str, scope: ApiScope) -> None:
    url = path.format(id=FaceUserFactory().pk, image=1)
    others = ApiKeyFactory(scopes=[other for other in ApiScope.values if other != scope])
    only_this = ApiKeyFactory(scopes=[scope])

    refused = getattr(api_client, method)(url, HTTP_X_API_KEY=others.raw_key)
    assert refused.status_code == 403
    assert refused.json()["error"].items() >= {"code": "insufficient_scope",
                                               "message": f"This API key lacks the '{scope}' scope."}.items()
    assert getattr(api_client, method)(url, HTTP_X_API_KEY=only_this.raw_key).status_code not in (401, 403)


def test_every_api_view_declares_a_scope_and_the_table_above_covers_every_path() -> None:
    api = next(pattern for pattern in get_resolver().url_patterns if getattr(pattern, "namespace", "") == "api")
    entries = [entry for entry in api.url_patterns if isinstance(entry, URLPattern)]
    assert all(entry.callback.view_class.required_scope in ApiScope for entry in entries)
    paths = {"/api/v1/" + str(entry.pattern).replace("<uuid:face_user_id>", "{id}").replace("<int:image_id>", "{image}")
             for entry in entries}
    assert paths == {path for _, path, _ in OPERATIONS}


def test_a_view_without_a_scope_fails_closed() -> None:
    request = APIView().initialize_request(APIRequestFactory().get("/api/v1/new"))
    with pytest.raises(ImproperlyConfigured):
        ApiScopePermission().has_permission(request, APIView())


def test_the_page_cookie_is_random_per_browser_and_kept_across_loads(client: Client) -> None:
    # Set without API_KEYS_REQUIRED too: it tells one browser's retried likes from another's (idempotency).
    first = client.get("/").cookies[SITE_PAGE_COOKIE]
    assert first["samesite"] == "Strict" and first["httponly"]
    # Compared by the page id it signs: the signature's timestamp changes when the loads straddle a second.
    assert page_id(first.value)
    assert page_id(client.get("/").cookies[SITE_PAGE_COOKIE].value) == page_id(first.value)
    assert page_id(Client().get("/").cookies[SITE_PAGE_COOKIE].value) != page_id(first.value)


def page_id(cookie: str) -> str | None:
    request = APIRequestFactory().get("/")
    request.COOKIES[SITE_PAGE_COOKIE] = cookie
    return site_page_id(request)


class TestKeysRequired:
    @pytest.fixture(autouse=True)
    def keys_required(self, settings) -> None:  # noqa: ANN001 (pytest-django fixture)
        settings.API_KEYS_REQUIRED = True
        ApprovedImageFactory()

    def test_calls_without_a_key_get_401(self, api_client: APIClient) -> None:
        response = api_client.post(GARDEN, {"emotion": "HAPPY"}, format="json")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "api_key_required"
        assert response["WWW-Authenticate"].startswith("Api-Key")
        assert garden(api_client, HTTP_X_API_KEY=ApiKeyFactory().raw_key) == 200

    def test_the_sites_own_page_still_works(self, client: Client) -> None:
        page = client.get("/")
        cookie = page.cookies[SITE_PAGE_COOKIE]
        assert cookie["samesite"] == "Strict" and cookie["httponly"]
        assert garden(client) == 200

    def test_a_forged_page_cookie_is_refused(self, client: Client) -> None:
        client.cookies[SITE_PAGE_COOKIE] = "1"
        assert garden(client) == 401

    def test_the_original_endpoints_schema_and_docs_need_no_key(self, client: Client) -> None:
        original = client.post("/gallery", {"userId": "female/happy", "emotion": "happy", "gender": "female"},
                               content_type="application/json")
        assert original.status_code == 200 and original.json()
        assert client.get("/api/schema").status_code == 200
        assert client.get("/api/docs").status_code == 200


def test_admin_shows_a_new_key_once_and_edits_apply_at_once(admin_client: Client, api_client: APIClient) -> None:
    ApprovedImageFactory()
    added = admin_client.post("/admin/gallery/apikey/add/", {"name": "Kiosk", "scopes": ["garden", "likes"],
                                                             "rate": ""})
    # The message that shows it once is kept in the session: Django's default put it in a signed, readable cookie.
    assert "messages" not in added.cookies
    response = admin_client.get(added.url)
    raw_key = re.search(r"eg_[a-z0-9]{8}_[A-Za-z0-9_-]{43}", response.content.decode())[0]
    key = ApiKey.objects.get()
    assert key.scopes == ["garden", "likes"]
    assert garden(api_client, HTTP_X_API_KEY=raw_key) == 200
    assert raw_key not in admin_client.get("/admin/gallery/apikey/").content.decode()
    assert raw_key not in admin_client.get(f"/admin/gallery/apikey/{key.pk}/change/").content.decode()

    admin_client.post(f"/admin/gallery/apikey/{key.pk}/change/", {"name": "Kiosk", "scopes": ["likes"], "rate": ""})
    assert garden(api_client, HTTP_X_API_KEY=raw_key) == 403


def test_admin_revokes_keys_and_never_deletes_them(admin_client: Client, api_client: APIClient) -> None:
    ApprovedImageFactory()
    key = ApiKeyFactory()
    assert garden(api_client, HTTP_X_API_KEY=key.raw_key) == 200
    admin_client.post("/admin/gallery/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    assert garden(api_client, HTTP_X_API_KEY=key.raw_key) == 401
    assert admin_client.get(f"/admin/gallery/apikey/{key.pk}/delete/").status_code == 403


def test_create_api_key_command_prints_the_key_alone(api_client: APIClient) -> None:
    ApprovedImageFactory()
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("create_api_key", "--name", "Android app", "--scopes", "garden,likes", "--rate", "100/min",
                 stdout=stdout, stderr=stderr)
    raw_key = stdout.getvalue().strip()
    assert garden(api_client, HTTP_X_API_KEY=raw_key) == 200
    key = ApiKey.objects.get()
    assert (key.name, key.scopes, key.rate) == ("Android app", ["garden", "likes"], "100/min")
    assert f"eg_{key.prefix}" in stderr.getvalue() and raw_key not in stderr.getvalue()

    call_command("create_api_key", "--name", "Everything", "--scopes", "all", stdout=io.StringIO(),
                 stderr=io.StringIO())
    assert ApiKey.objects.get(name="Everything").scopes == sorted(ApiScope.values)
    with pytest.raises(CommandError, match="Scopes"):
        call_command("create_api_key", "--name", "x", "--scopes", "root", stdout=io.StringIO())


def test_refused_keys_are_logged_by_prefix_only(api_client: APIClient, caplog: pytest.LogCaptureFixture) -> None:
    raw_key = f"eg_zzzzzzzz_{uuid.uuid4().hex}"
    api_client.post(GARDEN, {}, format="json", HTTP_X_API_KEY=raw_key)
    assert "eg_zzzzzzzz" in caplog.text and raw_key not in caplog.text
