"""django-q2 task entry points of the gallery."""

from gallery.selectors import face_data_retention
from gallery.services import purge_expired_face_users


def purge_expired_face_data() -> str:
    """Run daily by the "purge-expired-face-data" schedule (gallery migration 0004)."""
    retention = face_data_retention()
    if retention is None:
        return "face data retention is off (FACE_DATA_RETENTION_DAYS=0): nothing purged"
    return f"forgot {purge_expired_face_users()} face users unseen for more than {retention.days} days"
