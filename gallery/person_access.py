"""Who may see and act for a face user: that person's own credential, or an operator's API key with the `users` scope.

A person's credential travels as the `X-Person-Token` header (API clients, which receive the token once, in the answer
that enrolled or recognised them) or as the `eg_person` cookie (the site's page and the original pages, which never
see it: HttpOnly, SameSite=Strict, Secure behind HTTPS; in writes, only from this site's own pages). The face user's
id alone is never enough. Used by the REST API (DRF requests) and the original endpoints (plain Django requests)
alike.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from gallery.api_keys import ApiClient
from gallery.credentials import face_user_id_for_token, issue_person_credential, revoke_person_credential
from gallery.models import ApiScope, FaceUser
from gallery.origin import is_same_origin

PERSON_HEADER = "X-Person-Token"
PERSON_COOKIE = "eg_person"
# A year: the face data itself is forgotten after FACE_DATA_RETENTION_DAYS unseen, and every visit renews the cookie.
PERSON_COOKIE_MAX_AGE = 365 * 24 * 3600
_UNREAD = object()
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

AnyRequest = HttpRequest | Request


def presented_token(request: AnyRequest) -> str:
    """The person token the request carries: the header wins over the cookie ("" for none)."""
    header = request.headers.get(PERSON_HEADER, "").strip()
    if header:
        return header
    cookie = request.COOKIES.get(PERSON_COOKIE, "")
    return cookie if cookie and _cookie_honoured(request) else ""


def _cookie_honoured(request: AnyRequest) -> bool:
    """Whether the person cookie may act in this request: always for a read, and for a write only from this site's
    own pages (gallery.origin), or from a client that names no origin at all.

    SameSite=Strict keeps other sites from sending the cookie, but not other origins of the same site (another port,
    a sibling subdomain): their page's POST to /like or /api/v1/emotion carried it, liked in the person's name and
    revoked their credential. Browsers name the origin of every POST and DELETE (fetch sends Origin with every
    request but GET and HEAD, "null" from opaque origins), so a write that names none comes from no browser page: a
    program that holds the cookie itself. Reads need no such check: no other origin can read their answer (CORS
    allows no credentials). Such a write acts anonymously, as with an unknown token. The header credential needs no
    check: a page of another origin cannot send it without CORS allowing it.
    """
    if request.method in _SAFE_METHODS:
        return True
    names_origin = "Origin" in request.headers or "Referer" in request.headers
    return not names_origin or is_same_origin(request)


def person_of(request: AnyRequest) -> uuid.UUID | None:
    """The face user whose valid credential the request carries (one query, once per request); None otherwise.

    An unknown or revoked token counts as none: the endpoints that need no person keep working for a device whose
    person was forgotten elsewhere.
    """
    cached: Any = getattr(request, "_person_face_user_id", _UNREAD)
    if cached is _UNREAD:
        token = presented_token(request)
        cached = face_user_id_for_token(token) if token else None
        request._person_face_user_id = cached  # type: ignore[union-attr]
    return cached


def is_operator(request: AnyRequest) -> bool:
    auth = getattr(request, "auth", None)
    return isinstance(auth, ApiClient) and ApiScope.USERS in auth.scopes


def may_act_for(request: AnyRequest, face_user_id: uuid.UUID) -> bool:
    return is_operator(request) or person_of(request) == face_user_id


def require_person(request: Request, face_user_id: uuid.UUID) -> None:
    """Refuse (403 `person_credential_required`) unless the caller is this person or an operator.

    The same answer for every id the caller holds no credential for, whether or not a face user has it: the answer
    tells nothing about who is enrolled.
    """
    if not may_act_for(request, face_user_id):
        raise PermissionDenied(
            "This needs the person's own credential (the X-Person-Token header, or the site's cookie) or an API "
            "key with the 'users' scope.", code="person_credential_required",
        )


def acting_person(request: Request, face_user_id: uuid.UUID | None) -> uuid.UUID | None:
    """The face user a request acts for: the one it names (require_person: 403 unless the caller may), else the
    person whose credential it sends in the X-Person-Token header, else nobody (anonymous).

    A client that sends its person's credential acts for them even where it leaves `face_user` out: the pages it
    asked for in their name would otherwise teach their taste that everything shown was passed over, while its likes
    counted as nobody's. The site's cookie does not stand in for the name: the page leaves the face user out when
    its visitor chose not to be remembered this time, and the cookie outlives that choice.
    """
    if face_user_id is not None:
        require_person(request, face_user_id)
        return face_user_id
    if request.headers.get(PERSON_HEADER, "").strip():
        return person_of(request)
    return None


@dataclass(frozen=True)
class HandedCredential:
    token: str
    issued: bool  # False: the device already held this person's credential
    in_body: bool  # True: the caller gets the token in the answer; False: in the HttpOnly cookie


def hand_out_credential(request: AnyRequest, face_user: FaceUser) -> HandedCredential:
    """The credential for the person just enrolled or recognised, for this device.

    A device that already holds this person's credential keeps it (no new row per visit). A browser page of this
    site gets it as a cookie it cannot read; any other caller in the answer, once. A cookie of someone else is
    replaced, and its credential revoked: that browser no longer holds it.
    """
    in_body = not is_same_origin(request)
    presented = presented_token(request)
    if person_of(request) == face_user.pk:
        return HandedCredential(token=presented, issued=False, in_body=in_body)
    if presented and presented == request.COOKIES.get(PERSON_COOKIE):
        revoke_person_credential(token=presented)
    token = issue_person_credential(face_user=face_user)
    request._person_face_user_id = face_user.pk  # type: ignore[union-attr]
    return HandedCredential(token=token, issued=True, in_body=in_body)


def set_person_cookie(request: AnyRequest, response: HttpResponseBase, token: str) -> None:
    response.set_cookie(
        PERSON_COOKIE, token, max_age=PERSON_COOKIE_MAX_AGE, httponly=True, samesite="Strict",
        secure=settings.HTTPS or request.is_secure(),
    )


def forget_person_cookie(response: HttpResponseBase) -> None:
    response.delete_cookie(PERSON_COOKIE, samesite="Strict")
