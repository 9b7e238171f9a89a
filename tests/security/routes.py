"""Every URL pattern the site serves, each in one access class, as an outside prober sees them.

The classes (what a caller needs):
- PUBLIC: open to anyone (reads, the health check, the schema, a visitor's own anonymous events); whatever it is
  sent, it never names or acts for a person nor changes the catalogue.
- PAGE: an HTML page to read; a state change on it needs Django's CSRF token.
- PERSON: a person's data, or an act in their name: only their own credential or an operator's `users` key.
- CATALOGUE: changes the catalogue or starts work: only a curator (`curation` key, or a staff session with the
  permission, same origin).
- ADMIN: a curator's admin page: a staff session with the curation permission.
- OPERATOR: an admin page over people, keys, accounts or queues: a superuser (or someone granted it), never a curator.

A pattern missing here fails test_every_route_is_classified: whoever adds a route decides its class, and the probes
then try it.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC, PAGE, PERSON, CATALOGUE, ADMIN, OPERATOR = "public", "page", "person", "catalogue", "admin", "operator"

ROUTES: dict[str, str] = {
    "": PAGE,
    "lookalike": PAGE,
    "healthz": PUBLIC,
    "i18n/setlang/": PAGE,  # a POST that only sets the visitor's language cookie; Django checks its CSRF token
    "jsi18n/": PUBLIC,
    "api/schema": PUBLIC,
    "api/docs": PUBLIC,
    # The REST API. emotion names a person only with that request's consent (tests/security/test_probes.py); the
    # garden, similar images and the events name a face user only with that person's credential.
    "api/v1/emotion": PUBLIC,
    "api/v1/faces/compare": PUBLIC,
    "api/v1/lookalike": PUBLIC,
    "api/v1/credential": PUBLIC,  # revokes only the credential the request itself carries
    "api/v1/garden": PERSON,
    "api/v1/songs": PERSON,
    "api/v1/like": PERSON,
    "api/v1/unlike": PERSON,
    "api/v1/not-interested": PERSON,
    "api/v1/images/<int:image_id>/similar": PERSON,
    "api/v1/users/<uuid:face_user_id>": PERSON,
    "api/v1/users/<uuid:face_user_id>/likes": PERSON,
    "api/v1/users/<uuid:face_user_id>/export": PERSON,
    # The original endpoints: reads stay open as the originals were; a visitor id acts for a person only with the
    # person's cookie; writes to the catalogue answer only to a curator.
    "emotion": PUBLIC,
    "gallery": PERSON,
    "createUser": PERSON,
    "like": PERSON,
    "galleryfromDB": PUBLIC,
    "gardenfromDB": PUBLIC,
    "garden": PERSON,
    "retrieve": PUBLIC,
    "upload": PUBLIC,
    "emotions/<path:rest>": PUBLIC,
    "imgPool/<path:rest>": PUBLIC,
    "generateDataset": CATALOGUE,
    "bulk": CATALOGUE,
    "remove": CATALOGUE,
    "removePool": CATALOGUE,
    "clearIndex": CATALOGUE,
    "text2image": CATALOGUE,
    "updateDisplay": CATALOGUE,  # what the booth's screens show
    "display/<str:zone>/<str:name>": PUBLIC,
    "image": PUBLIC,  # the page of a live image
    "^media/(?P<path>.*)$": PUBLIC,
    # The admin site's own pages: any staff member's (their own password, the index of what they may see).
    "admin/": ADMIN,
    "admin/login/": PAGE,
    "admin/logout/": PAGE,
    "admin/password_change/": ADMIN,
    "admin/password_change/done/": ADMIN,
    "admin/autocomplete/": ADMIN,
    "admin/jsi18n/": ADMIN,
    "admin/r/<path:content_type_id>/<path:object_id>/": ADMIN,
    "admin/^(?P<app_label>auth|django_q|axes|curation|gallery|recommender)/$": ADMIN,
    "admin/(?P<url>.*)$": ADMIN,
    "admin/recommender/interaction/dashboard/": ADMIN,
}

# Every page of one model's admin (its list, add, change, delete, history and own views) shares the model's class.
ADMIN_MODELS: dict[str, str] = {
    "curation/image": ADMIN,
    "curation/generationjob": ADMIN,
    "curation/prompttemplate": ADMIN,
    "curation/songsuggestionrun": ADMIN,
    "curation/track": ADMIN,
    "auth/group": OPERATOR,
    "auth/user": OPERATOR,
    "django_q/schedule": OPERATOR,
    "django_q/success": OPERATOR,
    "django_q/failure": OPERATOR,
    "django_q/ormq": OPERATOR,
    # django-axes's record of failed admin logins (addresses, user agents): the operator unlocks a login there.
    "axes/accessattempt": OPERATOR,
    "axes/accesslog": OPERATOR,
    "axes/accessfailurelog": OPERATOR,
    "gallery/referenceperson": ADMIN,  # the look-alike's reference people are curated (README)
    "gallery/faceuser": OPERATOR,
    "gallery/apikey": OPERATOR,
    "recommender/interaction": OPERATOR,
    "recommender/segmentstat": OPERATOR,
    "recommender/outboxmessage": OPERATOR,
}

_ADMIN_MODEL = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")


@dataclass(frozen=True)
class Route:
    pattern: str  # as the resolver writes it, prefixes joined
    name: str | None
    access: str | None  # None: not classified

    @property
    def admin_model(self) -> str | None:
        """`app/model` for a page of a model's admin."""
        found = _ADMIN_MODEL.match(self.pattern)
        return f"{found['app']}/{found['model']}" if found else None


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, str | None]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


def classify(pattern: str) -> str | None:
    if pattern in ROUTES:
        return ROUTES[pattern]
    found = _ADMIN_MODEL.match(pattern)
    return ADMIN_MODELS.get(f"{found['app']}/{found['model']}") if found else None


def all_routes() -> list[Route]:
    """Every URL pattern of the running site (settings decide some, such as /media/), classified."""
    return [Route(pattern, name, classify(pattern)) for pattern, name in _walk(get_resolver())]


_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
# Regular-expression patterns, written out.
_REGEX_SAMPLES = {
    "^media/(?P<path>.*)$": "media/{media}",
    "admin/^(?P<app_label>auth|django_q|axes|curation|gallery|recommender)/$": "admin/gallery/",
    "admin/(?P<url>.*)$": "admin/no-such-page/",
}


def sample_path(route: Route, values: dict[str, str]) -> str:
    """A concrete path for the pattern: each parameter takes its value from `values` (by name, or `object_id` by
    the admin's model)."""
    if route.pattern in _REGEX_SAMPLES:
        return "/" + _REGEX_SAMPLES[route.pattern].format(**values)

    def value(match: re.Match[str]) -> str:
        name = match["name"]
        if name in ("object_id", "id") and route.admin_model and route.admin_model in values:
            return values[route.admin_model]
        return values[name]

    return "/" + _CONVERTER.sub(value, route.pattern)
