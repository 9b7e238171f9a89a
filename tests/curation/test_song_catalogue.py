"""The offline song catalogue and its seeding, and the covers drawn for every song."""

import io
import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from PIL import Image as PillowImage

from curation.models import Track, TrackEmotion
from curation.songs.catalogue import CATALOGUE_PATH, catalogue_songs
from curation.songs.covers import FONT_PATH, SIZE, _drawable, draw_cover
from curation.songs.names import ARTIST_MAX, TITLE_MAX, clean_name, match_key
from curation.songs.services import seed_catalogue
from emotion_garden.vocabulary import Emotion


def test_every_emotion_has_at_least_twenty_songs_each_listed_once() -> None:
    listed = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    assert set(listed) == set(Emotion.values)
    for emotion, entries in listed.items():
        keys = [(match_key(entry["title"]), match_key(entry["artist"])) for entry in entries]
        assert len(keys) >= 20, emotion
        assert len(set(keys)) == len(keys), f"{emotion} lists a song twice"
        for entry in entries:
            assert set(entry) == {"title", "artist"}  # facts only: never lyrics, links or audio
            assert clean_name(entry["title"], field="title", limit=TITLE_MAX) == entry["title"]
            assert clean_name(entry["artist"], field="artist", limit=ARTIST_MAX) == entry["artist"]


def test_the_catalogue_mixes_korean_and_international_songs() -> None:
    hangul = [song for song in catalogue_songs() if any("가" <= char <= "힣" for char in song.title + song.artist)]
    assert len(hangul) >= 15
    assert len(catalogue_songs()) - len(hangul) >= 100


def test_a_song_listed_under_several_emotions_is_one_song_with_all_of_them() -> None:
    creep = [song for song in catalogue_songs() if song.title == "Creep"]
    assert [song.emotions for song in creep] == [("CONFUSED", "DISGUSTED")]


@pytest.mark.django_db
def test_seeding_approves_the_whole_catalogue_once() -> None:
    added = seed_catalogue()
    assert added == len(catalogue_songs()) == Track.objects.filter(status="approved", source="seeded").count()
    for emotion in Emotion.values:
        assert TrackEmotion.objects.filter(emotion=emotion, track__status="approved").count() >= 20
    assert seed_catalogue() == 0
    # A seeded song a curator deleted stays deleted; forcing adds back only what is missing.
    Track.objects.filter(title="Creep").delete()
    assert seed_catalogue() == 0
    assert seed_catalogue(only_if_empty=False) == 1
    assert Track.objects.count() == len(catalogue_songs())


@pytest.mark.django_db
def test_the_demo_seed_command_seeds_the_songs_even_when_images_exist() -> None:
    call_command("seed_demo_gallery", per_emotion=2, stdout=StringIO())
    output = StringIO()
    call_command("seed_demo_gallery", per_emotion=2, stdout=output)
    assert "already has songs" in output.getvalue()
    assert Track.objects.filter(status="approved").count() == len(catalogue_songs())


def test_the_cover_font_ships_with_its_licence_and_draws_hangul_and_latin() -> None:
    assert FONT_PATH.is_file() and (FONT_PATH.parent / "OFL.txt").is_file()
    assert _drawable("밤편지 Sinéad Öyster Кино Ελλάδα") == "밤편지 Sinéad Öyster Кино Ελλάδα"


def test_characters_the_font_lacks_are_left_out_of_the_cover() -> None:
    assert _drawable("夜に駆ける YOASOBI 🎵") == "YOASOBI"
    assert _drawable("夜に駆ける") == "♪"


def test_covers_differ_by_emotion_and_song_and_are_the_same_for_the_same_song() -> None:
    sad = draw_cover(title="Fix You", artist="Coldplay", emotions=["SAD"])
    happy = draw_cover(title="Fix You", artist="Coldplay", emotions=["HAPPY"])
    assert sad.size == (SIZE, SIZE) and sad.mode == "RGB"
    assert np.asarray(sad).mean(axis=(0, 1))[2] > np.asarray(sad).mean(axis=(0, 1))[0]  # blue, not red
    assert np.asarray(happy).mean(axis=(0, 1))[0] > np.asarray(happy).mean(axis=(0, 1))[2]
    again = draw_cover(title="Fix You", artist="Coldplay", emotions=["SAD"])
    assert np.array_equal(np.asarray(sad), np.asarray(again))
    other = draw_cover(title="Yellow", artist="Coldplay", emotions=["SAD"])
    assert not np.array_equal(np.asarray(sad), np.asarray(other))


def test_a_title_too_long_for_the_cover_is_cut_with_an_ellipsis_not_drawn_off_the_card() -> None:
    cover = draw_cover(title="word " * 60, artist="artist " * 40, emotions=["CALM", "FEAR"])
    buffer = io.BytesIO()
    cover.save(buffer, format="PNG")
    assert PillowImage.open(buffer).size == (SIZE, SIZE)
