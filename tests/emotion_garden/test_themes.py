"""The theme vocabulary: parsing, the written form, matching, and unknown words."""

import pytest
from django.utils import translation

from emotion_garden.themes import (
    Animal,
    Season,
    ThemeMatch,
    TimeOfDay,
    Weather,
    all_combinations,
    normalise_theme,
    parse_theme,
)


@pytest.mark.parametrize("text", [
    "spring,cloudy,day", "Cloudy, Spring,  DAY", "day,cloudy,spring", "봄,흐림,낮", "spring cloudy day",
    "spring;cloudy;daytime", " spring , overcast , noon ", "\uff33\uff30\uff32\uff29\uff2e\uff27\uff0ccloudy\uff0cday",
])
def test_every_way_of_writing_a_theme_has_one_written_form(text: str) -> None:
    assert normalise_theme(text) == "spring,cloudy,day"


@pytest.mark.parametrize(("text", "written"), [
    ("night", "the-middle-of-the-night"),
    ("the middle of the night", "the-middle-of-the-night"),
    ("early dawn, fall, rain", "autumn,rainy,the-early-dawn"),
    ("kitten, winter, snow, evening", "winter,snowy,sunset,cat"),
    ("겨울,눈,한밤중,강아지", "winter,snowy,the-middle-of-the-night,dog"),
    ("spring-cloudy", "spring,cloudy"),
    ("", ""),
    (" , ,, ", ""),
])
def test_synonyms_korean_labels_and_phrases(text: str, written: str) -> None:
    assert normalise_theme(text) == written


def test_unknown_words_are_kept_after_the_known_ones_and_reported() -> None:
    theme = parse_theme("purple, spring, elephants, purple")

    assert str(theme) == "spring,purple,elephants"
    assert theme.unknown == ("purple", "elephants")
    assert theme.known == ("spring",)


def test_the_original_sixty_four_favorites_are_all_understood_as_written() -> None:
    favorites = all_combinations()

    assert len(favorites) == len(set(favorites)) == 64
    assert favorites[0] == "spring,cloudy,day"
    for favorite in favorites:
        theme = parse_theme(favorite)
        assert str(theme) == favorite and not theme.unknown
        assert [len(theme.of_kind(kind)) for kind in (Season, Weather, TimeOfDay, Animal)] == [1, 1, 1, 0]


@pytest.mark.parametrize(("requested", "image", "match", "expected"), [
    ("spring,cloudy,day", "day,spring,cloudy", ThemeMatch.EXACT, True),
    ("spring,cloudy,day", "spring,cloudy,day,dog", ThemeMatch.EXACT, False),
    ("spring,cloudy,day", "spring,cloudy,day,dog", ThemeMatch.ALL, True),
    ("winter", "winter,snowy,sunset", ThemeMatch.ALL, True),
    ("winter,dog", "winter,snowy,sunset", ThemeMatch.ALL, False),
    ("winter,dog", "winter,snowy,sunset", ThemeMatch.ANY, True),
    ("summer,cat", "winter,snowy,sunset", ThemeMatch.ANY, False),
    ("beach", "Beach", ThemeMatch.EXACT, True),  # a curator's own word matches as typed
    ("", "winter", ThemeMatch.EXACT, True),  # no theme asked: every image
    ("winter", "", ThemeMatch.ANY, False),
])
def test_matching(requested: str, image: str, match: ThemeMatch, expected: bool) -> None:
    assert parse_theme(requested).matches(parse_theme(image), match) is expected


def test_labels_in_english_and_korean() -> None:
    with translation.override("en"):
        assert [str(label) for label in TimeOfDay.labels] == ["Day", "Sunset", "Early dawn", "Middle of the night"]
    with translation.override("ko"):
        assert [str(label) for label in Season.labels] == ["봄", "여름", "가을", "겨울"]
        assert [str(label) for label in Weather.labels] == ["흐림", "비", "눈", "맑음"]
        assert [str(label) for label in TimeOfDay.labels] == ["낮", "해질녘", "새벽", "한밤중"]
        assert [str(label) for label in Animal.labels] == ["강아지", "고양이", "새", "토끼", "나비"]
