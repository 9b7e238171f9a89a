"""EG's booth displays over HTTP: `POST /updateDisplay` (gallery.compat.services.update_display) and
`GET /display/<zone>/img<N><h|v>.jpeg`, what each screen (html/flower-viewer/flower-viewer-v2.html) polls."""

from urllib.parse import urlsplit

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

from gallery.compat.bodies import json_object, read_keys, read_text
from gallery.compat.curators import PUBLISH_DISPLAY, curator_only
from gallery.compat.keys import display_key
from gallery.compat.services import SCREENS_PER_ORIENTATION, update_display
from gallery.compat.views import access_denied, compat_endpoint, compat_read


def _screen_keys(body: dict[str, object], field: str) -> list[str]:
    return read_keys(body, field, max_items=SCREENS_PER_ORIENTATION) if field in body else []


@compat_endpoint
@curator_only(PUBLISH_DISPLAY)
def update_display_view(request: HttpRequest) -> HttpResponse:
    body = json_object(request)
    update_display(zone=read_text(body, "zone"), landscape=_screen_keys(body, "landscape"),
                   portrait=_screen_keys(body, "portrait"))
    return HttpResponse("sucess", content_type="text/plain; charset=utf-8")  # sic: the original's body


@compat_read
def screen(request: HttpRequest, zone: str, name: str) -> HttpResponse:
    """One screen's picture; a screen never updated is S3's 403, as for any missing key."""
    stored = display_key(zone, name)
    if stored is None or not default_storage.exists(stored):
        return access_denied()
    url = default_storage.url(stored)
    if urlsplit(url).scheme:
        return redirect(url)  # remote storage (S3) serves the bytes itself
    try:
        picture = default_storage.open(stored, "rb")
    except FileNotFoundError:  # deleted since exists() (a screen cleared meanwhile): missing, as before
        return access_denied()
    response = FileResponse(picture, content_type="image/jpeg")
    patch_cache_control(response, no_cache=True)  # the screens poll for the next update
    return response
