"""A visitor's recent events as the taste model reads them: what they like, what they were shown and left, and
what they said they are not interested in, each with the emotion they showed at the time."""

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import islice

import numpy as np

from recommender import queries
from recommender.items import IMAGES, ItemKind
from recommender.models import Interaction

# The taste model weighs every exposure alike, and a few hundred say all it can learn; bounding the reads bounds a
# request's cost however long a person's history grows.
HISTORY_EVENTS = 400
HISTORY_PAGES = 120
# A page leaves out the last images the person's answers showed them, so that a client which asks each page afresh
# (no cursor) is not shown the page it just left, and a return visit starts past where the last one ended. Twelve,
# about a visit: four pages of three in benchmarks/online_sim.py, where leaving out four pages of ten (two visits)
# cost a little (docs/recommender.md, fifteenth round). Visits of one page pay for it with their best few, and the
# page just left alone costs them as much (sixteenth round): the local engine's `recent_images` sets it, 0 for none.
RECENT_IMAGES = 12

LIKED, SHOWN, NOT_INTERESTED = 1.0, 0.0, -1.0


@dataclass(frozen=True)
class VisitorEvents:
    liked: list[int]  # liked now, oldest like first
    not_interested: list[int]
    exposures: dict[int, tuple[str, float]]  # item -> (session emotion, LIKED / SHOWN / NOT_INTERESTED)
    recent: list[int]  # the last items the answers showed (RECENT_IMAGES unless asked otherwise), newest first


def visitor_events(face_user_id: uuid.UUID, *, kind: ItemKind = IMAGES,
                   recent_limit: int = RECENT_IMAGES) -> VisitorEvents:
    """The person's latest events and answers of one kind of item: every item on a page they were served counts as
    shown, a like (not taken back) as liked, a "not interested" as such; the latest of them decides."""
    pages = queries.latest_served_pages(face_user_id=face_user_id, kind=kind.name, limit=HISTORY_PAGES)
    events = queries.latest_events(events=kind.events, item_field=kind.field, face_user_id=face_user_id,
                                   limit=HISTORY_EVENTS)
    exposures: dict[int, tuple[str, float]] = {}
    for items, emotion in reversed(pages):
        for item in items.split(","):
            if item:
                exposures[int(item)] = (emotion, SHOWN)
    liked_at: dict[int, int] = {}
    not_interested: dict[int, None] = {}
    for position, (image_id, event, emotion) in enumerate(reversed(events)):
        if event == Interaction.Event.LIKE:
            liked_at[image_id] = position
            not_interested.pop(image_id, None)
            exposures[image_id] = (emotion, LIKED)
        elif event == Interaction.Event.UNLIKE:
            liked_at.pop(image_id, None)
            exposures[image_id] = (exposures.get(image_id, (emotion, SHOWN))[0], SHOWN)
        elif event == Interaction.Event.NOT_INTERESTED:
            liked_at.pop(image_id, None)
            not_interested[image_id] = None
            exposures[image_id] = (emotion, NOT_INTERESTED)
    shown_lately = islice((int(item) for items, _ in pages for item in items.split(",") if item), recent_limit)
    return VisitorEvents(liked=sorted(liked_at, key=liked_at.__getitem__), not_interested=list(not_interested),
                         exposures=exposures, recent=list(shown_lately))


def left_out_mask(ids: np.ndarray, *, excluded: Collection[int], recent: Sequence[int], keep: int) -> np.ndarray:
    """Which of `ids` a page leaves out: the excluded ones, and of the recently shown ones (newest first) as many as
    leave `keep` others (in a small pool, the images shown longest ago come back before a page falls short)."""
    seen = np.isin(ids, list(excluded))
    room = np.count_nonzero(~seen) - keep
    if room <= 0 or not recent:
        return seen
    candidates = set(ids[~seen & np.isin(ids, list(recent))].tolist())
    newest_first = [item for item in dict.fromkeys(recent) if item in candidates]
    return seen | np.isin(ids, newest_first[:room])
