"""Malformed JSON on every JSON endpoint, of the API and of the original protocol: a 400 that says why, never a 500."""

import pytest
from django.test import Client

from emotion_garden.json_input import MAX_DEPTH, UnreadableJson, parse_json
from tests.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db

API_JSON = ["/api/v1/garden", "/api/v1/songs", "/api/v1/like", "/api/v1/unlike", "/api/v1/not-interested"]
COMPAT_JSON = ["/gallery", "/createUser", "/like", "/galleryfromDB", "/gardenfromDB", "/garden", "/retrieve"]
DEEP = b"[" * 20_000 + b"]" * 20_000
DEEP_IN_A_FIELD = b'{"emotion": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
LONE_SURROGATE = b'{"emotion": "\\ud800", "image_id": 1, "userId": "\\udfff"}'
SURROGATE_KEY = b'{"\\ud800": 1}'
# A string that never ends, full of escaped quotes: 64 KB of it held a worker for 14 s before (json_input._STRING).
UNTERMINATED = b'{"emotion": "' + b'\\"' * 32_000


@pytest.mark.parametrize("path", API_JSON)
@pytest.mark.parametrize(("body", "code"), [(DEEP, "too_deep"), (DEEP_IN_A_FIELD, "too_deep"),
                                            (LONE_SURROGATE, "invalid_unicode"), (SURROGATE_KEY, "invalid_unicode"),
                                            (b'{"emotion": NaN}', "parse_error"), (b"\xff\xfe{}", "invalid_unicode"),
                                            (UNTERMINATED, "parse_error")])
def test_the_api_refuses_unreadable_json_with_a_code(client: Client, path: str, body: bytes, code: str) -> None:
    answer = client.post(path, body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == code


@pytest.mark.parametrize("path", COMPAT_JSON)
@pytest.mark.parametrize("body", [DEEP, DEEP_IN_A_FIELD, LONE_SURROGATE, SURROGATE_KEY, UNTERMINATED])
def test_the_original_endpoints_refuse_it_with_a_400(client: Client, path: str, body: bytes) -> None:
    answer = client.post(path, body, content_type="application/json")
    assert answer.status_code == 400, answer.content[:200]
    assert b"not valid JSON" in answer.content
    assert answer.content.count(b"not valid JSON") == 1  # the parser's own sentence was repeated after the prefix


def test_a_field_encoded_as_a_string_is_read_with_the_same_bounds(client: Client) -> None:
    """/remove's objName is a JSON array inside a string, as the original admin page sends it."""
    key = ApiKeyFactory(scopes=["curation"]).raw_key
    nested = '"' + "[" * 5000 + "]" * 5000 + '"'
    for value in (nested, '"[\\"\\ud800\\"]"'):
        answer = client.post("/remove", f'{{"objName": {value}}}', content_type="application/json",
                             headers={"X-Api-Key": key})
        assert answer.status_code == 400, answer.content


def test_parse_json_bounds() -> None:
    assert parse_json(b'{"a": [1, "\\u00e9", {"b": "\\ud83d\\ude00"}]}') == {"a": [1, "é", {"b": "😀"}]}
    assert parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert parse_json('["[[[[[[[[", "{{{{{{{{"]') == ["[[[[[[[[", "{{{{{{{{"]  # brackets in strings do not nest
    assert parse_json(b'\xef\xbb\xbf{"bom": true}') == {"bom": True}
    for text, code in [("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "too_deep"), ("{", "invalid_json"),
                       ('"\\ud800"', "invalid_unicode"), ("Infinity", "invalid_json"),
                       ('["[[[\\', "invalid_json"), ('{"a": "\\"' * 3, "invalid_json")]:
        with pytest.raises(UnreadableJson) as refused:
            parse_json(text)
        assert refused.value.code == code
