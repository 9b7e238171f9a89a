"""The API's OpenAPI schema: the API key scheme (an extension, registered by GalleryConfig.ready since it must exist
before a schema is generated) and the error answers every operation can give (a postprocessing hook)."""

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from gallery.api_access import ApiKeyAuthentication
from gallery.models import ApiScope
from gallery.person_access import PERSON_COOKIE, PERSON_HEADER


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The API key in /api/schema and the Swagger UI's Authorize dialog."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        scopes = "\n".join(f"- `{scope.value}`: {scope.label.split(': ', 1)[1]}" for scope in ApiScope)
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Api-Key",
            "description": (
                "A key from the site's admin or `manage.py create_api_key`, as `X-Api-Key: <key>` or "
                "`Authorization: Api-Key <key>`. Each key has scopes; an endpoint answers 403 `insufficient_scope` "
                f"to a key without its scope:\n\n{scopes}\n\nWith a key, requests are throttled per key; without one, "
                "per IP address, or per person with their credential (`X-Person-Token`), except a face search with "
                "consent, which counts for the address unless the face was that person's (429 with Retry-After)."
            ),
        }

    def get_security_requirement(self, auto_schema: AutoSchema) -> list[dict[str, list[str]]]:
        keyed = [{self.name: []}]
        # {} is "no key needed": true unless the deployment sets API_KEYS_REQUIRED.
        return keyed if settings.API_KEYS_REQUIRED else [*keyed, {}]


_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable and machine-readable, e.g. `no_face`."},
                "message": {"type": "string", "description": "For people; may change."},
                "fields": {"description": "Invalid input only (code `invalid`): the messages per request field."},
                "request_id": {"type": "string", "description": (
                    "This request's id, also in the X-Request-ID header (yours, if you sent a sane one): quote it "
                    "when reporting a problem.")},
                "docs": {"type": "string", "format": "uri", "description": "The API's documentation."},
            },
            "required": ["code", "message", "request_id", "docs"],
        }
    },
    "required": ["error"],
}
_ACCESS_ERRORS = {
    "401": {"description": "`invalid_api_key`: unknown or revoked key; `api_key_required` when the site requires keys.",
            "content": _ERROR_CONTENT},
    "403": {"description": "`insufficient_scope`: the API key lacks this endpoint's scope; "
                           "`person_credential_required`: the request names a face user without their credential "
                           "or an API key with the `users` scope.", "content": _ERROR_CONTENT},
    "429": {
        "description": "`throttled`: too many requests from this address or key.",
        "headers": {"Retry-After": {"description": "Seconds until the next request is accepted.", "required": True,
                                    "schema": {"type": "integer"}},
                    # The IETF draft's fields, on every answer the throttle counted (gallery.api_access).
                    **{f"RateLimit-{name}": {"description": description, "schema": {"type": "integer"}}
                       for name, description in (("Limit", "Requests allowed in the window."),
                                                 ("Remaining", "Requests left in the window."),
                                                 ("Reset", "Seconds until the window restarts."))}},
        "content": _ERROR_CONTENT,
    },
    "default": {"description": "Any other error, in the same format: 400 invalid input (`parse_error`, `too_deep`, "
                               "`invalid_unicode`, `invalid`, ...), 404, 408 `request_timeout` (the body did not "
                               "arrive whole in time), 413 too large, 415, 422, 500 `server_error`, 503 "
                               "(`decoder_busy`, `service_unavailable`, with Retry-After).",
                "content": _ERROR_CONTENT},
}


# The 4xx answers that depend on the operation, each with its codes; the hook below adds the error body to each.
INVALID = {400: "`invalid`: a field is missing or wrong; `error.fields` names each one."}
IMAGE_ERRORS = {
    400: "`missing_image`, `empty_image`, `not_an_image`, `unsupported_format`, `image_too_small`, "
         "`corrupt_image`: the photo cannot be read.",
    413: "`image_too_large`, `too_many_pixels`, `request_too_large`: over the upload limit.",
    415: "`unsupported_media_type`: send the photo as image/jpeg, image/png, image/webp or multipart/form-data.",
    422: "`no_face`: no face was found in the photo (the message says which photo).",
    503: "`face_service_unavailable`: the face backend cannot answer now; retry later.",
}
RECOMMENDER_DOWN = {503: "`recommender_unavailable`: the recommender cannot answer now; retry later."}
NOT_FOUND = {404: "`not_found`: no face user has this id (forgotten)."}


def errors(*groups: dict[int, str]) -> dict[int, OpenApiResponse]:
    """The operation's own error answers, for an extend_schema's `responses` (document_errors adds their body)."""
    return {status: OpenApiResponse(description=description)
            for group in groups for status, description in group.items()}


def _error_example(description: str) -> dict[str, Any]:
    """An example of the error envelope with the first code a description names (`code`: ...)."""
    code = description.split("`")[1] if description.count("`") >= 2 else "error"
    return {code: {"value": {"error": {
        "code": code, "message": "What went wrong, for people.", "request_id": "3f2b6c1e9a7d4b0f8e5c2a1d6b9f0e3c",
        "docs": "https://garden.example/api/docs",
    }}}}


_PERSON_TOKEN_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": PERSON_HEADER,
    "description": (
        "A person's own credential: `POST /api/v1/emotion` hands it out (as `person_token`, once) when it enrols or, "
        "with `recognise=true`, recognises someone. It opens that person's data, personal picks and likes in their "
        "name, and nothing else; `DELETE /api/v1/credential` revokes it, and forgetting the person revokes all of "
        f"theirs. The site's own page keeps it in the HttpOnly `{PERSON_COOKIE}` cookie instead."
    ),
}


# The person's token, or an operator's key (with the `users` scope); where every caller needs a key, an app's key with
# the person's token.
_PERSON_DATA_SECURITY = {
    False: [{"PersonToken": []}, {"ApiKey": []}],
    True: [{"ApiKey": [], "PersonToken": []}, {"ApiKey": []}],
}


_REQUEST_ID_HEADER = {
    "description": "This request's id (the one the request sent, if sane), as in the error body and the server's logs.",
    "required": True, "schema": {"type": "string"},
}


def document_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A postprocessing hook: every /api/v1 operation can answer in the one error format, so the schema says so
    (clients generated from it then know the shape, and schemathesis can check every answer against it). Also the
    person credential, which opens the /users operations without an operator's key, and the X-Request-ID header
    every answer carries."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
    components.setdefault("securitySchemes", {})["PersonToken"] = _PERSON_TOKEN_SCHEME
    for path, operations in result["paths"].items():
        if path.startswith("/api/v1/"):
            for operation in operations.values():
                for status, response in _ACCESS_ERRORS.items():
                    operation["responses"].setdefault(status, response)
                for status, response in operation["responses"].items():
                    if status.startswith(("4", "5")) and "content" not in response:
                        response["content"] = {"application/json": {
                            **_ERROR_CONTENT["application/json"], "examples": _error_example(response["description"])}}
                    response["headers"] = {**response.get("headers", {}), "X-Request-ID": _REQUEST_ID_HEADER}
                if path.startswith("/api/v1/users/"):
                    operation["security"] = _PERSON_DATA_SECURITY[settings.API_KEYS_REQUIRED]
    return result
