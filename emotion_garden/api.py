"""One error format for the whole REST API: {"error": {"code", "message", "fields"?}}."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


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
    response.data = {"error": error}
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: a path no view matches (e.g. /api/v1/users/not-a-uuid) gets the error format under /api/, and
    Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "not_found", "message": "Not found."}}, status=404)
    return page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an exception no view or handler turned into an answer. The error format under /api/ (clients
    parse every error the same way, and no HTML page leaks into a JSON client), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "server_error", "message": "The server failed to answer this request."}}, status=500)
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
