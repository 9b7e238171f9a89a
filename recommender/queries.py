"""The recommender's raw SQL, each statement with the invariant it relies on (the team keeps raw SQL and private ORM
members in one queries.py per app)."""

from datetime import datetime

from django.db import connection, models

from recommender.models import Interaction


def recent_likes_by_emotion(*, events: type[models.Model], item_field: str,
                            since: datetime) -> list[tuple[int, str, int]]:
    """(item id, the liker's session emotion, likes) for every item liked at or after `since`, by item id, from an
    event table (Interaction, or its twin TrackInteraction) whose foreign key to the item is `item_field`.

    Invariant: every like is one row with event = 'like' (an unlike is a row of its own, never an update), so counting
    rows counts likes. On Interaction the interaction_recent_likes index holds every column read, so the scan never
    visits the table. One statement for all emotions: trending serves every emotion from the same window.
    """
    table = events._meta.db_table
    created = events._meta.get_field("created_at")
    item = f"{item_field}_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {item}, emotion, COUNT(*) FROM {table} WHERE event = %s AND created_at >= %s "
            f"GROUP BY {item}, emotion ORDER BY {item}",
            [Interaction.Event.LIKE.value, created.get_db_prep_value(since, connection)],
        )
        return cursor.fetchall()
