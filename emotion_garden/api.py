"""One error format for the whole REST API: {"error": {"code", "message", "fields"?, "request_id", "docs"}}.

`request_id` is the request's id (also the X-Request-ID header, and on every log line of the request), for a
developer to quote in a report; `docs` links the API's documentation, where each operation lists its error codes.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseRedirectBase
from django.urls import Resolver404, resolve, reverse
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from emotion_garden.logs import request_id


class ApiError(exceptions.APIException):
    """A client error with a stable machine-readable code, raised by views and services alike."""

    def __init__(self, *, code: str, message: str, status_code: int = status.HTTP_400_BAD_REQUEST,
                 retry_after: int | None = None) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.wait = retry_after  # DRF's handler turns it into Retry-After


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Django's own exceptions, as DRF's handler translates them, so that they get our format too.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    error: dict[str, Any]
    if isinstance(exc, exceptions.ValidationError):
        error = {"code": "invalid", "message": _first_message(exc.detail), "fields": exc.detail}
    else:
        codes = exc.get_codes()
        error = {"code": codes if isinstance(codes, str) else "error", "message": str(exc.detail)}
    response.data = {"error": _traceable(error, context["request"])}
    return response


class PermanentRedirectKeepingMethod(HttpResponseRedirectBase):
    """308: unlike 301, clients repeat a POST (with its body) at the new address."""

    status_code = 308


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: a path no view matches (e.g. /api/v1/users/not-a-uuid) gets the error format under /api/, and
    Django's page elsewhere. An API path with a trailing slash or in upper case is redirected to the API's own
    spelling (none, lower case); APPEND_SLASH only ever adds one."""
    if not request.path.startswith("/api/"):
        return page_not_found(request, exception)
    bare = request.path.rstrip("/")
    # The API's paths are lower case, ids included; a UUID is the same in upper case (RFC 9562).
    for spelling in (bare, bare.lower()):
        if spelling != request.path and _resolves(spelling):
            query = request.META.get("QUERY_STRING", "")
            return PermanentRedirectKeepingMethod(f"{spelling}?{query}" if query else spelling)
    return error_response(request, code="not_found", message="Not found.", status_code=404)


def error_response(request: HttpRequest, *, code: str, message: str, status_code: int) -> JsonResponse:
    """The error format, for answers made outside DRF's views (handlers, middleware)."""
    return JsonResponse({"error": _traceable({"code": code, "message": message}, request)}, status=status_code)


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _traceable(error: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    return {**error, "request_id": request_id.get(), "docs": request.build_absolute_uri(reverse("swagger-ui"))}


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refused before or while a view read it: a Host outside ALLOWED_HOSTS, or a body
    over DATA_UPLOAD_MAX_MEMORY_SIZE (413, with the limit: Django's page said only "Bad Request (400)", and the
    original endpoints read their bodies themselves). The error format under /api/, without `docs`: its absolute
    link would need the very host that was refused; plain text elsewhere, except Django's page for a wrong Host."""
    if isinstance(exception, RequestDataTooBig):
        code, status_code = "request_too_large", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        message = f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    elif isinstance(exception, DisallowedHost):
        code, message, status_code = "disallowed_host", "This server does not serve the host the request names.", 400
    else:
        code, message, status_code = "bad_request", "The request is malformed.", 400
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message, "request_id": request_id.get()}},
                            status=status_code)
    if isinstance(exception, DisallowedHost):
        return django_bad_request(request, exception)
    return HttpResponse(message, status=status_code, content_type="text/plain; charset=utf-8")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an exception no view or handler turned into an answer. The error format under /api/ (clients
    parse every error the same way, and no HTML page leaks into a JSON client), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return error_response(request, code="server_error", message="The server failed to answer this request.",
                              status_code=500)
    return django_server_error(request)


def _first_message(detail: Any) -> str:
    """The first human-readable message of a (possibly nested) validation error, for clients that show one line."""
    if isinstance(detail, dict):
        field, value = next(iter(detail.items()))
        message = _first_message(value)
        return message if field == "non_field_errors" else f"{field}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)
