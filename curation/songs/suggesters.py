"""Song-suggestion backends: every "song_suggestion..." entry of settings.EMOTION_GARDEN_BACKENDS is one suggester
curators can pick ("song_suggestion", the offline catalogue, by default; Bedrock and an OpenAI-compatible endpoint
when configured).

A suggester only talks to its source and hands back the answer as text. What the answer must look like, and what
happens to each song in it, is decided once for all of them in curation.songs.answers and curation.songs.suggestions.
"""

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from emotion_garden.backends import get_backend
from emotion_garden.vocabulary import Emotion

DEFAULT_SUGGESTER = "song_suggestion"

# How the mood is put to a language model ("fear" is an emotion; a person feels "afraid").
MOOD_WORDS = {
    Emotion.HAPPY: "happy", Emotion.SAD: "sad", Emotion.ANGRY: "angry", Emotion.CONFUSED: "confused",
    Emotion.DISGUSTED: "disgusted", Emotion.SURPRISED: "surprised", Emotion.CALM: "calm", Emotion.FEAR: "afraid",
}

SYSTEM_PROMPT = (
    "You suggest real, well-known songs for a service that plays music to match a listener's mood. "
    "Name only songs you are certain exist, with the artist who released them; never invent a song, an artist or a "
    "link. Answer with JSON only, without lyrics, links or comments."
)


@dataclass(frozen=True)
class SuggestionRequest:
    emotion: Emotion
    count: int
    # Songs the catalogue already has for this emotion, as (title, artist): asking for others saves a wasted answer.
    known: Sequence[tuple[str, str]] = ()


class SuggestionFailed(Exception):
    """The backend gave no usable answer (unreachable, refused, cut short, or not a list of songs)."""


class SongSuggester(ABC):
    #: The Track.Source value of the tracks this suggester adds.
    source: str

    @abstractmethod
    def suggest(self, request: SuggestionRequest) -> str:
        """The answer as text: JSON holding a list of {"title", "artist"} objects; or SuggestionFailed."""


def user_prompt(request: SuggestionRequest) -> str:
    """The request as the language-model backends put it (one wording, so their answers can be compared)."""
    lines = [
        f"Suggest {request.count} well-known songs for a listener who feels {MOOD_WORDS[request.emotion]} right now.",
        "Mix Korean and international songs.",
    ]
    if request.known:
        known = [{"title": title, "artist": artist} for title, artist in request.known]
        lines.append(f"We already have these, so suggest others: {json.dumps(known, ensure_ascii=False)}")
    lines.append('Answer with exactly this JSON shape: {"songs": [{"title": "...", "artist": "..."}]}')
    return "\n".join(lines)


def song_suggester(name: str = DEFAULT_SUGGESTER) -> SongSuggester:
    if not name.startswith(DEFAULT_SUGGESTER):
        raise ValueError(f"{name!r} is not a song suggester.")
    return get_backend(name, SongSuggester)


def available_suggesters() -> list[str]:
    return [name for name in settings.EMOTION_GARDEN_BACKENDS if name.startswith(DEFAULT_SUGGESTER)]
