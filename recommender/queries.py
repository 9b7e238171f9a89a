"""The recommender's raw SQL, each statement with the invariant it relies on (the team keeps raw SQL and private ORM
members in one queries.py per app)."""

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

from curation.models import Image, Track, TrackEmotion
from recommender.items import ItemKind
from recommender.models import Interaction, ServedPage, TrackInteraction

# The covering index of a window of likes (recommender.models.Interaction.Meta.indexes).
RECENT_LIKES_INDEX = "interaction_recent_likes"


def recent_likes_by_emotion(*, events: type[models.Model], item_field: str,
                            since: datetime) -> list[tuple[int, str, int]]:
    """(item id, the liker's session emotion, likes less unlikes) for every item liked or unliked at or after
    `since`, by item id, from an event table (Interaction, or its twin TrackInteraction) whose foreign key to the item
    is `item_field`. The difference may be below zero (a like before the window, taken back in it). Only a person's
    unlikes count: an anonymous one cannot show the like it would take back was its sender's (recommender.services),
    and a few of them with an API key had taken an image out of trending.

    Invariant: every like and unlike is one row of its own, never an update, and a face user's unlike carries the
    emotion of the like it takes back (recommender.services), so the difference counts likes that stand. On
    Interaction the interaction_recent_likes index holds every column read, so the scan never
    visits the table. One statement for all emotions: trending serves every emotion from the same window.
    """
    table = events._meta.db_table
    created = events._meta.get_field("created_at")
    item = f"{item_field}_id"
    # Named on SQLite: once ANALYZE has run on a million likes in the window, its planner walks the item's foreign
    # key index instead (to group without sorting) and visits the table once per like, 2.2-2.9 s of CPU per read
    # against 0.6 s from the index alone (benchmarks/recommender_http.py's 1M catalogue). PostgreSQL plans it itself.
    hint = ""
    if connection.vendor == "sqlite" and any(index.name == RECENT_LIKES_INDEX for index in events._meta.indexes):
        hint = f" INDEXED BY {RECENT_LIKES_INDEX}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {item}, emotion, SUM(CASE WHEN event = %s THEN 1 WHEN face_user_id IS NOT NULL THEN -1 ELSE 0 "
            f"END) FROM {table}{hint} WHERE event IN (%s, %s) AND created_at >= %s "
            f"GROUP BY {item}, emotion ORDER BY {item}",
            [Interaction.Event.LIKE.value, Interaction.Event.LIKE.value, Interaction.Event.UNLIKE.value,
             created.get_db_prep_value(since, connection)],
        )
        return cursor.fetchall()


def _person(face_user_id: uuid.UUID) -> object:
    """A face user's id as the database stores it (a uuid column on PostgreSQL, 32 hex digits on SQLite)."""
    return ServedPage._meta.get_field("face_user").target_field.get_db_prep_value(face_user_id, connection)


def latest_served_pages(*, face_user_id: uuid.UUID, kind: str, limit: int) -> list[tuple[str, str]]:
    """(comma-separated item ids, session emotion) of the person's latest `limit` answers of one kind, newest first.

    Invariant: a served page is written once and never updated, so its row is the answer as shown. The read is a range
    scan of served_page_kind_history, which holds every column it reads.
    """
    return _latest_pages("items, emotion", face_user_id=face_user_id, kind=kind, limit=limit)


def latest_answers(*, face_user_id: uuid.UUID, kind: str, limit: int) -> list[tuple[str, str, str]]:
    """(answer id, comma-separated item ids, session emotion) of the person's latest `limit` answers of one kind,
    newest first, for a like that names no answer: the same range scan, and each row's id."""
    return _latest_pages("id, items, emotion", face_user_id=face_user_id, kind=kind, limit=limit)


def _latest_pages(columns: str, *, face_user_id: uuid.UUID, kind: str, limit: int) -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {ServedPage._meta.db_table} WHERE face_user_id = %s AND kind = %s "
            f"ORDER BY created_at DESC LIMIT {int(limit)}",
            [_person(face_user_id), kind],
        )
        return cursor.fetchall()


def answer_page(*, answer_id: str, face_user_id: uuid.UUID | None, kind: str) -> tuple[str, str] | None:
    """(comma-separated item ids, session emotion) of one answer of this kind served to this person (None: to an
    anonymous visitor), or None if there is no such answer. A primary-key read on every like that names its answer;
    through the ORM it cost about 0.5 ms on PostgreSQL for 0.02 ms of the database's work
    (benchmarks/recommender_http.py)."""
    person, params = (("face_user_id IS NULL", []) if face_user_id is None
                      else ("face_user_id = %s", [_person(face_user_id)]))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT items, emotion FROM {ServedPage._meta.db_table} WHERE id = %s AND kind = %s AND "
                       f"{person}", [answer_id, kind, *params])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def latest_events(*, events: type[models.Model], item_field: str, face_user_id: uuid.UUID,
                  limit: int) -> list[tuple[int, str, str]]:
    """(item id, event, session emotion) of the person's latest like or unlike and latest "not interested" of each
    item, for the items they acted on last (`limit` rows), newest first, from an event table (Interaction or
    TrackInteraction).

    Invariant: events are appended, never updated, and (created_at, id) orders them as they happened, so replaying
    these rows oldest first (recommender.history) gives each item's state: a like lifts an earlier "not interested",
    an unlike does not (one of an image never liked is stored but changes nothing). The latest per item, not the
    latest events: 200 likes and unlikes of one image pushed a person's "not interested"s and other likes out of a
    window of the latest events, and hidden images came back. A range scan of interaction_history_mood /
    track_interaction_history (every column read).
    """
    return _latest_per_item(events, item_field, "event, emotion", face_user_id=face_user_id, limit=limit,
                            kinds=[Interaction.Event.LIKE, Interaction.Event.UNLIKE, Interaction.Event.NOT_INTERESTED])


def latest_likes_and_unlikes(*, face_user_id: uuid.UUID, limit: int) -> list[tuple[int, str]]:
    """(image id, event) of the person's latest like or unlike of each image, for the `limit` images they liked or
    unliked last, newest first.

    Invariant as latest_events. In SQL because every like and every personal garden reads it, and building the ORM's
    query cost three times the query itself (0.9 against 0.2 ms of CPU, measured).
    """
    return _latest_per_item(Interaction, "image", "event", face_user_id=face_user_id, limit=limit,
                            kinds=[Interaction.Event.LIKE, Interaction.Event.UNLIKE])


def _latest_per_item(events: type[models.Model], item_field: str, columns: str, *, face_user_id: uuid.UUID,
                     limit: int, kinds: list[Interaction.Event]) -> list[tuple[Any, ...]]:
    """The latest event of `kinds` per item and per strand: likes and unlikes are one strand, "not interested"s
    another, since an unlike after a "not interested" leaves it standing."""
    item = f"{item_field}_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {item}, {columns} FROM (SELECT {item}, {columns}, created_at, id, ROW_NUMBER() OVER ("
            f"PARTITION BY {item}, event = %s ORDER BY created_at DESC, id DESC) AS newest "
            f"FROM {events._meta.db_table} WHERE face_user_id = %s AND event IN ({', '.join(['%s'] * len(kinds))})"
            f") AS latest WHERE newest = 1 ORDER BY created_at DESC, id DESC LIMIT {int(limit)}",
            [Interaction.Event.NOT_INTERESTED.value, _person(face_user_id), *(kind.value for kind in kinds)],
        )
        return cursor.fetchall()


def every_persons_image_events(*, chunk: int) -> Iterator[list[tuple[object, int, str]]]:
    """(face user, image id, event) of every event of a remembered person, grouped by person and newest first within
    a person, `chunk` rows at a time.

    Invariant as latest_events. Read in the like history index's order and turned into Python `chunk` rows at a time,
    so the refit never holds a Python table of every event.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT face_user_id, image_id, event FROM {Interaction._meta.db_table} WHERE face_user_id IS NOT NULL "
            f"ORDER BY face_user_id, created_at DESC, id DESC"
        )
        while rows := cursor.fetchmany(chunk):
            yield rows


def approved_items(*, model: type[Image] | type[Track], item_ids: list[int]) -> dict[int, Any]:
    """The items (images or tracks) among item_ids that are in the gallery now, by id.

    Invariant: only an approved item is live. A raw query: for the three ids of a garden, the ORM spent longer
    building its query (the model's ordering, compiling the lookups) than the database took to answer it (and for
    songs, in_bulk with a prefetch took 12 of 31 ms per answer in benchmarks/songs_http.py, profiled).
    """
    if not item_ids:
        return {}
    placeholders = ", ".join(["%s"] * len(item_ids))
    items = model.objects.raw(
        f"SELECT * FROM {model._meta.db_table} WHERE status = %s AND id IN ({placeholders})",
        [model.Status.APPROVED, *item_ids],
    )
    return {item.pk: item for item in items}


def track_emotions(track_ids: list[int]) -> list[tuple[int, str]]:
    """(track id, emotion) of every emotion of the tracks. Invariant: (track, emotion) is unique in TrackEmotion."""
    if not track_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT track_id, emotion FROM {TrackEmotion._meta.db_table} "
            f"WHERE track_id IN ({', '.join(['%s'] * len(track_ids))})",
            track_ids,
        )
        return cursor.fetchall()


def insert_event(interaction: Interaction | TrackInteraction, *, kind: ItemKind, shown: list[int],
                 fields: Sequence[str]) -> None:
    """Store a new interaction (its item field plus `fields`) and its impressions (the items on screen), and mark the
    instance saved, as the ORM's save() would.

    Invariant: the caller has checked every id in `shown` against the catalogue and holds the transaction, so the
    two INSERTs land together or not at all. In SQL: every like pays for them, and building the ORM's create() and
    bulk_create() cost more than the statements (benchmarks/request_cost.py on PostgreSQL, alternating the two
    versions: a like's Python CPU 3.37-3.91 ms with the ORM, 2.85-2.95 ms without).
    """
    events = kind.events._meta
    columns = [events.get_field(name) for name in (kind.field, *fields)]
    impressions = events.get_field("impressions")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events.db_table} ({', '.join(field.column for field in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id",
            [field.get_db_prep_save(getattr(interaction, field.attname), connection) for field in columns],
        )
        interaction.pk = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO {impressions.m2m_db_table()} ({impressions.m2m_column_name()}, "
            f"{impressions.m2m_reverse_name()}) VALUES {', '.join(['(%s, %s)'] * len(shown))}",
            [value for item_id in shown for value in (interaction.pk, item_id)],
        )
    interaction._state.adding = False
    interaction._state.db = connection.alias
    interaction.impression_ids = shown


def insert_served_page(page: ServedPage) -> None:
    """Store a garden answer. Invariant: its id (the recommendation id) is new, so a plain INSERT is the ORM's
    create(). One statement in SQL: every garden pays for it, and create() costs more than the statement."""
    fields = ServedPage._meta.concrete_fields
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ServedPage._meta.db_table} ({', '.join(field.column for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})",
            [field.get_db_prep_save(getattr(page, field.attname), connection) for field in fields],
        )


def published_item_statuses(*, model: type[models.Model], item_ids: Sequence[int]) -> dict[int, str]:
    """The review status of each of item_ids that has been in the gallery (approved now, or once: approved_at is
    kept when it leaves), by id; the others, never shown to anyone, are left out. One query in SQL: on a like,
    building the ORM's query cost more than the query itself (about 0.7 ms of CPU, measured). Invariant: ids are
    the primary key, so each appears at most once."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, status FROM {model._meta.db_table} WHERE id IN ({', '.join(['%s'] * len(item_ids))}) "
            f"AND (status = %s OR approved_at IS NOT NULL)",
            [*item_ids, model.Status.APPROVED],
        )
        return dict(cursor.fetchall())


def add_to_counters(rows: list[tuple[str, int, int, int, float]], *, kind: ItemKind) -> None:
    """Add (impressions, likes, taste_lift) to each (segment, item) counter of the kind in one statement, creating
    missing rows.

    Invariant: (segment, item) is unique in the counters table, and INSERT ... ON CONFLICT DO UPDATE is atomic on
    SQLite and PostgreSQL alike, so concurrent likes never lose a count; the ORM's bulk_create(update_conflicts=True)
    can only overwrite, not add.
    """
    table = kind.counters._meta.db_table
    item = f"{kind.field}_id"
    placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (segment, {item}, impressions, likes, taste_lift) VALUES {placeholders} "
            f"ON CONFLICT (segment, {item}) DO UPDATE SET "
            f"impressions = {table}.impressions + excluded.impressions, likes = {table}.likes + excluded.likes, "
            f"taste_lift = {table}.taste_lift + excluded.taste_lift",
            [value for row in rows for value in row],
        )
