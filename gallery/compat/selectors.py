"""Reads behind the original endpoints: who a visitor id names, recommendations, and the DynamoDB-style listings."""

import uuid

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from gallery.models import FaceUser
from recommender.selectors import Mode, garden

# Personalize's default numResults: the original pages never asked for another.
RECOMMENDATION_COUNT = 25
# An original DynamoDB query page held about this many items; the pages show at most a few hundred.
MAX_LISTED = 1000


def split_visitor_id(value: str) -> tuple[str, Emotion | None]:
    """`<id>/<emotion>` (IRBE's per-emotion users and pseudo-users) into its parts; a raw id has no emotion."""
    visitor, separator, emotion = value.rpartition("/")
    if separator:
        try:
            return visitor, Emotion.parse(emotion)
        except ValueError:
            pass
    return value, None


def face_user_for(visitor: str) -> FaceUser | None:
    """The face user a visitor id names, if it names one: ids from /emotion for people who never consented, the
    pages' random ids and IRBE's `<gender>` pseudo-users name nobody."""
    try:
        face_user_id = uuid.UUID(visitor)
    except ValueError:
        return None
    return FaceUser.objects.filter(pk=face_user_id).first()


def recommended_images(
    *, visitor: str, emotion: Emotion, gender: str = "", age_band: str = "", mode: Mode = Mode.AUTO
) -> list[Image]:
    """The recommender's picks for the visitor: for a known face user as `mode` says, else those for the context."""
    face_user = face_user_for(visitor)
    result = garden(
        emotion=emotion, visitor=face_user.as_visitor() if face_user else None, gender=gender, age_band=age_band,
        n=RECOMMENDATION_COUNT, mode=mode,
    )
    return [item.image for item in result.items]


def images_with_search_key(*, status: Image.Status, emotion: Emotion, theme: str) -> list[Image]:
    """Every image of one searchKey (an exact match, as the original's GSI query was), newest first."""
    images = Image.objects.filter(status=status, emotion=emotion, theme__iexact=theme).order_by("-created_at", "-id")
    return list(images[:MAX_LISTED])
