"""Reads for the curators' dashboard (in the recommender's admin): the catalogue by emotion and status, likes per
day, the images visitors like most and least, and the recommender's health."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, FloatField
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django_q.models import Task

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from recommender.algorithms import EVERYONE
from recommender.models import Interaction, OutboxMessage, SegmentStat, ServedPage

REFIT_TASK_PREFIX = "recommender.tasks.refit"


@dataclass(frozen=True)
class RatedImage:
    image: Image
    impressions: int
    likes: int

    @property
    def rate(self) -> float:
        return self.likes / self.impressions


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


def likes_per_day(*, days: int = 30, today: date | None = None) -> list[tuple[date, int]]:
    """Like events per day for the `days` days up to `today`, oldest first, days without likes included."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (
        Interaction.objects.filter(
            event=Interaction.Event.LIKE, created_at__date__gte=first, created_at__date__lte=today
        )
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
        .order_by()
    )
    by_day = dict(rows)
    return [(day, by_day.get(day, 0)) for day in (first + timedelta(days=offset) for offset in range(days))]


def images_by_like_rate(*, n: int = 10) -> tuple[list[RatedImage], list[RatedImage]]:
    """The `n` approved images with the highest like-rate among everyone, and the `n` with the lowest.

    Only images shown at least once count. Ties go to the image shown more often, whose rate is the surer. The
    bottom list leaves out the top one's images, so that a small gallery does not show the same images twice.
    """
    stats = (
        SegmentStat.objects.filter(segment=EVERYONE, impressions__gte=1, image__status=Image.Status.APPROVED)
        .select_related("image")
        .annotate(rate=Cast(F("likes"), FloatField()) / Cast(F("impressions"), FloatField()))
    )
    top = list(stats.order_by("-rate", "-impressions", "image_id")[:n])
    bottom = list(stats.exclude(pk__in=[stat.pk for stat in top]).order_by("rate", "-impressions", "image_id")[:n])
    return _rated(top), _rated(bottom)


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
    """Like-rates of the latest garden answers (at most max_pages of the last `days` days) per mode and per slot: a
    like counts for the answer whose recommendation_id it carries, at the slot its image held there."""
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
        recommendation_id="").values_list("recommendation_id", "image_id")
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
