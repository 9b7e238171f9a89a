"""What a title or an artist may be, and how a suggester's answer is read: whole-answer failures and per-song checks."""

import importlib
import json

import pytest
from django.apps import apps

from curation.models import Track
from curation.songs import services
from curation.songs.answers import MAX_ANSWER_CHARS, MAX_ANSWER_SONGS, check_song, read_songs, shown
from curation.songs.names import TITLE_MAX, InvalidName, clean_name, match_key, youtube_search_url
from curation.songs.suggesters import SuggestionFailed
from tests.factories import TrackFactory


def test_names_are_normalised_and_spellings_of_one_song_share_a_key() -> None:
    cleaned = clean_name("  Don\u2019t \t Stop\n Me  Now\u200b ", field="title", limit=TITLE_MAX)
    assert cleaned == "Don\u2019t Stop Me Now"
    assert match_key("Don\u2019t Stop Me Now") == match_key("DON'T  stop me now") == "don't stop me now"
    assert match_key("ＢＴＳ") == match_key("bts")
    # NFC: a decomposed é is the same song as a composed one.
    assert match_key(clean_name("Sine\u0301ad", field="artist", limit=50)) == match_key("Sinéad")


@pytest.mark.parametrize("quoted", ["\u201cMad World\u201d", '"Mad World"', "'Mad World'", "\u00abMad World\u00bb",
                                    "\uff02Mad World\uff02", "\u300cMad World\u300d", "`Mad World`",
                                    "\u2033Mad World\u2033"])
def test_quotes_around_a_whole_name_are_not_part_of_it(quoted: str) -> None:
    """A curator typing the title a language model quoted made the same song a second track."""
    assert clean_name(quoted, field="title", limit=TITLE_MAX) == "Mad World"
    assert match_key(quoted) == match_key("mad  world")
    assert match_key("'Til Tuesday") == "'til tuesday"  # a quote of the name itself stays


@pytest.mark.django_db
def test_the_migration_rekeys_tracks_stored_inside_quotes() -> None:
    rekey = importlib.import_module("curation.migrations.0011_track_keys_without_wrapping_quotes")
    quoted = TrackFactory()  # stored before: its title in quotes, and so its key
    Track.objects.filter(pk=quoted.pk).update(title="\u300cMad World\u300d", title_key="\u300cmad world\u300d")
    twin, twins_twin = TrackFactory(title="Fix You"), TrackFactory()  # one song twice: the second keeps its keys
    Track.objects.filter(pk=twins_twin.pk).update(title="'Fix You'", title_key="'fix you'", artist=twin.artist,
                                                  artist_key=twin.artist_key)
    rekey.rekey_tracks(apps, None)
    assert Track.objects.get(pk=quoted.pk).title_key == "mad world"
    assert Track.objects.get(pk=twins_twin.pk).title_key == "'fix you'"
    assert services.find_track(title="Mad World", artist=quoted.artist).pk == quoted.pk


@pytest.mark.parametrize(("value", "reason"), [
    (None, "missing"),
    (42, "a number, not text"),
    (["Happy"], "a list, not text"),
    ("   \n\t", "empty"),
    ("x" * (TITLE_MAX + 1), f"{TITLE_MAX + 1} characters long"),
    ("Bad\x00Title", "a control character"),
    ("Bad\ud800Title", "unpaired surrogate"),
    ("\ue000", "private-use"),
])
def test_bad_names_are_refused_with_a_reason(value: object, reason: str) -> None:
    with pytest.raises(InvalidName, match=reason):
        clean_name(value, field="title", limit=TITLE_MAX)


def test_the_link_searches_youtube_and_invents_no_video_id() -> None:
    link = youtube_search_url(title="밤편지", artist="IU")
    assert link == "https://www.youtube.com/results?search_query=IU+%EB%B0%A4%ED%8E%B8%EC%A7%80"
    assert "watch?v=" not in link


@pytest.mark.parametrize("answer", [
    '[{"title": "Fix You", "artist": "Coldplay"}]',
    '{"songs": [{"title": "Fix You", "artist": "Coldplay"}]}',
    '```json\n{"songs": [{"title": "Fix You", "artist": "Coldplay"}]}\n```',
    '  ```\n[{"title": "Fix You", "artist": "Coldplay"}]\n```  ',
])
def test_a_list_of_songs_is_found_in_the_shapes_models_answer_with(answer: str) -> None:
    assert read_songs(answer) == [{"title": "Fix You", "artist": "Coldplay"}]


@pytest.mark.parametrize(("answer", "reason"), [
    ("Sure! Here are some songs: Fix You by Coldplay", "not JSON"),
    ('{"title": "Fix You", "artist": "Coldplay"}', 'an object without a "songs" list'),
    ('{"songs": "Fix You"}', 'an object without a "songs" list'),
    ('"Fix You"', "JSON a string, not a list of songs"),
    ("42", "JSON a number"),
    ("null", "JSON null"),
    ("[]", "lists no songs"),
    ('{"songs": []}', "lists no songs"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    (json.dumps([{"title": f"t{i}", "artist": "a"} for i in range(MAX_ANSWER_SONGS + 1)]), "at most 200 are read"),
    ("[" + " " * MAX_ANSWER_CHARS + "]", "characters long"),
])
def test_an_answer_without_a_list_of_songs_fails_as_a_whole(answer: str, reason: str) -> None:
    with pytest.raises(SuggestionFailed, match=reason):
        read_songs(answer)


@pytest.mark.parametrize(("item", "reason"), [
    ("Fix You - Coldplay", "a string, not an object"),
    ({"title": "Fix You"}, "The artist is missing"),
    ({"artist": "Coldplay"}, "The title is missing"),
    ({"title": "", "artist": "Coldplay"}, "The title is empty"),
    ({"title": "Fix You", "artist": {"name": "Coldplay"}}, "The artist is an object"),
    ({"title": "la " * 100, "artist": "Coldplay"}, "299 characters long"),
])
def test_each_song_is_checked_on_its_own(item: object, reason: str) -> None:
    with pytest.raises(InvalidName, match=reason):
        check_song(item)


def test_a_good_song_is_cleaned_and_extra_fields_are_ignored() -> None:
    song = check_song({"title": " Fix  You ", "artist": "Coldplay", "year": 2005, "lyrics": "Lights will guide"})
    assert (song.title, song.artist) == ("Fix You", "Coldplay")


def test_what_an_item_showed_is_kept_short_and_storable() -> None:
    assert shown("x" * 500, 200) == "x" * 199 + "…"
    assert shown({"name": "Coldplay"}, 200) == '{"name": "Coldplay"}'
    assert shown(None, 200) == ""
    assert shown("a\ud800b\x00", 200) == "a\\ud800b\\x00"
