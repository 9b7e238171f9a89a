"""The embedded engine: a contextual bandit over item content, the visitor's mood and co-likes (recommender.taste,
measured online by benchmarks/online_sim.py and offline by `manage.py evaluate_recommender`).

- Baseline: each image's like-rate among visitors of the same segment (session emotion x gender x age band),
  smoothed towards the image's appeal to everyone times the segment's like-rate of its emotion, so the engine learns
  from everyone which image emotions answer each mood. Every image a garden serves counts as an impression, and a
  like as a like; both are added up per process and written together about every second
  (recommender.engines.counters.CounterBuffer), so a garden itself writes only its ServedPage row. Each served
  image also counts what the visitor's taste foresaw of it (Recommendation.taste_lift), and the baseline reads the
  likes beyond that: personal picks do not make an image look loved by everyone.
- Taste: a Bayesian linear model per visitor over the images' content and their own mood response, solved from their
  latest likes, "not interested"s and served pages at each request: a like or a skipped page changes the very next
  page, without any refit.
- Co-likes: EASE item-item weights over the most liked images (refit by a django-q2 schedule into a ModelSnapshot)
  applied to the visitor's live like history.
- Exploration: one Thompson draw of the taste and of every image's rate per request; uncertain images (new, rarely
  shown, or of content the visitor has not seen) win sometimes, and no share of slots is reserved.
The session emotion is a prior, not a filter, unless the context is strict (mode=emotion, the original clients).

Serving keeps per-process state so that a garden costs the visitor's own history and little else:
- the live catalogue with its content rows, until it changes: a cheap version query sees every approval and
  retirement, run at most every `state_check_seconds` (this process's own approvals and retirements drop it at once,
  and the garden selector serves approved images only, so a retired image never reaches a visitor);
- the newest co-like model snapshot, checked as often;
- each segment's counters, refreshed in the background as often as their reads allow, and at least every
  `counters_cache_seconds` (recommender.engines.counters); a gender or age-band segment is first read in the
  background too, its visitors served as their mood's until then.
"""

import functools
import threading
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from recommender.algorithms import EVERYONE, segment_path
from recommender.content import word_columns
from recommender.engines.base import Context, ReasonCode, Recommendation, RecommenderEngine, Visitor
from recommender.engines.counters import (
    CheckedValue,
    CounterBuffer,
    SegmentCounterCache,
    read_segment_counts,
)
from recommender.engines.similar import similar_items
from recommender.engines.trending import TrendingCache
from recommender.history import RECENT_IMAGES, VisitorEvents, left_out_mask, visitor_events
from recommender.items import EMOTION_INDEX, IMAGES, KINDS, Catalogue, ItemKind, load_catalogue, store_item_content
from recommender.models import Interaction, ModelSnapshot
from recommender.taste import (
    NO_MOOD,
    BaselineConfig,
    Counts,
    History,
    Posterior,
    TasteConfig,
    colike_relevance,
    explored_top_items,
    garden_scores,
    learned_mirror,
    mood_baseline,
    pooled_rate,
    taste_scores,
    thompson_scores,
    top_items,
    visitor_posterior,
)
from recommender.training import PersonalModel, load_personal_model, newest_snapshot_mark, queue_refit_if_likes_grew

EMOTIONS = list(Emotion.values)
MOOD_DEPTH = 1  # a segment path's mood segment: segment_keys(...)[1]


def segment_keys(context: Context) -> list[str]:
    """The visitor's segments, coarsest first: "*", "HAPPY", "HAPPY|Female", "HAPPY|Female|adult"."""
    return segment_path(context.emotion, context.gender, context.age_band)


class LocalRecommender(RecommenderEngine):
    """Recommends one kind of item (recommender.items.KINDS: "image" by default, "track" for the songs)."""

    def __init__(
        self,
        *,
        kind: str = IMAGES.name,
        baseline: dict[str, float] | None = None,
        taste: dict[str, float] | None = None,
        colike_weight: float = 0.3,
        trending_hours: float = 24.0,
        counters_cache_seconds: float = 120.0,
        impression_flush_seconds: float = 1.0,
        state_check_seconds: float = 1.0,
        refit_growth: float = 0.25,
        recent_images: int = RECENT_IMAGES,
        seed: int | None = None,
    ) -> None:
        # The defaults are the ones benchmarks/online_sim.py chose over all its worlds.
        self.baseline = BaselineConfig(**(baseline or {}))
        self.taste = TasteConfig(**(taste or {}))
        self.colike_weight = colike_weight
        self.refit_growth = refit_growth  # recommender.training.queue_refit_if_likes_grew; 0: the schedule alone
        self.recent_images = recent_images  # recommender.history.RECENT_IMAGES; 0: none left out
        self.seed = seed
        self.kind: ItemKind = KINDS[kind]
        self._model: PersonalModel | None = None
        self._model_lock = threading.Lock()
        self._catalogue_lock = threading.Lock()
        self._catalogue_state: Catalogue | None = None
        self._catalogue_version = CheckedValue(state_check_seconds, self.kind.version)
        self._newest_snapshot = CheckedValue(state_check_seconds, newest_snapshot_mark)
        self._counters = SegmentCounterCache(counters_cache_seconds,
                                             reader=functools.partial(read_segment_counts, kind=self.kind))
        self._mirror: tuple[tuple[np.ndarray, ...], float] | None = None  # (the counters it read, factor)
        self._baselines: dict[tuple[tuple[str, ...], int], _Baseline] = {}
        self._pending_counts = CounterBuffer(impression_flush_seconds, kind=self.kind)
        self._trending = TrendingCache(hours=trending_hours, max_age_seconds=counters_cache_seconds, kind=self.kind)

    # --- Reads ----------------------------------------------------------------------------------------------------

    def recommend(
        self, *, face_user_id: uuid.UUID | None, context: Context, n: int, exclude: Collection[int] = ()
    ) -> list[Recommendation]:
        catalogue = self.catalogue()
        pool = self._pool(catalogue, context)
        if not pool.any():
            return []
        rng = np.random.default_rng(self.seed)
        mood = EMOTION_INDEX.get(context.emotion, NO_MOOD)
        keys = segment_keys(context)
        mirror = self._learned_mirror(catalogue)
        path, (rate, weight) = self._mood_baseline(catalogue, keys, mood=mood, mirror=mirror)
        events = visitor_events(face_user_id, kind=self.kind, recent_limit=self.recent_images) if face_user_id else None
        found = taste_mean = colike = None
        model = None
        if events is not None and events.exposures and (found := self._taste(events, catalogue, context, mirror)):
            taste_mean = taste_scores(found.mean, catalogue.content, catalogue.emotions, mood)
        if events is not None and events.liked and (model := self._personal_model()) is not None:
            colike = colike_relevance(_on_candidates(model, events.liked, catalogue.ids))
        means = garden_scores(rate, taste=taste_mean, colike=colike, colike_weight=self.colike_weight)
        theta = found.draw(rng, self.taste.exploration) if found is not None else None
        hidden = self._hidden(catalogue, events)
        candidates = np.flatnonzero(pool & ~hidden)
        seen = left_out_mask(catalogue.ids[candidates], excluded={*exclude, *(events.liked if events else ())},
                           recent=events.recent if events else (), keep=n)
        scale, shortlist, sharpness = self.taste.exploration, self.taste.shortlist, 0.0
        if face_user_id is None and scale > 0 and self.baseline.anonymous_sharpness > 1:  # BaselineConfig: sampled
            shortlist = max(shortlist, int(self.baseline.anonymous_share * candidates.size))
            scale, sharpness = 1.0, self.baseline.anonymous_sharpness

        def draw(positions: np.ndarray) -> np.ndarray:
            items = candidates[positions]
            drawn = thompson_scores(items, rate=rate, weight=weight, theta=theta, content=catalogue.content,
                                    item_emotions=catalogue.emotions, mood=mood, rng=rng, scale=scale)
            return garden_scores(drawn, colike=colike[items] if colike is not None else None,
                                 colike_weight=self.colike_weight)

        picked = candidates[explored_top_items(means[candidates], draw, n, seen, shortlist, sharpness=sharpness,
                                               rng=rng)]
        return [
            Recommendation(image_id=int(catalogue.ids[item]), score=round(float(means[item]), 6),
                           reason=text, reason_code=code,
                           taste_lift=float(taste_mean[item]) if taste_mean is not None else 0.0)
            for item in picked.tolist()
            for code, text in [self._explain(item, catalogue, context, mood, path, taste_mean, colike, model, events)]
        ]

    def trending(self, *, context: Context, n: int, exclude: Collection[int] = ()) -> list[Recommendation]:
        catalogue = self.catalogue()
        pool = self._pool(catalogue, context)
        scores = self._trending.scores(context.emotion, catalogue.ids)
        candidates = np.flatnonzero(pool)
        seen = np.isin(catalogue.ids[candidates], list(exclude))
        picked = candidates[top_items(scores[candidates], n, seen)]
        label = _label(context.emotion) if context.emotion else ""
        return [Recommendation(image_id=int(catalogue.ids[item]), score=round(float(scores[item]), 6),
                               reason=f"trending with {label} visitors" if label else "trending",
                               reason_code=ReasonCode.TRENDING)
                for item in picked.tolist()]

    def similar(self, *, image_id: int, n: int, face_user_id: uuid.UUID | None = None) -> list[Recommendation]:
        catalogue = self.catalogue()
        events = visitor_events(face_user_id, kind=self.kind) if face_user_id else None
        return similar_items(catalogue, image_id=image_id, n=n, model=self._personal_model(),
                             hidden=self._hidden(catalogue, events))

    def hidden_items(self, *, face_user_id: uuid.UUID) -> set[int]:
        catalogue = self.catalogue()
        return set(catalogue.ids[self._hidden(catalogue, visitor_events(face_user_id, kind=self.kind))].tolist())

    def catalogue(self) -> Catalogue:
        """The live catalogue with its content rows, read again when it has changed."""
        version = self._catalogue_version.value()
        with self._catalogue_lock:
            current = self._catalogue_state
        if current is not None and current.version == version:
            return current
        current = load_catalogue(kind=self.kind, version=version)
        with self._catalogue_lock:
            self._catalogue_state = current
        return current

    def _pool(self, catalogue: Catalogue, context: Context) -> np.ndarray:
        """The items the context allows: the theme's, and in a strict context the emotion's (all emotions when it
        has no image, as the original system fell back)."""
        pool = np.ones(catalogue.size, dtype=bool)
        if context.strict_emotion and context.emotion:
            same = catalogue.emotions == EMOTION_INDEX.get(context.emotion, NO_MOOD)
            if same.any():
                pool = same
        if context.theme:
            pool &= catalogue.theme_mask(context.in_theme)
        return pool

    def _path(self, catalogue: Catalogue, keys: list[str]) -> list[Counts]:
        """The counters of a path of segments, coarsest first, as far as this process has read them. Everyone's and
        the mood's are read at once the first time (the mood carries its prior); a finer segment (gender, age band)
        read for the first time is read in the background, and until then the path stops above it: its visitors
        are served as their mood's for a moment rather than wait."""
        path: list[Counts] = []
        for depth, key in enumerate(keys):
            counts = self._counters.get(key) if depth <= MOOD_DEPTH else self._counters.get_if_read(key)
            if counts is not None and len(path) == depth:  # read, and so is every coarser one
                path.append(Counts(*counts.on(catalogue.ids)))
        return path

    def _mood_baseline(self, catalogue: Catalogue, keys: list[str], *, mood: int,
                       mirror: float) -> tuple[list[Counts], tuple[np.ndarray, np.ndarray]]:
        """The segments' counters and recommender.taste.mood_baseline over them (read-only), kept per (segments, mood)
        until one of those counters is read again (or first read), the catalogue changes or the learned mirror
        moves: a personal garden needs one per mood the visitor showed, about 0.5 ms of CPU each at 10,000 images
        (1M likes, profiled).
        """
        path = self._path(catalogue, keys)
        arrays = tuple(array for counts in path for array in (counts.likes, counts.impressions))
        cached = self._baselines.get((tuple(keys), mood))
        if cached is not None and cached.mirror == mirror and _same_arrays(cached.counters, arrays):
            return path, cached.baseline
        baseline = mood_baseline(catalogue.emotions, path, mood=mood, config=self.baseline,
                                 prior_rate=pooled_rate(path[0]), mirror=mirror)
        for array in baseline:
            array.flags.writeable = False
        self._baselines[(tuple(keys), mood)] = _Baseline(counters=arrays, mirror=mirror, baseline=baseline)
        return path, baseline

    def _learned_mirror(self, catalogue: Catalogue) -> float:
        """recommender.taste.learned_mirror over the eight mood segments, kept until one of their counters (or
        everyone's) is read again (compared by identity, as _mood_baseline's)."""
        everyone, *by_mood = [Counts(*self._counters.get(key).on(catalogue.ids)) for key in [EVERYONE, *EMOTIONS]]
        arrays = tuple(array for counts in (everyone, *by_mood) for array in (counts.likes, counts.impressions))
        cached = self._mirror
        if cached is not None and _same_arrays(cached[0], arrays):
            return cached[1]
        factor = learned_mirror(catalogue.emotions, by_mood, config=self.baseline, prior_rate=pooled_rate(everyone))
        self._mirror = (arrays, factor)
        return factor

    def _taste(self, events: VisitorEvents, catalogue: Catalogue, context: Context,
               mirror: float) -> Posterior | None:
        """The visitor's taste (None when nothing they saw is still live)."""
        exposed = np.fromiter(events.exposures, dtype=np.int64)
        positions = np.searchsorted(catalogue.ids, exposed).clip(max=max(catalogue.size - 1, 0))
        live = catalogue.ids[positions] == exposed
        if not live.any():
            return None
        moods = np.array([EMOTION_INDEX.get(events.exposures[item][0], NO_MOOD) for item in exposed[live].tolist()],
                         dtype=np.intp)
        outcomes = np.array([events.exposures[item][1] for item in exposed[live].tolist()])
        baselines = {}
        for exposure_mood in np.unique(moods).tolist():
            emotion = EMOTIONS[exposure_mood] if exposure_mood != NO_MOOD else ""
            keys = segment_path(emotion, context.gender, context.age_band)
            baselines[exposure_mood] = self._mood_baseline(catalogue, keys, mood=exposure_mood, mirror=mirror)[1][0]
        return visitor_posterior(History(positions[live], moods, outcomes), catalogue.content, catalogue.emotions,
                                 baselines, self.taste, sparse_columns=word_columns(catalogue.content))

    def _hidden(self, catalogue: Catalogue, events: VisitorEvents | None) -> np.ndarray:
        if events is None or not events.not_interested:
            return np.zeros(catalogue.size, dtype=bool)
        return catalogue.hidden_by(events.not_interested, kind=self.kind)

    def _explain(self, item: int, catalogue: Catalogue, context: Context, mood: int, path: list[Counts],
                 taste: np.ndarray | None, colike: np.ndarray | None, model: PersonalModel | None,
                 events: VisitorEvents | None) -> tuple[ReasonCode, str]:
        """Why the item was picked, from the part of its score that stands out."""
        taste_part = float(taste[item]) if taste is not None else 0.0
        colike_part = self.colike_weight * float(colike[item]) if colike is not None else 0.0
        if colike_part > max(taste_part, 0.05) and model is not None and events is not None:
            liked = model.strongest_link(events.liked, int(catalogue.ids[item]))
            return ReasonCode.BECAUSE_YOU_LIKED, f"because you liked image {liked}"
        if taste_part > 0.03:
            return ReasonCode.MATCHES_TASTE, f"like the {self.kind.plural} you liked"
        if path[0].impressions[item] == 0:
            return ReasonCode.NEW, "new"
        item_emotion = EMOTIONS[int(catalogue.emotions[item])]
        if mood != NO_MOOD and item_emotion != context.emotion and len(path) > MOOD_DEPTH and path[1].likes[item] > 0:
            return (ReasonCode.FOR_YOUR_MOOD,
                    f"{_label(item_emotion)} {self.kind.plural} please {_label(context.emotion)} visitors")
        liked_in = [depth for depth, counts in enumerate(path) if counts.likes[item] > 0]
        # Without an emotion the finer segments are gender and age alone, which the visitor's words cannot name.
        if liked_in and max(liked_in) > 0 and context.emotion:
            return ReasonCode.POPULAR_WITH_MOOD, f"popular with {_label(context.emotion)} visitors"
        if liked_in:
            return ReasonCode.POPULAR_WITH_EVERYONE, "popular with everyone"
        if context.emotion and item_emotion == context.emotion:
            return ReasonCode.MATCHES_MOOD, f"expresses {_label(context.emotion)}"
        return ReasonCode.IN_GALLERY, "in the gallery"

    def _personal_model(self) -> PersonalModel | None:
        """The newest snapshot, loaded once per process and reloaded when a refit has stored a newer one. The co-like
        model is fitted on the images' likes (recommender.training): other kinds go without co-likes."""
        if self.kind is not IMAGES:
            return None
        newest = self._newest_snapshot.value()
        if newest is None:
            return None
        with self._model_lock:
            if self._model is None or self._model.snapshot_id != newest.id:
                self._model = load_personal_model(ModelSnapshot.objects.get(pk=newest.id))
            return self._model

    # --- Writes ---------------------------------------------------------------------------------------------------

    def record_interaction(self, interaction: Interaction) -> None:
        """Counts the event in the visitor's segments with the impressions of its page (recommender.engines.counters.
        CounterBuffer), or an unlike's taking back."""
        context = Context(emotion=interaction.emotion, gender=interaction.gender, age_band=interaction.age_band)
        keys = segment_keys(context)
        item_id = getattr(interaction, f"{self.kind.field}_id")
        if interaction.event == Interaction.Event.UNLIKE:
            self._pending_counts.take_back(keys, item_id)
            return
        liked = int(interaction.event == Interaction.Event.LIKE)
        if liked and self.kind is IMAGES:
            queue_refit_if_likes_grew(event_id=interaction.pk, growth=self.refit_growth,
                                      newest=self._newest_snapshot.value())
        if interaction.recommendation_id:
            # The garden that served the image counted its impressions already (record_served_page).
            self._pending_counts.add([(key, item_id, 0, liked, 0.0) for key in keys])
            return
        impressed = {*interaction.impression_ids, item_id}
        self._pending_counts.add([(key, image_id, 1, int(liked and image_id == item_id), 0.0)
                                  for key in keys for image_id in sorted(impressed)])

    def record_served(self, *, context: Context, image_ids: list[int], taste_lifts: Sequence[float] = ()) -> None:
        """Every image a garden serves counts as an impression in the visitor's segments, with the like-probability
        the visitor's taste added to it (recommend's taste_lift), written within impression_flush_seconds
        (recommender.engines.counters.CounterBuffer)."""
        lifts = list(taste_lifts) or [0.0] * len(image_ids)
        self._pending_counts.add([(key, image_id, 1, 0, lift) for key in segment_keys(context)
                                  for image_id, lift in zip(image_ids, lifts, strict=True)])

    def publish_item(self, image: Image) -> None:
        """Compute and store what the image (or track) shows; this process reads the catalogue again once the
        approval commits."""
        store_item_content(image, kind=self.kind)
        transaction.on_commit(self._catalogue_version.expire)

    def retire_item(self, image: Image) -> None:
        """Only approved images are candidates: this process reads them again once the retirement commits."""
        transaction.on_commit(self._catalogue_version.expire)

    def upsert_user(self, visitor: Visitor) -> None:
        """Nothing to do: every event carries the visitor's segment."""

    def forget_user(self, face_user_id: uuid.UUID) -> None:
        """Nothing to do: deleting the face user anonymises their interactions (the foreign key is SET_NULL) and
        deletes their served pages."""


@dataclass(frozen=True)
class _Baseline:
    counters: tuple[np.ndarray, ...]  # the likes and impressions it was computed from, held so ids stay unique
    mirror: float
    baseline: tuple[np.ndarray, np.ndarray]  # (rate, weight)


def _same_arrays(mine: tuple[np.ndarray, ...], theirs: tuple[np.ndarray, ...]) -> bool:
    """By identity: a segment's aligned counters are the same arrays until it is read again (SegmentCounts.on)."""
    return len(mine) == len(theirs) and all(a is b for a, b in zip(mine, theirs, strict=True))


def _on_candidates(model: PersonalModel, history: list[int], image_ids: np.ndarray) -> np.ndarray:
    """The model's scores for the history, laid out over the candidates (0 for images the model does not know)."""
    scores = model.scores(history)
    positions = np.searchsorted(model.image_ids, image_ids).clip(max=max(model.image_ids.size - 1, 0))
    known = model.image_ids[positions] == image_ids
    return np.where(known, scores[positions], 0.0)


def _label(emotion: str) -> str:
    return str(Emotion(emotion).label).lower()
