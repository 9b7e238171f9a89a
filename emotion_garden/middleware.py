"""One id per request, from the front proxy when it sent a sane one, on every log line and in the response."""

import logging
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import unquote

from django.contrib.auth import get_user
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from emotion_garden.api import error_response
from emotion_garden.logs import request_id
from emotion_garden.outages import REDIS_UNAVAILABLE, RETRY_SECONDS, redis_cache
from emotion_garden.request_buffer import MAX_BUFFERED_BODY_BYTES, declared_length

logger = logging.getLogger("emotion_garden.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# What proxies send (nginx's $request_id, Heroku's and ALB-style uuids, trace ids); anything else, such as a header
# crafted to break log lines or a very long one, is replaced rather than trusted.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """Assigns the request id, echoes it in X-Request-ID, and logs one INFO line per request.

    First in MIDDLEWARE, so the id is set for everything after it and the duration covers the whole stack. The path is
    logged without its query string, which can carry keys or personal data.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        current = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Left set when the middleware returns: django.request's line about a 4xx/5xx and gunicorn's access line come
        # after it; request_finished clears it once the response is closed.
        request_id.set(current)
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response[REQUEST_ID_HEADER] = current
        logger.info(
            "%s %s %s %.1fms", request.method, request.path, response.status_code, duration_ms,
            extra={"method": request.method, "path": request.path, "status": response.status_code,
                   "duration_ms": duration_ms},
        )
        return response


@receiver(request_finished, dispatch_uid="emotion_garden.forget_request_id")
def _forget_request_id(**kwargs: object) -> None:
    """Log lines of this thread between two requests belong to no request."""
    request_id.set("-")


class UnavailableDependencyMiddleware:
    """A request that truly needed Redis while it is unreachable gets 503 with Retry-After, not a 500: the JSON error
    format under /api/, a line of text elsewhere (the original pages ignore the body)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, REDIS_UNAVAILABLE):
            return None
        redis_cache.failed(exception, fallback="answering 503 where a request needs it")
        response = _refusal(request, code="service_unavailable", status=503,
                            message="A service this request needs is unavailable; try again shortly.")
        response["Retry-After"] = str(int(RETRY_SECONDS))
        return response


class HeadWithoutBodyMiddleware:
    """A HEAD answer keeps the GET's headers (Content-Length too) and drops its body here: gunicorn drops it as well,
    but logs a warning for every such response (a monitor's HEAD /healthz each few seconds)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            response.streaming_content = []  # the file is still closed with the response
        else:
            length = response.get("Content-Length", str(len(response.content)))
            response.content = b""
            response["Content-Length"] = length
        return response


class NulGuardMiddleware:
    """A URL whose path or query string holds a NUL character (%00) gets 400 before any view: PostgreSQL refuses NUL
    in text, so every lookup of it (the media view's file names, the admin's filters) was a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" not in request.path and "\x00" not in unquote(request.META.get("QUERY_STRING", "")):
            return self.get_response(request)
        return _refusal(request, code="invalid", status=400, message="A URL may not contain a NUL character.")


class LargeBodyGuardMiddleware:
    """A body announced over MAX_BUFFERED_BODY_BYTES is read only for a signed-in staff member (a curator's archive in
    the admin); anyone else gets 413 before a byte of it is read. The web server hands such bodies to a thread unread
    (emotion_garden.gunicorn_worker), where sixteen sockets announcing 100 MB to /admin/login/ and then going silent
    held every thread for 30 s. After SessionMiddleware, which it reads the person from, and before anything that
    reads a body (CSRF reads the form)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if declared_length(request.META) <= MAX_BUFFERED_BODY_BYTES or _is_staff(request):
            return self.get_response(request)
        message = f"Only a signed-in curator may send a body larger than {MAX_BUFFERED_BODY_BYTES} bytes."
        return _refusal(request, code="request_too_large", status=413, message=message)


def _is_staff(request: HttpRequest) -> bool:
    user = get_user(request)
    return user.is_active and user.is_staff


def _refusal(request: HttpRequest, *, code: str, status: int, message: str) -> HttpResponse:
    """The API's JSON error format under /api/, a line of text elsewhere (the original pages ignore the body)."""
    if request.path.startswith("/api/"):
        return error_response(request, code=code, message=message, status_code=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
