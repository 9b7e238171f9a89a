"""Reads for the curators' dashboard (in the recommender's admin): the catalogue by emotion and status, likes and
visitors' emotions per day over a date range, the images visitors like most and least, and the recommender's health."""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone
from django_q.models import Task

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from recommender.algorithms import EVERYONE
from recommender.models import Interaction, OutboxMessage, SegmentStat, ServedPage

REFIT_TASK_PREFIX = "recommender.tasks.refit"
# An image is ranked once shown this often: below it, one like decides its rate (16 views and 16 likes tie at 100%).
MIN_IMPRESSIONS = 20
# The normal quantile of a two-sided 95% interval, for the Wilson bounds.
WILSON_Z = 1.96


def wilson_bounds(likes: int, shown: int, *, z: float = WILSON_Z) -> tuple[float, float]:
    """The Wilson score interval of a like-rate: where the true rate lies (95%) given `likes` of `shown`. Its lower
    bound ranks an image by the rate it surely has at least, so 45 of 50 beats 3 of 3."""
    if shown == 0:
        return 0.0, 1.0
    rate = likes / shown
    centre = rate + z * z / (2 * shown)
    spread = z * math.sqrt(rate * (1 - rate) / shown + z * z / (4 * shown * shown))
    denominator = 1 + z * z / shown
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


@dataclass(frozen=True)
class RatedImage:
    image: Image
    impressions: int
    likes: int

    @property
    def rate(self) -> float:
        return self.likes / self.impressions

    @property
    def lower(self) -> float:
        return wilson_bounds(self.likes, self.impressions)[0]

    @property
    def upper(self) -> float:
        return wilson_bounds(self.likes, self.impressions)[1]


@dataclass(frozen=True)
class OnlineRate:
    """Likes of the images garden answers showed in one mode or slot, against how many they showed."""

    label: str
    shown: int
    likes: int

    @property
    def rate(self) -> float:
        return self.likes / self.shown if self.shown else 0.0


@dataclass(frozen=True)
class OnlineRates:
    by_mode: list[OnlineRate]
    by_slot: list[OnlineRate]
    pages: int


@dataclass(frozen=True)
class RecommenderHealth:
    last_refit: datetime | None
    outbox_pending: int
    outbox_dead: int
    oldest_pending_at: datetime | None


def images_by_emotion_and_status() -> dict[str, dict[str, int]]:
    """{emotion: {status: count}} with every emotion and status present, zeros included, in their declared order."""
    counts = {emotion: dict.fromkeys(Image.Status.values, 0) for emotion in Emotion.values}
    rows = Image.objects.values_list("emotion", "status").annotate(n=Count("id")).order_by()
    for emotion, status, n in rows:
        counts[emotion][status] = n
    return counts


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def likes_per_day(*, first: date, last: date) -> list[tuple[date, int]]:
    """Images liked per day from `first` to `last` (both included, local days), oldest first, days without likes
    included: each image once a day per person, per anonymous answer (the recommendation_id its likes name) or, for
    an anonymous like that names none, per like.

    Counting like events, 15 like/unlike toggles of one image counted 15 likes.
    """
    liker = Case(
        When(face_user__isnull=False, then=Concat(Value("person:"), Cast("face_user_id", CharField()))),
        When(~Q(recommendation_id=""), then=Concat(Value("answer:"), "recommendation_id")),
        default=Concat(Value("event:"), Cast("id", CharField())),
        output_field=CharField(),
    )
    rows = (
        Interaction.objects.filter(
            event=Interaction.Event.LIKE, created_at__date__gte=first, created_at__date__lte=last
        )
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count(Concat(liker, Value(":"), Cast("image_id", CharField())), distinct=True))
        .values_list("day", "n")
        .order_by()
    )
    by_day = dict(rows)
    return [(day, by_day.get(day, 0)) for day in _days(first, last)]


def emotions_per_day(*, first: date, last: date) -> list[tuple[date, dict[str, int]]]:
    """Visitors' emotions per day: the garden answers served each day from `first` to `last`, by the emotion the
    visitor's reading asked for, every emotion present (zeros included) in the vocabulary's order."""
    rows = (
        ServedPage.objects.filter(created_at__date__gte=first, created_at__date__lte=last).exclude(emotion="")
        .annotate(day=TruncDate("created_at"))
        .values_list("day", "emotion")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_day = {day: dict.fromkeys(Emotion.values, 0) for day in _days(first, last)}
    for day, emotion, n in rows:
        if day in by_day and emotion in by_day[day]:
            by_day[day][emotion] = n
    return list(by_day.items())


def images_by_like_rate(
    *, n: int = 10, min_impressions: int = MIN_IMPRESSIONS
) -> tuple[list[RatedImage], list[RatedImage]]:
    """The `n` approved images visitors surely like most (highest Wilson lower bound of their like-rate among
    everyone) and the `n` they surely like least (lowest upper bound).

    Only images shown at least `min_impressions` times are ranked. The bottom list leaves out the top one's images,
    so that a small gallery does not show the same images twice.
    """
    rated = _rated(list(
        SegmentStat.objects.filter(segment=EVERYONE, impressions__gte=max(min_impressions, 1),
                                   image__status=Image.Status.APPROVED).select_related("image")
    ))
    top = sorted(rated, key=lambda entry: (-entry.lower, -entry.impressions, entry.image.pk))[:n]
    chosen = {entry.image.pk for entry in top}
    rest = [entry for entry in rated if entry.image.pk not in chosen]
    bottom = sorted(rest, key=lambda entry: (entry.upper, -entry.impressions, entry.image.pk))[:n]
    return top, bottom


def _rated(stats: list[SegmentStat]) -> list[RatedImage]:
    return [RatedImage(image=stat.image, impressions=stat.impressions, likes=stat.likes) for stat in stats]


def recommender_health() -> RecommenderHealth:
    """When the recommender was last refitted (None: never) and what still waits to reach managed backends."""
    last_refit = (
        Task.objects.filter(func__startswith=REFIT_TASK_PREFIX, success=True)
        .order_by("-stopped")
        .values_list("stopped", flat=True)
        .first()
    )
    by_status = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("id")).order_by())
    oldest_pending_at = (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return RecommenderHealth(
        last_refit=last_refit,
        outbox_pending=by_status.get(OutboxMessage.Status.PENDING, 0),
        outbox_dead=by_status.get(OutboxMessage.Status.DEAD, 0),
        oldest_pending_at=oldest_pending_at,
    )


def online_like_rates(*, days: int = 7, max_pages: int = 50_000) -> OnlineRates:
    """Like-rates of the latest garden answers (at most max_pages of the last `days` days) per mode and per slot: an
    image liked from an answer (a like carrying its recommendation_id) counts once for that answer, at the slot it
    held there, however often it was liked again after being taken back.

    Counting every like event, 15 like/unlike toggles of one image made a slot's rate 142%. A like taken back still
    counts: an unlike names the answer only when the client sends it, or the person's latest answer showing the image,
    not always the one liked from.
    """
    since = timezone.now() - timedelta(days=days)
    pages = {
        page_id: (mode, [int(item) for item in items.split(",") if item])
        # The garden's pages: a like (Interaction) names an image, never a song of a songs answer.
        for page_id, mode, items in ServedPage.objects.filter(created_at__gte=since, kind="image")
        .order_by("-created_at").values_list("id", "mode", "items")[:max_pages]
    }
    shown_by_mode: dict[str, int] = {}
    shown_by_slot: dict[int, int] = {}
    for mode, items in pages.values():
        shown_by_mode[mode] = shown_by_mode.get(mode, 0) + len(items)
        for slot in range(len(items)):
            shown_by_slot[slot] = shown_by_slot.get(slot, 0) + 1
    liked_by_mode: dict[str, int] = {}
    liked_by_slot: dict[int, int] = {}
    likes = Interaction.objects.filter(event=Interaction.Event.LIKE, created_at__gte=since).exclude(
        recommendation_id="").values_list("recommendation_id", "image_id").order_by().distinct()
    for recommendation_id, image_id in likes.iterator(chunk_size=10_000):
        mode, items = pages.get(recommendation_id, ("", []))
        if image_id in items:
            liked_by_mode[mode] = liked_by_mode.get(mode, 0) + 1
            slot = items.index(image_id)
            liked_by_slot[slot] = liked_by_slot.get(slot, 0) + 1
    return OnlineRates(
        by_mode=[OnlineRate(mode, shown, liked_by_mode.get(mode, 0)) for mode, shown in sorted(shown_by_mode.items())],
        by_slot=[OnlineRate(str(slot + 1), shown, liked_by_slot.get(slot, 0))
                 for slot, shown in sorted(shown_by_slot.items())],
        pages=len(pages),
    )
