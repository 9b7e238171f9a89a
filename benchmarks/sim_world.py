"""Simulated worlds of returning visitors with hidden tastes, for benchmarks/online_sim.py.

A world holds a catalogue (each image: an emotion, a theme of season, weather and time words, a prompt naming two
subjects, hidden visual traits and a hidden quality) and visitors whose likes follow a hidden taste:
- content: theme words and subjects they love or dislike, and a preference over the visual traits (warmth,
  brightness, saturation) that the product can only see through the pixels (or, offline, noisy statistics of them);
- mood response: what they like when they show an emotion: "mirror" (their own emotion), "lift" (calm or happy
  images when sad, angry, afraid, disgusted or confused), "calm" (calm images whatever the mood), "none";
- item quality, the same for everyone.
Each visit has a mood (mostly the visitor's usual one) and a few pages of images; the visitor likes each image with
its hidden probability. Presets weigh these parts differently, so an engine tuned to one world shows it in another.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

EMOTIONS = ["HAPPY", "SAD", "ANGRY", "CONFUSED", "DISGUSTED", "SURPRISED", "CALM", "FEAR"]
HAPPY, SAD, ANGRY, CONFUSED, DISGUSTED, SURPRISED, CALM, FEAR = range(8)
NEGATIVE = {SAD, ANGRY, CONFUSED, DISGUSTED, FEAR}
SEASONS = ["spring", "summer", "autumn", "winter"]
WEATHERS = ["sunny", "cloudy", "rainy", "snowy"]
TIMES = ["day", "sunset", "dawn", "night"]
THEME_WORDS = SEASONS + WEATHERS + TIMES
SUBJECTS = ["lake", "forest", "mountain", "sea", "meadow", "river", "bird", "tree", "moon", "island", "waterfall",
            "field", "tulips", "roses", "lotus", "cactus"]
MOOD_TYPES = ["mirror", "lift", "calm", "none"]
# How often visitors show each emotion when it is not their usual one.
MOOD_WEIGHTS = np.array([3, 2, 1, 1, 0.5, 1, 3, 1]) / 12.5
BASE_LIKE_RATE = 0.12
UTILITY_PARTS = ("content", "mood", "quality")


@dataclass(frozen=True)
class WorldConfig:
    content: float  # weight of theme words, subjects and visual traits in a visitor's utility
    mood: float  # weight of the mood response
    quality: float  # weight of the item's own quality
    mood_mix: tuple[float, float, float, float] = (0.35, 0.35, 0.15, 0.15)  # shares of MOOD_TYPES
    usual_mood: float = 0.6  # chance a visit shows the visitor's usual emotion


PRESETS = {
    "mixed": WorldConfig(content=1.0, mood=1.0, quality=0.5),
    "content": WorldConfig(content=1.6, mood=0.4, quality=0.4),
    "mood": WorldConfig(content=0.5, mood=1.6, quality=0.4, mood_mix=(0.3, 0.5, 0.2, 0.0)),
    "popular": WorldConfig(content=0.6, mood=0.6, quality=1.3),
    "taste": WorldConfig(content=2.5, mood=0.8, quality=0.3),
}


@dataclass
class Catalogue:
    emotions: np.ndarray  # index into EMOTIONS
    themes: list[str]
    prompts: list[str]
    traits: np.ndarray  # hidden visual traits, n x 3 in [-1, 1]: warmth, brightness, saturation
    quality: np.ndarray
    theme_hot: np.ndarray = field(repr=False)  # n x len(THEME_WORDS)
    subject_hot: np.ndarray = field(repr=False)  # n x len(SUBJECTS)

    @property
    def size(self) -> int:
        return self.emotions.size

    def observed_visuals(self, rng: np.random.Generator, dims: int = 16) -> np.ndarray:
        """What an offline engine sees of the pixels: noisy linear statistics of the emotion's palette and the
        traits (the online simulation measures real pixels instead)."""
        palette = rng.normal(0, 1, (len(EMOTIONS), dims))[self.emotions]
        mixing = rng.normal(0, 1, (self.traits.shape[1], dims))
        return (palette + self.traits @ mixing + rng.normal(0, 0.7, (self.size, dims))).astype(np.float32)


def make_catalogue(n: int, rng: np.random.Generator) -> Catalogue:
    emotions = rng.integers(0, len(EMOTIONS), n)
    theme_hot = np.zeros((n, len(THEME_WORDS)))
    subject_hot = np.zeros((n, len(SUBJECTS)))
    themes, prompts = [], []
    for item in range(n):
        picked = [int(rng.integers(4)), 4 + int(rng.integers(4)), 8 + int(rng.integers(4))]
        theme_hot[item, picked] = 1
        themes.append(",".join(THEME_WORDS[word] for word in picked))
        subjects = rng.choice(len(SUBJECTS), 2, replace=False)
        subject_hot[item, subjects] = 1
        prompts.append(f"best quality, very {EMOTIONS[emotions[item]].lower()} nature, "
                       f"{SUBJECTS[subjects[0]]} and {SUBJECTS[subjects[1]]}, botanical garden, cinematic lighting")
    return Catalogue(emotions=emotions, themes=themes, prompts=prompts, traits=rng.uniform(-1, 1, (n, 3)),
                     quality=rng.normal(0, 1, n), theme_hot=theme_hot, subject_hot=subject_hot)


def _sparse_taste(rng: np.random.Generator, n: int, loved: int, disliked: int) -> np.ndarray:
    taste = np.zeros(n)
    picked = rng.choice(n, loved + disliked, replace=False)
    taste[picked[:loved]] = 1.0
    taste[picked[loved:]] = -1.0
    return taste


def mood_response(kind: str, mood: int) -> np.ndarray:
    """How much a visitor of this kind likes each image emotion while showing `mood` (a row of 8)."""
    response = np.zeros(len(EMOTIONS))
    if kind == "mirror" or (kind == "lift" and mood not in NEGATIVE):
        response[mood] = 1.0
    elif kind == "lift":
        response[[HAPPY, CALM]] = 1.0
        response[mood] = -0.7
    elif kind == "calm":
        response[CALM] = 1.0
        response[mood] += 0.3
    return response


class World:
    def __init__(self, config: WorldConfig, *, items: int, visitors: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.config = config
        self.catalogue = make_catalogue(items, rng)
        self.n_visitors = visitors
        self.theme_taste = np.stack([_sparse_taste(rng, len(THEME_WORDS), 2, 1) for _ in range(visitors)])
        self.subject_taste = np.stack([_sparse_taste(rng, len(SUBJECTS), 2, 1) for _ in range(visitors)])
        visual = rng.normal(0, 1, (visitors, 3))
        self.visual_taste = visual / np.linalg.norm(visual, axis=1, keepdims=True)
        self.mood_kind = rng.choice(len(MOOD_TYPES), visitors, p=config.mood_mix)
        self.usual_mood = rng.choice(len(EMOTIONS), visitors, p=MOOD_WEIGHTS)
        self.gender = rng.choice(["Male", "Female"], visitors)
        self.age = rng.integers(16, 75, visitors)
        self.bias = rng.normal(0, 0.3, visitors)
        self._mood_seed = seed + 1
        # The same intercept for every visitor: the like-rate of a random image is about BASE_LIKE_RATE.
        sample = rng.integers(0, visitors, 200)
        moods = np.array([self.mood(int(visitor), 0) for visitor in sample])
        utilities = np.concatenate([self._utility(int(v), int(m), np.arange(items))
                                    for v, m in zip(sample, moods, strict=True)])
        self.intercept = _solve_intercept(utilities, BASE_LIKE_RATE)

    def mood(self, visitor: int, visit: int) -> int:
        """The emotion the visitor shows on a visit: the same for every engine compared."""
        rng = np.random.default_rng([self._mood_seed, visitor, visit])
        if rng.random() < self.config.usual_mood:
            return int(self.usual_mood[visitor])
        return int(rng.choice(len(EMOTIONS), p=MOOD_WEIGHTS))

    def utility_parts(self, visitor: int, mood: int, items: np.ndarray) -> np.ndarray:
        """The parts of the visitor's utility of each item, weighted as the world weighs them: one row per item,
        columns UTILITY_PARTS (content, mood response, quality); the visitor's bias, the same for every item, apart."""
        catalogue, config = self.catalogue, self.config
        response = mood_response(MOOD_TYPES[self.mood_kind[visitor]], mood)[catalogue.emotions[items]]
        return np.stack([config.content * self.content_utility(visitor, items), config.mood * response,
                         config.quality * catalogue.quality[items]], axis=1)

    def content_utility(self, visitor: int, items: np.ndarray) -> np.ndarray:
        """How much the visitor likes what each item shows (theme words, subjects, visual traits), before the world's
        content weight."""
        catalogue = self.catalogue
        return (catalogue.theme_hot[items] @ self.theme_taste[visitor]
                + catalogue.subject_hot[items] @ self.subject_taste[visitor]
                + catalogue.traits[items] @ self.visual_taste[visitor]) / np.sqrt(3)

    def _utility(self, visitor: int, mood: int, items: np.ndarray) -> np.ndarray:
        parts = self.utility_parts(visitor, mood, items)
        return parts[:, 0] + parts[:, 1] + parts[:, 2] + self.bias[visitor]

    def like_probability(self, visitor: int, mood: int, items: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.intercept + self._utility(visitor, mood, np.asarray(items)))))


def _solve_intercept(utilities: np.ndarray, rate: float) -> float:
    low, high = -20.0, 20.0
    for _ in range(60):
        middle = (low + high) / 2
        if (1 / (1 + np.exp(-(middle + utilities)))).mean() < rate:
            low = middle
        else:
            high = middle
    return (low + high) / 2


# The label prefix of online_sim.py's expected like-rate rows, which sim_compare.py --expected reads back.
EXPECTED_LABEL = "expected: "

# A policy answers a page: (visitor, mood, visit, items shown earlier in this visit, n) -> item indices; and
# learns from what happened: (visitor, mood, items, liked mask).
PagePolicy = Callable[[int, int, int, list[int], int], list[int]]
Feedback = Callable[[int, int, list[int], np.ndarray], None]


@dataclass
class Outcome:
    likes: np.ndarray  # per tenth of the run
    impressions: np.ndarray
    # The hidden like-probabilities of what was shown (0 for an image liked before), summed: what the likes are a
    # draw of. Free of the draws' own noise (about +-8% of a tenth's like-rate with 60 visitors), it compares two
    # engines on fewer runs; the engines still learned from the drawn likes.
    expected: np.ndarray

    @property
    def rates(self) -> np.ndarray:
        return self.likes / np.maximum(self.impressions, 1)

    @property
    def expected_rates(self) -> np.ndarray:
        return self.expected / np.maximum(self.impressions, 1)


def run(world: World, page: PagePolicy, feedback: Feedback, *, visits: int, pages: int, page_size: int,
        seed: int, progress: Callable[[int], None] | None = None) -> Outcome:
    """Every visitor visits `visits` times, in rounds; each visit is `pages` pages. Like-rates by tenth of the run,
    drawn and expected.
    An image a visitor liked before cannot be liked again (it counts as an impression without a like)."""
    rng = np.random.default_rng(seed)
    order_rng = np.random.default_rng(seed + 7)
    total = visits * world.n_visitors * pages
    likes, impressions, expected = np.zeros(10), np.zeros(10), np.zeros(10)
    liked_before = [set() for _ in range(world.n_visitors)]
    step = 0
    for visit in range(visits):
        for visitor in order_rng.permutation(world.n_visitors).tolist():
            mood = world.mood(visitor, visit)
            shown: list[int] = []
            for _ in range(pages):
                items = page(visitor, mood, visit, shown, page_size)
                probability = world.like_probability(visitor, mood, np.array(items, dtype=np.intp))
                draws = rng.random(len(items))
                new = np.array([item not in liked_before[visitor] for item in items], dtype=bool)
                liked = (draws < probability) & new
                liked_before[visitor].update(np.array(items)[liked].tolist())
                feedback(visitor, mood, items, liked)
                tenth = min(step * 10 // total, 9)
                likes[tenth] += liked.sum()
                expected[tenth] += probability[new].sum()
                impressions[tenth] += len(items)
                shown.extend(items)
                step += 1
        if progress:
            progress(visit)
    return Outcome(likes=likes, impressions=impressions, expected=expected)
