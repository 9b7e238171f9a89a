"""The engines benchmarks/online_sim.py compares, as page policies over a sim_world.World.

- EmotionRandom: random images of the visitor's emotion (what the original 2023 system served);
- EmotionPopularity: images of the visitor's emotion by Thompson sampling on their like-rate among visitors in
  that emotion (emotion-only popularity, learned online from everyone);
- Oracle: the images the visitor is most likely to like, from their hidden taste;
- TasteBandit: the product's algorithm (recommender.taste, recommender.content) in pure numpy, with the same
  counters and histories the database gives the engine, so algorithm changes can be tried in seconds.
"""

import numpy as np

from benchmarks.sim_world import EMOTIONS, World
from emotion_garden.vocabulary import AgeBand
from recommender.algorithms import EVERYONE, segment_path
from recommender.content import content_matrix, word_columns
from recommender.taste import (
    BaselineConfig,
    Counts,
    History,
    Posterior,
    TasteConfig,
    draw_baseline,
    explored_top_items,
    learned_mirror,
    mood_baseline,
    pooled_rate,
    taste_scores,
    top_items,
    visitor_posterior,
)


class _Policy:
    def __init__(self, world: World, seed: int) -> None:
        self.world = world
        self.rng = np.random.default_rng(seed)
        self.liked = [set() for _ in range(world.n_visitors)]

    def excluded(self, visitor: int, shown: list[int]) -> np.ndarray:
        mask = np.zeros(self.world.catalogue.size, dtype=bool)
        mask[list(self.liked[visitor])] = True
        mask[shown] = True
        return mask

    def feedback(self, visitor: int, mood: int, items: list[int], liked: np.ndarray) -> None:
        self.liked[visitor].update(np.array(items)[liked].tolist())


class EmotionRandom(_Policy):
    def page(self, visitor: int, mood: int, visit: int, shown: list[int], n: int) -> list[int]:
        scores = self.rng.random(self.world.catalogue.size) - 2 * (self.world.catalogue.emotions != mood)
        return top_items(scores, n, self.excluded(visitor, shown)).tolist()


class EmotionPopularity(_Policy):
    def __init__(self, world: World, seed: int) -> None:
        super().__init__(world, seed)
        self.likes = np.zeros((8, world.catalogue.size))
        self.impressions = np.zeros((8, world.catalogue.size))

    def page(self, visitor: int, mood: int, visit: int, shown: list[int], n: int) -> list[int]:
        draws = self.rng.beta(self.likes[mood] + 1, self.impressions[mood] - self.likes[mood] + 1)
        scores = draws - 2 * (self.world.catalogue.emotions != mood)
        return top_items(scores, n, self.excluded(visitor, shown)).tolist()

    def feedback(self, visitor: int, mood: int, items: list[int], liked: np.ndarray) -> None:
        super().feedback(visitor, mood, items, liked)
        np.add.at(self.impressions[mood], items, 1)
        np.add.at(self.likes[mood], items, liked.astype(float))


class Oracle(_Policy):
    def page(self, visitor: int, mood: int, visit: int, shown: list[int], n: int) -> list[int]:
        scores = self.world.like_probability(visitor, mood, np.arange(self.world.catalogue.size))
        return top_items(scores, n, self.excluded(visitor, shown)).tolist()


class TasteBandit(_Policy):
    """The product's ranking, with the counters and histories the engine keeps: every image served counts an
    impression in each of the visitor's segments (the engine's path: everyone, the mood, mood x gender, mood x gender x
    age band), with the like-probability the visitor's taste added to it (taken from the likes, as
    recommender.engines.counters.read_segment_counts does), every like a like."""

    def __init__(self, world: World, seed: int, *, baseline: BaselineConfig | None = None,
                 taste: TasteConfig | None = None, personal: bool = True, counter_lag_pages: int = 0) -> None:
        super().__init__(world, seed)
        catalogue = world.catalogue
        self.content = content_matrix(catalogue.emotions, catalogue.themes, catalogue.prompts,
                                      catalogue.observed_visuals(np.random.default_rng(seed + 1)))
        self.baseline = baseline or BaselineConfig()
        self.taste = taste or TasteConfig()
        self.personal = personal
        self.counts: dict[str, Counts] = {}
        self.age_bands = [AgeBand.for_age_range(int(age), int(age) + 4).value for age in world.age]
        # The engine reads its counters every few seconds, not at every page (recommender.engines.counters): with
        # counter_lag_pages, the baseline reads a copy of them taken every that many pages.
        self.counter_lag_pages = counter_lag_pages
        self.pages_served = 0
        self.read_counts = self.counts
        self.history: list[dict[int, tuple[int, float]]] = [{} for _ in range(world.n_visitors)]
        self.taste_lifts: dict[int, float] = {}  # of the last page served

    def segments(self, visitor: int, mood: int) -> list[str]:
        """The visitor's segments in this mood, coarsest first (recommender.engines.local.segment_keys)."""
        return segment_path(EMOTIONS[mood], str(self.world.gender[visitor]), self.age_bands[visitor])

    def _counts(self, key: str) -> Counts:
        found = self.read_counts.get(key)
        return found if found is not None else Counts(np.zeros(self.world.catalogue.size),
                                                      np.zeros(self.world.catalogue.size))

    def _baseline(self, visitor: int, mood: int) -> tuple[np.ndarray, np.ndarray]:
        everyone = self._counts(EVERYONE)
        emotions = self.world.catalogue.emotions
        prior_rate = pooled_rate(everyone)
        mirror = learned_mirror(emotions, [self._counts(emotion) for emotion in EMOTIONS], config=self.baseline,
                                prior_rate=prior_rate)
        return mood_baseline(emotions, [self._counts(key) for key in self.segments(visitor, mood)], mood=mood,
                             config=self.baseline, prior_rate=prior_rate, mirror=mirror)

    def page(self, visitor: int, mood: int, visit: int, shown: list[int], n: int) -> list[int]:
        if self.counter_lag_pages and self.pages_served % self.counter_lag_pages == 0:
            self.read_counts = {key: Counts(counts.likes.copy(), counts.impressions.copy())
                                for key, counts in self.counts.items()}
        self.pages_served += 1
        rate, weight = self._baseline(visitor, mood)
        theta, lift = None, np.zeros(rate.size)
        seen = self.history[visitor]
        if self.personal and seen:
            history = self._history(seen)
            baselines = {int(m): (rate if m == mood else self._baseline(visitor, int(m))[0])
                         for m in np.unique(history.moods)}
            found = self.posterior(visitor, history, baselines)
            if found is not None:
                lift = self.taste_scores(visitor, found.mean, mood, np.arange(rate.size))
                theta = found.draw(self.rng, self.taste.exploration)

        def draw(items: np.ndarray) -> np.ndarray:
            drawn = draw_baseline(rate[items], weight[items], self.rng, self.taste.exploration)
            return drawn if theta is None else drawn + self.taste_scores(visitor, theta, mood, items)

        picked = explored_top_items(rate + lift, draw, n, self.excluded(visitor, shown), self.taste.shortlist)
        self.taste_lifts = dict(zip(picked.tolist(), lift[picked].tolist(), strict=True))
        return picked.tolist()

    def posterior(self, visitor: int, history: History, baselines: dict[int, np.ndarray]) -> Posterior | None:
        """The visitor's taste from their exposures, as the engine solves it (recommender.taste)."""
        return visitor_posterior(history, self.content, self.world.catalogue.emotions, baselines, self.taste,
                                 sparse_columns=word_columns(self.content))

    def taste_scores(self, visitor: int, theta: np.ndarray, mood: int, items: np.ndarray) -> np.ndarray:
        """theta's scores of these items for the visitor in `mood` (the engine's thompson_scores adds them to the
        baseline's draws as draw() does)."""
        emotions = self.world.catalogue.emotions
        return taste_scores(theta, self.content[items], emotions[items], mood)

    @staticmethod
    def _history(seen: dict[int, tuple[int, float]]) -> History:
        return History(np.fromiter(seen.keys(), dtype=np.intp),
                       np.array([mood for mood, _ in seen.values()], dtype=np.intp),
                       np.array([outcome for _, outcome in seen.values()]))

    def feedback(self, visitor: int, mood: int, items: list[int], liked: np.ndarray) -> None:
        super().feedback(visitor, mood, items, liked)
        for item, was_liked in zip(items, liked.tolist(), strict=True):
            previous = self.history[visitor].pop(item, (mood, 0.0))
            self.history[visitor][item] = (mood, 1.0 if was_liked or previous[1] > 0 else 0.0)
        lifts = [self.taste_lifts.get(item, 0.0) for item in items]
        size = self.world.catalogue.size
        for key in self.segments(visitor, mood):
            counts = self.counts.setdefault(key, Counts(np.zeros(size), np.zeros(size)))
            np.add.at(counts.impressions, items, 1)
            np.add.at(counts.likes, np.array(items)[liked], 1)
            np.add.at(counts.likes, items, -np.array(lifts))
