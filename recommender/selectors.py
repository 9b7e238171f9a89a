"""Reads of the recommender: the garden a visitor sees, and what they liked."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from enum import StrEnum

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from curation.models import Image
from emotion_garden.themes import ThemeMatch, normalise_theme, parse_theme
from recommender import queries
from recommender.engines import recommender_engine
from recommender.engines.base import Context, Visitor
from recommender.models import Interaction
from recommender.services import record_served_page
from recommender.training import like_history


class Mode(StrEnum):
    EMOTION = "emotion"  # only images of the emotion just read, for its segment (no personal taste)
    PERSONAL = "personal"  # the person's taste and likes, with the emotion as context
    AUTO = "auto"  # the person's taste when known; answered as personal once they like PERSONAL_PICKS_MIN_LIKES
    TRENDING = "trending"  # liked most lately by visitors of the emotion


class ImageNotFound(Exception):
    """No live image has this id (unknown, pending, rejected or retired)."""


@dataclass(frozen=True)
class GardenItem:
    image: Image
    rank: int
    score: float
    reason: str
    reason_code: str
    taste_lift: float = 0.0  # Recommendation.taste_lift, handed back with the served page


@dataclass(frozen=True)
class Garden:
    items: list[GardenItem]
    recommendation_id: str
    context: Context
    mode: Mode
    likes: int  # the face user's current likes (0 without a face user)
    # Only with fresh_only: nothing new is left for this visitor beyond these items (the pool has ended).
    exhausted: bool = False


@dataclass(frozen=True)
class SimilarImage:
    image: Image
    score: float
    reason: str
    reason_code: str


def garden(
    *, emotion: str, visitor: Visitor | None = None, gender: str = "", age_band: str = "", n: int = 3,
    exclude: Collection[int] = (), mode: Mode = Mode.AUTO, theme: str = "", theme_match: ThemeMatch = ThemeMatch.ANY,
    strict_emotion: bool = False, record: bool = True, fresh_only: bool = False,
) -> Garden:
    """The next n images for the visitor; a known visitor's own gender and age band win over the request's.

    The emotion is a prior (the visitor's and their segment's mood response may show other emotions) except in
    mode=emotion or with strict_emotion (the original clients). With a theme, only images in it (Context.in_theme);
    matching ANY of several words, the images that have them all come first. With `record` the answer is stored
    (recommender.services.record_served_page): the visitor's taste learns from what it showed.

    Engines fall back to seen images once nothing new is left (the original clients expect a full page). With
    `fresh_only` the answer never repeats an excluded image, nor, for personal picks, one the visitor likes; it may
    come back short, and `exhausted` says whether anything new is left after it (one item more is asked for to know).
    """
    context = Context(
        emotion=emotion,
        gender=(visitor.gender if visitor and visitor.gender else gender),
        age_band=(visitor.age_band if visitor and visitor.age_band else age_band),
        theme=normalise_theme(theme),
        theme_match=theme_match,
        strict_emotion=strict_emotion or mode == Mode.EMOTION,
    )
    liked = like_history(visitor.id) if visitor else []
    likes = len(liked)
    face_user_id = visitor.id if visitor is not None and mode in (Mode.AUTO, Mode.PERSONAL) else None
    if fresh_only:
        exclude = {*exclude, *(liked if face_user_id else ())}
    wanted = n + 1 if fresh_only else n
    if mode in (Mode.AUTO, Mode.PERSONAL):
        mode = Mode.PERSONAL if visitor and likes >= settings.PERSONAL_PICKS_MIN_LIKES else Mode.EMOTION
    tiers = [context]
    if theme_match == ThemeMatch.ANY and len(parse_theme(context.theme).words) > 1:
        tiers.insert(0, replace(context, theme_match=ThemeMatch.ALL))
    # Picks that do not read the person (emotion, trending) must still leave out what they hid; personal ones do.
    hidden = recommender_engine().hidden_items(face_user_id=visitor.id) if visitor and not face_user_id else set()
    items: list[GardenItem] = []
    for tier in tiers:
        shown = {*exclude, *(item.image.pk for item in items)}
        found = _recommended(tier, mode=mode, face_user_id=face_user_id, n=wanted - len(items),
                             exclude=shown | hidden)
        # A narrower tier's repeats give way to the next tier's new images (to repeats only without fresh_only).
        items += [item for item in found if item.image.pk not in hidden
                  and (item.image.pk not in shown or (tier is tiers[-1] and not fresh_only))]
        if len(items) >= wanted:
            break
    exhausted = fresh_only and len(items) <= n
    items = [replace(item, rank=rank) for rank, item in enumerate(items[:n], start=1)]
    recommendation_id = uuid.uuid4().hex
    if record:
        record_served_page(recommendation_id=recommendation_id, visitor_id=visitor.id if visitor else None,
                           mode=mode, context=context, image_ids=[item.image.pk for item in items],
                           taste_lifts=[item.taste_lift for item in items])
    return Garden(items=items, recommendation_id=recommendation_id, context=context, mode=mode, likes=likes,
                  exhausted=exhausted)


def _recommended(context: Context, *, mode: Mode, face_user_id: uuid.UUID | None, n: int,
                 exclude: Collection[int]) -> list[GardenItem]:
    engine = recommender_engine()
    if mode == Mode.TRENDING:
        recommendations = engine.trending(context=context, n=n, exclude=exclude)
    else:
        recommendations = engine.recommend(face_user_id=face_user_id, context=context, n=n, exclude=exclude)
    # Approved only: an engine may answer from state a moment old, but a retired image never reaches the visitor;
    # and in the theme, whether or not the engine can filter by it.
    images = queries.approved_items(
        model=Image, item_ids=[recommendation.image_id for recommendation in recommendations])
    return [
        GardenItem(image=images[recommendation.image_id], rank=rank, score=recommendation.score,
                   reason=recommendation.reason, reason_code=recommendation.reason_code,
                   taste_lift=recommendation.taste_lift)
        for rank, recommendation in enumerate(recommendations, start=1)
        if recommendation.image_id in images and context.in_theme(images[recommendation.image_id].theme)
    ]


def similar_images(*, image_id: int, n: int = 6, visitor_id: uuid.UUID | None = None) -> list[SimilarImage]:
    """Up to n live images like a live one (content and co-likes), each with its reason; raises ImageNotFound."""
    if not Image.objects.filter(pk=image_id, status=Image.Status.APPROVED).exists():
        raise ImageNotFound(f"No image {image_id} is in the gallery.")
    recommendations = recommender_engine().similar(image_id=image_id, n=n, face_user_id=visitor_id)
    images = queries.approved_items(
        model=Image, item_ids=[recommendation.image_id for recommendation in recommendations])
    return [SimilarImage(image=images[item.image_id], score=item.score, reason=item.reason,
                         reason_code=item.reason_code)
            for item in recommendations if item.image_id in images]


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

