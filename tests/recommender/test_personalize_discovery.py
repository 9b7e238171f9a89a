"""The Personalize engine's trending, similar and not-interested answers: a campaign of the matching recipe when one
is configured (Trending-Now, Similar-Items), else the fallback engine, else a clear 503; always with our own filters
(live images, theme, the visitor's "not interested")."""

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from django.test import override_settings
from rest_framework.test import APIClient

from recommender.engines import recommender_engine
from recommender.engines.base import Context, NotSupported
from recommender.engines.personalize import PersonalizeRecommender
from recommender.models import Interaction
from recommender.services import record_interaction
from tests.factories import ApprovedImageFactory, FaceUserFactory
from tests.recommender.test_personalize_backend import (
    CAMPAIGN_ARN,
    LOCAL_ENGINE,
    aws_client,
    item_list,
    personalize_backends,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_real_aws")]

TRENDING_ARN = "arn:aws:personalize:us-east-1:123456789012:campaign/emotion-garden-trending"
SIMILAR_ARN = "arn:aws:personalize:us-east-1:123456789012:campaign/emotion-garden-similar"


@pytest.fixture
def runtime_client() -> Any:
    return aws_client("personalize-runtime")


@pytest.fixture
def runtime(runtime_client: Any) -> Iterator[Stubber]:
    with Stubber(runtime_client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def engine_with(runtime_client: Any, **options: Any) -> PersonalizeRecommender:
    clients = {"personalize-runtime": runtime_client, "personalize-events": aws_client("personalize-events")}
    with override_settings(EMOTION_GARDEN_BACKENDS=personalize_backends(clients, **options)):
        configured = recommender_engine()
    assert isinstance(configured, PersonalizeRecommender)
    return configured


def test_trending_asks_the_trending_campaign_for_the_segment_and_keeps_the_theme(runtime_client: Any,
                                                                                 runtime: Stubber) -> None:
    winter, summer = ApprovedImageFactory(theme="winter,day"), ApprovedImageFactory(theme="summer,day")
    runtime.add_response("get_recommendations", item_list(summer.pk, winter.pk), {
        "campaignArn": TRENDING_ARN, "userId": "segment:HAPPY|*|*", "numResults": 2})
    engine = engine_with(runtime_client, trending_campaign_arn=TRENDING_ARN)
    picks = engine.trending(context=Context(emotion="HAPPY", theme="winter"), n=2)
    assert [(pick.image_id, pick.reason_code) for pick in picks] == [(winter.pk, "trending")]


def test_similar_asks_the_similar_items_campaign_and_hides_what_the_visitor_refused(runtime_client: Any,
                                                                                    runtime: Stubber) -> None:
    image, refused, kept = ApprovedImageFactory.create_batch(3)
    person = FaceUserFactory()
    record_interaction(event=Interaction.Event.NOT_INTERESTED, image_id=refused.pk, visitor=person.as_visitor())
    runtime.add_response("get_recommendations", item_list(image.pk, refused.pk, kept.pk), {
        "campaignArn": SIMILAR_ARN, "itemId": str(image.pk), "numResults": 3})
    engine = engine_with(runtime_client, similar_campaign_arn=SIMILAR_ARN)
    picks = engine.similar(image_id=image.pk, n=2, face_user_id=person.pk)
    assert [(pick.image_id, pick.reason_code) for pick in picks] == [(kept.pk, "similar")]


def test_without_such_campaigns_the_fallback_answers(runtime_client: Any) -> None:
    image, other = ApprovedImageFactory.create_batch(2, theme="winter")
    engine = engine_with(runtime_client, fallback=LOCAL_ENGINE)
    assert [pick.image_id for pick in engine.similar(image_id=image.pk, n=3)] == [other.pk]
    assert {pick.image_id for pick in engine.trending(context=Context(emotion="HAPPY"), n=3)} == {image.pk, other.pk}


def test_without_campaigns_or_fallback_the_api_answers_503(runtime_client: Any) -> None:
    image = ApprovedImageFactory()
    clients = {"personalize-runtime": runtime_client, "personalize-events": aws_client("personalize-events")}
    with override_settings(EMOTION_GARDEN_BACKENDS=personalize_backends(clients)):
        engine = recommender_engine()
        with pytest.raises(NotSupported):
            engine.trending(context=Context(emotion="HAPPY"), n=3)
        client = APIClient()
        similar = client.get(f"/api/v1/images/{image.pk}/similar")
        trending = client.post("/api/v1/garden", {"emotion": "HAPPY", "mode": "trending"}, format="json")
    assert similar.status_code == 503 and similar.json()["error"]["code"] == "recommender_unavailable"
    assert trending.status_code == 503


def test_personal_picks_leave_out_what_the_visitor_is_not_interested_in(runtime_client: Any,
                                                                        runtime: Stubber) -> None:
    refused, kept = ApprovedImageFactory.create_batch(2)
    person = FaceUserFactory()
    record_interaction(event=Interaction.Event.NOT_INTERESTED, image_id=refused.pk, visitor=person.as_visitor())
    runtime.add_response("get_recommendations", item_list(refused.pk, kept.pk), {
        "campaignArn": CAMPAIGN_ARN, "userId": str(person.pk), "numResults": 2, "context": {"EMOTION": "HAPPY"}})
    picks = engine_with(runtime_client).recommend(face_user_id=person.pk, context=Context(emotion="HAPPY"), n=2)
    assert [pick.image_id for pick in picks] == [kept.pk]
