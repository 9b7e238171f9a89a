"""GET /media/<path> when no S3 bucket serves the media: Django's static serve, for the files someone may see at the
moment they ask (so no front proxy may serve MEDIA_ROOT as a folder).

Everything under MEDIA_ROOT used to be public for good, so a retired or rejected image stayed reachable at the URL
the garden had handed out. Each prefix now has its rule, checked against the database at every request, and any
other file (a booth screen's copy, which /display/ serves; a health probe; what a future feature writes) is not
found here:

- images/, thumbnails/: a catalogue image's, public while it is approved; curators who may see the pool (the admin's
  review, grid and history pages show pending, rejected and retired images by their /media URLs) see every status.
- covers/: a track's, by the same rule.
- references/: a reference person's photo, public while the photo is enrolled (the look-alike page shows it).
- text2image/: a curator's preview, to whoever holds its URL: its random token is the credential, as a signed URL's
  signature is, so the API-key clients' <img> tags need nothing else. Names without a token (made before it) are not
  found, since anyone could list them by their timestamps.
"""

from enum import Enum

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.static import serve

from curation.models import Image, Track
from gallery.compat.services import is_preview_name
from gallery.compat.views import LIVE_IMAGE_MAX_AGE
from gallery.models import ReferencePhoto


class _Access(Enum):
    LIVE = "live"  # public and cacheable: what the gallery hands every visitor
    RECHECKED = "rechecked"  # served now, kept out of shared caches, and checked again at every use
    NONE = "none"


def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """A file of MEDIA_ROOT that the asker may see, or 404 (not 403: a withdrawn image was never there for them)."""
    access = _access(user=request.user, path=path)
    if access is _Access.NONE:
        raise Http404("No such file.")
    # Only names the storage wrote get this far, so none is too long for the filesystem to look up (that was a 500).
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if access is _Access.LIVE:
        patch_cache_control(response, public=True, max_age=LIVE_IMAGE_MAX_AGE)
    else:
        # A withdrawn image must be gone at once, and a curator's view of the pool kept out of shared caches: every
        # use revalidates, which runs the check above again (a 304 only after it).
        patch_cache_control(response, private=True, no_cache=True)
    return response


def _access(*, user: AbstractBaseUser | AnonymousUser, path: str) -> _Access:
    # Names are compared exactly as stored: a path the storage never wrote (../, //, another spelling) matches no
    # row, so it is not found rather than normalised onto some other file.
    prefix = path.partition("/")[0]
    if prefix == "images":
        return _catalogue_access(user=user, found=Image.objects.filter(file=path))
    if prefix == "thumbnails":
        return _catalogue_access(user=user, found=Image.objects.filter(thumbnail=path))
    if prefix == "covers":
        return _catalogue_access(user=user, found=Track.objects.filter(cover=path))
    if prefix == "references" and ReferencePhoto.objects.filter(photo=path).exists():
        return _Access.RECHECKED
    if prefix == "text2image" and is_preview_name(path):
        return _Access.RECHECKED
    return _Access.NONE


def _catalogue_access(*, user: AbstractBaseUser | AnonymousUser, found: QuerySet[Image] | QuerySet[Track]) -> _Access:
    statuses = set(found.values_list("status", flat=True))
    if not statuses:
        return _Access.NONE
    if found.model.Status.APPROVED in statuses:
        return _Access.LIVE
    return _Access.RECHECKED if _may_see_the_pool(user=user, model=found.model) else _Access.NONE


def _may_see_the_pool(*, user: AbstractBaseUser | AnonymousUser, model: type[Model]) -> bool:
    """What the admin asks before it shows the model's pages (ModelAdmin.has_view_permission), to staff only."""
    opts = model._meta
    return bool(user.is_active and user.is_staff and (
        user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")))
