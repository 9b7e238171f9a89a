"""The offline song catalogue (data/catalogue.json): at least twenty well-known songs per emotion, title and artist
only. A fresh install is seeded from it, and it is the default suggester, so nothing needs a network.

A song listed under several emotions is one track with all of them.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from curation.songs.names import match_key
from curation.songs.suggesters import SongSuggester, SuggestionFailed, SuggestionRequest
from emotion_garden.vocabulary import Emotion

CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "catalogue.json"


@dataclass(frozen=True)
class CatalogueSong:
    title: str
    artist: str
    emotions: tuple[str, ...]  # in the vocabulary's order

    @property
    def key(self) -> tuple[str, str]:
        return match_key(self.title), match_key(self.artist)


@functools.cache
def catalogue_songs(path: Path = CATALOGUE_PATH) -> tuple[CatalogueSong, ...]:
    """Every song of the catalogue once, with the emotions it is listed under, in the order of the file."""
    listed: dict[str, list[dict[str, str]]] = json.loads(path.read_text(encoding="utf-8"))
    songs: dict[tuple[str, str], tuple[dict[str, str], set[str]]] = {}
    for emotion, entries in listed.items():
        for entry in entries:
            key = (match_key(entry["title"]), match_key(entry["artist"]))
            songs.setdefault(key, (entry, set()))[1].add(Emotion(emotion).value)
    return tuple(
        CatalogueSong(title=entry["title"], artist=entry["artist"],
                      emotions=tuple(emotion for emotion in Emotion.values if emotion in emotions))
        for entry, emotions in songs.values()
    )


class CatalogueSuggester(SongSuggester):
    """Suggests the catalogue's songs of the emotion that are not in the database (deleted, or added to the file
    since the install was seeded), in the file's order."""

    source = "seeded"

    def suggest(self, request: SuggestionRequest) -> str:
        known = {(match_key(title), match_key(artist)) for title, artist in request.known}
        songs = [song for song in catalogue_songs() if request.emotion in song.emotions and song.key not in known]
        if not songs:
            raise SuggestionFailed(
                "The offline catalogue has no song of this emotion left to suggest: they are all in the database."
            )
        return json.dumps([{"title": song.title, "artist": song.artist} for song in songs[: request.count]],
                          ensure_ascii=False)
