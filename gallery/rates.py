"""Request rates as written in settings and on API keys: "<count>/<period>", e.g. "600/min"; "none" means no limit."""

import functools
import re

from django.core.exceptions import ValidationError

_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
            "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")
UNLIMITED = {"", "none", "off", "unlimited"}


@functools.lru_cache(maxsize=64)
def parse_rate(rate: str) -> tuple[int, int] | None:
    """(requests, seconds) of a rate like "600/min" or "100/5s"; None for no limit. Raises ValueError if unreadable.

    Cached because the throttle parses the configured rate on every request.
    """
    if rate.strip().lower() in UNLIMITED:
        return None
    match = _RATE.match(rate.lower())
    if not match or match[3] not in _SECONDS:
        raise ValueError(f"Unreadable rate {rate!r}: write it like '600/min' (s, min, hour or day), or 'none'.")
    count, multiple, unit = int(match[1]), int(match[2] or 1), _SECONDS[match[3]]
    if multiple == 0:
        raise ValueError(f"Unreadable rate {rate!r}: the period must be longer than zero.")
    return count, multiple * unit


def validate_rate(rate: str) -> None:
    """A rate a key or setting may be given: readable, and allowing at least one request (0/min made every request a
    429 whose Retry-After never came true; a key to stop is revoked instead)."""
    try:
        limit = parse_rate(rate)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    if limit is not None and limit[0] == 0:
        raise ValidationError(f"The rate {rate!r} allows no request: revoke a key to stop it.")
