from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularSwaggerSplitView

from emotion_garden.health import healthz
from emotion_garden.schema_view import SchemaView
from gallery.media import serve_media
from gallery.views import home, lookalike

urlpatterns = [
    path("", home, name="home"),
    path("lookalike", lookalike, name="lookalike"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("gallery.urls")),
    path("api/schema", SchemaView.as_view(), name="schema"),
    # The split view serves its start-up script as a file of its own: the Content-Security-Policy allows no inline one.
    # GET only: DRF's OPTIONS answer has no template for this HTML view, and was a 500.
    path("api/docs", SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs.html",
                                                         http_method_names=["get", "head"]), name="swagger-ui"),
    path("", include("gallery.compat.urls")),
]

handler400 = "emotion_garden.api.bad_request"
handler404 = "emotion_garden.api.not_found"
handler500 = "emotion_garden.api.server_error"

if settings.SERVE_MEDIA:
    # Without S3, Django itself serves MEDIA_ROOT, each file only to those who may see it now (gallery.media).
    urlpatterns.append(
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_media)
    )
