"""Serving on while Redis is unreachable: what only uses it as a cache or a counter carries on without it.

The throttle's counters and the API-key cache live in Redis on a scaled-out install. When it cannot be reached, the
API keeps answering what needs no Redis: throttling allows (a few minutes unmetered beat an API that answers only
errors), the key cache reads the database. After a failure Redis is left alone for RETRY_SECONDS, so each request
does not pay a connection attempt (with redis-py's retries, seconds); the outage is logged once per LOG_SECONDS, not
once per request. Where a request truly needs Redis, the error reaches UnavailableDependencyMiddleware: a 503.
"""

import logging
import threading
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Unreachable, refused, timed out, or still loading its data set (BusyLoadingError is a ConnectionError).
REDIS_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_SECONDS = 5.0
LOG_SECONDS = 60.0


class Dependency:
    """A service that may be down: whether to try it now, and a warning per LOG_SECONDS while it fails."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._next_log = 0.0
        self.failures = 0

    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def failed(self, error: Exception, *, fallback: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + RETRY_SECONDS
            self.failures += 1
            if now < self._next_log:
                return
            self._next_log = now + LOG_SECONDS
            failures, self.failures = self.failures, 0
        logger.warning("%s is unreachable (%s: %s); %s. %d failure(s) since the last warning.",
                       self.name, type(error).__name__, error, fallback, failures)


redis_cache = Dependency("Redis (cache)")
