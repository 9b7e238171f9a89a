"""The embedded engine (research/recommender.md section 5, measured by `manage.py evaluate_recommender`).

- Cold start by context: like-rates per visitor segment (emotion x gender x age band), each smoothed towards the next
  coarser segment down to everyone. Counters update in one atomic upsert per event.
- Personal: EASE item-item weights (refit by a django-q2 schedule into a ModelSnapshot) applied to the person's live
  like history, so a Like changes their very next garden; blended with the segment rate and the session emotion.
- Exploration: a share of the slots (a third by default) goes to young or rarely shown images, picked by Thompson
  sampling on their likes and impressions, so new images get a fair chance.
Candidates are the approved images of the session emotion (all approved images when it has none yet).

Serving keeps per-process state so that a garden costs the visitor's own history and little else:
- the candidates, until the catalogue changes: a cheap version query sees every approval and retirement, run at most
  every `state_check_seconds` (this process's own approvals and retirements drop them at once, and the garden
  selector serves approved images only, so a retired image never reaches a visitor);
- the newest personal model snapshot, checked as often;
- each segment's counters, refreshed in the background every `counters_cache_seconds` (recommender.engines.counters):
  every worker's likes reach anonymous gardens within about that time, and a busy site reads a segment's counters
  once per interval, not per request. Personal picks read the person's live history, so a person's own Like counts
  in their very next garden.
"""

import math
import threading
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from recommender.algorithms import (
    EVERYONE,
    BlendWeights,
    Reason,
    SegmentPopularity,
    blend,
    exploration_candidates,
    segment_path,
)
from recommender.engines.base import Context, ReasonCode, Recommendation, RecommenderEngine, Visitor
from recommender.engines.counters import SegmentCounterCache
from recommender.models import Interaction, ModelSnapshot, SegmentStat
from recommender.training import PersonalModel, like_history, load_personal_model


def segment_keys(context: Context) -> list[str]:
    """The visitor's segments, coarsest first: "*", "HAPPY", "HAPPY|Female", "HAPPY|Female|adult"."""
    return segment_path(context.emotion, context.gender, context.age_band)


class LocalRecommender(RecommenderEngine):
    def __init__(
        self,
        *,
        prior_strength: float = 10.0,
        segment_weight: float = 0.03,
        emotion_weight: float = 1.0,
        exploration_share: float = 1 / 3,
        exploration_age_days: float = 30.0,
        exploration_min_impressions: int = 20,
        counters_cache_seconds: float = 30.0,
        state_check_seconds: float = 1.0,
        seed: int | None = None,
    ) -> None:
        # The defaults are the ones evaluate_recommender chose on MovieLens-100k, and Personalize's exploration
        # defaults (explorationWeight 0.3, explorationItemAgeCutOff 30 days).
        self.prior_strength = prior_strength
        self.weights = BlendWeights(segment=segment_weight, emotion=emotion_weight,
                                    exploration_share=exploration_share)
        self.exploration_age_days = exploration_age_days
        self.exploration_min_impressions = exploration_min_impressions
        self.seed = seed
        self._model: PersonalModel | None = None
        self._model_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._catalogue = _Checked(state_check_seconds, _catalogue_version)
        self._newest_snapshot = _Checked(state_check_seconds, _newest_snapshot_id)
        self._candidates_cache: dict[str, _Candidates] = {}
        self._counters = SegmentCounterCache(counters_cache_seconds)

    def recommend(
        self, *, face_user_id: uuid.UUID | None, context: Context, n: int, exclude: Collection[int] = ()
    ) -> list[Recommendation]:
        candidates = self._themed_candidates(context)
        if candidates.image_ids.size == 0:
            return []
        image_ids, emotions = candidates.image_ids, candidates.emotions
        keys = segment_keys(context)
        popularity = SegmentPopularity(image_ids.size, prior_strength=self.prior_strength).load(
            {key: self._counters.get(key).on(image_ids) for key in keys}
        )
        segment_rate = popularity.scores(keys)
        likes, impressions = popularity.counts(EVERYONE)
        age_days = (timezone.now().timestamp() - candidates.approved_at) / 86_400
        history = like_history(face_user_id) if face_user_id else []
        model = self._personal_model() if history else None
        personal = _on_candidates(model, history, image_ids) if model else None
        excluded = np.isin(image_ids, list({*exclude, *history}))
        ranking = blend(
            n=n, personal=personal, segment_rate=segment_rate, item_emotions=emotions,
            session_emotion=context.emotion,
            explore=exploration_candidates(age_days, impressions, max_age_days=self.exploration_age_days,
                                           min_impressions=self.exploration_min_impressions),
            likes=likes, impressions=impressions, excluded=excluded,
            rng=np.random.default_rng(self.seed), weights=self.weights,
        )
        # Finest segment first: the one that explains a popular pick best.
        likes_by_segment = [(key, popularity.counts(key)[0]) for key in reversed(keys)]
        return [
            Recommendation(image_id=int(image_ids[item]), score=round(float(segment_rate[item]), 6),
                           reason=text, reason_code=code)
            for item, reason in zip(ranking.items.tolist(), ranking.reasons, strict=True)
            for code, text in [self._explain(reason, int(image_ids[item]), age_days[item], impressions[item],
                                             [key for key, liked in likes_by_segment if liked[item] > 0],
                                             context, model, history)]
        ]

    def record_interaction(self, interaction: Interaction) -> None:
        context = Context(emotion=interaction.emotion, gender=interaction.gender, age_band=interaction.age_band)
        keys = segment_keys(context)
        if interaction.event == Interaction.Event.UNLIKE:
            # Takes the like back but not the impression: the image was still shown.
            SegmentStat.objects.filter(segment__in=keys, image_id=interaction.image_id, likes__gt=0).update(
                likes=F("likes") - 1
            )
            return
        liked = interaction.event == Interaction.Event.LIKE
        impressed = {*interaction.impression_ids, interaction.image_id}
        _increment([
            (key, image_id, 1, int(liked and image_id == interaction.image_id))
            for key in keys
            for image_id in sorted(impressed)
        ])

    def publish_item(self, image: Image) -> None:
        """Approved images are read from the catalogue: this process reads it again once the approval commits."""
        transaction.on_commit(self._catalogue.expire)

    def retire_item(self, image: Image) -> None:
        """Only approved images are candidates: this process reads them again once the retirement commits."""
        transaction.on_commit(self._catalogue.expire)

    def upsert_user(self, visitor: Visitor) -> None:
        """Nothing to do: every event carries the visitor's segment."""

    def forget_user(self, face_user_id: uuid.UUID) -> None:
        """Nothing to do: deleting the face user anonymises their interactions (the foreign key is SET_NULL)."""

    def _themed_candidates(self, context: Context) -> "_Candidates":
        """The candidates of the context's emotion in its theme; of every emotion when the emotion has none in it."""
        candidates = self._candidates(context.emotion)
        if not context.theme:
            return candidates
        themed = candidates.where(context.in_theme)
        if themed.image_ids.size == 0 and context.emotion:
            themed = self._candidates("").where(context.in_theme)
        return themed

    def _candidates(self, emotion: str) -> "_Candidates":
        """The approved images of the emotion, else all approved images, by id; cached until the catalogue changes."""
        version = self._catalogue.value()
        with self._cache_lock:
            cached = self._candidates_cache.get(emotion)
        if cached is not None and cached.version == version:
            return cached
        approved = Image.objects.filter(status=Image.Status.APPROVED).order_by("id")
        fields = ("id", "emotion", "approved_at", "theme")
        rows = list(approved.filter(emotion=emotion).values_list(*fields)) or list(approved.values_list(*fields))
        now = timezone.now()
        candidates = _Candidates(
            version=version,
            image_ids=np.array([image_id for image_id, _, _, _ in rows], dtype=np.int64),
            emotions=np.array([image_emotion for _, image_emotion, _, _ in rows], dtype=str),
            approved_at=np.array([(moment or now).timestamp() for _, _, moment, _ in rows], dtype=float),
            **_theme_index([theme for _, _, _, theme in rows]),
        )
        with self._cache_lock:
            self._candidates_cache[emotion] = candidates
        return candidates

    def _personal_model(self) -> PersonalModel | None:
        """The newest snapshot, loaded once per process and reloaded when a refit has stored a newer one."""
        newest = self._newest_snapshot.value()
        if newest is None:
            return None
        with self._model_lock:
            if self._model is None or self._model.snapshot_id != newest:
                self._model = load_personal_model(ModelSnapshot.objects.get(pk=newest))
            return self._model

    def _explain(self, reason: Reason, image_id: int, age_days: float, impressions: float,
                 liked_in: list[str], context: Context, model: PersonalModel | None,
                 history: list[int]) -> tuple[ReasonCode, str]:
        """Why the image was picked; `liked_in` are the visitor's segments where it has likes, finest first."""
        if reason == Reason.EXPLORE:
            if age_days < self.exploration_age_days:
                return ReasonCode.NEW, "new"
            return ReasonCode.RARELY_SHOWN, "rarely shown yet"
        if reason == Reason.PERSONAL and model is not None:
            liked = model.strongest_link(history, image_id)
            return ReasonCode.BECAUSE_YOU_LIKED, f"because you liked image {liked}"
        if liked_in[:1] == [EVERYONE]:
            return ReasonCode.POPULAR_WITH_EVERYONE, "popular with everyone"
        if liked_in:
            return ReasonCode.POPULAR_WITH_MOOD, f"popular with {_label(context.emotion)} visitors"
        if impressions == 0:
            return ReasonCode.NEW, "new"
        if context.emotion:
            return ReasonCode.MATCHES_MOOD, f"expresses {_label(context.emotion)}"
        return ReasonCode.IN_GALLERY, "in the gallery"


@dataclass(frozen=True)
class _Candidates:
    version: tuple[object, ...]
    image_ids: np.ndarray  # sorted
    emotions: np.ndarray
    approved_at: np.ndarray  # epoch seconds
    # Each candidate's theme as a position in `themes`, the distinct themes (a catalogue has few).
    themes: tuple[str, ...]
    theme_of: np.ndarray

    def where(self, in_theme: Callable[[str], bool]) -> "_Candidates":
        """The candidates whose theme passes `in_theme`, judged once per distinct theme."""
        keep = np.array([in_theme(theme) for theme in self.themes], dtype=bool)[self.theme_of]
        return _Candidates(version=self.version, image_ids=self.image_ids[keep], emotions=self.emotions[keep],
                           approved_at=self.approved_at[keep], themes=self.themes, theme_of=self.theme_of[keep])


def _theme_index(themes: list[str]) -> dict[str, object]:
    distinct, positions = np.unique(np.array(themes, dtype=str), return_inverse=True)
    return {"themes": tuple(distinct.tolist()), "theme_of": positions.reshape(-1)}


T = TypeVar("T")


class _Checked(Generic[T]):
    """A value read from the database at most every `seconds` by this process (0: at every use)."""

    def __init__(self, seconds: float, read: Callable[[], T]) -> None:
        self.seconds = seconds
        self._read = read
        self._lock = threading.Lock()
        self._value: T | None = None
        self._read_at = -math.inf

    def value(self) -> T:
        with self._lock:
            if time.monotonic() - self._read_at < self.seconds:
                return self._value
        value = self._read()
        with self._lock:
            self._value, self._read_at = value, time.monotonic()
        return value

    def expire(self) -> None:
        with self._lock:
            self._read_at = -math.inf


def _newest_snapshot_id() -> int | None:
    return ModelSnapshot.objects.order_by("-created_at", "-id").values_list("id", flat=True).first()


def _catalogue_version() -> tuple[object, ...]:
    """Changes with every approval, retirement, rejection of a live image or deletion: one indexed aggregate."""
    approved = Image.objects.filter(status=Image.Status.APPROVED).aggregate(
        count=Count("id"), last_approved=Max("approved_at"), last_reviewed=Max("reviewed_at"), top=Max("id")
    )
    return tuple(approved.values())


def _on_candidates(model: PersonalModel, history: list[int], image_ids: np.ndarray) -> np.ndarray:
    """The model's scores for the history, laid out over the candidates (0 for images the model does not know)."""
    scores = model.scores(history)
    positions = np.searchsorted(model.image_ids, image_ids).clip(max=max(model.image_ids.size - 1, 0))
    known = model.image_ids[positions] == image_ids
    return np.where(known, scores[positions], 0.0)


def _label(emotion: str) -> str:
    return str(Emotion(emotion).label).lower()


def _increment(rows: list[tuple[str, int, int, int]]) -> None:
    """Add (impressions, likes) to each (segment, image) counter in one statement, creating missing rows.

    INSERT ... ON CONFLICT DO UPDATE is atomic on SQLite and PostgreSQL alike, so concurrent likes never lose a
    count; the ORM's bulk_create(update_conflicts=True) can only overwrite, not add.
    """
    if not rows:
        return
    table = SegmentStat._meta.db_table
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} (segment, image_id, impressions, likes) VALUES {placeholders} "
        f"ON CONFLICT (segment, image_id) DO UPDATE SET "
        f"impressions = {table}.impressions + excluded.impressions, "
        f"likes = {table}.likes + excluded.likes"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
