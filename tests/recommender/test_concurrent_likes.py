"""Likes sent at the same moment by many clients: none lost, none counted twice.

Each client is a thread with its own database connection and its own API client, through the whole stack (URL
routing, middleware, DRF, the service, the engine's counters), and a barrier releases them all at once. The database
is a real, committed one that every connection shares: SQLite in a WAL file with IMMEDIATE transactions, as the
site runs it, or PostgreSQL.
"""

import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from rest_framework.test import APIClient

from curation.models import Image
from gallery import api_garden, api_songs
from gallery.models import FaceUser
from gallery.services import forget_face_user
from recommender.engines.base import Visitor
from recommender.models import Interaction, SegmentStat, ServedPage
from recommender.services import InteractionRejected, record_interaction
from tests.factories import ApprovedImageFactory, ApprovedTrackFactory, FaceUserFactory, as_person

CLIENTS = 32

pytestmark = pytest.mark.usefixtures("shared_database")


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def post_together(path: str, bodies: Sequence[dict[str, Any]], headers: dict[str, str]) -> list[Answer]:
    """POST each body to `path` from a thread of its own, all released at once; the answers in the bodies' order.
    A body that names a face user carries `headers` (the person's credential: the like is in their name); the others
    carry none, and are anonymous (a credential alone would name its person)."""
    barrier = threading.Barrier(len(bodies))

    def post(body: dict[str, Any]) -> Answer:
        try:
            client = APIClient()
            client.credentials(**(headers if "face_user" in body else {}))
            # A timeout, so that a thread that died before the barrier fails the test instead of hanging it.
            barrier.wait(timeout=60)
            response = client.post(path, body, format="json")
            return Answer(response.status_code, response.json())
        finally:
            # Each thread opened its own connection; left open, it would outlive the test database.
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(post, bodies))


def counters(image: Image) -> dict[str, tuple[int, int]]:
    """(impressions, likes) of the image per segment."""
    return {stat.segment: (stat.impressions, stat.likes) for stat in SegmentStat.objects.filter(image=image)}


def segments(emotion: str) -> list[str]:
    """A 26-34-year-old woman's segments: FaceUserFactory's face user, and the anonymous likes below."""
    return ["*", emotion, f"{emotion}|Female", f"{emotion}|Female|adult"]


def test_simultaneous_likes_of_one_image_are_each_counted_once_per_visitor() -> None:
    liked, *beside = ApprovedImageFactory.create_batch(3, emotion="HAPPY")
    person = FaceUserFactory()
    shown = [liked.id, *(image.id for image in beside)]
    # Half by a face user, half anonymous with the same gender and age read from their faces: one segment path.
    bodies = [
        {"image": liked.id, "impressions": shown, "emotion": "HAPPY", "client_event_id": f"one-image-{n}",
         **({"face_user": str(person.id)} if n % 2 else {"gender": "female", "age": 30})}
        for n in range(CLIENTS)
    ]
    headers = as_person(person)
    answers = post_together("/api/v1/like", bodies, headers)

    # Every anonymous like is another visitor's; the face user's sixteen are one like, recorded by whichever came
    # first and answered to the others with it (200): counted once.
    anonymous, personal = answers[::2], answers[1::2]
    assert [answer.status for answer in anonymous] == [201] * (CLIENTS // 2)
    assert sorted(answer.status for answer in personal) == [200] * (CLIENTS // 2 - 1) + [201]
    assert len({answer.body["id"] for answer in personal}) == 1
    recorded = CLIENTS // 2 + 1
    assert Interaction.objects.count() == recorded
    assert Interaction.impressions.through.objects.count() == recorded * len(shown)
    assert counters(liked) == dict.fromkeys(segments("HAPPY"), (recorded, recorded))
    for image in beside:
        assert counters(image) == dict.fromkeys(segments("HAPPY"), (recorded, 0))
    # Sixteen likes of one image are one liked image, in every answer and afterwards.
    assert {answer.body["likes"] for answer in answers[1::2]} == {1}
    assert {answer.body["likes"] for answer in answers[::2]} == {None}
    likes = APIClient().get(f"/api/v1/users/{person.id}/likes", **headers).json()["likes"]
    assert [image["id"] for image in likes] == [liked.id]


def test_one_event_sent_by_many_clients_at_once_is_recorded_once() -> None:
    liked, beside = ApprovedImageFactory.create_batch(2, emotion="SAD")
    person = FaceUserFactory()
    body = {"image": liked.id, "impressions": [liked.id, beside.id], "emotion": "SAD", "face_user": str(person.id),
            "client_event_id": "sent-by-everyone"}
    answers = post_together("/api/v1/like", [body] * CLIENTS, as_person(person))

    # One request recorded it (201); every other one is answered as a retry (200) with the same interaction.
    assert sorted(answer.status for answer in answers) == [200] * (CLIENTS - 1) + [201]
    assert len({answer.body["id"] for answer in answers}) == 1
    assert {answer.body["likes"] for answer in answers} == {1}
    interaction = Interaction.objects.get()
    assert sorted(interaction.impressions.values_list("id", flat=True)) == [liked.id, beside.id]
    assert counters(liked) == dict.fromkeys(segments("SAD"), (1, 1))
    assert counters(beside) == dict.fromkeys(segments("SAD"), (1, 0))


def test_one_person_liking_many_images_at_once_keeps_every_like() -> None:
    images = ApprovedImageFactory.create_batch(CLIENTS, emotion="CALM")
    shown_with_all = ApprovedImageFactory(emotion="CALM")
    person = FaceUserFactory()
    bodies = [
        {"image": image.id, "impressions": [image.id, shown_with_all.id], "emotion": "CALM",
         "face_user": str(person.id), "client_event_id": f"many-images-{image.id}"}
        for image in images
    ]
    headers = as_person(person)
    answers = post_together("/api/v1/like", bodies, headers)

    assert [answer.status for answer in answers] == [201] * CLIENTS
    counts = [answer.body["likes"] for answer in answers]
    # Each answer counts the likes committed when it was made, its own included; the last to commit sees them all.
    assert min(counts) >= 1 and max(counts) == CLIENTS
    likes = APIClient().get(f"/api/v1/users/{person.id}/likes", **headers).json()["likes"]
    assert sorted(image["id"] for image in likes) == sorted(image.id for image in images)
    for image in images:
        assert counters(image) == dict.fromkeys(segments("CALM"), (1, 1))
    assert counters(shown_with_all) == dict.fromkeys(segments("CALM"), (CLIENTS, 0))


def test_not_interested_sent_by_many_clients_at_once_is_recorded_once() -> None:
    """Without a client event id too: "not interested" is once per person and image (two were recorded)."""
    image = ApprovedImageFactory(emotion="FEAR")
    person = FaceUserFactory()
    body = {"image": image.id, "emotion": "FEAR", "face_user": str(person.id)}
    answers = post_together("/api/v1/not-interested", [body] * 8, as_person(person))

    assert sorted(answer.status for answer in answers) == [200] * 7 + [201]
    assert len({answer.body["id"] for answer in answers}) == 1
    assert Interaction.objects.filter(event=Interaction.Event.NOT_INTERESTED).count() == 1


@pytest.mark.parametrize("event", [Interaction.Event.LIKE, Interaction.Event.NOT_INTERESTED])
def test_an_event_of_a_person_forgotten_after_the_check_is_rejected_not_a_500(event: Interaction.Event) -> None:
    """The view checked the person; their deletion committed before the event did (a like racing "forget me"): the
    foreign key fails at the commit, which is answered as an unknown face user."""
    image = ApprovedImageFactory()
    forgotten = Visitor(id=uuid.uuid4(), gender="Female", age_band="adult")
    with pytest.raises(InteractionRejected) as rejected:
        record_interaction(event=event, image_id=image.id, visitor=forgotten, emotion="HAPPY")
    assert rejected.value.code == "unknown_face_user"
    assert not Interaction.objects.exists() and not SegmentStat.objects.exists()


def test_a_like_committed_while_its_person_is_forgotten_fails_and_the_forgetting_does_not() -> None:
    """A like committed between the anonymising of the person's events and the delete of the person made the delete's
    commit fail on PostgreSQL (its foreign keys are checked at commit): a 500, and the person was not forgotten."""
    image = ApprovedImageFactory()
    person = FaceUserFactory()
    outcome: dict[str, str] = {}

    def like() -> None:
        try:
            record_interaction(event=Interaction.Event.LIKE, image_id=image.id, visitor=person.as_visitor(),
                               emotion="HAPPY")
            outcome["like"] = "recorded"
        except InteractionRejected as rejected:
            outcome["like"] = rejected.code
        finally:
            connections.close_all()

    liking = threading.Thread(target=like)

    def like_once_the_events_are_anonymised(execute: Any, sql: str, *args: Any) -> Any:
        result = execute(sql, *args)
        if sql.startswith('UPDATE "recommender_interaction"') and liking.ident is None:
            liking.start()
            liking.join(timeout=2)  # the old code's like committed here; now its commit waits for the forgetting
        return result

    with connections[DEFAULT_DB_ALIAS].execute_wrapper(like_once_the_events_are_anonymised):
        forget_face_user(face_user=person)
    liking.join(timeout=30)
    assert outcome == {"like": "unknown_face_user"}
    assert not FaceUser.objects.filter(pk=person.pk).exists()
    assert not Interaction.objects.filter(face_user_id=person.pk).exists()


@pytest.mark.parametrize("endpoint", ["/api/v1/garden", "/api/v1/songs"])
def test_a_page_for_a_person_forgotten_after_the_check_is_rejected_not_a_500(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view found the person; their deletion committed before the answer was stored (a garden racing "forget
    me"): 35 of 80 such gardens and songs were 500s (the outside probe)."""
    ApprovedImageFactory.create_batch(3, emotion="SAD")
    ApprovedTrackFactory.create_batch(3, emotions=["SAD"])
    person = FaceUserFactory()
    real_acting_face_user = api_garden.acting_face_user

    def forgotten_once_found(*args: Any, **kwargs: Any) -> FaceUser | None:
        found = real_acting_face_user(*args, **kwargs)
        forget_face_user(face_user=FaceUser.objects.get(pk=person.pk))
        return found

    monkeypatch.setattr(api_garden, "acting_face_user", forgotten_once_found)
    monkeypatch.setattr(api_songs, "acting_face_user", forgotten_once_found)
    answer = APIClient().post(endpoint, {"emotion": "SAD", "face_user": str(person.id)}, format="json",
                              **as_person(person))

    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "unknown_face_user")
    assert not ServedPage.objects.exists()
