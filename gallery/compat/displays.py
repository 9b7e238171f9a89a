"""EG's booth displays: `POST /updateDisplay` puts chosen live images on a zone's eight landscape and eight portrait
screens, and `GET /display/<zone>/img<N><h|v>.jpeg` is what each screen (html/flower-viewer/flower-viewer-v2.html)
polls.

As the original copied each S3 object to `display/<zone>/img<N><h|v>.jpeg`, the picture is copied in storage: a
screen keeps showing it until the next update, whatever happens to the image in the gallery meanwhile. Unlike the
original, only live images can be put on a screen (a booth shows what curators approved), and only a curator may do
it (gallery.compat.curators).
"""

import re
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from curation.models import Image
from gallery.compat.bodies import CompatError, json_object, read_keys, read_text
from gallery.compat.curators import PUBLISH_DISPLAY, curator_only
from gallery.compat.keys import LIVE, find_image, parse_key
from gallery.compat.views import access_denied, compat_endpoint

DISPLAY = "display"
SCREENS_PER_ORIENTATION = 8
_ZONE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SCREEN = re.compile(r"img[1-9][0-9]?[hv]\.jpeg")


def update_display(*, zone: str, landscape: list[str], portrait: list[str]) -> list[str]:
    """Copy each listed live image to the zone's screen of its position (img1h..img8h, img1v..img8v); screens not
    listed keep what they show. Returns the screens' storage names. Raises CompatError for a key that names no
    live image, before any screen changes."""
    if not _ZONE.fullmatch(zone):
        raise CompatError("'zone' must be 1 to 64 letters, digits, '-' or '_'.")
    screens: list[tuple[str, Image]] = []
    for letter, keys in (("h", landscape), ("v", portrait)):
        for position, key in enumerate(keys, start=1):
            if not key:
                continue  # as the original's `if (imgs[i])`: an empty entry leaves that screen as it is
            parsed = parse_key(key)
            image = find_image(key) if parsed is not None and parsed.prefix == LIVE else None
            if image is None:
                raise CompatError(f"{key!r} is not an image of the live gallery ({LIVE}/...).")
            screens.append((f"{DISPLAY}/{zone}/img{position}{letter}.jpeg", image))
    for name, image in screens:
        with image.file.open("rb") as picture:
            content = picture.read()
        default_storage.delete(name)  # the same name again, not a renamed copy beside the old one
        default_storage.save(name, ContentFile(content))
    return [name for name, _ in screens]


def _screen_keys(body: dict[str, object], field: str) -> list[str]:
    return read_keys(body, field, max_items=SCREENS_PER_ORIENTATION) if field in body else []


@compat_endpoint
@curator_only(PUBLISH_DISPLAY)
def update_display_view(request: HttpRequest) -> HttpResponse:
    body = json_object(request)
    update_display(zone=read_text(body, "zone"), landscape=_screen_keys(body, "landscape"),
                   portrait=_screen_keys(body, "portrait"))
    return HttpResponse("sucess", content_type="text/plain; charset=utf-8")  # sic: the original's body


@require_safe
def screen(request: HttpRequest, zone: str, name: str) -> HttpResponse:
    """One screen's picture; a screen never updated is S3's 403, as for any missing key."""
    stored = f"{DISPLAY}/{zone}/{name}"
    if not (_ZONE.fullmatch(zone) and _SCREEN.fullmatch(name)) or not default_storage.exists(stored):
        return access_denied()
    url = default_storage.url(stored)
    if urlsplit(url).scheme:
        return redirect(url)  # remote storage (S3) serves the bytes itself
    response = FileResponse(default_storage.open(stored, "rb"), content_type="image/jpeg")
    patch_cache_control(response, no_cache=True)  # the screens poll for the next update
    return response
