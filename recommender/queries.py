"""The recommender's raw SQL, each statement with the invariant it relies on (the team keeps raw SQL and private ORM
members in one queries.py per app)."""

from datetime import datetime

from django.db import connection

from recommender.models import Interaction


def recent_likes_by_emotion(*, since: datetime) -> list[tuple[int, str, int]]:
    """(image id, the liker's session emotion, likes) for every image liked at or after `since`, by image id.

    Invariant: every like is one row with event = 'like' (an unlike is a row of its own, never an update), so counting
    rows counts likes; the interaction_recent_likes index holds every column read, so the scan never visits the
    table. One statement for all emotions: trending serves every emotion from the same window.
    """
    table = Interaction._meta.db_table
    created = Interaction._meta.get_field("created_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT image_id, emotion, COUNT(*) FROM {table} WHERE event = %s AND created_at >= %s "
            f"GROUP BY image_id, emotion ORDER BY image_id",
            [Interaction.Event.LIKE.value, created.get_db_prep_value(since, connection)],
        )
        return cursor.fetchall()
