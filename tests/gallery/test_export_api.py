"""GET /api/v1/users/{id}/export: everything kept about a person, as a JSON file for them to download."""

import uuid
from datetime import datetime

import pytest
from pytest_django.fixtures import DjangoAssertNumQueries
from rest_framework.test import APIClient

from gallery.faces.local import EMBEDDING_MODEL
from gallery.models import FaceUser
from recommender.models import Interaction
from recommender.services import record_interaction
from recommender.song_selectors import songs
from tests.conftest import REKOGNITION_COLLECTION
from tests.factories import (
    ApiKeyFactory,
    ApprovedImageFactory,
    ApprovedTrackFactory,
    CollectionFaceFactory,
    FaceEmbeddingFactory,
    FaceUserFactory,
    as_person,
)

pytestmark = pytest.mark.django_db


def url(face_user_id: uuid.UUID) -> str:
    return f"/api/v1/users/{face_user_id}/export"


def iso(moment: datetime) -> str:
    """A time as the API writes it."""
    return moment.isoformat().replace("+00:00", "Z")


def interact(face_user: FaceUser, event: Interaction.Event, image_id: int, *shown: int) -> Interaction:
    return record_interaction(event=event, image_id=image_id, visitor=face_user.as_visitor(),
                              impression_ids=list(shown), emotion="HAPPY").interaction


def test_the_export_holds_the_profile_interactions_likes_and_what_face_data_is_held(api_client: APIClient) -> None:
    person = FaceUserFactory(gender="Female", age_low=26, age_high=34)
    embeddings = FaceEmbeddingFactory.create_batch(2, face_user=person)
    CollectionFaceFactory(face_user=person)
    taken_back, liked, shown = ApprovedImageFactory.create_batch(3)
    first = interact(person, Interaction.Event.LIKE, taken_back.pk, liked.pk, shown.pk)
    now_liked = interact(person, Interaction.Event.LIKE, liked.pk)
    interact(person, Interaction.Event.UNLIKE, taken_back.pk)
    interact(FaceUserFactory(), Interaction.Event.LIKE, shown.pk)  # someone else's

    response = api_client.get(url(person.pk), **as_person(person))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="emotion-garden-{person.pk}.json"'
    body = response.json()
    assert body["profile"] == {
        "id": str(person.pk), "gender": "Female", "age_low": 26, "age_high": 34, "age_band": "adult",
        "consented_at": iso(person.consented_at), "first_seen_at": iso(person.created_at),
        "last_seen_at": iso(person.last_seen_at),
    }
    assert [(row["event"], row["image"]) for row in body["interactions"]] == [
        ("like", taken_back.pk), ("like", liked.pk), ("unlike", taken_back.pk)]
    assert body["interactions"][0] == {
        "event": "like", "image": taken_back.pk, "image_name": taken_back.name, "emotion": "HAPPY",
        "gender": "Female", "age_band": "adult", "impressions": sorted([taken_back.pk, liked.pk, shown.pk]),
        "client_event_id": None, "created_at": iso(first.created_at),
    }
    assert body["likes"] == [{"image": liked.pk, "image_name": liked.name, "liked_at": iso(now_liked.created_at)}]
    assert [(held["backend"], held["store"], held["face_embeddings"]) for held in body["biometric_data"]] == [
        ("local", EMBEDDING_MODEL, 2), ("rekognition", REKOGNITION_COLLECTION, 1)]
    assert body["biometric_data"][0]["since"] == iso(min(embedding.created_at for embedding in embeddings))
    [credential] = person.credentials.all()
    assert body["credentials"] == [{"issued_at": iso(credential.created_at)}]
    # Counts only: the vectors themselves never leave.
    assert b"vector" not in response.content


def test_someone_with_nothing_but_a_profile_gets_empty_lists(api_client: APIClient) -> None:
    person = FaceUserFactory()
    body = api_client.get(url(person.pk), **as_person(person)).json()
    assert (body["interactions"], body["likes"], body["biometric_data"]) == ([], [], [])


def test_the_file_is_json_people_can_read_even_for_a_browser(api_client: APIClient) -> None:
    person = FaceUserFactory()
    response = api_client.get(url(person.pk), HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8",
                              **as_person(person))
    assert response["Content-Type"] == "application/json"
    assert response.content.startswith(b'{\n  "')  # indented


def test_the_export_takes_a_few_queries_however_long_the_history(
    api_client: APIClient, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    person = FaceUserFactory()
    images = ApprovedImageFactory.create_batch(12)
    tracks = ApprovedTrackFactory.create_batch(6)
    for image in images:
        interact(person, Interaction.Event.LIKE, image.pk, *(other.pk for other in images[:3]))
    for track in tracks:
        record_interaction(event=Interaction.Event.LIKE, track_id=track.pk, visitor=person.as_visitor(),
                           impression_ids=[other.pk for other in tracks[:3]])
    headers = as_person(person)
    # The credential's lookup is one of them; the song events and their impressions two more.
    with django_assert_max_num_queries(11):
        body = api_client.get(url(person.pk), **headers).json()
    assert len(body["interactions"]) == len(body["likes"]) == 12
    assert len(body["song_interactions"]) == 6


def test_a_newly_enrolled_person_was_first_and_last_seen_at_the_same_instant(api_client: APIClient,
                                                                           astronaut_png: bytes) -> None:
    """The export showed a new person last seen 8 ms before they were first seen: two reads of the clock."""
    reading = api_client.post("/api/v1/emotion?remember=true", astronaut_png, content_type="image/png").json()
    person = FaceUser.objects.get(pk=reading["face_user"]["id"])
    api_client.credentials(HTTP_X_PERSON_TOKEN=reading["person_token"])

    profile = api_client.get(url(person.pk)).json()["profile"]

    assert profile["first_seen_at"] == profile["last_seen_at"] == profile["consented_at"]
    assert person.created_at == person.last_seen_at == person.consented_at


def test_an_unknown_person_is_a_404_in_the_api_error_format_for_an_operator(api_client: APIClient) -> None:
    response = api_client.get(url(uuid.uuid4()), HTTP_X_API_KEY=ApiKeyFactory(scopes=["users"]).raw_key)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_export_holds_the_persons_song_events_and_songs_answers(api_client: APIClient) -> None:
    person = FaceUserFactory()
    liked, shown = ApprovedTrackFactory.create_batch(2, emotions=["SAD"])
    answer = songs(emotion="SAD", visitor=person.as_visitor(), n=2)
    record_interaction(event=Interaction.Event.LIKE, track_id=liked.pk, visitor=person.as_visitor(),
                       impression_ids=[shown.pk], emotion="SAD", client_event_id="song-1")
    body = api_client.get(url(person.pk), **as_person(person)).json()
    assert body["interactions"] == []
    [event] = body["song_interactions"]
    assert {key: event[key] for key in ("event", "track", "title", "artist", "emotion", "impressions")} == {
        "event": "like", "track": liked.pk, "title": liked.title, "artist": liked.artist, "emotion": "SAD",
        "impressions": sorted([liked.pk, shown.pk])}
    [page] = body["garden_answers"]
    assert (page["recommendation_id"], page["kind"], sorted(page["images"])) == (
        answer.recommendation_id, "track", sorted([liked.pk, shown.pk]))
