"""GET /healthz: can this web process reach its database, its task broker and its media storage?

A plain Django view, not DRF, so API authentication and throttling never apply to a load balancer's probe. It answers
200 when every check passes and 503 naming the failed checks otherwise. The response names only the exception type:
it is unauthenticated, and driver messages carry host names and users; the full message goes to the log under the
request's id.

Kept our own rather than django-health-check (4.8, checked): its view is async (an event loop per probe under our
WSGI workers), answers 500 rather than 503 and HTML unless asked for JSON, has no django-q2 broker check, and its
database error text keeps the host part of driver messages; wrapping it to keep this answer would add code, not
remove it.
"""

import functools
import logging
import time
import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_q.brokers import Broker, get_broker

logger = logging.getLogger(__name__)

_PROBE = b"emotion-garden health probe"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@functools.cache
def _broker() -> Broker:
    """One broker per process: get_broker() opens a new Redis connection pool each time it is called."""
    return get_broker()


def check_broker() -> None:
    broker = _broker()
    if not broker.ping():
        raise ConnectionError("the task broker did not answer the ping")
    # The ORM broker's ping() answers True without a query; reading the queue size is a real round trip on every
    # broker (a COUNT on the queue table, LLEN on Redis).
    broker.queue_size()


def check_storage() -> None:
    """Write, read back and delete a tiny file: a bucket can allow reads but refuse writes, or the other way round."""
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(_PROBE))
    try:
        with default_storage.open(name) as probe:
            if probe.read() != _PROBE:
                raise OSError("the probe file read back different bytes")
    finally:
        default_storage.delete(name)


CHECKS: dict[str, Callable[[], None]] = {"database": check_database, "broker": check_broker, "storage": check_storage}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:  # any failure of a dependency is an unhealthy answer, not a 500
            # A warning without the traceback: a load balancer polls every few seconds while a dependency is down.
            logger.warning("Health check %s failed: %s: %s", name, type(error).__name__, error)
            checks[name] = {"ok": False, "ms": _elapsed_ms(started), "error": type(error).__name__}
        else:
            checks[name] = {"ok": True, "ms": _elapsed_ms(started)}
    healthy = all(result["ok"] for result in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
