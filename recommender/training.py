"""Fitting the personalisation model from everyone's current likes, and reading it back for serving."""

import io
import time
import uuid
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.db import connection

from curation.models import Image
from recommender.algorithms import Ease
from recommender.models import Interaction, ModelSnapshot

# EASE's weights are dense (n_items^2); each image keeps its strongest links only, which is what scoring a short
# like history needs and makes a snapshot a few MB even for 10k images.
NEIGHBOURS = 100
KEEP_SNAPSHOTS = 3


@dataclass(frozen=True)
class PersonalModel:
    snapshot_id: int
    index_of: dict[int, int]  # image id -> row of `weights`
    image_ids: np.ndarray
    weights: sp.csr_array

    def scores(self, history: list[int], *, recency_decay: float = 0.8) -> np.ndarray:
        """Scores over image_ids for a like history of image ids, oldest first (EASE scoring, recent likes weigh
        more); images unknown to the model are ignored."""
        rows = [self.index_of[image_id] for image_id in history if image_id in self.index_of]
        if not rows:
            return np.zeros(self.image_ids.size, dtype=np.float32)
        decay = np.power(recency_decay, np.arange(len(rows) - 1, -1, -1), dtype=np.float32)
        return np.asarray(self.weights[rows].T @ decay).ravel()

    def strongest_link(self, history: list[int], image_id: int) -> int:
        """The liked image that contributes most to `image_id`'s score: the 'because you liked' of a pick."""
        known = [liked for liked in history if liked in self.index_of]
        # One sparse slice for all of them: element-wise indexing of a sparse matrix costs a lookup per element.
        links = self.weights[[self.index_of[liked] for liked in known]][:, [self.index_of[image_id]]].toarray()
        return known[int(np.argmax(links.ravel()))]


def current_likes() -> list[tuple[str, int]]:
    """(face user, image) pairs liked now: the latest like or unlike of the pair is a like, and the image is live."""
    latest: dict[tuple[str, int], str] = {}
    events = (
        Interaction.objects.filter(face_user__isnull=False,
                                   event__in=[Interaction.Event.LIKE, Interaction.Event.UNLIKE],
                                   image__status=Image.Status.APPROVED)
        .order_by("created_at", "id")
        .values_list("face_user_id", "image_id", "event")
    )
    for face_user_id, image_id, event in events.iterator(chunk_size=10_000):
        latest[(str(face_user_id), image_id)] = event
    return [pair for pair, event in latest.items() if event == Interaction.Event.LIKE]


# Scoring weighs a like 0.8x the next one, so likes older than the last ~40 barely count (recommender.algorithms);
# reading only the latest events bounds a request's cost however long a person's history is.
HISTORY_EVENTS = 400


def like_history(face_user_id: uuid.UUID) -> list[int]:
    """The images a person likes now, oldest like first (the order EASE scoring weighs by recency), judged from
    their latest HISTORY_EVENTS likes and unlikes."""
    # In SQL: every like and personal garden reads this, and building the ORM's query cost three times the query
    # itself (0.9 against 0.2 ms of CPU, measured).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT image_id, event FROM {Interaction._meta.db_table} WHERE face_user_id = %s AND event IN (%s, %s) "
            f"ORDER BY created_at DESC, id DESC LIMIT {HISTORY_EVENTS}",
            [Interaction._meta.get_field("face_user").target_field.get_db_prep_value(face_user_id, connection),
             Interaction.Event.LIKE.value, Interaction.Event.UNLIKE.value],
        )
        latest = cursor.fetchall()
    liked_at: dict[int, int] = {}
    for position, (image_id, event) in enumerate(reversed(latest)):
        liked_at.pop(image_id, None)
        if event == Interaction.Event.LIKE:
            liked_at[image_id] = position
    return sorted(liked_at, key=liked_at.__getitem__)


def refit_personal_model(*, l2: float = 250.0, neighbours: int = NEIGHBOURS) -> ModelSnapshot | None:
    """Fit EASE on the current likes and store it as the newest snapshot; None when there is nothing to learn."""
    started = time.monotonic()
    likes = current_likes()
    users = sorted({user for user, _ in likes})
    image_ids = np.array(sorted({image_id for _, image_id in likes}), dtype=np.int64)
    if len(users) < 2 or image_ids.size < 2:
        return None
    user_row = {user: row for row, user in enumerate(users)}
    column = {int(image_id): position for position, image_id in enumerate(image_ids)}
    matrix = sp.csr_array(
        (np.ones(len(likes), dtype=np.float32),
         ([user_row[user] for user, _ in likes], [column[image_id] for _, image_id in likes])),
        shape=(len(users), image_ids.size),
    )
    weights = _strongest_links(Ease(l2).fit(matrix).weights, neighbours)
    buffer = io.BytesIO()
    sp.save_npz(buffer, weights, compressed=True)
    snapshot = ModelSnapshot.objects.create(
        image_ids=image_ids.tobytes(), weights=buffer.getvalue(), users=len(users), likes=len(likes),
        fit_seconds=round(time.monotonic() - started, 3),
    )
    stale = ModelSnapshot.objects.order_by("-created_at", "-id").values_list("id", flat=True)[KEEP_SNAPSHOTS:]
    ModelSnapshot.objects.filter(id__in=list(stale)).delete()
    return snapshot


def load_personal_model(snapshot: ModelSnapshot) -> PersonalModel:
    image_ids = np.frombuffer(bytes(snapshot.image_ids), dtype=np.int64)
    return PersonalModel(
        snapshot_id=snapshot.pk,
        index_of={int(image_id): row for row, image_id in enumerate(image_ids)},
        image_ids=image_ids,
        weights=sp.csr_array(sp.load_npz(io.BytesIO(bytes(snapshot.weights)))),
    )


def _strongest_links(weights: np.ndarray, neighbours: int) -> sp.csr_array:
    """Keep each row's `neighbours` largest weights by magnitude (EASE's negative weights matter too)."""
    if weights.shape[1] > neighbours:
        cut = np.argpartition(-np.abs(weights), neighbours - 1, axis=1)[:, neighbours:]
        weights = weights.copy()
        np.put_along_axis(weights, cut, 0.0, axis=1)
    return sp.csr_array(weights)
