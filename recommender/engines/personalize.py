"""The Amazon Personalize engine: GetRecommendations answers the garden; everything Personalize must learn (items,
users, events) travels through the transactional outbox and reaches the events API (PutItems, PutUsers, PutEvents).
Recipes per answer: the garden a User-Personalization campaign (EMOTION as context; the emotion filter only in a
strict context), trending a Trending-Now campaign, similar images a Similar-Items (or SIMS) campaign; without one,
the fallback engine answers, else NotSupported (a 503). "Not interested" is an event type the campaigns learn from,
and recommend() leaves those images out itself, as it leaves out retired ones and other themes.

Records (schemas in tools.recommender.personalize_setup; the events API names fields in camelCase):
- An item is an image: id str(image.pk); EMOTION (Rekognition's name), THEME (the comma-separated themes as
  categories joined by "|"), STATUS ("live" or "retired") and CREATION_TIMESTAMP (approval time in epoch seconds).
- A user is a face user: id str(face_user.pk); GENDER and AGE_BAND when known.
- An event is a like, unlike, not_interested or view with its impressions (at most 25, Personalize's limit), the
  session emotion as the contextual EMOTION, and eventId = the client's event id or "eg-<interaction pk>":
  Personalize ignores an event id it has seen, so a delivery retried after a lost answer is not counted twice.

Segment pseudo-users (cold start), after the original's "<gender>/<emotion>" ones: "segment:<EMOTION>|<Gender>|<age
band>" ("*" for what is unknown) stands for everyone in that context. Every event is also recorded for its segment
(eventId + "@segment"), and a visitor without a face user is recommended for as their segment, with EMOTION as
context; a segment nobody has liked in yet gets Personalize's answer for a new user (popular items).
Anonymous visitors' events are recorded only for their segment: there is no per-visitor id to follow them with.

Retired images. The events API cannot delete an item. Retiring re-sends the item with STATUS "retired", which the
emotion filter (INCLUDE ItemID WHERE Items.EMOTION IN ($EMOTION) AND Items.STATUS IN ("live")) leaves out once
Personalize has refreshed its filters; until then, and without the filter, recommend() drops every id that is not
approved in our database.

Forgotten users. The events API cannot delete a user either. Forgetting re-sends the user without properties, and no
event names the id again (a delayed delivery checks that the face user still exists). The id is a random uuid that
nothing links to a person any more, so what stays in the interactions dataset is unlinkable. Erasing it too takes a
data deletion job (CreateDataDeletionJob), a batch chore for operators, not a request.

Delivery order. Retries can deliver an older message after a newer one, so delivery skips a record the database has
since contradicted (a "live" item no longer approved, a "retired" one approved again, a user forgotten meanwhile).
"""

import json
import logging
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from curation.models import Image
from emotion_garden.aws import LazyClient, describe, error_code
from emotion_garden.vocabulary import Emotion
from recommender.engines.base import (
    Context,
    NotSupported,
    ReasonCode,
    Recommendation,
    RecommenderEngine,
    RecommenderUnavailable,
    Visitor,
)
from recommender.engines.filters import allowed_recommendations
from recommender.models import Interaction, visitor_model
from recommender.outbox import OutboxConsumer, PermanentFailure, enqueue

logger = logging.getLogger(__name__)

CAPABILITY = "recommender"

# The events API takes at most 10 records per call and 25 impressions per event; GetRecommendations 500 results.
RECORDS_PER_CALL = 10
MAX_IMPRESSIONS = 25
MAX_RESULTS = 500

LIVE = "live"
RETIRED = "retired"
UNKNOWN = "*"
SEGMENT_PREFIX = "segment:"
SEGMENT_EVENT_SUFFIX = "@segment"

# Errors that say the request itself is wrong: sending it again can never succeed.
PERMANENT_ERRORS = frozenset({"InvalidInputException", "ResourceNotFoundException"})

# Three attempts in all, and timeouts short enough that a visitor's request fails fast instead of hanging a worker.
CLIENT_CONFIG = Config(retries={"total_max_attempts": 3, "mode": "standard"}, connect_timeout=3, read_timeout=5)

# What GetRecommendations' `reason` (User-Personalization-v2 only) means, in the words the garden shows.
REASONS = {
    "Exploration": (ReasonCode.NEW, "new in the garden"),
    "Popular item": (ReasonCode.POPULAR_WITH_EVERYONE, "popular with everyone"),
    "Promoted item": (ReasonCode.PROMOTED, "promoted"),
}
DEFAULT_REASON = (ReasonCode.RECOMMENDED, "recommended by Amazon Personalize")


class PersonalizeUnavailable(RecommenderUnavailable):
    """Personalize could not answer: an outage, throttling beyond the retries, credentials, or no campaign yet."""


def segment_user_id(*, emotion: str, gender: str, age_band: str) -> str:
    """The pseudo-user of everyone in this context, e.g. "segment:HAPPY|Female|*"."""
    return SEGMENT_PREFIX + "|".join(part or UNKNOWN for part in (emotion, gender, age_band))


def item_record(image: Image, *, status: str) -> dict[str, str]:
    """The image as PutItems takes it."""
    properties: dict[str, Any] = {"emotion": image.emotion, "status": status}
    themes = [theme.strip() for theme in image.theme.split(",") if theme.strip()]
    if themes:
        properties["theme"] = "|".join(themes)
    # Exploration favours young items, and an image is new to the garden from its approval.
    properties["creationTimestamp"] = int((image.approved_at or image.created_at).timestamp())
    return {"itemId": str(image.pk), "properties": json.dumps(properties, sort_keys=True)}


def user_record(visitor: Visitor) -> dict[str, str]:
    """The face user as PutUsers takes it; without properties when nothing is known."""
    properties = {key: value for key, value in (("gender", visitor.gender), ("ageBand", visitor.age_band))
                  if value}
    record = {"userId": str(visitor.id)}
    if properties:
        record["properties"] = json.dumps(properties, sort_keys=True)
    return record


def interaction_message(interaction: Interaction) -> dict[str, Any]:
    """The put_events payload: one event, for the face user (if any) and for the visitor's segment."""
    item_id = interaction.image_id
    others = sorted(set(interaction.impression_ids) - {item_id})
    event: dict[str, Any] = {
        "eventId": interaction.client_event_id or f"eg-{interaction.pk}",
        "eventType": str(interaction.event),
        "itemId": str(item_id),
        "sentAt": interaction.created_at.timestamp(),
        "impression": [str(image_id) for image_id in sorted([item_id, *others[:MAX_IMPRESSIONS - 1]])],
    }
    if interaction.emotion:
        event["properties"] = json.dumps({"emotion": interaction.emotion})
    return {
        "user_id": str(interaction.face_user_id) if interaction.face_user_id else None,
        "segment_id": segment_user_id(
            emotion=interaction.emotion, gender=interaction.gender, age_band=interaction.age_band
        ),
        "event": event,
    }


class PersonalizeRecommender(RecommenderEngine, OutboxConsumer):
    """Recommendations from a Personalize campaign; changes delivered to the events API through the outbox.

    `fallback` (a dotted path, e.g. "recommender.engines.local.LocalRecommender") names an engine that answers while
    no campaign is configured yet or Personalize cannot answer, and learns every change too, so it stays warm.
    `clients` replaces the boto3 clients ("personalize-runtime", "personalize-events"), for tests.
    """

    def __init__(
        self,
        *,
        campaign_arn: str = "",
        tracking_id: str = "",
        dataset_arn_items: str = "",
        dataset_arn_users: str = "",
        emotion_filter_arn: str = "",
        trending_campaign_arn: str = "",
        similar_campaign_arn: str = "",
        region_name: str | None = None,
        fallback: str = "",
        clients: dict[str, Any] | None = None,
    ) -> None:
        self.campaign_arn = campaign_arn
        self.trending_campaign_arn = trending_campaign_arn
        self.similar_campaign_arn = similar_campaign_arn
        self.tracking_id = tracking_id
        self.dataset_arn_items = dataset_arn_items
        self.dataset_arn_users = dataset_arn_users
        self.emotion_filter_arn = emotion_filter_arn
        self._clients = {
            service: LazyClient(service, region_name=region_name or None, config=CLIENT_CONFIG,
                                client=(clients or {}).get(service))
            for service in ("personalize-runtime", "personalize-events")
        }
        self._fallback: RecommenderEngine | None = None
        if fallback:
            self._fallback = import_string(fallback)()
            if not isinstance(self._fallback, RecommenderEngine):
                raise ImproperlyConfigured(f"The Personalize fallback {fallback} is not a RecommenderEngine.")

    # --- Reads ----------------------------------------------------------------------------------------------------

    def recommend(
        self, *, face_user_id: uuid.UUID | None, context: Context, n: int, exclude: Collection[int] = ()
    ) -> list[Recommendation]:
        try:
            ranked = self._ranked(face_user_id=face_user_id, context=context, count=n + len(exclude))
        except PersonalizeUnavailable as error:
            if self._fallback is None:
                raise
            logger.warning("Personalize unavailable, answering with the fallback engine: %s", error)
            return self._fallback.recommend(face_user_id=face_user_id, context=context, n=n, exclude=exclude)
        live = allowed_recommendations(ranked, context=context, face_user_id=face_user_id)
        excluded = set(exclude)
        fresh = [item for item in live if item.image_id not in excluded]
        # Repeating what the visitor just saw is better than an empty garden.
        return (fresh or live)[:n]

    def _ranked(self, *, face_user_id: uuid.UUID | None, context: Context, count: int) -> list[Recommendation]:
        if not self.campaign_arn:
            raise PersonalizeUnavailable("No Personalize campaign is configured yet.")
        user_id = str(face_user_id) if face_user_id else segment_user_id(
            emotion=context.emotion, gender=context.gender, age_band=context.age_band
        )
        params: dict[str, Any] = {
            "campaignArn": self.campaign_arn, "userId": user_id, "numResults": min(count, MAX_RESULTS),
        }
        if context.emotion:
            params["context"] = {"EMOTION": context.emotion}
        if self.emotion_filter_arn and context.strict_emotion:
            # An INCLUDE filter needs a value for each of its parameters: no emotion read means any emotion. Only a
            # strict context filters; otherwise the emotion is context the campaign learns the mood response from.
            emotions = [context.emotion] if context.emotion else list(Emotion.values)
            params["filterArn"] = self.emotion_filter_arn
            params["filterValues"] = {"EMOTION": ",".join(json.dumps(emotion) for emotion in emotions)}
        return self._get(**params)

    def trending(self, *, context: Context, n: int, exclude: Collection[int] = ()) -> list[Recommendation]:
        """A Trending-Now campaign's answer for the visitor's segment; without one, the fallback engine's."""
        if not self.trending_campaign_arn:
            return self._fallen_back("trending", context=context, n=n, exclude=exclude)
        user_id = segment_user_id(emotion=context.emotion, gender=context.gender, age_band=context.age_band)
        ranked = self._get(campaignArn=self.trending_campaign_arn, userId=user_id,
                           numResults=min(n + len(exclude), MAX_RESULTS))
        excluded = set(exclude)
        return [Recommendation(image_id=item.image_id, score=item.score, reason="trending",
                               reason_code=ReasonCode.TRENDING)
                for item in allowed_recommendations(ranked, context=context, face_user_id=None)
                if item.image_id not in excluded][:n]

    def similar(self, *, image_id: int, n: int, face_user_id: uuid.UUID | None = None) -> list[Recommendation]:
        """A Similar-Items (or SIMS) campaign's answer; without one, the fallback engine's."""
        if not self.similar_campaign_arn:
            return self._fallen_back("similar", image_id=image_id, n=n, face_user_id=face_user_id)
        ranked = self._get(campaignArn=self.similar_campaign_arn, itemId=str(image_id),
                           numResults=min(n + 1, MAX_RESULTS))
        return [Recommendation(image_id=item.image_id, score=item.score, reason="similar (Amazon Personalize)",
                               reason_code=ReasonCode.SIMILAR)
                for item in allowed_recommendations(ranked, context=Context(emotion=""), face_user_id=face_user_id)
                if item.image_id != image_id][:n]

    def _fallen_back(self, answer: str, **arguments: Any) -> list[Recommendation]:
        if self._fallback is None:
            raise NotSupported(f"No Personalize campaign answers {answer} and no fallback engine is configured.")
        return getattr(self._fallback, answer)(**arguments)

    def _get(self, **params: Any) -> list[Recommendation]:
        try:
            response = self._client("personalize-runtime").get_recommendations(**params)
        except (ClientError, BotoCoreError) as error:
            raise PersonalizeUnavailable(f"GetRecommendations failed: {describe(error)}") from error
        return list(_parse_item_list(response.get("itemList", [])))

    # --- Writes (enqueued in the caller's transaction, delivered by consume) ---------------------------------------

    def record_served(self, *, context: Context, image_ids: list[int], taste_lifts: Sequence[float] = ()) -> None:
        """Personalize derives impressions from the events' lists; the fallback engine counts them itself."""
        if self._fallback is not None:
            self._fallback.record_served(context=context, image_ids=image_ids, taste_lifts=taste_lifts)

    def record_interaction(self, interaction: Interaction) -> None:
        enqueue(capability=CAPABILITY, operation="put_events", payload=interaction_message(interaction))
        if self._fallback is not None:
            self._fallback.record_interaction(interaction)

    def publish_item(self, image: Image) -> None:
        enqueue(capability=CAPABILITY, operation="put_items", payload={"items": [item_record(image, status=LIVE)]})
        if self._fallback is not None:
            self._fallback.publish_item(image)

    def retire_item(self, image: Image) -> None:
        enqueue(
            capability=CAPABILITY, operation="remove_items", payload={"items": [item_record(image, status=RETIRED)]}
        )
        if self._fallback is not None:
            self._fallback.retire_item(image)

    def upsert_user(self, visitor: Visitor) -> None:
        enqueue(capability=CAPABILITY, operation="put_users", payload={"users": [user_record(visitor)]})
        if self._fallback is not None:
            self._fallback.upsert_user(visitor)

    def forget_user(self, face_user_id: uuid.UUID) -> None:
        enqueue(capability=CAPABILITY, operation="forget_user", payload={"user_id": str(face_user_id)})
        if self._fallback is not None:
            self._fallback.forget_user(face_user_id)

    # --- Delivery -------------------------------------------------------------------------------------------------

    def consume(self, operation: str, payload: dict[str, Any]) -> None:
        if operation == "put_items":
            self.put_items(_still_approved(payload["items"], approved=True))
        elif operation == "remove_items":
            self.put_items(_still_approved(payload["items"], approved=False))
        elif operation == "put_users":
            existing = _existing_users(record["userId"] for record in payload["users"])
            self.put_users([record for record in payload["users"] if record["userId"] in existing])
        elif operation == "forget_user":
            self.put_users([{"userId": payload["user_id"]}])
        elif operation == "put_events":
            user_id = payload.get("user_id")
            self.put_events(event_streams(payload, user_exists=bool(user_id and _existing_users([user_id]))))
        else:
            raise PermanentFailure(f"Unknown Personalize operation {operation!r}.")

    def put_items(self, records: Sequence[dict[str, str]]) -> None:
        dataset_arn = self._required("dataset_arn_items")
        for chunk in _chunks(records):
            self._send("put_items", datasetArn=dataset_arn, items=chunk)

    def put_users(self, records: Sequence[dict[str, str]]) -> None:
        dataset_arn = self._required("dataset_arn_users")
        for chunk in _chunks(records):
            self._send("put_users", datasetArn=dataset_arn, users=chunk)

    def put_events(self, streams: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Send (user id, event) pairs, up to 10 events of one user per call."""
        tracking_id = self._required("tracking_id")
        by_user: dict[str, list[dict[str, Any]]] = {}
        for user_id, event in streams:
            by_user.setdefault(user_id, []).append(event)
        for user_id, events in by_user.items():
            for chunk in _chunks(events):
                # A user's events form one session: we have no finer notion of a visit.
                self._send("put_events", trackingId=tracking_id, userId=user_id, sessionId=user_id, eventList=chunk)

    def _send(self, operation: str, **params: Any) -> None:
        try:
            getattr(self._client("personalize-events"), operation)(**params)
        except ClientError as error:
            if error_code(error) in PERMANENT_ERRORS:
                raise PermanentFailure(f"Personalize {operation} rejected: {describe(error)}") from error
            raise

    def _required(self, option: str) -> str:
        value = getattr(self, option)
        if not value:
            # Not a PermanentFailure: the message is kept and retried until the option is set.
            raise ImproperlyConfigured(f"PersonalizeRecommender needs the {option} option to deliver changes.")
        return value

    def _client(self, service: str) -> Any:
        return self._clients[service].get()


def _parse_item_list(item_list: Iterable[dict[str, Any]]) -> Iterator[Recommendation]:
    for item in item_list:
        try:
            image_id = int(item["itemId"])
        except ValueError:
            continue  # not one of our images (an id from another catalogue): nothing to show
        code, text = next((REASONS[reason] for reason in item.get("reason", []) if reason in REASONS), DEFAULT_REASON)
        yield Recommendation(image_id=image_id, score=float(item.get("score", 0.0)), reason=text, reason_code=code)


def _still_approved(records: Sequence[dict[str, str]], *, approved: bool) -> list[dict[str, str]]:
    """The records whose image's approval is still as it was when they were written."""
    image_ids = [int(record["itemId"]) for record in records]
    approved_ids = Image.objects.filter(pk__in=image_ids, status=Image.Status.APPROVED).values_list("pk", flat=True)
    approved_now = {str(pk) for pk in approved_ids}
    return [record for record in records if (record["itemId"] in approved_now) == approved]


def _existing_users(user_ids: Iterable[str]) -> set[str]:
    """The ids among user_ids of people still known: one forgotten since the message was written is not sent."""
    return {str(pk) for pk in visitor_model().objects.filter(pk__in=list(user_ids)).values_list("pk", flat=True)}


def event_streams(message: dict[str, Any], *, user_exists: bool) -> list[tuple[str, dict[str, Any]]]:
    """(user id, event) pairs of a put_events message: for the face user unless forgotten since, and for the
    segment, each with an event id of its own (Personalize would drop the second as a duplicate)."""
    event = message["event"]
    streams = []
    if message.get("user_id") and user_exists:
        streams.append((message["user_id"], event))
    streams.append((message["segment_id"], {**event, "eventId": event["eventId"] + SEGMENT_EVENT_SUFFIX}))
    return streams


def _chunks(records: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(records), RECORDS_PER_CALL):
        yield list(records[start:start + RECORDS_PER_CALL])
