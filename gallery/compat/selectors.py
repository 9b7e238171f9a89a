"""Reads behind the original endpoints: who a visitor id names, recommendations, and the DynamoDB-style listings."""

import uuid

from curation.models import Image
from emotion_garden.themes import ThemeMatch
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


def face_user_for(visitor: str, *, person: uuid.UUID | None) -> FaceUser | None:
    """The face user a visitor id names, when the request carries that person's credential (`person`, from the
    cookie /emotion set). A bare id names nobody, and neither do the pages' random ids, ids from /emotion for people
    who never consented, and IRBE's `<gender>` pseudo-users: they are anonymous visitors."""
    try:
        face_user_id = uuid.UUID(visitor)
    except ValueError:
        return None
    if face_user_id != person:
        return None
    return FaceUser.objects.filter(pk=face_user_id).first()


def recommended_images(
    *, visitor: str, person: uuid.UUID | None, emotion: Emotion, gender: str = "", age_band: str = "",
    mode: Mode = Mode.AUTO, theme: str = "",
) -> list[Image]:
    """The recommender's picks for the visitor: for the face user they are (with their credential) as `mode` says,
    else those for the context; with a theme, only images of exactly that theme."""
    face_user = face_user_for(visitor, person=person)
    result = garden(
        emotion=emotion, visitor=face_user.as_visitor() if face_user else None, gender=gender, age_band=age_band,
        n=RECOMMENDATION_COUNT, mode=mode, theme=theme, theme_match=ThemeMatch.EXACT,
        # The original pages showed only images of the visitor's emotion, a few of these at a time: their likes
        # carry the impressions, and a list of 25 is not 25 images seen.
        strict_emotion=True, record=False,
    )
    return [item.image for item in result.items]


def favorite_first_images(
    *, visitor: str, person: uuid.UUID | None, emotion: Emotion, favorite: str, gender: str = "", age_band: str = ""
) -> list[Image]:
    """EG's /garden: the recommender's picks in the favorite (the same theme, exactly), or, when it has none, in the
    whole emotion, as the original's unfiltered campaign always answered."""
    context = {"visitor": visitor, "person": person, "emotion": emotion, "gender": gender, "age_band": age_band}
    return (favorite and recommended_images(**context, theme=favorite)) or recommended_images(**context)


def images_with_search_key(*, status: Image.Status, emotion: Emotion, theme: str | None) -> list[Image]:
    """Every image of one searchKey (an exact match, as the original's GSI query was), newest first; a theme of None
    matches every theme of the emotion."""
    images = Image.objects.filter(status=status, emotion=emotion)
    if theme is not None:
        images = images.filter(theme__iexact=theme)
    images = images.order_by("-created_at", "-id")
    return list(images[:MAX_LISTED])
