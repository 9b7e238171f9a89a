"""Writes that teach the recommender: likes, unlikes, "not interested"s and views, each with the items (images or
tracks) shown beside it, and the answers served."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from emotion_garden.vocabulary import Emotion
from recommender import queries
from recommender.engines import recommender_engine
from recommender.engines.base import Context, Visitor
from recommender.history import HISTORY_PAGES
from recommender.items import IMAGES, TRACKS, ItemKind
from recommender.models import Interaction, ServedPage, TrackInteraction

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
    interaction: Interaction | TrackInteraction
    created: bool  # False when the client event id had been recorded before (a retried request)


def record_interaction(
    *,
    event: Interaction.Event,
    image_id: int | None = None,
    track_id: int | None = None,
    visitor: Visitor | None = None,
    impression_ids: Sequence[int] = (),
    emotion: str = "",
    gender: str = "",
    age_band: str = "",
    client_event_id: str | None = None,
    client_scope: str = "",
    recommendation_id: str = "",
    find_answer: bool = True,
) -> RecordedInteraction:
    """Store one event and teach the engine, exactly once per client event id of one caller.

    `client_scope` names the caller (opaque here: the gallery passes its API key, its person or its browser): the
    same client event id from another caller is another event, and never gets the first caller's answer. From the
    same caller, the same event again is answered with the first one; a different event under that id raises
    IdempotencyConflict.

    The image must be in the gallery (approved) and every impression a known image; the event's image always
    counts as shown. The visitor's segment is the session emotion (the event's, else that of the answer credited
    with it) with the known visitor's gender and age band, or for an anonymous visitor the `gender` and `age_band`
    the client knows (from the emotion reading). The caller (the gallery, which owns people) has checked that the
    visitor exists. `recommendation_id` names the garden answer that showed the image (its impressions were counted
    when it was served); it is kept only if that answer showed the image to this visitor, and found for a known
    visitor who did not send it (_answer_that_showed) unless `find_answer` is False: the original clients' pages are
    not stored answers, their impressions all count.

    A known visitor's event that changes nothing is not counted again: a like of an image they like, or a second "not
    interested" with no like between, answers with the event that stands (not created); an unlike of an image they
    do not like is stored but teaches nothing (no one else's like is taken back), nor does an anonymous unlike. A
    "not interested" in an image they like takes the like back first (an unlike of theirs). Their events are written
    one at a time, under a lock of the person's row, and stamped in that order, so the latest of them stands.

    An event on a track (`track_id` instead of `image_id`; its impressions are tracks) is the same, stored as a
    TrackInteraction and taught to the songs' engine.
    """
    if (image_id is None) == (track_id is None):
        raise ValueError("An event names an image or a track.")
    kind, item_id = (IMAGES, image_id) if track_id is None else (TRACKS, track_id)
    item = {f"{kind.field}_id": item_id}
    try:
        shown = _shown_items(kind, item_id=item_id, impression_ids=impression_ids, event=event)
        recommendation_id, answer_emotion = _answer_that_showed(kind, item_id=item_id, visitor=visitor,
                                                                recommendation_id=recommendation_id, find=find_answer)
        # An event that does not say the visitor's emotion took place in its answer's: counted without it, a like
        # of a page served to the sad would teach neither the sad segment nor the visitor's own mood response.
        emotion = emotion or answer_emotion
        interaction = kind.events(
            event=event,
            **item,
            face_user_id=visitor.id if visitor else None,
            emotion=Emotion.parse(emotion) if emotion else "",
            gender=visitor.gender if visitor else gender,
            age_band=visitor.age_band if visitor else age_band,
            client_event_id=client_event_id or None,
            idempotency_key=_idempotency_key(client_scope, client_event_id) if client_event_id else None,
            recommendation_id=recommendation_id,
        )
        with transaction.atomic():
            # An anonymous unlike cannot show that the like it would take back was its sender's: three unlikes
            # with an API key took everyone's likes of an image back.
            teaches = event != Interaction.Event.UNLIKE
            if visitor is not None:
                standing = _standing_event(kind, item, visitor, event)
                if standing is not None and standing.event == event:
                    return RecordedInteraction(interaction=standing, created=False)
                if event == Interaction.Event.NOT_INTERESTED:
                    _take_back_like(kind, item, visitor)
                teaches = teaches or standing is not None
                if event == Interaction.Event.UNLIKE and standing is not None:
                    _counted_as(interaction, standing)
            interaction.created_at = timezone.now()
            # The first write: a client event id recorded before stops the transaction here, before anything else.
            queries.insert_event(interaction, kind=kind, shown=shown, fields=_INSERTED_FIELDS)
            if teaches:
                recommender_engine(kind.name).record_interaction(interaction)
    except (IntegrityError, InteractionRejected) as error:
        # A retried event, or its concurrent twin that won the race, is answered with what was recorded the first
        # time, even if its image has left the gallery since. Looked up only here: first deliveries skip the read.
        key = _idempotency_key(client_scope, client_event_id) if client_event_id else None
        if key and (existing := kind.events.objects.filter(idempotency_key=key).first()):
            existing_item = getattr(existing, f"{kind.field}_id")
            if (existing.event, existing_item, existing.face_user_id) != (
                    event, item_id, visitor.id if visitor else None):
                raise IdempotencyConflict(
                    code="idempotency_conflict",
                    message=f"client_event_id {client_event_id!r} already names another event: a {existing.event} "
                            f"of {kind.field} {existing_item}.",
                ) from None
            return RecordedInteraction(interaction=existing, created=False)
        if isinstance(error, IntegrityError) and visitor is not None and not _person_exists(kind, visitor.id):
            # Forgotten between the caller's check and this write (a like racing the person's deletion).
            raise _forgotten(visitor.id) from None
        raise
    return RecordedInteraction(interaction=interaction, created=True)


def _standing_event(kind: ItemKind, item: dict[str, int], visitor: Visitor,
                    event: Interaction.Event) -> Interaction | None:
    """The visitor's event on this item that an `event` would replace: for a like or an unlike, the latest like or
    unlike (a like stands until it is taken back); for a "not interested", the latest "not interested" or like (a
    like after it lifts it, so a second one counts again). Read under a lock of the person's row, held to the end of
    the transaction: two events sent at once both found none and both counted. (SQLite's transactions take the write
    lock as they begin.)"""
    list(_people(kind).objects.select_for_update().filter(pk=visitor.id).values_list("pk"))
    replaced = ([Interaction.Event.NOT_INTERESTED, Interaction.Event.LIKE] if event == Interaction.Event.NOT_INTERESTED
                else [Interaction.Event.LIKE, Interaction.Event.UNLIKE])
    return _latest(kind, item, visitor, replaced)


def _latest(kind: ItemKind, item: dict[str, int], visitor: Visitor,
            events: list[Interaction.Event]) -> Interaction | None:
    mine = kind.events.objects.filter(face_user_id=visitor.id, event__in=events, **item)
    return mine.order_by("-created_at", "-id").first()


def _take_back_like(kind: ItemKind, item: dict[str, int], visitor: Visitor) -> None:
    """A "not interested" in an item the visitor likes takes the like back first, as an unlike of theirs would, so
    that their likes, their export, the counters and trending all agree that they no longer like it."""
    like = _latest(kind, item, visitor, [Interaction.Event.LIKE, Interaction.Event.UNLIKE])
    if like is None or like.event != Interaction.Event.LIKE:
        return
    unlike = kind.events(event=Interaction.Event.UNLIKE, **item, face_user_id=visitor.id, created_at=timezone.now())
    _counted_as(unlike, like)
    queries.insert_event(unlike, kind=kind, shown=list(item.values()), fields=_INSERTED_FIELDS)
    recommender_engine(kind.name).record_interaction(unlike)


def _counted_as(unlike: Interaction | TrackInteraction, like: Interaction | TrackInteraction) -> None:
    """An unlike is taken back where its like was counted: in the like's segments (and trending's emotion)."""
    unlike.emotion, unlike.gender, unlike.age_band = like.emotion, like.gender, like.age_band


def _person_exists(kind: ItemKind, visitor_id: uuid.UUID) -> bool:
    return _people(kind).objects.filter(pk=visitor_id).exists()


def _forgotten(visitor_id: uuid.UUID) -> InteractionRejected:
    """What a write in a person's name answers when they were forgotten while it was made."""
    return InteractionRejected(code="unknown_face_user",
                               message=f"There is no face user {visitor_id}: they were forgotten.")


def _people(kind: ItemKind) -> type[models.Model]:
    """The gallery's people, through the events' foreign key: the recommender sits below the gallery."""
    return kind.events._meta.get_field("face_user").related_model


def _idempotency_key(client_scope: str, client_event_id: str) -> str:
    return salted_hmac("recommender.idempotency", f"{client_scope}\n{client_event_id}", algorithm="sha256").hexdigest()


_INSERTED_FIELDS = (
    "event", "face_user", "emotion", "gender", "age_band", "client_event_id", "idempotency_key",
    "recommendation_id", "created_at",
)


def anonymise_person_events(*, face_user_id: uuid.UUID) -> None:
    """Strip what could tie a forgotten person's events back to them before the person's row goes (which sets the
    events' face user to NULL): the client's event ids, which a client may make of its own user ids, and the
    idempotency keys, an HMAC of the person's id that the site's secret and an old id in a log would reproduce.
    The answers' recommendation ids stay: random, each shared only by the events of one page."""
    for events in (Interaction, TrackInteraction):
        events.objects.filter(face_user_id=face_user_id).exclude(client_event_id=None).update(
            client_event_id=None, idempotency_key=None)


def record_served_page(*, recommendation_id: str, visitor_id: uuid.UUID | None, mode: str, context: Context,
                       image_ids: Sequence[int], taste_lifts: Sequence[float] = (), kind: ItemKind = IMAGES) -> None:
    """Store a garden answer (what the visitor's taste learns "shown" from, and the dashboard's denominator), then
    count its impressions in the engine (the local engine writes them in batches, off the request path);
    `image_ids` are ids of the kind's items, `taste_lifts` their Recommendation.taste_lift (none: 0).

    The row is one statement, in autocommit outside a caller's transaction: every garden stores one, and a
    transaction of its own would cost PostgreSQL two more round trips (BEGIN and COMMIT) per garden."""
    if not image_ids:
        return
    try:
        queries.insert_served_page(ServedPage(
            id=recommendation_id, face_user_id=visitor_id, kind=kind.name, mode=mode, emotion=context.emotion,
            items=",".join(str(item) for item in image_ids), created_at=timezone.now()))
    except IntegrityError:
        if visitor_id is not None and not _person_exists(kind, visitor_id):
            # Forgotten while their page was picked (a garden racing the person's deletion).
            raise _forgotten(visitor_id) from None
        raise
    recommender_engine(kind.name).record_served(context=context, image_ids=list(image_ids),
                                                taste_lifts=list(taste_lifts))


def _answer_that_showed(kind: ItemKind, *, item_id: int, visitor: Visitor | None, recommendation_id: str,
                        find: bool) -> tuple[str, str]:
    """The id and session emotion of the answer that showed the item to this visitor, whose impressions were counted
    when it was served: the one the client named if it did, else (for a known visitor, if `find`) their latest answer
    of those their taste reads as shown; ("", "") if none did, and then the event's own impressions count. Without it
    a client that sends the page as impressions but no recommendation_id counted every liked page twice; and a named
    answer that never showed the item to this visitor (another person's, a mistyped id) counted its like without any
    impression.
    """
    shown = str(item_id)
    if recommendation_id:
        page = queries.answer_page(answer_id=recommendation_id, face_user_id=visitor.id if visitor else None,
                                   kind=kind.name)
        if page is not None and shown in page[0].split(","):
            return recommendation_id, page[1]
    if visitor is None or not find:
        return "", ""
    latest = queries.latest_answers(face_user_id=visitor.id, kind=kind.name, limit=HISTORY_PAGES)
    return next(((answer_id, emotion) for answer_id, items, emotion in latest if shown in items.split(",")), ("", ""))


def _shown_items(kind: ItemKind, *, item_id: int, impression_ids: Sequence[int], event: Interaction.Event) -> list[int]:
    """The ids of the items on screen (the event's own included), sorted, after checking them all: the event's item
    must be live (an unlike may name a retired one) and the others published. An item never published (pending, or
    rejected at review) is unknown to visitors: an unlike of one was stored, and the person's export then showed the
    title of a song not yet released, and "not live" against "unknown" told anyone which ids were pending.
    """
    wanted = set(impression_ids) | {item_id}
    if len(wanted) > MAX_IMPRESSIONS:
        raise InteractionRejected(
            code="too_many_impressions", message=f"At most {MAX_IMPRESSIONS} impressions per event."
        )
    status_of = queries.published_item_statuses(model=kind.model, item_ids=sorted(wanted))
    if item_id not in status_of:
        raise InteractionRejected(code=f"unknown_{kind.field}", message=f"There is no {kind.field} {item_id}.")
    if status_of[item_id] != kind.model.Status.APPROVED and event != Interaction.Event.UNLIKE:
        raise InteractionRejected(code=f"{kind.field}_not_live",
                                  message=f"{kind.field.capitalize()} {item_id} is not in the gallery.")
    missing = wanted - status_of.keys()
    if missing:
        raise InteractionRejected(
            code="unknown_impressions", message=f"Unknown {kind.plural} in impressions: {sorted(missing)}."
        )
    return sorted(wanted)
