"""Who may call /api/v1, and how often: API keys with scopes, the site's own page, per-IP and per-key throttles.

DRF applies these to every API view (settings.REST_FRAMEWORK). The original clients' endpoints (gallery.compat) are
plain Django views, never asked for a key; their POSTs count in the same budgets through request_wait.
"""

import contextlib
import functools
import logging
import math
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from redis.commands.core import Script
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from emotion_garden.outages import REDIS_UNAVAILABLE, redis_cache
from emotion_garden.rate_limit_headers import note_rate_limit
from gallery import rate_counts
from gallery.api_keys import ApiClient, client_for_key, key_prefix
from gallery.models import ApiScope
from gallery.person_access import person_of
from gallery.rates import parse_rate

if TYPE_CHECKING:  # DRF imports this module while rest_framework.views is half-loaded (its default settings)
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

_AUTHORIZATION_KEYWORD = "api-key"

# The site's own page (/) may call the API without a key even when API_KEYS_REQUIRED: it gets this signed cookie.
# SameSite=Strict keeps browsers from sending it with requests that other sites start, so another site's page cannot
# borrow a visitor's cookie; a script that loads / first can still get one, which is why keys are about knowing and
# metering third-party clients, not about keeping the gallery's own (public) features secret. It opens no person's
# data (that takes the person's own credential, gallery.person_access). Its value is random per browser: retried
# likes of an anonymous visitor are recognised within that browser only (client_scope).
SITE_PAGE_COOKIE = "eg_page"
_SITE_PAGE_SALT = "gallery.api_access.site_page"
SITE_PAGE_COOKIE_MAX_AGE = 30 * 24 * 3600


def mark_site_page(request: HttpRequest, response: HttpResponse) -> None:
    """Let the browser that loaded the site's page call the API without a key (renewed on every page load). The page
    is that browser's alone: a shared cache in front must not hand its cookie and CSRF token to another."""
    add_never_cache_headers(response)
    page_id = site_page_id(request)
    response.set_signed_cookie(
        SITE_PAGE_COOKIE, page_id if page_id and page_id != "1" else secrets.token_urlsafe(16), salt=_SITE_PAGE_SALT,
        max_age=SITE_PAGE_COOKIE_MAX_AGE, secure=request.is_secure(), httponly=True, samesite="Strict",
    )


def site_page_id(request: HttpRequest | Request) -> str | None:
    """The browser's page id from a valid page cookie ("1" in cookies from before ids); None without one."""
    return request.get_signed_cookie(SITE_PAGE_COOKIE, default=None, salt=_SITE_PAGE_SALT,
                                     max_age=SITE_PAGE_COOKIE_MAX_AGE)


def is_site_page_request(request: Request) -> bool:
    return site_page_id(request) is not None


def client_scope(request: Request) -> str:
    """Who is calling, for idempotency: a client event id names one event of one caller, so another caller reusing
    it records an event of its own and never gets the first caller's answer. The person's credential, else the API
    key, else the page's browser, else (scripts without a key) the client address."""
    face_user_id = person_of(request)
    if face_user_id is not None:
        return f"person:{face_user_id}"
    if isinstance(request.auth, ApiClient):
        return f"key:{request.auth.prefix}"
    page_id = site_page_id(request)
    if page_id is not None and page_id != "1":
        return f"page:{page_id}"
    return f"ip:{BaseThrottle().get_ident(request)}"


def raw_api_key(request: HttpRequest | Request) -> str | None:
    """The key a request sends, as `Authorization: Api-Key <key>` or `X-Api-Key: <key>`; None without one."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    keyword, _, value = authorization.partition(" ")
    if keyword.lower() == _AUTHORIZATION_KEYWORD:
        return value.strip()
    return request.META.get("HTTP_X_API_KEY", "").strip() or None


def log_refused_key(raw_key: str) -> None:
    prefix = key_prefix(raw_key)
    logger.warning("Refused API key %s", f"eg_{prefix}" if prefix else "(malformed)")


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>` or `X-Api-Key: <key>`. No key: anonymous (ApiScopePermission decides)."""

    def authenticate(self, request: Request) -> tuple[ApiClient, ApiClient] | None:
        raw_key = raw_api_key(request)
        if raw_key is None:
            return None
        client = client_for_key(raw_key)
        if client is None:
            log_refused_key(raw_key)
            raise AuthenticationFailed("The API key is unknown or revoked.", code="invalid_api_key")
        return client, client

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 to callers without a valid key.
        return 'Api-Key realm="api"'



class ApiScopePermission(BasePermission):
    """Keyed callers need the view's `required_scope` (403 `insufficient_scope` otherwise). Callers without a key
    pass, unless API_KEYS_REQUIRED is set: then only the site's own page may (401 `api_key_required`)."""

    def has_permission(self, request: Request, view: "APIView") -> bool:
        scope: ApiScope | None = getattr(view, "required_scope", None)
        if scope is None:
            # Failing closed: a new view must say what a key needs to call it.
            raise ImproperlyConfigured(f"{type(view).__name__} declares no required_scope.")
        if isinstance(request.auth, ApiClient):
            if scope in request.auth.scopes:
                return True
            if getattr(view, "person_data", False) and person_of(request) is not None:
                return True  # the person's own credential; the view checks it is theirs (require_person)
            raise PermissionDenied(f"This API key lacks the '{scope}' scope.", code="insufficient_scope")
        if not settings.API_KEYS_REQUIRED or is_site_page_request(request):
            return True
        raise NotAuthenticated(
            "This API needs a key: send 'Authorization: Api-Key <key>' or 'X-Api-Key: <key>'.", code="api_key_required"
        )


class ApiRateThrottle(BaseThrottle):
    """Every API view's throttle: request_wait's budgets. A view that reads faces says so with `face_request = True`,
    which makes it cost more of them.

    Fixed windows counted with one cache increment per budget. DRF's SimpleRateThrottle instead reads and rewrites
    a list of every request's time in the window: at 600/min that is a 600-float pickle per request, and at the
    benchmark's rates far more; a counter costs the same at any rate. A burst can reach twice the rate across a
    window's edge, which is fine for keeping one client from starving the others. Every answer it counted carries
    the IETF draft's RateLimit-Limit, -Remaining and -Reset headers (of its tightest budget); a 429 also Retry-After.
    """

    def allow_request(self, request: Request, view: "APIView") -> bool:
        searches = getattr(view, "searches_people", None)
        self._wait = request_wait(request, face=getattr(view, "face_request", False),
                                  searches_people=bool(searches and searches(request)))
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


@dataclass(frozen=True)
class _Budget:
    rate: str
    ident: str
    cost: int


def _budgets(request: HttpRequest | Request, *, face: bool, searches_people: bool) -> list[_Budget]:
    """What a request draws on. A key: its own rate (or API_KEY_RATE), whatever it calls. Without one, a face
    request (reading a face, comparing faces, the look-alike) costs API_FACE_REQUEST_COST of its address's
    API_ANON_RATE, and of its person's API_PERSON_RATE when a person's credential comes with it. Other requests with
    a person's credential draw on the person's budget alone, so that people who share an address (a school, an
    office) are not one anonymous caller.

    A request that may search the people (the emotion reading with consent) charges the address even with a
    credential, refunded once it turns out the face was that person's (refund_face_search): every enrolment hands
    out a new credential, so a credential that lifted the address's limit let one address enrol and search any
    number of faces."""
    client = getattr(request, "auth", None)
    if isinstance(client, ApiClient):
        # The prefix, not the id: ids restart in a fresh database while a shared Redis keeps counting.
        return [_Budget(rate=client.rate or settings.API_KEY_RATE, ident=f"key:{client.prefix}", cost=1)]
    cost = max(1, settings.API_FACE_REQUEST_COST) if face else 1  # 0 or less would never be throttled
    person = person_of(request)
    own = [] if person is None else [_Budget(rate=settings.API_PERSON_RATE, ident=f"person:{person.hex}", cost=cost)]
    if person is not None and not searches_people:
        return own
    return [_Budget(rate=settings.API_ANON_RATE, ident=f"ip:{client_address(request)}", cost=cost), *own]


def request_wait(request: HttpRequest | Request, *, face: bool, searches_people: bool = False) -> float | None:
    """Count the request in every budget it draws on (_budgets): None when it may be served, else the seconds until
    the spent budget's window ends. Used by the API's throttle and by the original endpoints (gallery.compat), for
    plain Django requests too. A request is served while its budgets had room left before it, so a face request
    still gets through where API_ANON_RATE is below its cost."""
    now = time.time()
    wait: float | None = None
    tightest: tuple[int, int, float] | None = None  # (limit, remaining, seconds to the window's end)
    for budget in _budgets(request, face=face, searches_people=searches_people):
        limit = _limit(budget.rate)
        if limit is None:
            continue
        allowed, seconds = limit
        window = int(now // seconds)
        window_left = (window + 1) * seconds - now
        count = _count_or_none(f"{budget.ident}:{seconds}", window=window, seconds=seconds, amount=budget.cost)
        if count is None:  # the counters are unreachable: serve unmetered rather than fail
            continue
        if budget.ident.startswith("ip:") and searches_people:
            getattr(request, "_request", request).face_search_charge = (budget, window, seconds)
        remaining = max(0, allowed - count)
        if tightest is None or remaining < tightest[1]:
            tightest = (allowed, remaining, window_left)
        if count - budget.cost >= allowed:
            wait = max(wait or 0.0, window_left)
    if tightest is not None:
        note_rate_limit(request, limit=tightest[0], remaining=tightest[1], reset=math.ceil(tightest[2]))
    return wait


def refund_face_search(request: HttpRequest | Request) -> None:
    """Give the address back what a face search with a person's credential cost it (see _budgets): the face was
    that person's. Only within the window it was charged in; a request that searched no one was never charged."""
    charge = getattr(getattr(request, "_request", request), "face_search_charge", None)
    if charge is None:
        return
    budget, window, seconds = charge
    ident = f"{budget.ident}:{seconds}"
    if settings.API_RATE_COUNTERS:
        rate_counts.refund(path=Path(settings.API_RATE_COUNTERS), ident=ident, window=window, amount=budget.cost)
    elif redis_cache.available():
        try:
            _refund(f"throttle:{ident}:{window}", amount=budget.cost)
        except REDIS_UNAVAILABLE as error:
            redis_cache.failed(error, fallback="a face request's charge is not refunded")


def client_address(request: HttpRequest) -> str:
    """The caller's address as the throttles count it: REMOTE_ADDR, or past API_NUM_PROXIES proxies the address
    they name (django-axes reads it too, for the admin login's lockouts)."""
    return BaseThrottle().get_ident(request)


def _limit(rate: str) -> tuple[int, int] | None:
    try:
        return parse_rate(rate)
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from None


# INCRBY, and give a new counter its expiry, in one command (Django's Redis cache stores ints as plain numbers).
_INCREMENT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


@functools.cache
def _redis_increment() -> Script:
    """One client and script per process, on the cache's own Redis: Django builds a new client for every cache call
    (about 0.1 ms of CPU) and its incr() costs two round trips (EXISTS, INCRBY), add() a third for a new window."""
    return caches[DEFAULT_CACHE_ALIAS]._cache.get_client(write=True).register_script(_INCREMENT)


def _count_or_none(ident: str, *, window: int, seconds: int, amount: int) -> int | None:
    """Count this request's `amount` in `ident`'s window: in the SQLite file API_RATE_COUNTERS names (the embedded
    install, shared by its processes), else in the cache (Redis when scaled out). None while Redis is unreachable."""
    if settings.API_RATE_COUNTERS:
        return rate_counts.count(path=Path(settings.API_RATE_COUNTERS), ident=ident, window=window,
                                 expires=(window + 1) * seconds, amount=amount)
    if not redis_cache.available():
        return None
    try:
        return _count(f"throttle:{ident}:{window}", timeout=seconds, amount=amount)
    except REDIS_UNAVAILABLE as error:
        redis_cache.failed(error, fallback="API requests are not throttled meanwhile")
        return None


# DECRBY only a counter that still exists: one that expired must not come back, negative and without an expiry.
_REFUND = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECRBY', KEYS[1], ARGV[1]) end
return 0
"""


def _refund(cache_key: str, *, amount: int) -> None:
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        client.eval(_REFUND, 1, backend.make_and_validate_key(cache_key), amount)
        return
    with contextlib.suppress(ValueError):  # locmem: the window's counter is gone
        cache.decr(cache_key, amount)


def _count(cache_key: str, *, timeout: int, amount: int) -> int:
    """Add `amount` to a counter in the cache that lives `timeout` seconds, and return the count."""
    backend = caches[DEFAULT_CACHE_ALIAS]  # `cache` is a proxy, which isinstance() cannot see through
    if isinstance(backend, RedisCache):
        return int(_redis_increment()(keys=[backend.make_and_validate_key(cache_key)], args=[timeout, amount]))
    try:  # an in-process cache (locmem): no round trips to save
        return cache.incr(cache_key, amount)
    except ValueError:  # the window's first request
        if cache.add(cache_key, amount, timeout):
            return amount
        return cache.incr(cache_key, amount)  # another thread added it first
