"""Reads about face users: who is past the retention, and everything kept about one person (their data export)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from gallery.models import CollectionFace, FaceEmbedding, FaceUser
from recommender.models import Interaction, ServedPage, TrackInteraction
from recommender.selectors import liked_images


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


def face_user_export(*, face_user: FaceUser) -> dict[str, Any]:
    """Everything kept about the person, as JSON-ready data: their profile, every interaction with the images shown
    beside it, their likes now, when their devices' credentials were issued, which backends hold how many of their
    face embeddings, and the garden answers they were served.

    The embedding vectors themselves are left out (see the export endpoint's description for why).
    """
    return {
        "exported_at": timezone.now(),
        "profile": {
            "id": face_user.pk,
            "gender": face_user.gender,
            "age_low": face_user.age_low,
            "age_high": face_user.age_high,
            "age_band": face_user.age_band,
            "consented_at": face_user.consented_at,
            "first_seen_at": face_user.created_at,
            "last_seen_at": face_user.last_seen_at,
        },
        "interactions": _interactions(face_user),
        "song_interactions": _song_interactions(face_user),
        "likes": [
            {"image": image["id"], "image_name": image["name"], "liked_at": image["liked_at"]}
            for image in liked_images(visitor_id=face_user.pk).values("id", "name", "liked_at")
        ],
        # One per device that holds one; the tokens themselves are not kept, only their hashes.
        "credentials": [{"issued_at": issued_at} for issued_at in
                        face_user.credentials.order_by("created_at").values_list("created_at", flat=True)],
        "biometric_data": _biometric_data(face_user),
        # What the garden showed them (the recommender learns "shown, not liked" from it), oldest first; a songs
        # answer (kind "track") lists track ids.
        "garden_answers": [
            {"recommendation_id": page.pk, "kind": page.kind, "mode": page.mode, "emotion": page.emotion,
             "images": page.item_ids, "created_at": page.created_at}
            for page in ServedPage.objects.filter(face_user=face_user).order_by("created_at")
        ],
    }


def _interactions(face_user: FaceUser) -> list[dict[str, Any]]:
    # The impressions of all the person's interactions in one query on the join table, not one per interaction.
    impressions: dict[int, list[int]] = {}
    shown = Interaction.impressions.through.objects.filter(interaction__face_user=face_user)
    for interaction_id, image_id in shown.order_by("image_id").values_list("interaction_id", "image_id"):
        impressions.setdefault(interaction_id, []).append(image_id)
    rows = (
        Interaction.objects.filter(face_user=face_user)
        .order_by("created_at", "id")
        .values("id", "event", "image_id", "image__name", "emotion", "gender", "age_band", "client_event_id",
                "created_at")
    )
    return [
        {
            "event": row["event"],
            "image": row["image_id"],
            "image_name": row["image__name"],
            # The visitor's context as read at the time: the session emotion and the gender and age band then.
            "emotion": row["emotion"],
            "gender": row["gender"],
            "age_band": row["age_band"],
            "impressions": impressions.get(row["id"], []),
            "client_event_id": row["client_event_id"],
            "created_at": row["created_at"],
        }
        for row in rows
    ]


def _song_interactions(face_user: FaceUser) -> list[dict[str, Any]]:
    """The person's events on songs, as _interactions' on images."""
    impressions: dict[int, list[int]] = {}
    shown = TrackInteraction.impressions.through.objects.filter(trackinteraction__face_user=face_user)
    for interaction_id, track_id in shown.order_by("track_id").values_list("trackinteraction_id", "track_id"):
        impressions.setdefault(interaction_id, []).append(track_id)
    rows = (
        TrackInteraction.objects.filter(face_user=face_user).order_by("created_at", "id")
        .values("id", "event", "track_id", "track__title", "track__artist", "emotion", "gender", "age_band",
                "client_event_id", "created_at")
    )
    return [
        {"event": row["event"], "track": row["track_id"], "title": row["track__title"],
         "artist": row["track__artist"], "emotion": row["emotion"], "gender": row["gender"],
         "age_band": row["age_band"], "impressions": impressions.get(row["id"], []),
         "client_event_id": row["client_event_id"], "created_at": row["created_at"]}
        for row in rows
    ]


def _biometric_data(face_user: FaceUser) -> list[dict[str, Any]]:
    """How many face embeddings each backend holds: local vectors by embedding model, Rekognition faces by
    collection. Counts only: the vectors are not part of the export."""
    local = (
        FaceEmbedding.objects.filter(face_user=face_user).values("model")
        .annotate(count=Count("id"), since=Min("created_at")).order_by("model")
    )
    remote = (
        CollectionFace.objects.filter(face_user=face_user).values("collection_id")
        .annotate(count=Count("id"), since=Min("created_at")).order_by("collection_id")
    )
    return [
        *({"backend": "local", "store": row["model"], "face_embeddings": row["count"], "since": row["since"]}
          for row in local),
        *({"backend": "rekognition", "store": row["collection_id"], "face_embeddings": row["count"],
           "since": row["since"]} for row in remote),
    ]
