"""GET /media/<path> when no S3 bucket or front proxy serves the images: Django's static serve, bounded."""

import errno

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve


def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """A file of MEDIA_ROOT, or 404; a name the filesystem cannot even look up (over 255 bytes) was a 500."""
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as error:
        if error.errno != errno.ENAMETOOLONG:
            raise
        raise Http404("No such file.") from None
