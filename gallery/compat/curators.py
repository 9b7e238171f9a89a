"""Who may change the catalogue or start work through the original endpoints: a curator, never an anonymous caller.

A curator is either a program with an API key that has the `curation` scope, or a person logged in to /admin/ in the
same browser (staff, with the endpoint's permissions) on a page of this site. The original admin pages send no CSRF
token, so a session counts only when the browser names this site as the request's origin (Origin, else Referer):
another site's page cannot borrow a curator's session. COMPAT_OPEN_CURATION lifts the check for a closed kiosk
network.
"""

import logging
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from gallery.api_access import log_refused_key, raw_api_key
from gallery.api_keys import client_for_key
from gallery.models import ApiScope
from gallery.origin import is_same_origin

logger = logging.getLogger(__name__)

View = Callable[[HttpRequest], HttpResponse]

# Each original write, by what it does: removing retires live images and deletes pool images; bulk and text2image
# start generation; generateDataset seeds the recommender's counters, which shapes what the gallery promotes as
# much as approving does.
REMOVE_IMAGES = ("curation.review_image", "curation.delete_image")
GENERATE_IMAGES = ("curation.add_generationjob",)
SEED_RECOMMENDER = ("curation.review_image",)
# Putting images on the booth's screens decides what the public sees, as approving does.
PUBLISH_DISPLAY = ("curation.review_image",)


def curator_only(permissions: Iterable[str]) -> Callable[[View], View]:
    """Answer 401 or 403, in plain text as the original endpoints do, to anyone but a curator."""
    needed = tuple(permissions)

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest) -> HttpResponse:
            refusal = _refusal(request, needed)
            return view(request) if refusal is None else refusal

        return guarded

    return decorate


def _refusal(request: HttpRequest, permissions: tuple[str, ...]) -> HttpResponse | None:
    if settings.COMPAT_OPEN_CURATION:
        return None
    raw_key = raw_api_key(request)
    if raw_key is not None:
        client = client_for_key(raw_key)
        if client is None:
            log_refused_key(raw_key)
            return _refuse(401, "The API key is unknown or revoked.")
        if ApiScope.CURATION not in client.scopes:
            return _refuse(403, f"This API key lacks the '{ApiScope.CURATION}' scope.")
        return None
    user = request.user
    if not user.is_authenticated:
        return _refuse(401, "This changes the catalogue: log in to /admin/ as a curator in this browser, or send an "
                            f"API key with the '{ApiScope.CURATION}' scope.")
    if not (user.is_active and user.is_staff and user.has_perms(permissions)):
        return _refuse(403, f"Your account lacks a permission this needs: {', '.join(permissions)}.")
    if not is_same_origin(request):
        logger.warning("Refused %s by %s from another origin (%s)", request.path, user.get_username(),
                       request.headers.get("Origin") or request.headers.get("Referer") or "none given")
        return _refuse(403, "A curator's session is accepted only from this site's own pages.")
    return None


def _refuse(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    if status == 401:
        response["WWW-Authenticate"] = 'Api-Key realm="curation"'
    return response
