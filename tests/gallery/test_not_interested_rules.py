"""What a "not interested" means beside likes, and in every garden mode: found by an outside probe of a live server."""

import pytest
from rest_framework.test import APIClient

from curation.services import retire_image
from recommender import history, training
from recommender.items import store_item_content
from recommender.models import Interaction, SegmentStat
from recommender.queries import recent_likes_by_emotion
from tests.factories import ApprovedImageFactory, FaceUserFactory, as_person

pytestmark = pytest.mark.django_db


def send(api_client: APIClient, event: str, image: int, person: object, **extra: object) -> dict:
    response = api_client.post(f"/api/v1/{event}", {"image": image, "face_user": str(person.pk), "emotion": "CALM",
                                                    **extra}, format="json", **as_person(person))
    assert response.status_code in (200, 201), response.content
    return response.json()


def liked_ids(api_client: APIClient, person: object) -> set[int]:
    answer = api_client.get(f"/api/v1/users/{person.pk}/likes", **as_person(person)).json()
    return {image["id"] for image in answer["likes"]}


def test_not_interested_in_a_liked_image_takes_the_like_back_everywhere(api_client: APIClient) -> None:
    image = ApprovedImageFactory(emotion="CALM")
    person = FaceUserFactory()
    send(api_client, "like", image.id, person)
    assert liked_ids(api_client, person) == {image.id}

    send(api_client, "not-interested", image.id, person)

    # It was hidden by the engine but still listed in their likes, counted in the counters and in trending.
    assert liked_ids(api_client, person) == set()
    assert SegmentStat.objects.get(segment="*", image=image).likes == 0
    assert sum(likes for _, _, likes in recent_likes_by_emotion(
        events=Interaction, item_field="image", since=image.created_at.replace(year=2000))) == 0
    assert list(Interaction.objects.order_by("id").values_list("event", flat=True)) == [
        "like", "unlike", "not_interested"]


def test_a_second_not_interested_after_a_like_counts_again(api_client: APIClient) -> None:
    """A like lifts a "not interested"; one sent after it was answered with the first, stale one, and the image
    kept showing."""
    image = ApprovedImageFactory(emotion="CALM")
    ApprovedImageFactory.create_batch(4, emotion="CALM")
    person = FaceUserFactory()
    first = send(api_client, "not-interested", image.id, person, client_event_id="ni-1")
    send(api_client, "like", image.id, person)
    send(api_client, "unlike", image.id, person)

    second = send(api_client, "not-interested", image.id, person, client_event_id="ni-2")

    assert second["id"] != first["id"] and second["client_event_id"] == "ni-2"
    body = {"emotion": "CALM", "face_user": str(person.pk), "n": 10}
    shown = api_client.post("/api/v1/garden", body, format="json", **as_person(person)).json()["items"]
    assert image.id not in {item["id"] for item in shown}
    # And once standing, again it is answered with the standing one.
    assert send(api_client, "not-interested", image.id, person)["id"] == second["id"]


@pytest.mark.parametrize("mode", ["auto", "personal", "emotion", "trending"])
def test_a_hidden_image_stays_hidden_in_every_mode(api_client: APIClient, mode: str) -> None:
    """mode=emotion and mode=trending did not pass the person to the engine, so their hides did not apply."""
    hidden = ApprovedImageFactory(emotion="CALM")
    rest = ApprovedImageFactory.create_batch(4, emotion="CALM")
    person, other = FaceUserFactory(), FaceUserFactory()
    for image in [hidden, *rest]:  # everything trends
        send(api_client, "like", image.id, other)
    send(api_client, "not-interested", hidden.id, person)
    body = {"emotion": "CALM", "face_user": str(person.pk), "n": 10, "mode": mode}

    answer = api_client.post("/api/v1/garden", body, format="json", **as_person(person)).json()

    assert {item["id"] for item in answer["items"]} == {image.id for image in rest}


def test_an_anonymous_unlike_takes_back_no_ones_like(api_client: APIClient) -> None:
    """Three unlikes with an API key and no person took a person's like of the image back from the counters."""
    image = ApprovedImageFactory(emotion="HAPPY")
    person = FaceUserFactory()
    send(api_client, "like", image.id, person)
    for _ in range(3):
        assert api_client.post("/api/v1/unlike", {"image": image.id, "emotion": "CALM"},
                               format="json").status_code == 201
    assert SegmentStat.objects.get(segment="*", image=image).likes == 1
    assert SegmentStat.objects.get(segment="CALM", image=image).likes == 1
    # Nor from trending, which had counted them against the like (the image left the trending list).
    assert sum(likes for _, _, likes in recent_likes_by_emotion(
        events=Interaction, item_field="image", since=image.created_at.replace(year=2000))) == 1
    body = {"emotion": "CALM", "mode": "trending"}
    assert [item["id"] for item in api_client.post("/api/v1/garden", body, format="json").json()["items"]] == [image.id]


def test_many_events_on_one_image_push_out_no_other_hide_or_like(
    api_client: APIClient, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The engine read the person's latest 400 events: 210 likes and unlikes of one image brought a hidden image
    back, dropped their other likes from the count, and put liked images in personal picks."""
    monkeypatch.setattr(history, "HISTORY_EVENTS", 10)
    monkeypatch.setattr(training, "HISTORY_EVENTS", 10)
    hidden, toggled, *liked = ApprovedImageFactory.create_batch(6, emotion="CALM")
    rest = ApprovedImageFactory.create_batch(6, emotion="CALM")
    person = FaceUserFactory()
    send(api_client, "not-interested", hidden.id, person)
    for image in liked:
        send(api_client, "like", image.id, person)
    for _ in range(6):
        send(api_client, "like", toggled.id, person)
        send(api_client, "unlike", toggled.id, person)

    body = {"emotion": "CALM", "face_user": str(person.pk), "n": 20, "mode": "personal"}
    answer = api_client.post("/api/v1/garden", body, format="json", **as_person(person)).json()

    assert answer["likes"] == len(liked) and answer["mode"] == "personal"
    assert {item["id"] for item in answer["items"]} == {toggled.id, *(image.id for image in rest)}


def test_copies_of_a_hidden_image_stay_hidden_once_it_is_retired(api_client: APIClient) -> None:
    """Near-duplicates were found only from hidden images still live: retiring one brought its copies back."""
    hidden, copy = ApprovedImageFactory.create_batch(2, emotion="CALM", theme="winter,snowy,night")
    rest = ApprovedImageFactory.create_batch(3, emotion="CALM", theme="summer,sunny,day")
    for image in [hidden, copy, *rest]:
        store_item_content(image)
    person = FaceUserFactory()
    send(api_client, "not-interested", hidden.id, person)
    body = {"emotion": "CALM", "face_user": str(person.pk), "n": 10}
    assert copy.id not in {item["id"] for item in api_client.post(
        "/api/v1/garden", body, format="json", **as_person(person)).json()["items"]}

    retire_image(image=hidden)

    shown = {item["id"] for item in api_client.post(
        "/api/v1/garden", body, format="json", **as_person(person)).json()["items"]}
    assert shown == {image.id for image in rest}


def test_an_unlike_of_an_image_never_liked_does_not_lift_a_hide(api_client: APIClient) -> None:
    """Reading only each item's latest event, a stored unlike (of an image the person did not like) after their "not
    interested" looked like the image's state, and the hidden image came back."""
    hidden = ApprovedImageFactory(emotion="CALM")
    rest = ApprovedImageFactory.create_batch(3, emotion="CALM")
    person = FaceUserFactory()
    send(api_client, "not-interested", hidden.id, person)
    send(api_client, "unlike", hidden.id, person)
    body = {"emotion": "CALM", "face_user": str(person.pk), "n": 10}
    shown = api_client.post("/api/v1/garden", body, format="json", **as_person(person)).json()["items"]
    assert {item["id"] for item in shown} == {image.id for image in rest}
