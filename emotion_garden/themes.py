"""The theme vocabulary (the original Emotion Garden's "favorite"): a season, a weather and a time of day, 4 x 4 x 4 =
64 combinations such as "spring,cloudy,day", plus animals.

A theme is stored and sent as its words joined by commas in a fixed order (season, weather, time of day, animal), the
form of the original's S3 folders and searchKeys. Parsing is forgiving: any order, any case, commas or spaces,
synonyms ("fall", "rain", "night") and the Korean labels are understood; words outside the vocabulary are kept as
they are (a curator may have typed one) and reported, never an error.
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Season(models.TextChoices):
    SPRING = "spring", _("Spring")
    SUMMER = "summer", _("Summer")
    AUTUMN = "autumn", _("Autumn")
    WINTER = "winter", _("Winter")


class Weather(models.TextChoices):
    # The original page's order.
    CLOUDY = "cloudy", _("Cloudy")
    RAINY = "rainy", _("Rainy")
    SNOWY = "snowy", _("Snowy")
    SUNNY = "sunny", _("Sunny")


class TimeOfDay(models.TextChoices):
    DAY = "day", _("Day")
    SUNSET = "sunset", _("Sunset")
    EARLY_DAWN = "the-early-dawn", _("Early dawn")
    MIDDLE_OF_THE_NIGHT = "the-middle-of-the-night", _("Middle of the night")


class Animal(models.TextChoices):
    DOG = "dog", _("Dog")
    CAT = "cat", _("Cat")
    BIRD = "bird", _("Bird")
    RABBIT = "rabbit", _("Rabbit")
    BUTTERFLY = "butterfly", _("Butterfly")


class ThemeMatch(StrEnum):
    EXACT = "exact"  # the image's theme has exactly the requested words
    ALL = "all"  # it has every requested word, maybe more ("winter" finds "winter,snowy,day")
    ANY = "any"  # it has at least one of them


# The kinds in the order their words are written.
KINDS: tuple[type[models.TextChoices], ...] = (Season, Weather, TimeOfDay, Animal)

MAX_THEME_LENGTH = 200
MAX_THEME_WORDS = 12

# Other ways of saying a vocabulary word, English and Korean; the Korean labels themselves are listed here too so
# that parsing does not depend on the active language.
SYNONYMS: dict[str, str] = {
    "봄": "spring", "여름": "summer", "가을": "autumn", "fall": "autumn", "겨울": "winter",
    "cloud": "cloudy", "clouds": "cloudy", "overcast": "cloudy", "흐림": "cloudy", "흐린": "cloudy", "구름": "cloudy",
    "rain": "rainy", "raining": "rainy", "비": "rainy",
    "snow": "snowy", "snowing": "snowy", "눈": "snowy",
    "sun": "sunny", "clear": "sunny", "맑음": "sunny", "맑은": "sunny",
    "daytime": "day", "noon": "day", "afternoon": "day", "낮": "day",
    "dusk": "sunset", "evening": "sunset", "twilight": "sunset", "해질녘": "sunset", "노을": "sunset",
    "dawn": "the-early-dawn", "early-dawn": "the-early-dawn", "sunrise": "the-early-dawn",
    "morning": "the-early-dawn", "새벽": "the-early-dawn",
    "night": "the-middle-of-the-night", "midnight": "the-middle-of-the-night", "nighttime": "the-middle-of-the-night",
    "middle-of-the-night": "the-middle-of-the-night", "밤": "the-middle-of-the-night",
    "한밤중": "the-middle-of-the-night",
    "dogs": "dog", "puppy": "dog", "강아지": "dog", "개": "dog",
    "cats": "cat", "kitten": "cat", "고양이": "cat",
    "birds": "bird", "새": "bird",
    "rabbits": "rabbit", "bunny": "rabbit", "토끼": "rabbit",
    "butterflies": "butterfly", "나비": "butterfly",
}

_SPLIT = re.compile(r"[,/;]+")
_SPACES = re.compile(r"[\s_]+")
_HYPHENS = re.compile(r"-+")
_THEME_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


@cache
def _words() -> dict[str, int]:
    """Every vocabulary word and the position of its kind in a written theme."""
    return {value: position for position, kind in enumerate(KINDS) for value in kind.values}


def kind_of(word: str) -> type[models.TextChoices] | None:
    position = _words().get(word)
    return None if position is None else KINDS[position]


def canonical_word(word: str) -> str | None:
    """The vocabulary word `word` means ("Night" -> "the-middle-of-the-night"), or None."""
    word = _HYPHENS.sub("-", _SPACES.sub("-", word.strip().lower())).strip("-")
    if word in _words():
        return word
    return SYNONYMS.get(word)


@dataclass(frozen=True)
class Theme:
    """A parsed theme: its words in written order (known ones first by kind, unknown ones after, as given) and the
    words that are not in the vocabulary."""

    words: tuple[str, ...]
    unknown: tuple[str, ...] = ()

    def __str__(self) -> str:
        return ",".join(self.words)

    def __bool__(self) -> bool:
        return bool(self.words)

    @property
    def known(self) -> tuple[str, ...]:
        return tuple(word for word in self.words if word not in self.unknown)

    def of_kind(self, kind: type[models.TextChoices]) -> tuple[str, ...]:
        return tuple(word for word in self.words if kind_of(word) is kind)

    def matches(self, other: "Theme", match: ThemeMatch) -> bool:
        """Whether an image whose theme is `other` answers a request for this theme (an empty request: any image)."""
        if not self.words:
            return True
        wanted, offered = set(self.words), set(other.words)
        if match == ThemeMatch.EXACT:
            return wanted == offered
        if match == ThemeMatch.ALL:
            return wanted <= offered
        return bool(wanted & offered)


def parse_theme(text: str) -> Theme:
    """Words separated by commas (or slashes, semicolons); within a part, a vocabulary phrase written with spaces or
    hyphens ("the early dawn") is one word, anything else is split into its words. Full-width letters and commas are
    the plain ones (NFKC): "ＳＰＲＩＮＧ" was filed as a theme of its own."""
    known: list[str] = []
    unknown: list[str] = []
    for part in _SPLIT.split(unicodedata.normalize("NFKC", text).lower()):
        part = part.strip()
        if not part:
            continue
        word = canonical_word(part)
        if word is not None:
            known.append(word)
            continue
        for piece in _SPACES.split(part):
            piece = piece.strip("-")
            if not piece:
                continue
            word = canonical_word(piece)
            pieces = [canonical_word(bit) for bit in _HYPHENS.split(piece)]
            if word is not None:
                known.append(word)
            elif all(pieces):
                known.extend(bit for bit in pieces if bit)
            else:
                unknown.append(piece)
    order = _words()
    ordered = sorted(dict.fromkeys(known), key=lambda word: order[word])
    strange = list(dict.fromkeys(unknown))
    return Theme(words=(*ordered, *strange), unknown=tuple(strange))


def normalise_theme(text: str) -> str:
    """The written form of a theme: "Cloudy, Spring,  DAY" -> "spring,cloudy,day"."""
    return str(parse_theme(text))


def checked_theme(text: str) -> str:
    """normalise_theme for a theme a curator files images under: its words become part of the original clients' keys
    (emotions/<emotion>/<theme>/<name>), so a word is letters (of any script), digits and hyphens; ValidationError
    naming the others ("..", "<b>x</b>": stored as typed, such images could be neither shown nor removed there)."""
    theme = parse_theme(text)
    if strange := [word for word in theme.words if not _THEME_WORD.fullmatch(word)]:
        raise ValidationError(f"A theme's words are letters, digits and hyphens, not {', '.join(map(repr, strange))}.",
                              code="invalid_theme")
    if len(str(theme)) > MAX_THEME_LENGTH:
        raise ValidationError(f"A theme is at most {MAX_THEME_LENGTH} characters.", code="invalid_theme")
    return str(theme)


def validate_theme(text: str) -> None:
    """checked_theme as a Django validator (model fields and forms), which answer nothing."""
    checked_theme(text)


@lru_cache(maxsize=4096)
def parsed_theme(text: str) -> Theme:
    """parse_theme, remembered: a catalogue has few distinct themes, and a visitor asks for the same ones."""
    return parse_theme(text)


def theme_label(text: str) -> str:
    """A theme in the visitor's words ("Spring, Cloudy, Day"; "봄, 흐림, 낮"), as the gallery page writes it: the
    vocabulary's labels, unknown words as filed."""
    return ", ".join(str(kind(word).label) if (kind := kind_of(word)) else word for word in parse_theme(text).words)


def all_combinations() -> list[str]:
    """The original's 64 favorites, in its Favorite select's order."""
    return [f"{season},{weather},{time}" for season in Season.values for weather in Weather.values
            for time in TimeOfDay.values]


def describe_theme_words() -> str:
    """The vocabulary in one English sentence, for error messages."""
    names = ("seasons", "weather", "times of day", "animals")
    lists = "; ".join(f"{name}: {', '.join(kind.values)}" for name, kind in zip(names, KINDS, strict=True))
    return f"Theme words are ({lists})."
