"""The Amazon Personalize engine against botocore's Stubber: real clients, canned Personalize answers, no network."""

import json
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from curation.models import Image
from curation.services import approve_image, delete_image, retire_image
from emotion_garden.vocabulary import Emotion
from recommender.engines import recommender_engine
from recommender.engines.base import Context, ReasonCode, Recommendation
from recommender.engines.personalize import PersonalizeRecommender, PersonalizeUnavailable, segment_user_id
from recommender.models import Interaction, OutboxMessage
from recommender.outbox import deliver_due, enqueue
from recommender.services import record_interaction
from tests.factories import ApprovedImageFactory, FaceUserFactory, ImageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_real_aws")]

CAMPAIGN_ARN = "arn:aws:personalize:us-east-1:123456789012:campaign/emotion-garden-campaign"
FILTER_ARN = "arn:aws:personalize:us-east-1:123456789012:filter/emotion-garden-emotion"
ITEMS_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset/emotion-garden/ITEMS"
USERS_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset/emotion-garden/USERS"
TRACKING_ID = "b4f5a6c7-0000-4000-8000-tracking"
ENGINE = "recommender.engines.personalize.PersonalizeRecommender"
LOCAL_ENGINE = "recommender.engines.local.LocalRecommender"


def aws_client(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


@pytest.fixture
def events_client() -> Any:
    return aws_client("personalize-events")


@pytest.fixture
def runtime_client() -> Any:
    return aws_client("personalize-runtime")


@pytest.fixture
def events(events_client: Any) -> Iterator[Stubber]:
    with Stubber(events_client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def runtime(runtime_client: Any) -> Iterator[Stubber]:
    with Stubber(runtime_client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def personalize_backends(clients: dict[str, Any], **options: Any) -> dict[str, Any]:
    """EMOTION_GARDEN_BACKENDS with the Personalize engine as the recommender."""
    engine_options = {
        "campaign_arn": CAMPAIGN_ARN, "tracking_id": TRACKING_ID, "dataset_arn_items": ITEMS_ARN,
        "dataset_arn_users": USERS_ARN, "emotion_filter_arn": FILTER_ARN, "region_name": "us-east-1",
        "clients": clients, **options,
    }
    return {**settings.EMOTION_GARDEN_BACKENDS, "recommender": {"BACKEND": ENGINE, "OPTIONS": engine_options}}


@pytest.fixture
def engine(events_client: Any, runtime_client: Any) -> Iterator[PersonalizeRecommender]:
    clients = {"personalize-events": events_client, "personalize-runtime": runtime_client}
    with override_settings(EMOTION_GARDEN_BACKENDS=personalize_backends(clients)):
        configured = recommender_engine()
        assert isinstance(configured, PersonalizeRecommender)
        yield configured


def item_properties(image: Image, *, status: str) -> str:
    return json.dumps({"creationTimestamp": int(image.approved_at.timestamp()), "emotion": image.emotion,
                       "status": status}, sort_keys=True)


def messages(operation: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(capability="recommender", operation=operation))


def make_due(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


# --- Changes go through the outbox --------------------------------------------------------------------------------


def test_an_approved_image_is_sent_with_put_items_only_after_the_commit(
    engine: PersonalizeRecommender, events: Stubber,
    django_capture_on_commit_callbacks,  # noqa: ANN001 (pytest-django fixture)
) -> None:
    image = ImageFactory(emotion=Emotion.SAD, theme="spring, rainy,day")
    with django_capture_on_commit_callbacks(execute=True):
        approve_image(image=image)
        [message] = messages("put_items")
        assert message.status == OutboxMessage.Status.PENDING
        expected = {"datasetArn": ITEMS_ARN, "items": [{"itemId": str(image.pk), "properties": json.dumps({
            "creationTimestamp": int(image.approved_at.timestamp()), "emotion": "SAD", "status": "live",
            "theme": "spring|rainy|day"}, sort_keys=True)}]}
        assert message.payload == {"items": expected["items"]}
        assert message.attempts == 0  # nothing is sent while the transaction is open
        events.add_response("put_items", {}, expected)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED


def test_a_retired_image_is_re_sent_with_status_retired(engine: PersonalizeRecommender, events: Stubber) -> None:
    image = ApprovedImageFactory()
    retire_image(image=image)
    [message] = messages("remove_items")
    events.add_response("put_items", {}, {"datasetArn": ITEMS_ARN, "items": [
        {"itemId": str(image.pk), "properties": item_properties(image, status="retired")}]})
    assert deliver_due().delivered == 1


def test_a_deleted_live_image_is_retired_in_personalize(engine: PersonalizeRecommender, events: Stubber) -> None:
    image = ApprovedImageFactory()
    item_id, properties = str(image.pk), item_properties(image, status="retired")
    delete_image(image=image)
    events.add_response("put_items", {}, {"datasetArn": ITEMS_ARN,
                                          "items": [{"itemId": item_id, "properties": properties}]})
    assert deliver_due().delivered == 1


def test_a_late_delivery_never_undoes_a_newer_change(engine: PersonalizeRecommender, events: Stubber) -> None:
    image = ApprovedImageFactory()
    engine.publish_item(image)
    retire_image(image=image)  # retired before the publication was delivered
    face_user = FaceUserFactory()
    engine.upsert_user(face_user.as_visitor())
    face_user.delete()  # forgotten before their record was delivered
    events.add_response("put_items", {}, {"datasetArn": ITEMS_ARN, "items": [
        {"itemId": str(image.pk), "properties": item_properties(image, status="retired")}]})
    assert deliver_due().delivered == 3  # the stale publication and user record were skipped, not sent


def test_a_face_user_is_sent_with_put_users(engine: PersonalizeRecommender, events: Stubber) -> None:
    face_user = FaceUserFactory(gender="Female", age_low=26, age_high=34)
    engine.upsert_user(face_user.as_visitor())
    events.add_response("put_users", {}, {"datasetArn": USERS_ARN, "users": [
        {"userId": str(face_user.pk), "properties": json.dumps({"ageBand": "adult", "gender": "Female"})}]})
    assert deliver_due().delivered == 1


def test_a_forgotten_user_is_re_sent_without_properties(engine: PersonalizeRecommender, events: Stubber) -> None:
    face_user = FaceUserFactory()
    user_id = str(face_user.pk)
    engine.forget_user(face_user.pk)
    face_user.delete()
    [message] = messages("forget_user")
    assert message.payload == {"user_id": user_id}
    events.add_response("put_users", {}, {"datasetArn": USERS_ARN, "users": [{"userId": user_id}]})
    assert deliver_due().delivered == 1


def test_a_like_is_sent_for_the_face_user_and_their_segment_with_impressions(
    engine: PersonalizeRecommender, events: Stubber,
    django_capture_on_commit_callbacks,  # noqa: ANN001 (pytest-django fixture)
) -> None:
    face_user = FaceUserFactory(gender="Female", age_low=26, age_high=34)
    liked, *shown = ApprovedImageFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        recorded = record_interaction(event=Interaction.Event.LIKE, image_id=liked.pk, visitor=face_user.as_visitor(),
                                      impression_ids=[image.pk for image in shown], emotion="happy",
                                      client_event_id="evt-42")
        [message] = messages("put_events")
        assert message.attempts == 0  # nothing is sent while the transaction is open
        event = {
            "eventId": "evt-42", "eventType": "like", "itemId": str(liked.pk),
            "sentAt": recorded.interaction.created_at.timestamp(),
            "impression": [str(image.pk) for image in sorted([liked, *shown], key=lambda image: image.pk)],
            "properties": json.dumps({"emotion": "HAPPY"}),
        }
        segment = "segment:HAPPY|Female|adult"
        events.add_response("put_events", {}, {"trackingId": TRACKING_ID, "userId": str(face_user.pk),
                                               "sessionId": str(face_user.pk), "eventList": [event]})
        events.add_response("put_events", {}, {"trackingId": TRACKING_ID, "userId": segment, "sessionId": segment,
                                               "eventList": [{**event, "eventId": "evt-42@segment"}]})
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED


def test_an_anonymous_view_is_sent_for_its_segment_only(engine: PersonalizeRecommender, events: Stubber) -> None:
    image = ApprovedImageFactory()
    interaction = record_interaction(event=Interaction.Event.VIEW, image_id=image.pk).interaction
    segment = segment_user_id(emotion="", gender="", age_band="")
    assert segment == "segment:*|*|*"
    events.add_response("put_events", {}, {"trackingId": TRACKING_ID, "userId": segment, "sessionId": segment,
                                           "eventList": [{
                                               "eventId": f"eg-{interaction.pk}@segment", "eventType": "view",
                                               "itemId": str(image.pk), "sentAt": interaction.created_at.timestamp(),
                                               "impression": [str(image.pk)]}]})
    assert deliver_due().delivered == 1


def test_impressions_are_capped_at_personalizes_25_and_keep_the_liked_image(engine: PersonalizeRecommender) -> None:
    images = ApprovedImageFactory.create_batch(30)
    liked = images[-1]
    record_interaction(event=Interaction.Event.LIKE, image_id=liked.pk,
                       impression_ids=[image.pk for image in images], emotion="CALM")
    [message] = messages("put_events")
    impression = message.payload["event"]["impression"]
    assert len(impression) == 25 and str(liked.pk) in impression


def test_more_than_ten_items_are_sent_ten_per_call(engine: PersonalizeRecommender, events: Stubber) -> None:
    images = ApprovedImageFactory.create_batch(12)
    records = [{"itemId": str(image.pk), "properties": item_properties(image, status="live")} for image in images]
    enqueue(capability="recommender", operation="put_items", payload={"items": records})
    events.add_response("put_items", {}, {"datasetArn": ITEMS_ARN, "items": records[:10]})
    events.add_response("put_items", {}, {"datasetArn": ITEMS_ARN, "items": records[10:]})
    assert deliver_due().delivered == 1


def test_an_invalid_request_is_given_up_at_once(engine: PersonalizeRecommender, events: Stubber) -> None:
    engine.publish_item(ApprovedImageFactory())
    events.add_client_error("put_items", service_error_code="InvalidInputException",
                            service_message="properties do not match the schema", http_status_code=400)
    assert deliver_due().dead == 1
    [message] = messages("put_items")
    assert message.status == OutboxMessage.Status.DEAD and "InvalidInputException" in message.last_error


def test_an_outage_is_retried_and_loses_nothing(engine: PersonalizeRecommender, events: Stubber) -> None:
    image = ApprovedImageFactory()
    record_interaction(event=Interaction.Event.VIEW, image_id=image.pk, emotion="SAD")
    events.add_client_error("put_events", service_error_code="ThrottlingException", http_status_code=400)
    assert deliver_due().retried == 1
    [message] = messages("put_events")
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert "ThrottlingException" in message.last_error

    make_due(message)
    events.add_response("put_events", {})
    assert deliver_due().delivered == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.DELIVERED, 2)


def test_a_missing_option_keeps_the_message_for_later(events_client: Any) -> None:
    backends = personalize_backends({"personalize-events": events_client}, dataset_arn_items="")
    with override_settings(EMOTION_GARDEN_BACKENDS=backends):
        recommender_engine().publish_item(ApprovedImageFactory())
        assert deliver_due().retried == 1
    [message] = messages("put_items")
    assert "dataset_arn_items" in message.last_error


def test_an_unknown_operation_is_given_up(engine: PersonalizeRecommender) -> None:
    enqueue(capability="recommender", operation="put_actions", payload={})
    assert deliver_due().dead == 1


# --- Recommendations ----------------------------------------------------------------------------------------------


def item_list(*image_ids: int, reasons: dict[int, list[str]] | None = None) -> dict[str, Any]:
    reasons = reasons or {}
    return {"recommendationId": "RID-1", "itemList": [
        {"itemId": str(image_id), "score": round(0.9 - 0.1 * rank, 2), **(
            {"reason": reasons[image_id]} if image_id in reasons else {})}
        for rank, image_id in enumerate(image_ids)
    ]}


def test_recommend_sends_the_context_and_filter_and_drops_excluded_and_retired_images(
    engine: PersonalizeRecommender, runtime: Stubber
) -> None:
    seen, retired, first, second, third = ApprovedImageFactory.create_batch(5)
    retire_image(image=retired)  # Personalize's filter has not caught up yet
    face_user = FaceUserFactory()
    runtime.add_response(
        "get_recommendations",
        item_list(seen.pk, retired.pk, first.pk, second.pk, third.pk, reasons={second.pk: ["Exploration"]}),
        {"campaignArn": CAMPAIGN_ARN, "userId": str(face_user.pk), "numResults": 3, "context": {"EMOTION": "HAPPY"},
         "filterArn": FILTER_ARN, "filterValues": {"EMOTION": '"HAPPY"'}},
    )
    strict = Context(emotion="HAPPY", strict_emotion=True)
    recommendations = engine.recommend(face_user_id=face_user.pk, context=strict, n=2, exclude=[seen.pk])
    assert recommendations == [
        Recommendation(image_id=first.pk, score=0.7, reason="recommended by Amazon Personalize",
                       reason_code=ReasonCode.RECOMMENDED),
        Recommendation(image_id=second.pk, score=0.6, reason="new in the garden", reason_code=ReasonCode.NEW),
    ]


def test_an_anonymous_visitor_is_recommended_for_as_their_segment(
    engine: PersonalizeRecommender, runtime: Stubber
) -> None:
    image = ApprovedImageFactory(emotion="FEAR")
    runtime.add_response("get_recommendations", item_list(image.pk), {
        "campaignArn": CAMPAIGN_ARN, "userId": "segment:FEAR|Male|teenager", "numResults": 3,
        "context": {"EMOTION": "FEAR"}, "filterArn": FILTER_ARN, "filterValues": {"EMOTION": '"FEAR"'}})
    context = Context(emotion="FEAR", gender="Male", age_band="teenager", strict_emotion=True)
    assert [item.image_id for item in engine.recommend(face_user_id=None, context=context, n=3)] == [image.pk]


def test_without_an_emotion_the_filter_lets_every_emotion_through(
    engine: PersonalizeRecommender, runtime: Stubber
) -> None:
    face_user = FaceUserFactory()
    every_emotion = ",".join(f'"{emotion}"' for emotion in Emotion.values)
    runtime.add_response("get_recommendations", item_list(), {
        "campaignArn": CAMPAIGN_ARN, "userId": str(face_user.pk), "numResults": 3, "filterArn": FILTER_ARN,
        "filterValues": {"EMOTION": every_emotion}})
    assert engine.recommend(face_user_id=face_user.pk, context=Context(emotion="", strict_emotion=True), n=3) == []


def test_everything_excluded_is_repeated_rather_than_an_empty_garden(
    engine: PersonalizeRecommender, runtime: Stubber
) -> None:
    image = ApprovedImageFactory()
    runtime.add_response("get_recommendations", item_list(image.pk))
    recommendations = engine.recommend(face_user_id=None, context=Context(emotion="HAPPY"), n=3, exclude=[image.pk])
    assert [item.image_id for item in recommendations] == [image.pk]


def test_a_personalize_failure_raises_personalize_unavailable(
    engine: PersonalizeRecommender, runtime: Stubber
) -> None:
    runtime.add_client_error("get_recommendations", service_error_code="ResourceNotFoundException",
                             http_status_code=404)
    with pytest.raises(PersonalizeUnavailable, match="ResourceNotFoundException"):
        engine.recommend(face_user_id=None, context=Context(emotion="HAPPY"), n=3)


def test_the_fallback_answers_when_personalize_cannot(runtime_client: Any, runtime: Stubber) -> None:
    image = ApprovedImageFactory(emotion=Emotion.CALM)
    runtime.add_client_error("get_recommendations", service_error_code="ThrottlingException", http_status_code=400)
    with_fallback = PersonalizeRecommender(campaign_arn=CAMPAIGN_ARN, fallback=LOCAL_ENGINE,
                                           clients={"personalize-runtime": runtime_client})
    no_campaign_yet = PersonalizeRecommender(fallback=LOCAL_ENGINE)
    for engine in (with_fallback, no_campaign_yet):
        recommendations = engine.recommend(face_user_id=None, context=Context(emotion="CALM"), n=3)
        assert [item.image_id for item in recommendations] == [image.pk]


@pytest.mark.django_db(transaction=True)  # the fallback counts the like once it commits, within a flush
def test_the_fallback_learns_every_like_too() -> None:
    image = ApprovedImageFactory()
    backends = {**settings.EMOTION_GARDEN_BACKENDS,
                "recommender": {"BACKEND": ENGINE, "OPTIONS": {"fallback": LOCAL_ENGINE}}}
    with override_settings(EMOTION_GARDEN_BACKENDS=backends):
        record_interaction(event=Interaction.Event.LIKE, image_id=image.pk, emotion="HAPPY")
    assert len(messages("put_events")) == 1
    deadline = time.monotonic() + 10
    while not image.segment_stats.filter(segment="HAPPY", likes=1).exists():
        assert time.monotonic() < deadline, "the fallback never counted the like"
        time.sleep(0.05)


# --- Through the API ----------------------------------------------------------------------------------------------


def test_the_api_serves_personalize_recommendations_and_records_likes(
    engine: PersonalizeRecommender, runtime: Stubber, events: Stubber
) -> None:
    first, second = ApprovedImageFactory.create_batch(2, emotion=Emotion.SURPRISED)
    runtime.add_response("get_recommendations", item_list(second.pk, first.pk), {
        # n + 1: the API asks one more than it shows, to know whether the pool ends with this page.
        "campaignArn": CAMPAIGN_ARN, "userId": "segment:SURPRISED|*|*", "numResults": 3,
        "context": {"EMOTION": "SURPRISED"}, "filterArn": FILTER_ARN, "filterValues": {"EMOTION": '"SURPRISED"'}})
    client = APIClient()
    garden = client.post("/api/v1/garden", {"emotion": "surprised", "n": 2, "mode": "emotion"}, format="json")
    assert garden.status_code == 200
    assert [(item["id"], item["score"]) for item in garden.json()["items"]] == [(second.pk, 0.9), (first.pk, 0.8)]
    assert garden.json()["exhausted"] is True  # Personalize had no third

    like = client.post("/api/v1/like", {"image": second.pk, "impressions": [first.pk], "emotion": "surprised",
                                        "client_event_id": f"web-{uuid.uuid4().hex}"}, format="json")
    assert like.status_code == 201
    [message] = messages("put_events")
    assert message.payload["event"]["eventId"] == like.json()["client_event_id"]
    assert message.payload["event"]["impression"] == sorted([str(first.pk), str(second.pk)], key=int)
