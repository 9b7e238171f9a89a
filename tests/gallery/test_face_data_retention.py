"""Face users unseen for longer than FACE_DATA_RETENTION_DAYS are forgotten everywhere by a daily task."""

from datetime import timedelta
from io import StringIO

import pytest
from botocore.stub import Stubber
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule
from pytest_django.fixtures import Settings

from gallery.models import CollectionFace, FaceEmbedding, FaceUser
from gallery.tasks import purge_expired_face_data
from recommender.models import OutboxMessage
from recommender.outbox import deliver_due
from tests.conftest import PERSONALIZE_USERS_ARN, REKOGNITION_COLLECTION
from tests.factories import CollectionFaceFactory, FaceEmbeddingFactory, FaceUserFactory

pytestmark = pytest.mark.django_db


def seen_days_ago(days: int) -> FaceUser:
    return FaceUserFactory(last_seen_at=timezone.now() - timedelta(days=days),
                           consented_at=timezone.now() - timedelta(days=days + 30))


def purge(*options: str) -> str:
    out = StringIO()
    call_command("purge_face_data", *options, stdout=out)
    return out.getvalue()


def test_someone_unseen_for_400_days_is_forgotten_and_someone_seen_yesterday_kept(settings: Settings) -> None:
    settings.FACE_DATA_RETENTION_DAYS = 365
    gone, kept = seen_days_ago(400), seen_days_ago(1)
    FaceEmbeddingFactory(face_user=gone)
    FaceEmbeddingFactory(face_user=kept)

    assert purge_expired_face_data() == "forgot 1 face users unseen for more than 365 days"

    assert list(FaceUser.objects.all()) == [kept]
    assert list(FaceEmbedding.objects.values_list("face_user", flat=True)) == [kept.pk]


def test_the_purge_reaches_rekognition_and_personalize(
    settings: Settings, rekognition_identity: Stubber, personalize_recommender: Stubber
) -> None:
    settings.FACE_DATA_RETENTION_DAYS = 365
    gone, kept = seen_days_ago(400), seen_days_ago(1)
    gone_id, face_id = str(gone.pk), CollectionFaceFactory(face_user=gone).face_id
    CollectionFaceFactory(face_user=kept)

    purge_expired_face_data()

    assert list(CollectionFace.objects.values_list("face_user", flat=True)) == [kept.pk]
    rekognition_identity.add_response("delete_faces", {"DeletedFaces": [face_id]},
                                      {"CollectionId": REKOGNITION_COLLECTION, "FaceIds": [face_id]})
    personalize_recommender.add_response("put_users", {}, {"datasetArn": PERSONALIZE_USERS_ARN,
                                                           "users": [{"userId": gone_id}]})
    assert deliver_due().delivered == 2
    assert {message.payload.get("face_user_id", message.payload.get("user_id"))
            for message in OutboxMessage.objects.all()} == {gone_id}


def test_a_retention_of_0_keeps_everyone(settings: Settings) -> None:
    settings.FACE_DATA_RETENTION_DAYS = 0
    seen_days_ago(3650)
    assert purge_expired_face_data() == "face data retention is off (FACE_DATA_RETENTION_DAYS=0): nothing purged"
    assert "kept until people ask to be forgotten" in purge()
    assert FaceUser.objects.count() == 1


def test_the_command_purges_or_only_counts_with_dry_run(settings: Settings) -> None:
    settings.FACE_DATA_RETENTION_DAYS = 30
    for days in (31, 90, 29):
        seen_days_ago(days)

    assert purge("--dry-run") == "Would purge 2 face users unseen for more than 30 days.\n"
    assert FaceUser.objects.count() == 3
    assert purge() == "Purged 2 face users unseen for more than 30 days.\n"
    assert FaceUser.objects.count() == 1


def test_the_purge_runs_daily() -> None:
    schedule = Schedule.objects.get(name="purge-expired-face-data")
    assert (schedule.func, schedule.schedule_type, schedule.repeats) == (
        "gallery.tasks.purge_expired_face_data", Schedule.DAILY, -1)
