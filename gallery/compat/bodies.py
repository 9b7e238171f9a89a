"""Reading the original pages' request bodies: JSON as `new Blob([JSON.stringify(obj)])` sends it, checked field by
field, so that any malformed input becomes a CompatError (a 4xx the pages ignore) and never a 500."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from emotion_garden.json_input import UnreadableJson, parse_json
from emotion_garden.request_buffer import declared_length
from emotion_garden.vocabulary import AgeBand, Emotion, Gender

MAX_TEXT_LENGTH = 2000


class CompatError(Exception):
    """A request the compatibility layer refuses, answered with `status` and `message` as plain text."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def json_body(request: HttpRequest) -> object:
    """The body's JSON, refused (413) unread when it announces more than API_MAX_JSON_BYTES, as the REST API's are.

    The pages' bodies are under 1 KB (the largest, /like's three impressions or a /bulk prompt; a curator's
    /removePool of a thousand themed pool keys is about 63 KB), while 11 MB of `[[],[],...]` to /retrieve held a
    worker for up to 30 s and 1.7 GB. Django reads no more of a body than its Content-Length: that is what to check.
    """
    limit = settings.API_MAX_JSON_BYTES
    if declared_length(request.META) > limit:
        raise CompatError(f"The body is larger than the limit of {limit} bytes.", status=413)
    # The content type is not checked: the pages send application/json, but `curl -d` users send form-encoded.
    return _decode_json(request.body, what="The body")


def json_object(request: HttpRequest) -> dict[str, object]:
    body = json_body(request)
    if not isinstance(body, dict):
        raise CompatError("The body must be a JSON object.")
    return body


def json_array(request: HttpRequest) -> list[object]:
    body = json_body(request)
    if not isinstance(body, list):
        raise CompatError("The body must be a JSON array.")
    return body


def _decode_json(data: str | bytes, *, what: str) -> object:
    try:
        return parse_json(data)
    except UnreadableJson as error:  # too deep or invalid Unicode as well as malformed
        raise CompatError(f"{what} is not valid JSON: {error.reason}") from None


def read_text(body: Mapping[str, object], field: str, *, default: str | None = None,
              max_length: int = MAX_TEXT_LENGTH) -> str:
    """A string field; required unless a default is given (then also taken for null)."""
    value = body.get(field)
    if value is None:
        if default is None:
            raise CompatError(f"'{field}' is required.")
        return default
    if not isinstance(value, str):
        raise CompatError(f"'{field}' must be a string.")
    if len(value) > max_length:
        raise CompatError(f"'{field}' is longer than {max_length} characters.")
    if "\x00" in value:
        raise CompatError(f"'{field}' contains a NUL character.")  # PostgreSQL refuses them in text
    return value


def read_int(body: Mapping[str, object], field: str, *, minimum: int, maximum: int) -> int:
    value = body.get(field)
    # bool is an int in Python, but `true` is no index or size.
    if not isinstance(value, int) or isinstance(value, bool):
        raise CompatError(f"'{field}' must be an integer.")
    if not minimum <= value <= maximum:
        raise CompatError(f"'{field}' must be between {minimum} and {maximum}.")
    return value


def read_object(body: Mapping[str, object], field: str) -> dict[str, object]:
    """An object field, sent either as a real object or JSON-encoded in a string (as /bulk sends its prompt)."""
    value = body.get(field)
    if isinstance(value, str):
        value = _decode_json(value, what=f"'{field}'")
    if not isinstance(value, dict):
        raise CompatError(f"'{field}' must be a JSON object (or one encoded in a string).")
    return value


def read_keys(body: Mapping[str, object], field: str, *, max_items: int) -> list[str]:
    """An array of keys, sent either as a real array or JSON-encoded in a string (as /remove's objName is)."""
    value = body.get(field)
    if isinstance(value, str):
        value = _decode_json(value, what=f"'{field}'")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CompatError(f"'{field}' must be an array of strings (or one encoded in a string).")
    if len(value) > max_items:
        raise CompatError(f"'{field}' has more than {max_items} entries.")
    return value


def parse_emotion(value: str) -> Emotion:
    """One of the eight emotions, in any case (the pages lower-case them)."""
    try:
        return Emotion.parse(value)
    except ValueError:
        raise CompatError(f"{value!r} is not an emotion.") from None


def parse_search_key(value: str) -> tuple[Emotion, str]:
    """The original's searchKey, `<emotion>` or `<emotion>/<favorite>`: the emotion and the theme (lower-cased)."""
    emotion, _, theme = value.partition("/")
    return parse_emotion(emotion), theme.lower()


def parse_gender(value: str) -> str:
    """Male or Female in any case (IRBE sends "male", EG "Male"); the original's "any", "others" or anything else is
    no gender, because gender only narrows the recommender's context."""
    try:
        return Gender.parse(value)
    except ValueError:
        return ""


def parse_age_band(value: str) -> str:
    """The original's "generation" when it is one of ours; anything else only loses context, so it is dropped."""
    return value if value in AgeBand.values else ""


# The IRBE consumer's imgWidth x imgHeight, and EG's booth displays, which needed each image in both orientations.
IRBE_SIZES = ((768, 512),)
EG_SIZES = ((1280, 800), (800, 1280))


@dataclass(frozen=True)
class BulkPrompt:
    emotion: Emotion
    text: str
    sizes: tuple[tuple[int, int], ...]


def read_bulk_prompt(body: Mapping[str, object], field: str) -> BulkPrompt:
    """/bulk's prompt: IRBE's {emotion, text}, or EG's {emotion, emotionText, favorite, others}, whose text the
    original consumer assembled as "<emotionText>, <favorite>, <others>" (the favorite only when given)."""
    prompt = read_object(body, field)
    emotion = parse_emotion(read_text(prompt, "emotion"))
    if "text" in prompt:
        return BulkPrompt(emotion=emotion, text=read_text(prompt, "text"), sizes=IRBE_SIZES)
    if "emotionText" in prompt or "others" in prompt:
        parts = [read_text(prompt, part, default="") for part in ("emotionText", "favorite", "others")]
        return BulkPrompt(emotion=emotion, text=", ".join(part for part in parts if part), sizes=EG_SIZES)
    raise CompatError(f"'{field}' must hold either 'text' or 'emotionText' and 'others'.")
