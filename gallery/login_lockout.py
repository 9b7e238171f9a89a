"""What a login that django-axes locked out answers: 429 with Retry-After, as the site's other limits do (axes's own
page named no time to wait)."""

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict | None = None) -> HttpResponse:
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 3600
    minutes = max(1, seconds // 60)
    message = ngettext(
        "Too many wrong passwords for this login from this address. Try again in %(minutes)d minute.",
        "Too many wrong passwords for this login from this address. Try again in %(minutes)d minutes.",
        minutes) % {"minutes": minutes}
    response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response
