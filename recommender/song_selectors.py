"""Reads of the songs for the mood: the tracks the same engine recommends to a visitor, and how many they like."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings

from curation.models import Track
from emotion_garden.vocabulary import Emotion
from recommender import queries
from recommender.engines import recommender_engine
from recommender.engines.base import Context, Visitor
from recommender.history import visitor_events
from recommender.items import TRACKS
from recommender.selectors import Mode
from recommender.services import record_served_page


@dataclass(frozen=True)
class SongItem:
    track: Track
    emotions: list[str]  # the track's, in the vocabulary's order
    liked: bool  # by the face user, now
    rank: int
    score: float
    reason: str
    reason_code: str


@dataclass(frozen=True)
class Songs:
    items: list[SongItem]
    recommendation_id: str
    context: Context
    mode: Mode  # personal once the person likes PERSONAL_PICKS_MIN_LIKES songs, emotion before
    likes: int  # the face user's liked songs now (0 without a face user)
    exhausted: bool  # no track is left after these that `exclude` and these do not hold


def songs(*, emotion: str, visitor: Visitor | None = None, gender: str = "", age_band: str = "", n: int = 3,
          exclude: Collection[int] = (), record: bool = True) -> Songs:
    """The next n live tracks for the visitor, best first.

    As the garden's auto mode: the emotion is a prior, not a filter (the segment's and the person's mood response
    may prefer calm songs for a stressed face), the person's taste counts from their first song event on, and the
    answer is stored (record) so that what it showed teaches their taste.

    An excluded track is never repeated (the engine falls back to them once nothing else is left), so the answer may
    come back short; one track more is asked for to tell whether anything is left after it (`exhausted`). The engine
    leaves the person's liked tracks for last: one may come, marked `liked`, once nothing else is left.
    """
    context = Context(
        emotion=emotion,
        gender=(visitor.gender if visitor and visitor.gender else gender),
        age_band=(visitor.age_band if visitor and visitor.age_band else age_band),
    )
    liked = set(visitor_events(visitor.id, kind=TRACKS).liked) if visitor else set()
    likes = len(liked)
    mode = Mode.PERSONAL if visitor and likes >= settings.PERSONAL_PICKS_MIN_LIKES else Mode.EMOTION
    exclude = set(exclude)
    recommendations = [item for item in recommender_engine(TRACKS.name).recommend(
        face_user_id=visitor.id if visitor else None, context=context, n=n + 1, exclude=exclude)
        if item.image_id not in exclude]
    tracks, emotions = _live_tracks([item.image_id for item in recommendations])
    items = [
        SongItem(track=tracks[item.image_id], emotions=emotions.get(item.image_id, []),
                 liked=item.image_id in liked, rank=rank, score=item.score, reason=item.reason,
                 reason_code=item.reason_code)
        for rank, item in enumerate((item for item in recommendations if item.image_id in tracks), start=1)
    ]
    exhausted, items = len(items) <= n, items[:n]
    recommendation_id = uuid.uuid4().hex
    if record:
        lifts = {item.image_id: item.taste_lift for item in recommendations}
        record_served_page(recommendation_id=recommendation_id, visitor_id=visitor.id if visitor else None,
                           mode=mode, context=context, image_ids=[item.track.pk for item in items],
                           taste_lifts=[lifts[item.track.pk] for item in items], kind=TRACKS)
    return Songs(items=items, recommendation_id=recommendation_id, context=context, mode=mode, likes=likes,
                 exhausted=exhausted)


def _live_tracks(track_ids: list[int]) -> tuple[dict[int, Track], dict[int, list[str]]]:
    """The tracks among track_ids that are live now, by id, and their emotions in the vocabulary's order.

    Approved only: the engine may answer from a catalogue a moment old, but a retired track never reaches anyone.
    """
    tracks: dict[int, Track] = queries.approved_items(model=Track, item_ids=track_ids)
    tagged: dict[int, set[str]] = {}
    for track_id, emotion in queries.track_emotions(track_ids):
        tagged.setdefault(track_id, set()).add(emotion)
    order = {emotion: position for position, emotion in enumerate(Emotion.values)}
    return tracks, {track_id: sorted(found, key=order.__getitem__) for track_id, found in tagged.items()}


def liked_song_count(*, visitor_id: uuid.UUID) -> int:
    """How many tracks the person likes now (their latest like or unlike of each is a like)."""
    return len(visitor_events(visitor_id, kind=TRACKS).liked)
