"""The IETF draft's RateLimit headers on the API's answers: the throttle notes the request's allowance, the middleware
writes it into the answer. A module of its own, as the throttle (gallery.api_access) is imported while DRF loads."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Where the throttle leaves what the headers report, on the Django request (DRF's Request wraps it).
_RATE_LIMIT_ATTRIBUTE = "_rate_limit_headers"


def note_rate_limit(request: object, *, limit: int, remaining: int, reset: int) -> None:
    """Have RateLimitHeadersMiddleware put this request's allowance in its answer."""
    target = getattr(request, "_request", request)
    setattr(target, _RATE_LIMIT_ATTRIBUTE, {
        "RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining), "RateLimit-Reset": str(reset),
    })


class RateLimitHeadersMiddleware:
    """RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (seconds until the window restarts), as the IETF
    draft "RateLimit header fields for HTTP" names them, on every answer the API's throttle counted (429s included),
    so clients can slow down before they are refused."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in getattr(request, _RATE_LIMIT_ATTRIBUTE, {}).items():
            response[name] = value
        return response
