"""Forgetting a person reaches every backend: our own rows at once, Rekognition and Personalize through the outbox."""

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta

import numpy as np
import pytest
from botocore.stub import Stubber
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from emotion_garden.imaging import DecodedImage, decode_image
from gallery.faces import face_analyzer
from gallery.faces.base import FaceDetail
from gallery.faces.local import LocalFaceIdentity
from gallery.models import CollectionFace, FaceEmbedding, FaceUser
from gallery.services import forget_face_user
from recommender.models import Interaction, OutboxMessage
from recommender.outbox import deliver_due
from recommender.services import record_interaction
from tests.aws import unreachable
from tests.conftest import PERSONALIZE_USERS_ARN, REKOGNITION_COLLECTION, encode
from tests.factories import (
    ApprovedImageFactory,
    CollectionFaceFactory,
    FaceEmbeddingFactory,
    FaceUserFactory,
    unit_vector,
)

pytestmark = pytest.mark.django_db

# What the stand-in searches below pass for a photo and its face: only the embedding they are given matters.
NO_PHOTO = DecodedImage(rgb=Image.new("RGB", (8, 8)), source_format="PNG")
NO_FACE: FaceDetail = {"BoundingBox": {"Width": 1, "Height": 1, "Left": 0, "Top": 0}, "Confidence": 99.0,
                       "Landmarks": [], "Emotions": []}


def recognised(identity: LocalFaceIdentity, vector: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> FaceUser | None:
    """Whom the identity backend recognises in a face whose embedding is `vector`."""
    monkeypatch.setattr(identity, "embed", lambda image, face: vector)
    match = identity.search(image=NO_PHOTO, face=NO_FACE, threshold=80)
    return FaceUser.objects.filter(pk=match.face_user_id).first() if match else None


def liked_by(face_user: FaceUser) -> Interaction:
    liked, shown = ApprovedImageFactory.create_batch(2)
    return record_interaction(event=Interaction.Event.LIKE, image_id=liked.pk, visitor=face_user.as_visitor(),
                              impression_ids=[shown.pk], emotion="HAPPY").interaction


# --- The local backends: everything is in our database, gone in the same transaction -----------------------------


def test_the_person_and_their_embeddings_go_at_once_and_their_likes_stay_anonymous() -> None:
    person = FaceUserFactory()
    FaceEmbeddingFactory.create_batch(2, face_user=person)
    someone_else = FaceEmbeddingFactory().face_user
    interaction = liked_by(person)

    forget_face_user(face_user=person)

    assert list(FaceUser.objects.all()) == [someone_else]
    assert list(FaceEmbedding.objects.values_list("face_user", flat=True)) == [someone_else.pk]
    interaction.refresh_from_db()
    assert interaction.face_user is None and interaction.impressions.count() == 2  # what was on screen stays too
    assert not OutboxMessage.objects.exists()  # nothing managed to tell


def test_a_forgotten_persons_likes_keep_nothing_that_leads_back_to_them() -> None:
    """Their client event ids and idempotency keys (an HMAC of their id) stayed on the anonymous rows: the site's
    secret and an old id from a log tied the rows back to the person."""
    person, other = FaceUserFactory.create_batch(2)
    image = ApprovedImageFactory()
    for visitor, event_id in [(person, "my-user-17-like"), (other, "their-like")]:
        record_interaction(event=Interaction.Event.LIKE, image_id=image.pk, visitor=visitor.as_visitor(),
                           client_event_id=event_id, client_scope=f"person:{visitor.pk}")

    forget_face_user(face_user=person)

    rows = set(Interaction.objects.values_list("face_user", "client_event_id", "idempotency_key"))
    assert (None, None, None) in rows
    assert {(face_user, event_id) for face_user, event_id, key in rows if key} == {(other.pk, "their-like")}


def test_another_process_stops_recognising_a_forgotten_face(api_client: APIClient, astronaut: Image.Image,
                                                            astronaut_png: bytes) -> None:
    reading = api_client.post("/api/v1/emotion?remember=1", astronaut_png, content_type="image/png").json()
    face_user_id = reading["face_user"]["id"]
    api_client.credentials(HTTP_X_PERSON_TOKEN=reading["person_token"])
    photo = decode_image(encode(astronaut.crop((30, 0, 512, 480)), "JPEG"))
    face = face_analyzer().detect_faces(photo)[0]
    other_process = LocalFaceIdentity()  # its own in-memory index, as in another web or worker process
    match = other_process.search(image=photo, face=face, threshold=80)
    assert match is not None and str(match.face_user_id) == face_user_id

    assert api_client.delete(f"/api/v1/users/{face_user_id}").status_code == 204

    assert other_process.search(image=photo, face=face, threshold=80) is None


def test_a_deletion_hidden_by_a_late_commit_is_noticed_too(monkeypatch: pytest.MonkeyPatch) -> None:
    kept, forgotten, late = FaceUserFactory.create_batch(3)
    # Explicit ids far above the sequence: a transaction took id 1_000_002 before the other rows but commits last.
    FaceEmbeddingFactory(id=1_000_001, face_user=kept, vector=unit_vector(1).tobytes())
    FaceEmbeddingFactory(id=1_000_003, face_user=forgotten, vector=unit_vector(3).tobytes())
    worker = LocalFaceIdentity()
    assert recognised(worker, unit_vector(3), monkeypatch) == forgotten

    forget_face_user(face_user=forgotten)
    FaceEmbeddingFactory(id=1_000_002, face_user=late, vector=unit_vector(2).tobytes())  # the row count is back

    assert recognised(worker, unit_vector(3), monkeypatch) is None
    assert recognised(worker, unit_vector(2), monkeypatch) == late
    assert recognised(worker, unit_vector(1), monkeypatch) == kept


def test_faces_added_by_another_process_are_found_without_the_full_check(
    monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Callable[..., AbstractContextManager[object]]
) -> None:
    first = FaceEmbeddingFactory(vector=unit_vector(1).tobytes()).face_user
    worker = LocalFaceIdentity(recheck_seconds=3600)
    assert recognised(worker, unit_vector(1), monkeypatch) == first
    newcomer = FaceEmbeddingFactory(vector=unit_vector(2).tobytes()).face_user
    monkeypatch.setattr(worker, "embed", lambda image, face: unit_vector(2))

    # The newest id, the new row, and the matched person's existence: no count or sum over every face.
    with django_assert_num_queries(3) as queries:
        assert worker.search(image=NO_PHOTO, face=NO_FACE, threshold=80).face_user_id == newcomer.pk
    assert not [query for query in queries.captured_queries if "SUM(" in query["sql"].upper()]


def test_a_face_committed_late_under_a_lower_id_is_found_at_the_next_full_check(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, late = FaceUserFactory.create_batch(2)
    FaceEmbeddingFactory(id=1_000_003, face_user=kept, vector=unit_vector(3).tobytes())
    worker = LocalFaceIdentity(recheck_seconds=0.05)
    assert recognised(worker, unit_vector(3), monkeypatch) == kept
    FaceEmbeddingFactory(id=1_000_002, face_user=late, vector=unit_vector(2).tobytes())

    time.sleep(0.1)

    assert recognised(worker, unit_vector(2), monkeypatch) == late


# --- Managed backends: through the outbox, so an AWS outage loses nothing -------------------------------------------


def deletion_answers(rekognition: Stubber, personalize: Stubber, person_id: str, face_ids: list[str]) -> None:
    """Queue AWS's answers to the calls that forgetting the person must make, with the parameters they must carry."""
    rekognition.add_response("delete_faces", {"DeletedFaces": face_ids},
                             {"CollectionId": REKOGNITION_COLLECTION, "FaceIds": face_ids})
    personalize.add_response("put_users", {}, {"datasetArn": PERSONALIZE_USERS_ARN,
                                               "users": [{"userId": person_id}]})


def make_all_due() -> None:
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.parametrize("outage", ["service_error", "unreachable"])
def test_an_aws_outage_delays_the_deletion_everywhere_and_loses_nothing(
    rekognition_identity: Stubber, personalize_recommender: Stubber, outage: str
) -> None:
    person = FaceUserFactory()
    person_id = str(person.pk)  # deleting clears the instance's pk
    face_ids = [face.face_id for face in CollectionFaceFactory.create_batch(2, face_user=person)]
    interaction = liked_by(person)
    OutboxMessage.objects.all().delete()  # the like's own message to Personalize is not what this test is about

    forget_face_user(face_user=person)

    # Gone from our database at once, whatever AWS says.
    assert not FaceUser.objects.exists() and not CollectionFace.objects.exists()
    interaction.refresh_from_db()
    assert interaction.face_user is None
    messages = {message.capability: message for message in OutboxMessage.objects.all()}
    assert messages["face_identity"].payload == {
        "collection_id": REKOGNITION_COLLECTION, "face_user_id": person_id, "face_ids": face_ids}
    assert messages["recommender"].payload == {"user_id": person_id}

    if outage == "service_error":
        rekognition_identity.add_client_error("delete_faces", service_error_code="ServiceUnavailableException",
                                              http_status_code=503)
        personalize_recommender.add_client_error("put_users", service_error_code="ThrottlingException",
                                                 http_status_code=400)
    deletion_answers(rekognition_identity, personalize_recommender, person_id, face_ids)
    down = outage == "unreachable"
    with (unreachable(rekognition_identity.client, "DeleteFaces") if down else nullcontext(),
          unreachable(personalize_recommender.client, "PutUsers") if down else nullcontext()):
        assert deliver_due().retried == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.PENDING}

    make_all_due()
    assert deliver_due().delivered == 2
    make_all_due()
    assert deliver_due().delivered == 0  # delivered once: the Stubbers would refuse a second call
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(OutboxMessage.Status.DELIVERED, 2)}


def test_the_admin_forgets_people_everywhere_too(admin_client: Client, rekognition_identity: Stubber) -> None:
    one, two, three = FaceUserFactory.create_batch(3)
    for person in (one, two, three):
        CollectionFaceFactory(face_user=person)

    page = admin_client.post(f"/admin/gallery/faceuser/{one.pk}/delete/", {"post": "yes"})
    assert page.status_code == 302
    page = admin_client.post("/admin/gallery/faceuser/", {
        "action": "delete_selected", "_selected_action": [str(two.pk), str(three.pk)], "post": "yes"})
    assert page.status_code == 302

    assert not FaceUser.objects.exists() and not CollectionFace.objects.exists()
    deletions = OutboxMessage.objects.filter(capability="face_identity")
    assert {message.payload["face_user_id"] for message in deletions} == {str(one.pk), str(two.pk), str(three.pk)}


def test_the_admin_cannot_add_a_person_nor_invert_their_age_range(admin_client: Client) -> None:
    """A face user exists only with a visitor's consent: the add form had none to record, and every add was a 500."""
    assert admin_client.get(reverse("admin:gallery_faceuser_add")).status_code == 403
    assert admin_client.post(reverse("admin:gallery_faceuser_add"), {"gender": "Male"}).status_code == 403
    person = FaceUserFactory(age_low=20, age_high=29)
    page = admin_client.post(reverse("admin:gallery_faceuser_change", args=[person.pk]),
                             {"gender": "Male", "age_low": 70, "age_high": 5})
    assert page.status_code == 200 and "must not end before it starts" in page.content.decode()
    person.refresh_from_db()
    assert (person.age_low, person.age_high) == (20, 29)
