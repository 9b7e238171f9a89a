"""What a theme and a prompt ask the painter to draw, read word by word.

Words fall into: moods (seasons, weather, times of day) that change the light and add rain, snow, clouds, stars...;
subjects (animals and things) drawn into the picture, with a colour ("a black cat"), a size ("a big dog"), a count
("two birds", "balloons") and a place ("on a red car"); the emotion's own words and the words every garden painting
already shows ("garden", "sky"); and small words that carry no picture ("a", "the", "in"). Everything else is
reported as a word the painter could not draw.
"""

import re
from dataclasses import dataclass, field

from curation.generators.procedural_art.shapes import Color
from emotion_garden import themes

# The mood words of the light and weather, as the canvas grades and the weather painter know them.
THEME_MOODS = {
    "spring": "spring", "summer": "summer", "autumn": "autumn", "winter": "winter",
    "cloudy": "cloudy", "rainy": "rainy", "snowy": "snowy", "sunny": "sunny",
    "day": "day", "sunset": "sunset", "the-early-dawn": "dawn", "the-middle-of-the-night": "night",
}
MORE_MOODS = {
    "fog": "foggy", "foggy": "foggy", "mist": "foggy", "misty": "foggy", "haze": "foggy", "hazy": "foggy",
    "storm": "stormy", "stormy": "stormy", "thunder": "stormy", "thunderstorm": "stormy", "lightning": "stormy",
    "starry": "night", "moonlit": "night", "moonlight": "night", "dark": "night",
}

SUBJECTS = {
    "dog": "dog", "cat": "cat", "kitty": "cat", "bird": "bird", "rabbit": "rabbit", "hare": "rabbit",
    "butterfly": "butterfly",
    "car": "car", "automobile": "car", "auto": "car", "truck": "car",
    "house": "house", "home": "house", "cottage": "house", "cabin": "house", "hut": "house",
    "tree": "tree", "forest": "tree", "woods": "tree",
    "flower": "flower", "blossom": "flower", "bloom": "flower", "rose": "flower", "tulip": "flower",
    "daisy": "flower", "daisies": "flower", "lily": "flower", "lilies": "flower",
    "boat": "boat", "ship": "boat", "sailboat": "boat",
    "balloon": "balloon", "umbrella": "umbrella", "heart": "heart", "love": "heart",
    "moon": "moon", "crescent": "moon", "star": "star", "rainbow": "rainbow",
}
# Beyond this many subjects a picture is a crowd: later ones are reported as not drawn.
MAX_SUBJECTS = 12
# How many a plural draws.
PLURAL_COUNTS = {"bird": 3, "butterfly": 3, "balloon": 3, "star": 5, "tree": 3, "flower": 1, "heart": 3}

COLOURS: dict[str, Color] = {
    "red": (206, 34, 40), "orange": (240, 130, 30), "yellow": (246, 206, 40), "gold": (222, 172, 40),
    "golden": (222, 172, 40), "green": (60, 150, 70), "blue": (44, 96, 196), "purple": (128, 60, 170),
    "violet": (128, 60, 170), "pink": (244, 130, 170), "white": (244, 244, 240), "black": (24, 22, 26),
    "brown": (118, 76, 44), "grey": (128, 128, 132), "gray": (128, 128, 132), "silver": (190, 194, 200),
}
SIZES = {"big": 1.4, "large": 1.4, "huge": 1.7, "giant": 1.7, "enormous": 1.7, "small": 0.7, "little": 0.7,
         "tiny": 0.5, "baby": 0.6}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "several": 3, "many": 5}
RELATIONS = {"on", "atop", "upon", "riding"}

EMOTION_WORDS = {
    "HAPPY": {"happy", "happiness", "joy", "joyful", "cheerful", "glad", "delighted", "smile", "smiling"},
    "SAD": {"sad", "sadness", "sorrow", "sorrowful", "gloomy", "melancholy", "lonely", "tears", "crying"},
    "ANGRY": {"angry", "anger", "rage", "furious", "fury", "mad"},
    "CALM": {"calm", "calmness", "peaceful", "peace", "serene", "tranquil", "quiet", "relaxed"},
    "FEAR": {"fear", "fearful", "afraid", "scary", "scared", "spooky", "creepy", "terror", "horror"},
    "SURPRISED": {"surprised", "surprise", "amazed", "amazing", "wonder", "astonished", "shocked"},
    "CONFUSED": {"confused", "confusion", "puzzled", "bewildered", "chaos", "chaotic"},
    "DISGUSTED": {"disgusted", "disgust", "disgusting", "gross", "slime", "slimy", "bugs"},
}
# What every garden painting already shows.
SCENERY = {"garden", "gardens", "nature", "botanic", "botanical", "landscape", "scene", "sky", "ground", "grass",
           "field", "meadow", "park", "outdoors", "outside"}
SMALL_WORDS = {
    "a", "an", "the", "and", "or", "with", "in", "at", "of", "under", "over", "by", "near", "some", "very", "is",
    "are", "be", "it", "its", "this", "that", "these", "those", "to", "for", "from", "into", "onto", "beside",
    "behind", "next", "there", "here", "their", "his", "her", "my", "your", "our", "lots", "lot", "few", "much",
    "more", "most", "so", "too", "really", "quite", "just", "also", "as", "like", "while", "during", "each",
    "every", "all", "no", "not", "out", "up", "down", "off", "top", "front", "back", "side", "strong", "extremely",
    "feel", "feeling", "full", "time", "weather", "season",
}
_TOKENS = re.compile(r"[a-z]+(?:-[a-z]+)*|[가-힣]+")


@dataclass(frozen=True)
class Subject:
    kind: str
    colour: Color | None = None
    scale: float = 1.0
    count: int = 1
    on: int | None = None  # the index of the subject it stands on


@dataclass(frozen=True)
class Scene:
    moods: frozenset[str] = frozenset()
    subjects: tuple[Subject, ...] = ()
    undrawn: tuple[str, ...] = ()


@dataclass
class _Reading:
    emotion: str
    moods: set[str] = field(default_factory=set)
    subjects: list[Subject] = field(default_factory=list)
    undrawn: list[str] = field(default_factory=list)
    colour: tuple[str, Color] | None = None
    scale: float = 1.0
    count: int | None = None
    on_next: int | None = None  # a subject waiting for the one it stands on

    def word(self, word: str) -> None:
        if word in COLOURS:
            self._drop_colour()
            self.colour = (word, COLOURS[word])
        elif word in SIZES:
            self.scale = SIZES[word]
        elif word in NUMBERS:
            self.count = NUMBERS[word]
        elif word in RELATIONS:
            if self.subjects:
                self.on_next = len(self.subjects) - 1
        elif word in SMALL_WORDS:
            pass
        elif (subject := _subject(word)) is not None and len(self.subjects) < MAX_SUBJECTS:
            self._add(*subject)
        elif (mood := _mood(word)) is not None:
            self._drop_colour()
            self.moods.add(mood)
        elif word in SCENERY or word in EMOTION_WORDS.get(self.emotion, ()):
            self._drop_colour()
        else:
            self._drop_colour()
            self.undrawn.append(word)

    def _add(self, kind: str, plural: bool) -> None:
        count = self.count if self.count is not None else PLURAL_COUNTS.get(kind, 2) if plural else 1
        subject = Subject(kind=kind, colour=self.colour[1] if self.colour else None, scale=self.scale,
                          count=max(1, min(count, 6)))
        if self.on_next is not None:
            rider = self.subjects[self.on_next]
            self.subjects[self.on_next] = Subject(rider.kind, rider.colour, rider.scale, rider.count,
                                                  on=len(self.subjects))
        self.subjects.append(subject)
        self.colour, self.scale, self.count, self.on_next = None, 1.0, None, None

    def _drop_colour(self) -> None:
        """A colour that named no subject ("a red sky") was not drawn."""
        if self.colour is not None:
            self.undrawn.append(self.colour[0])
            self.colour = None

    def end_of_text(self) -> None:
        self._drop_colour()
        self.scale, self.count, self.on_next = 1.0, None, None

    def scene(self) -> Scene:
        return Scene(moods=frozenset(self.moods), subjects=tuple(self.subjects),
                     undrawn=tuple(dict.fromkeys(self.undrawn)))


def _kind(word: str) -> str | None:
    if word in SUBJECTS:
        return SUBJECTS[word]
    canonical = themes.canonical_word(word)
    return canonical if canonical is not None and themes.kind_of(canonical) is themes.Animal else None


def _subject(word: str) -> tuple[str, bool] | None:
    """(kind, plural) for an animal or a thing named in the singular or a plural ("puppies", "butterflies")."""
    if (kind := _kind(word)) is not None:
        return kind, word.endswith("s") and word != kind
    if word.endswith("s") and len(word) > 3:
        for singular in (word[:-1], word[:-2], word[:-3] + "y"):
            if (kind := _kind(singular)) is not None:
                return kind, True
    return None


def _mood(word: str) -> str | None:
    canonical = themes.canonical_word(word)
    if canonical in THEME_MOODS:
        return THEME_MOODS[canonical]
    return MORE_MOODS.get(word)


def read_scene(*, emotion: str, theme: str, prompt: str) -> Scene:
    """The scene a theme ("winter,snowy,sunset,dog") and a prompt ("a black cat on a red car in the snow") describe
    for a painting of `emotion`. A word of another emotion is not drawn: the painting shows `emotion`."""
    reading = _Reading(emotion=emotion.upper())
    for word in _TOKENS.findall(prompt.lower()):
        if "-" in word and themes.canonical_word(word) is None:
            for piece in word.split("-"):
                reading.word(piece)
        else:
            reading.word(word)
    reading.end_of_text()
    # The theme's animals join the prompt's, unless the prompt already draws them (with its colour and place).
    named = {subject.kind for subject in reading.subjects}
    for word in themes.parse_theme(theme).words:
        if _kind(word) not in named:
            reading.word(word)
        reading.end_of_text()
    return reading.scene()
