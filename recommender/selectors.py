"""Reads of the recommender: the garden a visitor sees, and what they liked."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from enum import StrEnum

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from curation.models import Image
from emotion_garden.themes import ThemeMatch, normalise_theme, parse_theme
from recommender.engines import recommender_engine
from recommender.engines.base import Context, Visitor
from recommender.models import Interaction
from recommender.training import like_history


class Mode(StrEnum):
    EMOTION = "emotion"  # picks for the emotion (and gender, age band) just read
    PERSONAL = "personal"  # picks from the person's own likes, blended with the emotion
    AUTO = "auto"  # personal once the person has liked PERSONAL_PICKS_MIN_LIKES images, emotion before


@dataclass(frozen=True)
class GardenItem:
    image: Image
    rank: int
    score: float
    reason: str
    reason_code: str


@dataclass(frozen=True)
class Garden:
    items: list[GardenItem]
    recommendation_id: str
    context: Context
    mode: Mode
    likes: int  # the face user's current likes (0 without a face user)


def garden(
    *, emotion: str, visitor: Visitor | None = None, gender: str = "", age_band: str = "", n: int = 3,
    exclude: Collection[int] = (), mode: Mode = Mode.AUTO, theme: str = "", theme_match: ThemeMatch = ThemeMatch.ANY,
) -> Garden:
    """The next n images for the visitor; a known visitor's own gender and age band win over the request's.

    With a theme, only images in it (Context.in_theme); matching ANY of several words, the images that have them
    all come first.
    """
    context = Context(
        emotion=emotion,
        gender=(visitor.gender if visitor and visitor.gender else gender),
        age_band=(visitor.age_band if visitor and visitor.age_band else age_band),
        theme=normalise_theme(theme),
        theme_match=theme_match,
    )
    likes = like_count(visitor_id=visitor.id) if visitor else 0
    if mode == Mode.AUTO:
        mode = Mode.PERSONAL if visitor and likes >= settings.PERSONAL_PICKS_MIN_LIKES else Mode.EMOTION
    if visitor is None:
        mode = Mode.EMOTION
    face_user_id = visitor.id if visitor and mode == Mode.PERSONAL else None
    tiers = [context]
    if theme_match == ThemeMatch.ANY and len(parse_theme(context.theme).words) > 1:
        tiers.insert(0, replace(context, theme_match=ThemeMatch.ALL))
    items: list[GardenItem] = []
    for tier in tiers:
        shown = [*exclude, *(item.image.pk for item in items)]
        found = _recommended(tier, face_user_id=face_user_id, n=n - len(items), exclude=shown)
        # A narrower tier's repeats give way to the next tier's new images.
        items += [item for item in found if item.image.pk not in shown or tier is tiers[-1]]
        if len(items) >= n:
            break
    items = [replace(item, rank=rank) for rank, item in enumerate(items, start=1)]
    return Garden(items=items, recommendation_id=uuid.uuid4().hex, context=context, mode=mode, likes=likes)


def _recommended(context: Context, *, face_user_id: uuid.UUID | None, n: int,
                 exclude: Collection[int]) -> list[GardenItem]:
    recommendations = recommender_engine().recommend(face_user_id=face_user_id, context=context, n=n,
                                                     exclude=exclude)
    # Approved only: an engine may answer from state a moment old, but a retired image never reaches the visitor;
    # and in the theme, whether or not the engine can filter by it.
    images = _approved_images([recommendation.image_id for recommendation in recommendations])
    return [
        GardenItem(image=images[recommendation.image_id], rank=rank, score=recommendation.score,
                   reason=recommendation.reason, reason_code=recommendation.reason_code)
        for rank, recommendation in enumerate(recommendations, start=1)
        if recommendation.image_id in images and context.in_theme(images[recommendation.image_id].theme)
    ]


def _approved_images(image_ids: list[int]) -> dict[int, Image]:
    """The images among image_ids that are in the gallery now, by id.

    A raw query: for the three ids of a garden, the ORM spent longer building its query (the model's ordering,
    compiling the lookups) than the database took to answer it.
    """
    if not image_ids:
        return {}
    placeholders = ", ".join(["%s"] * len(image_ids))
    images = Image.objects.raw(
        f"SELECT * FROM {Image._meta.db_table} WHERE status = %s AND id IN ({placeholders})",
        [Image.Status.APPROVED, *image_ids],
    )
    return {image.pk: image for image in images}


def like_count(*, visitor_id: uuid.UUID) -> int:
    """How many images the person likes now, judged (like personal picks) from their latest likes and unlikes: one
    short indexed read, where counting liked_images would run a subquery per image the person ever touched."""
    return len(like_history(visitor_id))


def liked_images(*, visitor_id: uuid.UUID) -> QuerySet[Image]:
    """The images the person likes now: those whose latest like or unlike by them is a like, newest first."""
    latest = Interaction.objects.filter(
        face_user_id=visitor_id, image=OuterRef("pk"), event__in=[Interaction.Event.LIKE, Interaction.Event.UNLIKE]
    ).order_by("-created_at", "-id")
    # Only the images this person has liked or unliked at all, so the subqueries run for those, not the catalogue.
    touched = Interaction.objects.filter(
        face_user_id=visitor_id, event__in=[Interaction.Event.LIKE, Interaction.Event.UNLIKE]
    ).values("image_id")
    return (
        Image.objects.filter(pk__in=touched)
        .annotate(latest_event=Subquery(latest.values("event")[:1]),
                  liked_at=Subquery(latest.values("created_at")[:1]))
        .filter(latest_event=Interaction.Event.LIKE)
        .order_by("-liked_at")
    )

