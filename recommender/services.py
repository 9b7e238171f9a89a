"""Writes that teach the recommender: likes, unlikes, "not interested"s and views, each with the images shown beside
it, and the garden answers served."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from recommender.engines import recommender_engine
from recommender.engines.base import Context, Visitor
from recommender.models import Interaction, ServedPage

MAX_IMPRESSIONS = 50


class InteractionRejected(Exception):
    def __init__(self, *, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class IdempotencyConflict(InteractionRejected):
    """The caller's client event id names an event of theirs that differs from this one (an unlike reusing a like's
    id, another image or person): neither a retry nor a new event."""


@dataclass(frozen=True)
class RecordedInteraction:
    interaction: Interaction
    created: bool  # False when the client event id had been recorded before (a retried request)


def record_interaction(
    *,
    event: Interaction.Event,
    image_id: int,
    visitor: Visitor | None = None,
    impression_ids: Sequence[int] = (),
    emotion: str = "",
    gender: str = "",
    age_band: str = "",
    client_event_id: str | None = None,
    client_scope: str = "",
    recommendation_id: str = "",
) -> RecordedInteraction:
    """Store one event and teach the engine, exactly once per client event id of one caller.

    `client_scope` names the caller (opaque here: the gallery passes its API key, its person or its browser): the
    same client event id from another caller is another event, and never gets the first caller's answer. From the
    same caller, the same event again is answered with the first one; a different event under that id raises
    IdempotencyConflict.

    The image must be in the gallery (approved) and every impression a known image; the event's image always
    counts as shown. The visitor's segment is the session emotion with the known visitor's gender and age band,
    or for an anonymous visitor the `gender` and `age_band` the client knows (from the emotion reading). The
    caller (the gallery, which owns people) has checked that the visitor exists. `recommendation_id` names the
    garden answer that showed the image (its impressions were counted when it was served).

    "Not interested" is recorded once per visitor and image: a repeat answers with the first.
    """
    if event == Interaction.Event.NOT_INTERESTED and visitor is not None:
        earlier = Interaction.objects.filter(face_user_id=visitor.id, image_id=image_id, event=event).first()
        if earlier is not None:
            return RecordedInteraction(interaction=earlier, created=False)
    try:
        shown = _shown_images(image_id=image_id, impression_ids=impression_ids, event=event)
        interaction = Interaction(
            event=event,
            image_id=image_id,
            face_user_id=visitor.id if visitor else None,
            emotion=Emotion.parse(emotion) if emotion else "",
            gender=visitor.gender if visitor else gender,
            age_band=visitor.age_band if visitor else age_band,
            client_event_id=client_event_id or None,
            idempotency_key=_idempotency_key(client_scope, client_event_id) if client_event_id else None,
            recommendation_id=recommendation_id,
            created_at=timezone.now(),
        )
        with transaction.atomic():
            # The first write: a client event id recorded before stops the transaction here, before anything else.
            _insert(interaction, shown=shown)
            recommender_engine().record_interaction(interaction)
    except (IntegrityError, InteractionRejected):
        # A retried event, or its concurrent twin that won the race, is answered with what was recorded the first
        # time, even if its image has left the gallery since. Looked up only here: first deliveries skip the read.
        key = _idempotency_key(client_scope, client_event_id) if client_event_id else None
        if key and (existing := Interaction.objects.filter(idempotency_key=key).first()):
            if (existing.event, existing.image_id, existing.face_user_id) != (
                    event, image_id, visitor.id if visitor else None):
                raise IdempotencyConflict(
                    code="idempotency_conflict",
                    message=f"client_event_id {client_event_id!r} already names another event: a {existing.event} "
                            f"of image {existing.image_id}.",
                ) from None
            return RecordedInteraction(interaction=existing, created=False)
        raise
    return RecordedInteraction(interaction=interaction, created=True)


def _idempotency_key(client_scope: str, client_event_id: str) -> str:
    return salted_hmac("recommender.idempotency", f"{client_scope}\n{client_event_id}", algorithm="sha256").hexdigest()


_INSERTED_FIELDS = (
    "event", "image", "face_user", "emotion", "gender", "age_band", "client_event_id", "idempotency_key",
    "recommendation_id", "created_at",
)


def _insert(interaction: Interaction, *, shown: list[int]) -> None:
    """Store a new interaction and its impressions (the images on screen), and mark it saved.

    Two INSERTs in SQL: every like pays for them, and building the ORM's create() and bulk_create() cost more than
    the statements (benchmarks/request_cost.py on PostgreSQL, alternating the two versions: a like's Python CPU
    3.37-3.91 ms with the ORM, 2.85-2.95 ms without).
    """
    fields = [Interaction._meta.get_field(name) for name in _INSERTED_FIELDS]
    impressions = Interaction.impressions.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Interaction._meta.db_table} ({', '.join(field.column for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id",
            [field.get_db_prep_save(getattr(interaction, field.attname), connection) for field in fields],
        )
        interaction.pk = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO {impressions} (interaction_id, image_id) VALUES {', '.join(['(%s, %s)'] * len(shown))}",
            [value for image_id in shown for value in (interaction.pk, image_id)],
        )
    interaction._state.adding = False
    interaction._state.db = connection.alias
    interaction.impression_ids = shown


def record_served_page(*, recommendation_id: str, visitor_id: uuid.UUID | None, mode: str, context: Context,
                       image_ids: Sequence[int]) -> None:
    """Store a garden answer (what the visitor's taste learns "shown" from, and the dashboard's denominator) and
    count its impressions in the engine (the local engine writes them in batches, off the request path)."""
    if not image_ids:
        return
    with transaction.atomic():
        _insert_served_page(ServedPage(id=recommendation_id, face_user_id=visitor_id, mode=mode,
                                       emotion=context.emotion, items=",".join(str(item) for item in image_ids),
                                       created_at=timezone.now()))
        recommender_engine().record_served(context=context, image_ids=list(image_ids))


def _insert_served_page(page: ServedPage) -> None:
    """One INSERT in SQL: every garden pays for it, and the ORM's create() costs more than the statement (as in
    _insert)."""
    fields = ServedPage._meta.concrete_fields
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ServedPage._meta.db_table} ({', '.join(field.column for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})",
            [field.get_db_prep_save(getattr(page, field.attname), connection) for field in fields],
        )


def _shown_images(*, image_id: int, impression_ids: Sequence[int], event: Interaction.Event) -> list[int]:
    """The ids of the images on screen (the event's own image included), sorted, after checking them all: the
    event's image must be in the gallery (an unlike may name a retired one) and the others known.

    One query in SQL: on a like, building the ORM's query cost more than the query itself (about 0.7 ms of CPU,
    measured).
    """
    wanted = set(impression_ids) | {image_id}
    if len(wanted) > MAX_IMPRESSIONS:
        raise InteractionRejected(
            code="too_many_impressions", message=f"At most {MAX_IMPRESSIONS} impressions per event."
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, status FROM {Image._meta.db_table} WHERE id IN ({', '.join(['%s'] * len(wanted))})",
            sorted(wanted),
        )
        status_of = dict(cursor.fetchall())
    if image_id not in status_of:
        raise InteractionRejected(code="unknown_image", message=f"There is no image {image_id}.")
    if status_of[image_id] != Image.Status.APPROVED and event != Interaction.Event.UNLIKE:
        raise InteractionRejected(code="image_not_live", message=f"Image {image_id} is not in the gallery.")
    missing = wanted - status_of.keys()
    if missing:
        raise InteractionRejected(
            code="unknown_impressions", message=f"Unknown images in impressions: {sorted(missing)}."
        )
    return sorted(wanted)
