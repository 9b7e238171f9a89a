"""Whether a request comes from a page of this site, as the browser tells it (Origin, else Referer)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest


def is_same_origin(request: HttpRequest) -> bool:
    """True when the browser names this site (or a CSRF_TRUSTED_ORIGINS entry) as the request's origin.

    Browsers send Origin with every POST and DELETE, same-origin ones included; a page cannot forge it. Without
    Origin, the Referer's scheme and host stand in. A request with neither (curl, a server) is not from a page.
    """
    origin = request.headers.get("Origin")
    if origin is None:
        referer = urlsplit(request.headers.get("Referer", ""))
        if not referer.scheme or not referer.netloc:
            return False
        origin = f"{referer.scheme}://{referer.netloc}"
    try:
        host = request.get_host()
    except DisallowedHost:
        return False
    return origin == f"{request.scheme}://{host}" or origin in settings.CSRF_TRUSTED_ORIGINS
