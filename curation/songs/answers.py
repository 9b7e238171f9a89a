"""Reading a suggester's answer: the list of songs in it, and each song checked on its own.

Language models wrap JSON in prose or code fences, answer with an object around the list, leave fields out, repeat
themselves and sometimes answer with something else entirely. An answer that holds no list of songs fails as a whole
(SuggestionFailed); inside a list, each song is accepted or refused with its own reason, so one bad song costs only
itself.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from curation.songs.names import ARTIST_MAX, TITLE_MAX, InvalidName, clean_name, json_kind, match_key
from curation.songs.suggesters import SuggestionFailed

# No honest answer to "suggest up to 50 songs" is longer than this; a longer one is refused before it is parsed.
MAX_ANSWER_CHARS = 200_000
MAX_ANSWER_SONGS = 200
_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n(?P<body>.*?)\n?```$", re.DOTALL)


@dataclass(frozen=True)
class SongCandidate:
    title: str
    artist: str

    @property
    def key(self) -> tuple[str, str]:
        return match_key(self.title), match_key(self.artist)


def read_songs(answer: str) -> list[Any]:
    """The items of the answer's song list, unchecked; SuggestionFailed when the answer holds no such list.

    Accepted shapes: a JSON list, or an object whose "songs" is a list; either may sit in a Markdown code fence.
    """
    if len(answer) > MAX_ANSWER_CHARS:
        raise SuggestionFailed(f"The answer is {len(answer)} characters long; at most {MAX_ANSWER_CHARS} are read.")
    text = answer.strip()
    if fenced := _FENCE.match(text):
        text = fenced.group("body").strip()
    try:
        document = json.loads(text)
    except RecursionError:
        raise SuggestionFailed("The answer is JSON nested too deeply to read.") from None
    except ValueError:
        raise SuggestionFailed(f"The answer is not JSON: {_preview(answer)}") from None
    songs = document.get("songs") if isinstance(document, dict) else document
    if not isinstance(songs, list):
        shape = "an object without a \"songs\" list" if isinstance(document, dict) else f"JSON {json_kind(document)}"
        raise SuggestionFailed(f"The answer is {shape}, not a list of songs.")
    if not songs:
        raise SuggestionFailed("The answer lists no songs.")
    if len(songs) > MAX_ANSWER_SONGS:
        raise SuggestionFailed(f"The answer lists {len(songs)} songs; at most {MAX_ANSWER_SONGS} are read.")
    return songs


def check_song(item: Any) -> SongCandidate:
    """One song of the list, cleaned; InvalidName says what is wrong with it."""
    if not isinstance(item, dict):
        raise InvalidName(f"The item is {json_kind(item)}, not an object with a title and an artist.")
    return SongCandidate(
        title=clean_name(item.get("title"), field="title", limit=TITLE_MAX),
        artist=clean_name(item.get("artist"), field="artist", limit=ARTIST_MAX),
    )


def shown(value: Any, limit: int) -> str:
    """What an item's title or artist looked like, for the run's report: text cut to `limit`, other values in JSON."""
    text = value if isinstance(value, str) else "" if value is None else json.dumps(value, ensure_ascii=False)[:limit]
    # Unpaired surrogates and NUL cannot be stored; the report shows where they were.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _preview(answer: str) -> str:
    text = " ".join(answer.split())
    return repr(text if len(text) <= 80 else text[:79] + "…")
