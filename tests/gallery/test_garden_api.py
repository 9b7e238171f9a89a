import uuid

import pytest
from rest_framework.test import APIClient

from curation.models import Image
from tests.factories import (
    ApiKeyFactory,
    ApprovedImageFactory,
    ApprovedTrackFactory,
    FaceUserFactory,
    ImageFactory,
    as_person,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/garden"


def test_returns_approved_images_of_the_emotion_with_urls(api_client: APIClient) -> None:
    happy = ApprovedImageFactory.create_batch(4, emotion="HAPPY")
    ApprovedImageFactory(emotion="SAD")
    ImageFactory(emotion="HAPPY", status=Image.Status.PENDING)
    ImageFactory(emotion="HAPPY", status=Image.Status.RETIRED)

    response = api_client.post(URL, {"emotion": "HAPPY", "mode": "emotion"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["emotion"] == "HAPPY"
    assert len(body["recommendation_id"]) == 32
    items = body["items"]
    assert [item["rank"] for item in items] == [1, 2, 3]
    assert {item["id"] for item in items} <= {image.id for image in happy}
    for item in items:
        assert item["url"].startswith("http://testserver/media/images/happy/")
        assert item["emotion"] == "HAPPY" and item["reason"]
    assert api_client.get(items[0]["url"].removeprefix("http://testserver")).status_code == 200


def test_n_and_exclude_page_through_the_garden(api_client: APIClient) -> None:
    ApprovedImageFactory.create_batch(5, emotion="CALM")
    first = api_client.post(URL, {"emotion": "calm", "n": 3}, format="json").json()["items"]
    seen = [item["id"] for item in first]
    second = api_client.post(URL, {"emotion": "calm", "n": 3, "exclude": seen}, format="json").json()["items"]
    assert len(second) == 2
    assert not {item["id"] for item in second} & set(seen)


def test_known_face_user_without_emotion(api_client: APIClient) -> None:
    ApprovedImageFactory.create_batch(2, emotion="FEAR")
    person = FaceUserFactory()
    response = api_client.post(URL, {"face_user": str(person.id)}, format="json", **as_person(person))
    assert response.status_code == 200
    assert len(response.json()["items"]) == 2


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"emotion": "ELATED"},
        {"emotion": "HAPPY", "n": 0},
        {"emotion": "HAPPY", "n": 1000},
        {"emotion": "HAPPY", "exclude": "3"},
        {"emotion": "HAPPY", "exclude": [2**63]},  # beyond any database id: a 500 from the driver before
        {"face_user": "not-a-uuid"},
        ["HAPPY"],
    ],
)
def test_invalid_requests_get_400_with_the_field(api_client: APIClient, body: object) -> None:
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"]


def test_malformed_json(api_client: APIClient) -> None:
    response = api_client.post(URL, b'{"emotion": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_personal_picks_need_the_persons_credential(api_client: APIClient) -> None:
    ApprovedImageFactory()
    person, other = FaceUserFactory.create_batch(2)
    for face_user_id, headers in [(person.pk, {}), (uuid.uuid4(), {}), (person.pk, as_person(other))]:
        response = api_client.post(URL, {"emotion": "HAPPY", "face_user": str(face_user_id)}, format="json",
                                   **headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "person_credential_required"
    # An operator may name anyone, and learns that an id is nobody's.
    operator = {"HTTP_X_API_KEY": ApiKeyFactory(scopes=["garden", "users"]).raw_key}
    assert api_client.post(URL, {"emotion": "HAPPY", "face_user": str(person.pk)}, format="json",
                           **operator).status_code == 200
    unknown = api_client.post(URL, {"emotion": "HAPPY", "face_user": str(uuid.uuid4())}, format="json", **operator)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "unknown_face_user")


def like(api_client: APIClient, image_id: int, face_user_id: str, event: str = "like") -> None:
    response = api_client.post(f"/api/v1/{event}", {"image": image_id, "face_user": face_user_id}, format="json")
    assert response.status_code == 201


def test_auto_mode_moves_to_personal_picks_after_enough_likes(api_client: APIClient, settings) -> None:  # noqa: ANN001
    settings.PERSONAL_PICKS_MIN_LIKES = 2
    images = ApprovedImageFactory.create_batch(4, emotion="HAPPY")
    face_user = FaceUserFactory()
    api_client.credentials(**as_person(face_user))
    person = str(face_user.id)
    body = {"emotion": "HAPPY", "face_user": person}

    before = api_client.post(URL, body, format="json").json()
    assert (before["mode"], before["likes"], before["personal_after_likes"]) == ("emotion", 0, 2)
    like(api_client, images[0].id, person)
    like(api_client, images[1].id, person)
    after = api_client.post(URL, body, format="json").json()
    assert (after["mode"], after["likes"]) == ("personal", 2)
    forced = api_client.post(URL, {**body, "mode": "emotion"}, format="json").json()
    assert forced["mode"] == "emotion"


def test_without_a_face_user_it_is_always_emotion_picks(api_client: APIClient) -> None:
    ApprovedImageFactory()
    response = api_client.post(URL, {"emotion": "HAPPY", "mode": "personal"}, format="json")
    assert response.json()["mode"] == "emotion"


def test_likes_of_a_face_user_exclude_unliked_images(api_client: APIClient) -> None:
    kept, taken_back = ApprovedImageFactory.create_batch(2)
    face_user = FaceUserFactory()
    api_client.credentials(**as_person(face_user))
    person = str(face_user.id)
    like(api_client, taken_back.id, person)
    like(api_client, kept.id, person)
    like(api_client, taken_back.id, person, event="unlike")
    response = api_client.get(f"/api/v1/users/{person}/likes")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["likes"]] == [kept.id]
    assert api_client.get(f"/api/v1/users/{uuid.uuid4()}/likes").status_code == 403


def test_a_forged_cursor_is_refused(api_client: APIClient) -> None:
    response = api_client.post(URL, {"emotion": "SAD", "cursor": "WzEsMiwzXQ:forged"}, format="json")
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


def test_a_face_user_asking_afresh_is_not_shown_the_page_they_just_left(api_client: APIClient) -> None:
    # A client that does not keep the cursor: the next page starts past the last images the person was shown
    # (recommender.history.RECENT_IMAGES), newest first, as far as the pool allows; what was shown longest ago comes
    # back before a page falls short.
    ApprovedImageFactory.create_batch(8, emotion="CALM")
    face_user = FaceUserFactory()
    api_client.credentials(**as_person(face_user))

    def page() -> set[int]:
        response = api_client.post(URL, {"emotion": "CALM", "face_user": str(face_user.id), "n": 3}, format="json")
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    first, second = page(), page()
    assert len(first) == len(second) == 3 and not first & second
    third = page()  # two images were never shown: three are shown anyway, none of the page just left
    assert len(third) == 3 and not third & second


@pytest.mark.parametrize("url", [URL, "/api/v1/songs"])
def test_a_person_without_an_emotion_gets_picks_loved_by_people_like_them(api_client: APIClient, url: str) -> None:
    """Their segment's favourites were explained as "popular with <no emotion> visitors", which raised: a person's
    credential without an emotion answered 500 whenever such an item was picked (found by an outside probe)."""
    if url == URL:
        kind, items = "image", ApprovedImageFactory.create_batch(3, emotion="CALM")
    else:
        kind, items = "track", ApprovedTrackFactory.create_batch(3, emotions=["CALM"])
    liker, person = FaceUserFactory.create_batch(2)  # the same gender and age band
    for item in items:
        body = {kind: item.id, "face_user": str(liker.id)}
        assert api_client.post("/api/v1/like", body, format="json", **as_person(liker)).status_code == 201

    response = api_client.post(url, {}, format="json", **as_person(person))

    assert response.status_code == 200, response.content
    reasons = {(item["reason_code"], item["reason"]) for item in response.json()["items"]}
    assert reasons == {("popular_with_everyone", "popular with everyone")}


def test_a_persons_emotion_picks_need_the_emotion(api_client: APIClient) -> None:
    """They were any images at all; a person's other picks go on without it (the emotion is a prior there)."""
    ApprovedImageFactory.create_batch(2, emotion="FEAR")
    person = FaceUserFactory()

    response = api_client.post(URL, {"mode": "emotion"}, format="json", **as_person(person))

    assert response.status_code == 400
    assert "emotion" in response.json()["error"]["fields"]
