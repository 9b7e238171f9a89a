"""POST /api/v1/songs, and likes, unlikes and "not interested"s of songs through the interaction endpoints."""

import pytest
from rest_framework.test import APIClient

from curation.models import Track
from recommender.models import Interaction, ServedPage, TrackInteraction
from tests.factories import ApprovedImageFactory, ApprovedTrackFactory, FaceUserFactory, TrackFactory, as_person

pytestmark = pytest.mark.django_db
URL = "/api/v1/songs"


def test_songs_for_a_mood_have_title_artist_link_cover_and_reason(api_client: APIClient) -> None:
    sad = ApprovedTrackFactory.create_batch(4, emotions=["SAD"])
    TrackFactory(emotions=["SAD"])  # pending
    TrackFactory(emotions=["SAD"], status=Track.Status.RETIRED)
    response = api_client.post(URL, {"emotion": "sad", "n": 3}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["emotion"], body["mode"], body["likes"]) == ("SAD", "emotion", 0)
    assert [item["rank"] for item in body["items"]] == [1, 2, 3]
    assert {item["id"] for item in body["items"]} <= {track.id for track in sad}
    item = body["items"][0]
    track = Track.objects.get(pk=item["id"])
    assert (item["title"], item["artist"], item["emotions"]) == (track.title, track.artist, ["SAD"])
    assert item["link"].startswith("https://www.youtube.com/results?search_query=")
    assert item["reason"] == "new" and item["reason_code"] == "new"
    assert api_client.get(item["cover_url"].removeprefix("http://testserver")).status_code == 200
    assert ServedPage.objects.get(pk=body["recommendation_id"]).kind == "track"


def test_the_cursor_pages_through_the_songs_and_a_garden_cursor_is_refused(api_client: APIClient) -> None:
    ApprovedTrackFactory.create_batch(5, emotions=["CALM"])
    first = api_client.post(URL, {"emotion": "CALM", "n": 3}, format="json").json()
    second = api_client.post(URL, {"emotion": "CALM", "n": 3, "cursor": first["cursor"]}, format="json").json()
    assert len(second["items"]) == 2
    assert not {item["id"] for item in first["items"]} & {item["id"] for item in second["items"]}
    ApprovedImageFactory.create_batch(2, emotion="CALM")
    garden = api_client.post("/api/v1/garden", {"emotion": "CALM", "n": 1}, format="json").json()
    refused = api_client.post(URL, {"emotion": "CALM", "cursor": garden["cursor"]}, format="json")
    assert refused.status_code == 400
    assert "cursor" in refused.json()["error"]["fields"]


def test_songs_page_to_an_explicit_end_and_then_start_over(api_client: APIClient) -> None:
    """Past the last track, pages repeated the tracks the cursor held (the person's liked ones too), and the cursor
    never ended."""
    tracks = {track.id for track in ApprovedTrackFactory.create_batch(5, emotions=["SAD"])}
    person = FaceUserFactory()
    liked = sorted(tracks)[0]
    assert api_client.post("/api/v1/like", {"track": liked, "emotion": "SAD", "face_user": str(person.id)},
                           format="json", **as_person(person)).status_code == 201
    body = {"emotion": "SAD", "n": 2, "face_user": str(person.id)}
    answers = []
    while len(answers) < 5:
        answers.append(api_client.post(URL, body, format="json", **as_person(person)).json())
        if answers[-1]["cursor"] is None:
            break
        body["cursor"] = answers[-1]["cursor"]
    shown = [item["id"] for answer in answers for item in answer["items"]]
    assert len(shown) == len(set(shown)) and set(shown) >= tracks - {liked}  # every track, none twice
    assert [answer["exhausted"] for answer in answers[:-1]] == [False] * (len(answers) - 1)
    assert answers[-1]["exhausted"] is True and len(answers) <= 3
    # The engine leaves the person's liked track for last; if it comes, it says so.
    assert all(item["liked"] == (item["id"] == liked) for answer in answers for item in answer["items"])
    assert len(api_client.post(URL, {"emotion": "SAD", "n": 2}, format="json").json()["items"]) == 2  # afresh
    # A client that sends back the last page's null cursor starts over too (it was a 400).
    echoed = api_client.post(URL, {"emotion": "SAD", "n": 2, "cursor": None}, format="json")
    assert echoed.status_code == 200 and len(echoed.json()["items"]) == 2
    assert api_client.post("/api/v1/garden", {"emotion": "SAD", "cursor": None}, format="json").status_code == 200


@pytest.mark.parametrize("body", [{}, {"emotion": "ELATED"}, {"emotion": "SAD", "n": 0}, {"emotion": "SAD", "n": 51},
                                  {"face_user": "not-a-uuid"}, {"emotion": "SAD", "cursor": "made-up"}])
def test_bad_songs_requests_are_400(api_client: APIClient, body: dict) -> None:
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"]


def test_someone_elses_face_user_needs_their_credential(api_client: APIClient) -> None:
    person = FaceUserFactory()
    response = api_client.post(URL, {"face_user": str(person.id)}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "person_credential_required"


def test_a_song_like_is_recorded_and_counts_towards_personal_songs(api_client: APIClient) -> None:
    happy = ApprovedTrackFactory.create_batch(5, emotions=["HAPPY"])
    person = FaceUserFactory()
    credential = as_person(person)
    answer = api_client.post(URL, {"emotion": "HAPPY", "face_user": str(person.id), "n": 5}, format="json",
                             **credential).json()
    shown = [item["id"] for item in answer["items"]]
    for position, track_id in enumerate(shown[:3]):
        response = api_client.post("/api/v1/like", {
            "track": track_id, "face_user": str(person.id), "impressions": shown, "emotion": "HAPPY",
            "recommendation_id": answer["recommendation_id"], "client_event_id": f"song-{position}",
        }, format="json", **credential)
        assert response.status_code == 201
        assert (response.json()["track"], response.json()["image"]) == (track_id, None)
        assert response.json()["likes"] == position + 1
    event = TrackInteraction.objects.get(track_id=shown[0])
    assert sorted(event.impressions.values_list("pk", flat=True)) == sorted(shown)
    assert not Interaction.objects.exists()
    after = api_client.post(URL, {"emotion": "HAPPY", "face_user": str(person.id)}, format="json",
                            **credential).json()
    assert (after["mode"], after["likes"]) == ("personal", 3)

    unliked = api_client.post("/api/v1/unlike", {"track": shown[0], "face_user": str(person.id)}, format="json",
                              **credential)
    assert (unliked.status_code, unliked.json()["likes"]) == (201, 2)
    assert len(happy) == 5


def test_not_interested_hides_a_song_from_the_person(api_client: APIClient) -> None:
    hidden, kept = ApprovedTrackFactory.create_batch(2, emotions=["ANGRY"])
    person = FaceUserFactory()
    credential = as_person(person)
    response = api_client.post("/api/v1/not-interested", {"track": hidden.id, "face_user": str(person.id)},
                               format="json", **credential)
    assert response.status_code == 201
    answer = api_client.post(URL, {"emotion": "ANGRY", "face_user": str(person.id), "n": 5}, format="json",
                             **credential).json()
    assert [item["id"] for item in answer["items"]] == [kept.id]


@pytest.mark.parametrize("endpoint", ["like", "unlike", "not-interested"])
def test_a_track_that_is_not_live_is_404_with_a_code(api_client: APIClient, endpoint: str) -> None:
    image = ApprovedImageFactory()
    pending = TrackFactory()
    retired = TrackFactory(status=Track.Status.RETIRED)
    unknown = api_client.post(f"/api/v1/{endpoint}", {"track": image.id + 1000}, format="json")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_track")
    # A song never released is unknown to visitors: "not live" told anyone which ids were pending, and an unlike of
    # one was stored and put its title in the person's export.
    response = api_client.post(f"/api/v1/{endpoint}", {"track": pending.id}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "unknown_track")
    if endpoint != "unlike":  # an unlike may take back a like of a song retired since
        response = api_client.post(f"/api/v1/{endpoint}", {"track": retired.id}, format="json")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "track_not_live")


def test_an_event_names_an_image_or_a_track(api_client: APIClient) -> None:
    image = ApprovedImageFactory()
    track = ApprovedTrackFactory()
    for body in ({"image": image.id, "track": track.id}, {"emotion": "HAPPY"}):
        response = api_client.post("/api/v1/like", body, format="json")
        assert response.status_code == 400
        assert "image" in response.json()["error"]["fields"]


def test_a_song_says_whether_the_face_user_likes_it(api_client: APIClient) -> None:
    [track] = ApprovedTrackFactory.create_batch(1, emotions=["CALM"])
    person = FaceUserFactory()
    credential = as_person(person)
    body = {"emotion": "CALM", "face_user": str(person.id)}
    assert api_client.post(URL, body, format="json", **credential).json()["items"][0]["liked"] is False
    api_client.post("/api/v1/like", {"track": track.id, "face_user": str(person.id)}, format="json", **credential)
    # The only song left is one they like: shown again, marked as liked.
    assert api_client.post(URL, body, format="json", **credential).json()["items"][0]["liked"] is True
    assert api_client.post(URL, {"emotion": "CALM"}, format="json").json()["items"][0]["liked"] is False
