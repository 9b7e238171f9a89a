"""API keys: issue, revoke, and recognise them cheaply on every request.

A key reads `eg_<prefix>_<secret>`: the 8-character prefix finds the row (and names the key in the admin and in
logs), the SHA-256 of the whole key proves it. Recognised keys are kept in the Django cache for a few seconds, so an
authenticated request costs one cache read and no query; revoking or editing a key drops its cache entry at once,
and other processes with a process-local cache (the embedded locmem) see the change within KEY_CACHE_SECONDS.

Kept our own rather than djangorestframework-api-key (3.1, checked): its keys are `<prefix>.<secret>`, found by the
prefix and checked against its own model's SHA-512 of the key, so every key issued here (`eg_<prefix>_<secret>`, the
SHA-256 stored) would stop working; it reads the database on every request where this reads the cache, and takes
one header where clients send `X-Api-Key` or `Authorization: Api-Key`. Scopes, per-key rates and last-used times
would stay ours on top, so it would replace only issuing and hashing (about 40 lines) at the price of every key in
use.
"""

import hashlib
import hmac
import secrets
import string
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from emotion_garden.outages import REDIS_UNAVAILABLE, redis_cache
from gallery.models import ApiKey

KEY_START = "eg_"
PREFIX_LENGTH = 8
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
KEY_CACHE_SECONDS = 30
# last_used_at is a "roughly when" for admins: writing it at most once a minute keeps requests free of writes.
LAST_USED_WRITE_SECONDS = 60


@dataclass(frozen=True, slots=True)
class ApiClient:
    """The caller behind a valid key, as permissions, throttles and logs see it (request.user and request.auth)."""

    id: int
    name: str
    prefix: str
    scopes: frozenset[str]
    rate: str  # "" means the API_KEY_RATE setting

    # What Django and DRF ask of a request.user.
    is_authenticated: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    def __str__(self) -> str:
        return f"api-key eg_{self.prefix}"


@dataclass(frozen=True, slots=True)
class _CachedKey:
    key_hash: str
    client: ApiClient
    last_used: float  # epoch seconds of the last write of last_used_at, 0 if never


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    raw_key: str  # shown once: only its hash is stored


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def key_prefix(raw_key: str) -> str | None:
    """The prefix of a well-formed key, or None when the text cannot be one of our keys."""
    if not raw_key.startswith(KEY_START) or len(raw_key) < len(KEY_START) + PREFIX_LENGTH + 2:
        return None
    prefix = raw_key[len(KEY_START):len(KEY_START) + PREFIX_LENGTH]
    if raw_key[len(KEY_START) + PREFIX_LENGTH] != "_" or not set(prefix) <= set(_PREFIX_ALPHABET):
        return None
    return prefix


def create_api_key(*, name: str, scopes: list[str], rate: str = "") -> IssuedKey:
    """A new key with these scopes (validated against ApiScope) and rate ("" for the API_KEY_RATE setting)."""
    api_key = ApiKey(name=name, scopes=sorted(set(scopes)), rate=rate)
    api_key.full_clean(exclude=["prefix", "key_hash"])
    return IssuedKey(api_key=api_key, raw_key=issue_key(api_key))


def issue_key(api_key: ApiKey) -> str:
    """Give an unsaved ApiKey its random key, save it, and return the raw key (the only time it exists)."""
    for _ in range(5):  # a taken prefix (1 in 2.8e12 per existing key) just draws again
        prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
        raw_key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
        api_key.prefix, api_key.key_hash = prefix, hash_key(raw_key)
        try:
            with transaction.atomic():
                api_key.save()
        except IntegrityError:
            continue
        return raw_key
    raise RuntimeError("Could not draw an unused API key prefix.")


def revoke_api_key(*, api_key: ApiKey) -> None:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    forget_cached_key(api_key)


def forget_cached_key(api_key: ApiKey) -> None:
    """Call after changing a key's scopes, rate or state, so this cache stops answering with the old ones."""
    cache.delete(_cache_key(api_key.prefix))


def client_for_key(raw_key: str) -> ApiClient | None:
    """The client of a valid, unrevoked key; None for anything else. No query while the key is cached."""
    prefix = key_prefix(raw_key)
    if prefix is None:
        return None
    cached = _cached(prefix)
    if cached is None:
        cached = _load(prefix)
        if cached is None:
            return None
    # Compare hashes in constant time, so response timing tells nothing about how much of a guess was right.
    if not hmac.compare_digest(cached.key_hash, hash_key(raw_key)):
        return None
    _note_use(cached)
    return cached.client


def _load(prefix: str) -> _CachedKey | None:
    row = (
        ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True)
        .values_list("id", "name", "key_hash", "scopes", "rate", "last_used_at")
        .first()
    )
    if row is None:
        return None
    key_id, name, key_hash, scopes, rate, last_used_at = row
    client = ApiClient(id=key_id, name=name, prefix=prefix, scopes=frozenset(scopes), rate=rate)
    cached = _CachedKey(key_hash=key_hash, client=client, last_used=last_used_at.timestamp() if last_used_at else 0)
    if redis_cache.available():
        try:
            cache.set(_cache_key(prefix), cached, KEY_CACHE_SECONDS)
        except REDIS_UNAVAILABLE as error:
            redis_cache.failed(error, fallback="API keys are read from the database meanwhile")
    return cached


def _cached(prefix: str) -> _CachedKey | None:
    """The cached key, or None (a miss) while the cache's Redis is unreachable: the database still answers."""
    if not redis_cache.available():
        return None
    try:
        return cache.get(_cache_key(prefix))
    except REDIS_UNAVAILABLE as error:
        redis_cache.failed(error, fallback="API keys are read from the database meanwhile")
        return None


def _note_use(cached: _CachedKey) -> None:
    now = time.time()
    if now - cached.last_used < LAST_USED_WRITE_SECONDS:
        return
    ApiKey.objects.filter(pk=cached.client.id).update(last_used_at=datetime.fromtimestamp(now, tz=UTC))
    # The next request reloads the row (with the new time); re-caching here would keep a revoked key alive longer.
    # Best effort: a stale time in the cache only means another write of it later.
    if redis_cache.available():
        try:
            cache.delete(_cache_key(cached.client.prefix))
        except REDIS_UNAVAILABLE as error:
            redis_cache.failed(error, fallback="API keys are read from the database meanwhile")


def _cache_key(prefix: str) -> str:
    return f"api-key:{prefix}"

