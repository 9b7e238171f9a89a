"""What a title or an artist may be, how two spellings of one song are recognised, and the link built from them.

Every title and artist passes through clean_name() whoever wrote it (a curator, the catalogue file, a language
model), so the same rules hold for all of them and a bad one is refused with a reason a curator can act on.
"""

import re
import unicodedata
from urllib.parse import urlencode

TITLE_MAX = 200
ARTIST_MAX = 200
# casefold() makes at most three characters of one (ﬃ -> ffi) and NFKC a few more for rare ligatures.
KEY_MAX = 4 * max(TITLE_MAX, ARTIST_MAX)

_WHITESPACE = re.compile(r"\s+")
# Characters a person never means to type in a song's name: control codes, unpaired surrogates (invalid Unicode that
# PostgreSQL refuses to store), unassigned code points and private-use ones. Invisible format characters (zero-width
# spaces, byte-order marks, direction marks) are dropped instead, as they only make two spellings differ.
_REFUSED_CATEGORIES = {"Cc": "a control character", "Cs": "invalid Unicode (an unpaired surrogate)",
                       "Cn": "an unassigned code point", "Co": "a private-use character"}
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'})
# Quotes around a whole name, as language models and catalogues write titles ("Mad World", 「Yesterday」): not part of
# the name. Straight, curly, typewriter, CJK corner, guillemet, prime and full-width pairs.
_WRAPPING_QUOTES = {('"', '"'), ("'", "'"), ("`", "`"), ("\u201c", "\u201d"), ("\u2018", "\u2019"),
                    ("\u00ab", "\u00bb"), ("\u2039", "\u203a"), ("\u201e", "\u201c"), ("\u300c", "\u300d"),
                    ("\u300e", "\u300f"), ("\u301d", "\u301e"), ("\u2033", "\u2033"), ("\uff02", "\uff02"),
                    ("\uff07", "\uff07")}


class InvalidName(ValueError):
    """A title or an artist that cannot be stored; the message says why, in words for a curator."""


def clean_name(value: object, *, field: str, limit: int) -> str:
    """`value` as it is stored: NFC, one space between words, no invisible characters; else InvalidName."""
    if value is None:
        raise InvalidName(f"The {field} is missing.")
    if not isinstance(value, str):
        raise InvalidName(f"The {field} is {json_kind(value)}, not text.")
    text = "".join(char for char in unicodedata.normalize("NFC", value) if unicodedata.category(char) != "Cf")
    text = _unwrapped(_WHITESPACE.sub(" ", text).strip())
    for char in text:
        if (category := unicodedata.category(char)) in _REFUSED_CATEGORIES:
            raise InvalidName(f"The {field} contains {_REFUSED_CATEGORIES[category]} (U+{ord(char):04X}).")
    if not text:
        raise InvalidName(f"The {field} is empty.")
    if len(text) > limit:
        raise InvalidName(f"The {field} is {len(text)} characters long; at most {limit} are allowed.")
    return text


def match_key(name: str) -> str:
    """What two spellings of one name share: case, width, curly quotes, quotes around it all and spacing do not make
    another song."""
    folded = unicodedata.normalize("NFKC", _unwrapped(name.strip()).translate(_QUOTES)).casefold()
    return _WHITESPACE.sub(" ", folded).strip()[:KEY_MAX]


def _unwrapped(text: str) -> str:
    """The text without one pair of quotes around all of it."""
    if len(text) > 2 and (text[0], text[-1]) in _WRAPPING_QUOTES:
        return text[1:-1].strip()
    return text


def youtube_search_url(*, title: str, artist: str) -> str:
    """A YouTube search for the song: it finds the song without anyone inventing (or guessing) a video id."""
    return "https://www.youtube.com/results?" + urlencode({"search_query": f"{artist} {title}"})


def json_kind(value: object) -> str:
    """What a decoded JSON value is, in words."""
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return kinds.get(type(value), "a number")
