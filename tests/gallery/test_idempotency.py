"""A client event id names one event of one caller: a retry from that caller gets its first answer, another caller's
reuse of the id is an event of its own (never an answer with someone else's data), and the same id for a different
event is a 409."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from recommender.models import Interaction
from tests.factories import ApiKeyFactory, ApprovedImageFactory, FaceUserFactory, as_person

pytestmark = pytest.mark.django_db


def like(client: APIClient | Client, body: dict[str, object], event: str = "like", **headers: str) -> object:
    return client.post(f"/api/v1/{event}", body, content_type="application/json", **headers)


def test_a_stranger_reusing_a_persons_event_id_gets_an_event_of_their_own(api_client: APIClient) -> None:
    image = ApprovedImageFactory()
    person = FaceUserFactory()
    body = {"image": image.pk, "client_event_id": "evt-1"}
    first = like(api_client, {**body, "face_user": str(person.pk)}, **as_person(person))
    assert first.status_code == 201 and first.json()["face_user"] == str(person.pk)

    for stranger in ({}, {"HTTP_X_API_KEY": ApiKeyFactory(scopes=["likes"]).raw_key}):
        reused = like(api_client, body, **stranger)
        assert reused.status_code == 201
        assert reused.json()["id"] != first.json()["id"] and reused.json()["face_user"] is None
        assert reused.json()["likes"] is None
    # Naming the person too gets the stranger nothing but a refusal.
    assert like(api_client, {**body, "face_user": str(person.pk)}).status_code == 403
    assert Interaction.objects.filter(client_event_id="evt-1").count() == 3


def test_each_caller_retries_its_own_event(api_client: APIClient) -> None:
    image = ApprovedImageFactory()
    keys = [{"HTTP_X_API_KEY": ApiKeyFactory(scopes=["likes"]).raw_key} for _ in range(2)]
    body = {"image": image.pk, "client_event_id": "shared"}
    firsts = [like(api_client, body, **key).json()["id"] for key in keys]
    retries = [like(api_client, body, **key) for key in keys]
    assert [retry.status_code for retry in retries] == [200, 200]
    assert [retry.json()["id"] for retry in retries] == firsts
    assert len(set(firsts)) == 2 and Interaction.objects.count() == 2


def test_two_browsers_of_the_site_page_are_two_callers() -> None:
    image = ApprovedImageFactory()
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.get("/")  # the page's cookie: a random id per browser
    body = {"image": image.pk, "client_event_id": "from-a-page"}
    answers = [like(browser, body) for browser in browsers]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert like(browsers[0], body).json()["id"] == answers[0].json()["id"]
    assert Interaction.objects.count() == 2


@pytest.mark.parametrize(("first", "second", "change"), [
    ("like", "unlike", {}),
    ("unlike", "like", {}),
    ("like", "like", {"image": "OTHER"}),
])
def test_the_same_id_for_another_event_is_a_conflict(api_client: APIClient, first: str, second: str,
                                                     change: dict[str, str]) -> None:
    image, other = ApprovedImageFactory.create_batch(2)
    body = {"image": image.pk, "client_event_id": "evt-conflict"}
    assert like(api_client, body, event=first).status_code == 201
    clash = like(api_client, {**body, **{key: other.pk for key in change}}, event=second)
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "idempotency_conflict"
    assert Interaction.objects.count() == 1


def test_the_same_id_for_another_person_of_an_operator_is_a_conflict(api_client: APIClient) -> None:
    image = ApprovedImageFactory()
    one, two = FaceUserFactory.create_batch(2)
    operator = {"HTTP_X_API_KEY": ApiKeyFactory().raw_key}
    body = {"image": image.pk, "client_event_id": "evt-op"}
    assert like(api_client, {**body, "face_user": str(one.pk)}, **operator).status_code == 201
    assert like(api_client, {**body, "face_user": str(two.pk)}, **operator).status_code == 409


def test_what_is_stored_names_no_caller(api_client: APIClient) -> None:
    person = FaceUserFactory()
    like(api_client, {"image": ApprovedImageFactory().pk, "face_user": str(person.pk), "client_event_id": "e"},
         **as_person(person))
    stored = Interaction.objects.get()
    assert stored.client_event_id == "e"
    assert len(stored.idempotency_key) == 64 and str(person.pk) not in stored.idempotency_key
    # Events without an id have no key, so any number of them coexist.
    for _ in range(2):
        assert like(api_client, {"image": stored.image_id}).status_code == 201
    assert Interaction.objects.filter(idempotency_key__isnull=True).count() == 2
