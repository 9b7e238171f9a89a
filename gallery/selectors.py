"""Reads about face users: who is past the retention."""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from gallery.models import FaceUser


def face_data_retention() -> timedelta | None:
    """How long an unseen person's face data is kept; None when FACE_DATA_RETENTION_DAYS is 0 (until forgotten)."""
    days = settings.FACE_DATA_RETENTION_DAYS
    # Below 0 means nothing sensible either; it must never make everyone expired.
    return timedelta(days=days) if days > 0 else None


def expired_face_users() -> QuerySet[FaceUser]:
    """The face users unseen for longer than the retention; none while the retention is off."""
    retention = face_data_retention()
    if retention is None:
        return FaceUser.objects.none()
    return FaceUser.objects.filter(last_seen_at__lt=timezone.now() - retention)
