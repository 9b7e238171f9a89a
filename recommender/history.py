"""A visitor's recent events as the taste model reads them: what they like, what they were shown and left, and
what they said they are not interested in, each with the emotion they showed at the time."""

import uuid
from dataclasses import dataclass

from django.db import connection

from recommender.items import IMAGES, ItemKind
from recommender.models import Interaction, ServedPage

# The taste model weighs every exposure alike, and a few hundred say all it can learn; bounding the reads bounds a
# request's cost however long a person's history grows.
HISTORY_EVENTS = 400
HISTORY_PAGES = 120

LIKED, SHOWN, NOT_INTERESTED = 1.0, 0.0, -1.0


@dataclass(frozen=True)
class VisitorEvents:
    liked: list[int]  # liked now, oldest like first
    not_interested: list[int]
    exposures: dict[int, tuple[str, float]]  # item -> (session emotion, LIKED / SHOWN / NOT_INTERESTED)


def visitor_events(face_user_id: uuid.UUID, *, kind: ItemKind = IMAGES) -> VisitorEvents:
    """The person's latest events and answers of one kind of item: every item on a page they were served counts as
    shown, a like (not taken back) as liked, a "not interested" as such; the latest of them decides."""
    user = ServedPage._meta.get_field("face_user").target_field.get_db_prep_value(face_user_id, connection)
    with connection.cursor() as cursor:
        # Both reads are range scans of an index that holds every column they read (interaction_history_mood or
        # track_interaction_history, served_page_kind_history).
        cursor.execute(
            f"SELECT items, emotion FROM {ServedPage._meta.db_table} WHERE face_user_id = %s AND kind = %s "
            f"ORDER BY created_at DESC LIMIT {HISTORY_PAGES}",
            [user, kind.name],
        )
        pages = cursor.fetchall()
        cursor.execute(
            f"SELECT {kind.field}_id, event, emotion FROM {kind.events._meta.db_table} WHERE face_user_id = %s "
            f"ORDER BY created_at DESC, id DESC LIMIT {HISTORY_EVENTS}",
            [user],
        )
        events = cursor.fetchall()
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
    return VisitorEvents(liked=sorted(liked_at, key=liked_at.__getitem__), not_interested=list(not_interested),
                         exposures=exposures)
