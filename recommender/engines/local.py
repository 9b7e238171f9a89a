"""The embedded engine: cold start by context from like-rates per visitor segment.

Each event updates counters (impressions, likes) per image for the visitor's segments, from the finest
(emotion x gender x age band) to the coarsest ("*", everyone), in O(1) upserts. An image's score is its like-rate in
the finest segment, smoothed towards the next coarser segment's rate, recursively down to a global prior: a segment
with little data borrows from its parents, one with much data speaks for itself (research/recommender.md 5a).
"""

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q

from curation.models import Image
from gallery.emotions import Emotion
from gallery.models import FaceUser
from recommender.engines.base import Context, Recommendation, RecommenderEngine
from recommender.models import Interaction, SegmentStat

EVERYONE = "*"


def segment_keys(context: Context) -> list[str]:
    """The visitor's segments, coarsest first: "*", "HAPPY", "HAPPY|Female", "HAPPY|Female|adult"."""
    keys = [EVERYONE]
    parts: list[str] = []
    for part in (context.emotion, context.gender, context.age_band):
        if not part:
            break
        parts.append(part)
        keys.append("|".join(parts))
    return keys


@dataclass(frozen=True)
class _Counts:
    impressions: int = 0
    likes: int = 0


class LocalRecommender(RecommenderEngine):
    def __init__(self, *, prior_rate: float = 0.2, prior_strength: float = 10.0) -> None:
        # A never-shown image scores prior_rate; prior_strength impressions weigh as much as the parent's rate.
        self.prior_rate = prior_rate
        self.prior_strength = prior_strength

    def recommend(
        self, *, face_user_id: uuid.UUID | None, context: Context, n: int, exclude: Collection[int] = ()
    ) -> list[Recommendation]:
        candidates = self._candidates(context.emotion)
        excluded = set(exclude)
        fresh = [image_id for image_id in candidates if image_id not in excluded]
        # Repeating what the visitor just saw is better than an empty garden.
        pool = fresh or candidates
        keys = segment_keys(context)
        counts = self._counts(pool, keys)
        scored = []
        for position, image_id in enumerate(pool):
            rate = self.prior_rate
            for key in keys:
                seen = counts.get((key, image_id), _Counts())
                rate = (seen.likes + self.prior_strength * rate) / (seen.impressions + self.prior_strength)
            # position (newest first) breaks ties, so a new gallery shows its newest images first.
            scored.append((rate, -position, image_id, self._reason(keys, counts, image_id, context)))
        scored.sort(reverse=True)
        return [
            Recommendation(image_id=image_id, score=round(rate, 6), reason=reason)
            for rate, _, image_id, reason in scored[:n]
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
        impressed = {image.pk for image in interaction.impressions.all()} | {interaction.image_id}
        _increment([
            (key, image_id, 1, int(liked and image_id == interaction.image_id))
            for key in keys
            for image_id in sorted(impressed)
        ])

    def publish_item(self, image: Image) -> None:
        """Nothing to do: approved images are read live from the catalogue."""

    def retire_item(self, image: Image) -> None:
        """Nothing to do: only approved images are ever candidates."""

    def upsert_user(self, face_user: FaceUser) -> None:
        """Nothing to do: the local engine reads face users live."""

    def forget_user(self, face_user_id: uuid.UUID) -> None:
        """Nothing to do: deleting the face user anonymises their interactions (the foreign key is SET_NULL)."""

    def _candidates(self, emotion: str) -> list[int]:
        approved = Image.objects.filter(status=Image.Status.APPROVED).order_by("-approved_at", "-id")
        matching = list(approved.filter(emotion=emotion).values_list("id", flat=True))
        return matching or list(approved.values_list("id", flat=True))

    def _counts(self, image_ids: Iterable[int], keys: list[str]) -> dict[tuple[str, int], _Counts]:
        rows = SegmentStat.objects.filter(Q(segment__in=keys) & Q(image_id__in=list(image_ids))).values_list(
            "segment", "image_id", "impressions", "likes"
        )
        return {(segment, image_id): _Counts(impressions, likes) for segment, image_id, impressions, likes in rows}

    def _reason(self, keys: list[str], counts: dict[tuple[str, int], _Counts], image_id: int,
                context: Context) -> str:
        finest_liked = next(
            (key for key in reversed(keys) if counts.get((key, image_id), _Counts()).likes > 0), None
        )
        if finest_liked is None:
            if not any((key, image_id) in counts for key in keys):
                return "new"
            return f"expresses {_label(context.emotion)}" if context.emotion else "in the gallery"
        if finest_liked == EVERYONE:
            return "popular with everyone"
        return f"popular with {_label(context.emotion)} visitors"


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
