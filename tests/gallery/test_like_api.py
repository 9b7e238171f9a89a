import uuid

import pytest
from rest_framework.test import APIClient

from curation.models import Image
from recommender.models import Interaction
from tests.factories import ApiKeyFactory, ApprovedImageFactory, FaceUserFactory, ImageFactory, as_person

pytestmark = pytest.mark.django_db


def test_like_is_stored_with_its_impressions(api_client: APIClient) -> None:
    shown = ApprovedImageFactory.create_batch(3)
    person = FaceUserFactory()
    response = api_client.post("/api/v1/like", {
        "image": shown[1].id, "face_user": str(person.id), "impressions": [image.id for image in shown],
        "emotion": "happy", "client_event_id": "evt-1",
    }, format="json", **as_person(person))
    assert response.status_code == 201
    interaction = Interaction.objects.get()
    assert interaction.event == Interaction.Event.LIKE
    assert interaction.image == shown[1]
    assert interaction.face_user == person
    assert set(interaction.impressions.all()) == set(shown)
    assert (interaction.emotion, interaction.gender, interaction.age_band) == ("HAPPY", "Female", "adult")


def test_retried_event_is_recorded_once(api_client: APIClient) -> None:
    image = ApprovedImageFactory()
    body = {"image": image.id, "client_event_id": "evt-retry"}
    first = api_client.post("/api/v1/like", body, format="json")
    second = api_client.post("/api/v1/like", body, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Interaction.objects.count() == 1


def test_like_changes_the_next_garden(api_client: APIClient, settings) -> None:  # noqa: ANN001
    # Without exploration slots the ranking is deterministic: the liked image must come first at once.
    settings.EMOTION_GARDEN_BACKENDS = {**settings.EMOTION_GARDEN_BACKENDS, "recommender": {
        "BACKEND": "recommender.engines.local.LocalRecommender",
        "OPTIONS": {**settings.EMOTION_GARDEN_BACKENDS["recommender"]["OPTIONS"], "taste": {"exploration": 0}}}}
    images = ApprovedImageFactory.create_batch(6, emotion="SURPRISED")
    before = api_client.post("/api/v1/garden", {"emotion": "SURPRISED", "n": 6}, format="json").json()["items"]
    least_ranked = before[-1]["id"]
    api_client.post("/api/v1/like", {"image": least_ranked, "impressions": [before[-1]["id"], before[-2]["id"]],
                                     "emotion": "SURPRISED"}, format="json")
    after = api_client.post("/api/v1/garden", {"emotion": "SURPRISED", "n": 6}, format="json").json()["items"]
    assert after[0]["id"] == least_ranked
    assert after[0]["reason"] == "popular with surprised visitors"
    assert len(images) == 6


def test_unlike_takes_the_like_back(api_client: APIClient) -> None:
    """A person's; an anonymous unlike takes no one's like back (tests/gallery/test_not_interested_rules.py)."""
    image = ApprovedImageFactory()
    api_client.credentials(**as_person(FaceUserFactory()))
    api_client.post("/api/v1/like", {"image": image.id, "emotion": "HAPPY"}, format="json")
    response = api_client.post("/api/v1/unlike", {"image": image.id, "emotion": "HAPPY"}, format="json")
    assert response.status_code == 201
    assert image.segment_stats.get(segment="HAPPY").likes == 0
    assert image.segment_stats.get(segment="HAPPY").impressions == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"image": 999_999}, "unknown_image"),
        ({"image": "IMAGE", "impressions": []}, "invalid"),
        ({"impressions": [1]}, "invalid"),
        ({"image": "LIVE", "impressions": [999_999]}, "unknown_impressions"),
        ({"image": "RETIRED"}, "image_not_live"),
        ({"image": "PENDING"}, "unknown_image"),  # never shown to anyone
        ({"image": "LIVE", "impressions": list(range(1, 60))}, "invalid"),
        ({"image": 2**64}, "invalid"),  # beyond any database id: a 500 from the driver before
        ({"image": "LIVE", "impressions": [2**63]}, "invalid"),
    ],
)
def test_bad_likes_get_a_clear_400_and_store_nothing(api_client: APIClient, body: dict, code: str) -> None:
    live = ApprovedImageFactory()
    retired = ImageFactory(status=Image.Status.RETIRED)
    substitutes = {"LIVE": live.id, "RETIRED": retired.id, "PENDING": ImageFactory().id, "IMAGE": "x"}
    body = {key: substitutes.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    response = api_client.post("/api/v1/like", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not Interaction.objects.exists()


def test_an_image_never_published_is_unknown_to_unlikes_and_impressions(api_client: APIClient) -> None:
    """An unlike of a pending image was stored, and the person's export then showed its name."""
    live, pending = ApprovedImageFactory(), ImageFactory()
    face_user = FaceUserFactory()
    api_client.credentials(**as_person(face_user))
    unlike = api_client.post("/api/v1/unlike", {"image": pending.id, "face_user": str(face_user.id)}, format="json")
    shown = api_client.post("/api/v1/like", {"image": live.id, "impressions": [live.id, pending.id]}, format="json")
    assert (unlike.status_code, unlike.json()["error"]["code"]) == (400, "unknown_image")
    assert (shown.status_code, shown.json()["error"]["code"]) == (400, "unknown_impressions")
    assert not Interaction.objects.exists()


def test_an_anonymous_like_counts_for_the_gender_and_age_read(api_client: APIClient) -> None:
    image = ApprovedImageFactory()
    response = api_client.post("/api/v1/like", {"image": image.id, "emotion": "HAPPY", "gender": "female",
                                                "age": 33}, format="json")
    assert response.status_code == 201
    assert set(image.segment_stats.values_list("segment", flat=True)) == {
        "*", "HAPPY", "HAPPY|Female", "HAPPY|Female|adult"}


def test_the_answer_counts_the_persons_likes(api_client: APIClient) -> None:
    first, second = ApprovedImageFactory.create_batch(2)
    face_user = FaceUserFactory()
    api_client.credentials(**as_person(face_user))
    person = str(face_user.id)

    def likes_after(event: str, image_id: int, face_user: str | None = person) -> int | None:
        body = {"image": image_id, **({"face_user": face_user} if face_user else {})}
        return api_client.post(f"/api/v1/{event}", body, format="json").json()["likes"]

    assert likes_after("like", first.id) == 1
    assert likes_after("like", second.id) == 2
    assert likes_after("unlike", first.id) == 1
    assert likes_after("like", first.id, face_user=None) == 2  # the credential's person, named or not
    api_client.credentials()
    assert likes_after("like", second.id, face_user=None) is None  # anonymous


def test_a_like_in_someones_name_needs_their_credential(api_client: APIClient) -> None:
    image = ApprovedImageFactory()
    person, other = FaceUserFactory.create_batch(2)
    for face_user_id, headers in [(person.pk, {}), (uuid.uuid4(), {}), (person.pk, as_person(other))]:
        for event in ("like", "unlike"):
            response = api_client.post(f"/api/v1/{event}", {"image": image.id, "face_user": str(face_user_id)},
                                       format="json", **headers)
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "person_credential_required"
    assert not Interaction.objects.exists()


def test_an_operator_may_like_for_anyone_and_learns_of_unknown_ids(api_client: APIClient) -> None:
    image = ApprovedImageFactory()
    person = FaceUserFactory()
    operator = {"HTTP_X_API_KEY": ApiKeyFactory(scopes=["likes", "users"]).raw_key}
    liked = api_client.post("/api/v1/like", {"image": image.id, "face_user": str(person.pk)}, format="json",
                            **operator)
    assert liked.status_code == 201 and liked.json()["face_user"] == str(person.pk)
    unknown = api_client.post("/api/v1/like", {"image": image.id, "face_user": str(uuid.uuid4())}, format="json",
                              **operator)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "unknown_face_user")



@pytest.mark.parametrize("event_id", ["\u001b[31mred", "tab\there", "nul\u0000"])
def test_a_client_event_id_with_control_characters_is_refused(api_client: APIClient, event_id: str) -> None:
    """It was stored and echoed back as sent, in the answer and the person's export."""
    image = ApprovedImageFactory()
    response = api_client.post("/api/v1/like", {"image": image.id, "client_event_id": event_id}, format="json")
    assert response.status_code == 400
    assert "client_event_id" in response.json()["error"]["fields"]
    assert not Interaction.objects.exists()
