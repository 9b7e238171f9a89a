"""Reading a face: its emotion, and who it is (only when the request consents, and only among people who consented
to be remembered)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from emotion_garden.imaging import FACE_PHOTO_MAX_SIDE, DecodedImage, decode_image
from emotion_garden.locks import hold_transaction_lock
from emotion_garden.vocabulary import Emotion
from gallery.faces import face_analyzer, face_identity
from gallery.faces.base import FaceDetail, FaceIdentity, dominant_emotion
from gallery.models import FaceUser
from gallery.selectors import expired_face_users
from recommender.engines import recommender_engine
from recommender.services import anonymise_person_events


class NoFaceFound(Exception):
    pass


@dataclass(frozen=True)
class EmotionReading:
    faces: list[FaceDetail]
    emotion: Emotion
    face_user: FaceUser | None
    recognised: bool  # True when the face matched someone seen before

    @property
    def primary_face(self) -> FaceDetail:
        return self.faces[0]


def read_emotion(*, photo: bytes, remember: bool = False, recognise: bool = False) -> EmotionReading:
    """Analyse the photo's faces (largest first) and, only with this request's consent, identify the largest one.

    `recognise`: search the people who consented to be remembered, and name the match. `remember`: the same, and an
    unknown face becomes a new FaceUser. With neither, the face is not searched at all: a photo alone never names
    anyone, and without `remember` no biometric data is stored.
    Raises InvalidImage (from decode_image) or NoFaceFound.
    """
    image = decode_image(photo, max_side=FACE_PHOTO_MAX_SIDE)
    faces = face_analyzer().detect_faces(image)
    if not faces:
        raise NoFaceFound("No face was found in the image.")
    face_user, recognised = None, False
    if remember or recognise:
        face_user, recognised = _identify(image, faces[0], remember=remember)
    return EmotionReading(
        faces=faces, emotion=Emotion(dominant_emotion(faces[0])), face_user=face_user, recognised=recognised
    )


def _identify(image: DecodedImage, face: FaceDetail, *, remember: bool) -> tuple[FaceUser | None, bool]:
    identity = face_identity()
    now = timezone.now()
    demographics = _demographics(face)
    if face_user := _recognised(identity, image, face, now=now, demographics=demographics):
        return face_user, True
    if not remember:
        return None, False
    with transaction.atomic():
        # One enrolment at a time, and the face searched again once it is this one's turn: the same photo sent twice
        # at once (a double submit) became two people, one of them never recognised again. Only a face nobody
        # matched pays for the second search.
        hold_transaction_lock("gallery.enrolment")
        if face_user := _recognised(identity, image, face, now=now, demographics=demographics):
            return face_user, True
        face_user = FaceUser.objects.create(id=uuid.uuid4(), consented_at=now, last_seen_at=now, **demographics)
        # created_at (auto_now_add, the export's first_seen_at) reads the clock again on insert, after the search
        # that set `now`: a new person was first seen after they were last seen.
        FaceUser.objects.filter(pk=face_user.pk).update(created_at=now)
        face_user.created_at = now
        if not identity.index_face(face_user_id=face_user.id, image=image, face=face):
            # A person the backend cannot recognise again would be a face user in name only.
            transaction.set_rollback(True)
            return None, False
        recommender_engine().upsert_user(face_user.as_visitor())
    return face_user, False


def _recognised(identity: FaceIdentity, image: DecodedImage, face: FaceDetail, *, now: datetime,
                demographics: dict[str, object]) -> FaceUser | None:
    """The remembered person this face is, their last visit and demographics brought up to date (None: nobody)."""
    match = identity.search(image=image, face=face, threshold=settings.FACE_SEARCH_THRESHOLD)
    if match is None or not FaceUser.objects.filter(pk=match.face_user_id).update(last_seen_at=now, **demographics):
        return None
    face_user = FaceUser.objects.get(pk=match.face_user_id)
    recommender_engine().upsert_user(face_user.as_visitor())
    return face_user


def _demographics(face: FaceDetail) -> dict[str, object]:
    """The latest estimate wins: age and gender are re-read at every visit."""
    values: dict[str, object] = {}
    if "Gender" in face:
        values["gender"] = face["Gender"]["Value"]
    if "AgeRange" in face:
        values["age_low"] = face["AgeRange"]["Low"]
        values["age_high"] = face["AgeRange"]["High"]
    return values


def compare_faces(*, source: bytes, target: bytes) -> float:
    """Similarity (0-100) of the largest face in each photo. Raises InvalidImage or NoFaceFound."""
    similarity = face_identity().compare(source=decode_image(source, max_side=FACE_PHOTO_MAX_SIDE),
                                         target=decode_image(target, max_side=FACE_PHOTO_MAX_SIDE))
    if similarity is None:
        raise NoFaceFound("A face must be visible in both photos.")
    return similarity


def forget_face_user(*, face_user: FaceUser) -> None:
    """Delete the person and their face data everywhere, in one transaction: what our database holds (the face user,
    local embeddings) at once, and what managed backends hold (faces in a Rekognition collection, the Personalize
    user) through the outbox, delivered after the commit with retries, so an outage delays it but loses nothing.

    Their past likes stay, anonymised, because they still teach the cold-start engine without pointing at anyone.
    The person's row is locked first: an event written meanwhile checks its foreign key at its commit, which then
    waits for this one and fails (answered 400 unknown_face_user), instead of slipping in between the anonymising and
    the delete, whose commit then failed (a 500, and the person not forgotten). Forgetting twice is forgetting once.
    """
    with transaction.atomic():
        if not FaceUser.objects.select_for_update().filter(pk=face_user.pk).exists():
            return
        face_identity().forget(face_user_id=face_user.pk)
        recommender_engine().forget_user(face_user.pk)
        anonymise_person_events(face_user_id=face_user.pk)
        face_user.delete()


def purge_expired_face_users(*, dry_run: bool = False) -> int:
    """Forget every face user unseen for longer than FACE_DATA_RETENTION_DAYS, each as forget_face_user does, so
    their face data leaves every backend. Returns how many were forgotten (with dry_run: how many would be)."""
    expired = expired_face_users()
    if dry_run:
        return expired.count()
    purged = 0
    for face_user_id in list(expired.values_list("pk", flat=True)):
        # A transaction per person: a large purge holds no long locks, and a failure keeps what was already done.
        with transaction.atomic():
            # Re-read under a row lock: someone recognised since the query was seen again and stays.
            face_user = expired.select_for_update().filter(pk=face_user_id).first()
            if face_user is not None:
                forget_face_user(face_user=face_user)
                purged += 1
    return purged
