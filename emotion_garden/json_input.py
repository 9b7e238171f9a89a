"""Untrusted JSON from request bodies, parsed with bounds: every way it can be wrong is an UnreadableJson with a
stable code, never a RecursionError or a string the database or the response encoder later refuses.

- Nesting is measured before parsing: Python's parser recurses once per level, and 20,000 levels raised
  RecursionError (a 500). No request of ours nests more than a few levels, so MAX_DEPTH leaves ample room.
- Escapes like "\\ud800" give a lone surrogate, which is not Unicode: PostgreSQL refuses it, and encoding the
  answer (or a log line) with it fails. Such a body is refused as a whole.
- NaN and Infinity are not JSON (RFC 8259), as DRF's strict parser says too.
"""

import json
import re

MAX_DEPTH = 64

# A JSON string (escapes included), so that brackets inside strings are not counted as nesting. An unterminated
# one runs to the end of the text: a pattern that could fail there was tried again from every quote inside it, and
# 64 KB of \" took 14 s of a worker (the whole process, as the regex engine holds the GIL).
_STRING = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnreadableJson(ValueError):
    def __init__(self, *, code: str, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or message  # what is wrong, for a caller that says which text it parsed


def parse_json(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> object:
    """The JSON document in `data` (UTF-8 if bytes), or UnreadableJson coded `invalid_json`, `invalid_unicode`
    or `too_deep`."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")  # a byte-order mark is allowed, as json.loads allows it on bytes
        except UnicodeDecodeError:
            raise UnreadableJson(code="invalid_unicode", message="The body is not valid UTF-8.") from None
    else:
        text = data
    if _SURROGATE.search(text):  # only possible in a str handed in directly
        raise _invalid_unicode()
    _refuse_deep_nesting(text, max_depth)
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise UnreadableJson(code="invalid_json", message=f"The body is not valid JSON: {error}",
                             reason=str(error)) from None
    if _has_surrogate(document):
        raise _invalid_unicode()
    return document


def _refuse_deep_nesting(text: str, max_depth: int) -> None:
    depth = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            raise UnreadableJson(code="too_deep",
                                 message=f"The JSON nests deeper than {max_depth} levels.")


def _has_surrogate(value: object) -> bool:
    """Whether any string, key or value, holds a lone surrogate (recursion is safe: the depth is bounded)."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(key) or _has_surrogate(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False


def _invalid_unicode() -> UnreadableJson:
    return UnreadableJson(code="invalid_unicode",
                          message="The JSON holds invalid Unicode (a lone surrogate such as \\ud800).")


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON value")
