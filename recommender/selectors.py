"""Reads of the recommender: the garden a visitor sees."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from curation.models import Image
from gallery.models import FaceUser
from recommender.engines import recommender_engine
from recommender.engines.base import Context


@dataclass(frozen=True)
class GardenItem:
    image: Image
    rank: int
    score: float
    reason: str


@dataclass(frozen=True)
class Garden:
    items: list[GardenItem]
    recommendation_id: str
    context: Context


def garden(
    *, emotion: str, face_user: FaceUser | None = None, gender: str = "", age_band: str = "", n: int = 3,
    exclude: Collection[int] = (),
) -> Garden:
    """The next n images for the visitor; a known face user's own gender and age band win over the request's."""
    context = Context(
        emotion=emotion,
        gender=(face_user.gender if face_user and face_user.gender else gender),
        age_band=(face_user.age_band if face_user and face_user.age_band else age_band),
    )
    recommendations = recommender_engine().recommend(
        face_user_id=face_user.pk if face_user else None, context=context, n=n, exclude=exclude
    )
    images = Image.objects.in_bulk([recommendation.image_id for recommendation in recommendations])
    items = [
        GardenItem(image=images[recommendation.image_id], rank=rank, score=recommendation.score,
                   reason=recommendation.reason)
        for rank, recommendation in enumerate(recommendations, start=1)
        if recommendation.image_id in images
    ]
    return Garden(items=items, recommendation_id=uuid.uuid4().hex, context=context)
