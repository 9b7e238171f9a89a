"""Fuzzing every endpoint, the API's and the original protocol's, with hostile bodies: no answer may be a 5xx.

Bodies are near-valid objects (the endpoints' own field names with wrong, huge, nested or invalid-Unicode values),
arbitrary JSON, raw bytes and deep nesting, sent with JSON, form, image and missing content types. Hypothesis is
derandomized, so every run sends the same 600 requests; schemathesis (tests/emotion_garden/test_api_schema_fuzz.py)
covers the API's documented operations against its schema as well.
"""

import json
import uuid

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ApiKeyFactory, ApprovedImageFactory

pytestmark = pytest.mark.django_db(transaction=True)

# (method, path): every route of emotion_garden/urls.py that takes a request body or an id, but /text2image,
# /bulk and /generateDataset, whose curator-only work (generating images) is slow; anonymous calls to those are here.
ENDPOINTS = [
    ("POST", "/api/v1/emotion"), ("POST", "/api/v1/garden"), ("POST", "/api/v1/songs"), ("POST", "/api/v1/like"),
    ("POST", "/api/v1/unlike"),
    ("POST", "/api/v1/not-interested"), ("GET", "/api/v1/images/1/similar"), ("POST", "/api/v1/faces/compare"),
    ("POST", "/api/v1/lookalike"), ("DELETE", "/api/v1/credential"),
    ("GET", f"/api/v1/users/{uuid.UUID(int=7)}"), ("DELETE", f"/api/v1/users/{uuid.UUID(int=7)}"),
    ("GET", f"/api/v1/users/{uuid.UUID(int=7)}/likes"), ("GET", f"/api/v1/users/{uuid.UUID(int=7)}/export"),
    ("POST", "/emotion"), ("POST", "/gallery"), ("POST", "/createUser"), ("POST", "/like"),
    ("POST", "/galleryfromDB"), ("POST", "/gardenfromDB"), ("POST", "/garden"), ("POST", "/retrieve"),
    ("POST", "/upload"), ("POST", "/remove"), ("POST", "/removePool"), ("POST", "/clearIndex"),
    ("POST", "/text2image"), ("POST", "/bulk"), ("POST", "/generateDataset"), ("POST", "/updateDisplay"),
    ("GET", "/emotions/x.jpeg"), ("GET", "/imgPool/x.jpeg"), ("GET", "/display/1/img1h.jpeg"), ("GET", "/"),
    ("GET", "/healthz"),
]
# Only catalogue writes that do no generation get a curator's key (the others are tried anonymously).
CURATOR_PATHS = {"/remove", "/removePool", "/clearIndex", "/updateDisplay"}
FIELDS = ["emotion", "image", "face_user", "impressions", "gender", "age", "n", "exclude", "mode", "cursor", "theme",
          "theme_match", "client_event_id", "recommendation_id", "remember", "recognise", "userId", "id", "itemId",
          "impression", "generation", "fname", "index", "prompt", "objName", "text", "width", "height", "favorite",
          "zone", "landscape", "portrait"]

odd_text = st.one_of(
    st.text(max_size=30), st.sampled_from(["HAPPY", "happy", "female/happy", "calm/flower", "\ud800", "\x00", "",
                                           "9" * 400, "NaN", "-1", "[]", '{"a": 1}', str(uuid.UUID(int=7))]),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
              st.floats(allow_nan=False, allow_infinity=False), odd_text),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(st.sampled_from(FIELDS), odd_text), children, max_size=4)),
    max_leaves=12,
)


def _encode(document: object) -> bytes:
    # ensure_ascii escapes lone surrogates as \\ud800, as a hostile client would send them.
    return json.dumps(document, ensure_ascii=True).encode()


bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6).map(_encode),
    json_values.map(_encode),
    st.binary(max_size=200),
    st.integers(min_value=1, max_value=30_000).map(lambda depth: b'{"emotion": ' + b"[" * depth + b"]" * depth + b"}"),
    st.sampled_from([b"", b"{", b'{"emotion": "\\ud800"}', b"\xff\xfe\x00", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
                     b"\xff\xd8\xff\xe0" + b"\x00" * 40, b"GIF89a" + b"\xff" * 20]),
)
content_types = st.sampled_from(["application/json", "application/x-www-form-urlencoded", "image/png",
                                 "image/jpeg", "multipart/form-data; boundary=xyz", "text/plain", ""])


@pytest.fixture
def curator_key() -> str:
    ApprovedImageFactory(emotion="HAPPY")
    return ApiKeyFactory(scopes=["curation"]).raw_key


def test_no_endpoint_answers_a_hostile_body_with_a_server_error(curator_key: str) -> None:
    client = Client(raise_request_exception=False)
    seen: list[tuple[str, int]] = []

    @settings(max_examples=600, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(endpoint=st.sampled_from(ENDPOINTS), body=bodies, content_type=content_types)
    def send(endpoint: tuple[str, str], body: bytes, content_type: str) -> None:
        method, path = endpoint
        headers = {"X-Api-Key": curator_key} if path in CURATOR_PATHS else {}
        answer = client.generic(method, path, body, content_type=content_type, headers=headers)
        seen.append((path, answer.status_code))
        assert answer.status_code < 500, (method, path, content_type, body[:200], answer.content[:300])

    send()
    assert len(seen) >= 500
    assert {path for path, _ in seen} == {path for _, path in ENDPOINTS}  # every endpoint was tried
