"""Writes that teach the recommender: likes, unlikes and views, each with the images shown beside it."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from gallery.models import FaceUser
from recommender.engines import recommender_engine
from recommender.models import Interaction

MAX_IMPRESSIONS = 50


class InteractionRejected(Exception):
    def __init__(self, *, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RecordedInteraction:
    interaction: Interaction
    created: bool  # False when the client event id had been recorded before (a retried request)


def record_interaction(
    *,
    event: Interaction.Event,
    image_id: int,
    face_user_id: uuid.UUID | None = None,
    impression_ids: Sequence[int] = (),
    emotion: str = "",
    gender: str = "",
    age_band: str = "",
    client_event_id: str | None = None,
) -> RecordedInteraction:
    """Store one event and teach the engine, exactly once per client event id.

    The image must be in the gallery (approved) and every impression a known image; the event's image always
    counts as shown. The visitor's segment is the session emotion with the face user's gender and age band, or
    for an anonymous visitor the `gender` and `age_band` the client knows (from the emotion reading).
    """
    try:
        shown, face_user = _shown_images_and_face_user(
            image_id=image_id, impression_ids=impression_ids, event=event, face_user_id=face_user_id
        )
        interaction = Interaction(
            event=event,
            image_id=image_id,
            face_user=face_user,
            emotion=Emotion.parse(emotion) if emotion else "",
            gender=face_user.gender if face_user else gender,
            age_band=face_user.age_band if face_user else age_band,
            client_event_id=client_event_id or None,
            created_at=timezone.now(),
        )
        with transaction.atomic():
            # The first write: a client event id recorded before stops the transaction here, before anything else.
            _insert(interaction, shown=shown)
            recommender_engine().record_interaction(interaction)
    except (IntegrityError, InteractionRejected):
        # A retried event, or its concurrent twin that won the race, is answered with what was recorded the first
        # time, even if its image has left the gallery since. Looked up only here: first deliveries skip the read.
        if client_event_id and (existing := Interaction.objects.filter(client_event_id=client_event_id).first()):
            return RecordedInteraction(interaction=existing, created=False)
        raise
    return RecordedInteraction(interaction=interaction, created=True)


_INSERTED_FIELDS = ("event", "image", "face_user", "emotion", "gender", "age_band", "client_event_id", "created_at")


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


def _shown_images_and_face_user(
    *, image_id: int, impression_ids: Sequence[int], event: Interaction.Event, face_user_id: uuid.UUID | None
) -> tuple[list[int], FaceUser | None]:
    """The ids of the images on screen (the event's own image included), sorted, and the face user's segment fields,
    after checking them all: the event's image must be in the gallery (an unlike may name a retired one), the others
    known, and the face user too.

    One query in SQL, each image row joined to the face user: on a like, building the ORM's queries cost three times
    the queries themselves (about 0.7 ms of CPU each, measured), and each round trip to the database adds its own.
    """
    wanted = set(impression_ids) | {image_id}
    if len(wanted) > MAX_IMPRESSIONS:
        raise InteractionRejected(
            code="too_many_impressions", message=f"At most {MAX_IMPRESSIONS} impressions per event."
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT image.id, image.status, face_user.id, face_user.gender, face_user.age_low, face_user.age_high "
            f"FROM {Image._meta.db_table} image LEFT JOIN {FaceUser._meta.db_table} face_user ON face_user.id = %s "
            f"WHERE image.id IN ({', '.join(['%s'] * len(wanted))})",
            [FaceUser._meta.pk.get_db_prep_value(face_user_id, connection), *sorted(wanted)],
        )
        rows = cursor.fetchall()
    status_of = {row[0]: row[1] for row in rows}
    if image_id not in status_of:
        raise InteractionRejected(code="unknown_image", message=f"There is no image {image_id}.")
    if status_of[image_id] != Image.Status.APPROVED and event != Interaction.Event.UNLIKE:
        raise InteractionRejected(code="image_not_live", message=f"Image {image_id} is not in the gallery.")
    missing = wanted - status_of.keys()
    if missing:
        raise InteractionRejected(
            code="unknown_impressions", message=f"Unknown images in impressions: {sorted(missing)}."
        )
    if face_user_id is None:
        return sorted(wanted), None
    if rows[0][2] is None:
        raise InteractionRejected(code="unknown_face_user", message=f"There is no face user {face_user_id}.")
    fields = ["id", "gender", "age_low", "age_high"]
    return sorted(wanted), FaceUser.from_db(connection.alias, fields, [face_user_id, *rows[0][3:]])
