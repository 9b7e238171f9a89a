"""Fitting the personalisation model from everyone's current likes, and reading it back for serving."""

import io
import time
import uuid
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django_q.tasks import async_task

from curation.models import Image
from emotion_garden.outages import REDIS_UNAVAILABLE, redis_cache
from recommender import queries
from recommender.algorithms import Ease
from recommender.models import Interaction, ModelSnapshot

# EASE's weights are dense (n_items^2); each image keeps its strongest links only, which is what scoring a short
# like history needs and makes a snapshot a few MB even for 10k images.
NEIGHBOURS = 100
KEEP_SNAPSHOTS = 3

# Besides the 15-minute schedule: a young gallery's co-likes change with every few dozen likes, and until the schedule
# comes round it has no model at all (no co-likes in personal picks, none in "more like this"). A refit is queued once
# the events since the newest fit reach a share of the likes it fitted (the engine's refit_growth) and at least
# REFIT_MIN_EVENTS: growing in proportion, the refits of a gallery's whole life cost a small multiple of its last one,
# and a large gallery's likes take days to grow a quarter. In benchmarks/online_sim.py's worlds, whose likes follow
# content and mood rather than co-likes, it changes nothing measurable (docs/recommender.md, tenth round).
REFIT_MIN_EVENTS = 50
REFIT_QUEUED_KEY = "recommender:refit-queued"
REFIT_QUEUED_SECONDS = 60


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


@dataclass(frozen=True)
class LikeMatrix:
    """Everyone's current likes as coordinates: the row of the person and the image id of each (person, image) pair
    liked now."""

    rows: np.ndarray  # int32
    image_ids: np.ndarray  # int64
    people: int


# Rows per fetch when streaming the interactions: a few MB of Python tuples at a time.
STREAM_CHUNK = 50_000


def current_likes() -> LikeMatrix:
    """The (person, image) pairs liked now (the pair's latest like or unlike is a like) of live images.

    Streams every person's events newest first through the like history index, so memory holds the result arrays
    and one person's events, never a table of every event."""
    rows: list[np.ndarray] = []
    images: list[np.ndarray] = []
    person, people = None, -1
    decided: dict[int, bool] = {}
    batch_rows: list[int] = []
    batch_images: list[int] = []
    for chunk in queries.every_persons_image_events(chunk=STREAM_CHUNK):
        for face_user_id, image_id, event in chunk:
            if face_user_id != person:
                person, people, decided = face_user_id, people + 1, {}
            if image_id in decided or event not in _LIKE_EVENTS:
                continue
            decided[image_id] = event == Interaction.Event.LIKE
            if decided[image_id]:
                batch_rows.append(people)
                batch_images.append(image_id)
        rows.append(np.array(batch_rows, dtype=np.int32))
        images.append(np.array(batch_images, dtype=np.int64))
        batch_rows, batch_images = [], []
    image_ids = np.concatenate(images) if images else np.zeros(0, dtype=np.int64)
    live = np.isin(image_ids, np.fromiter(Image.objects.filter(status=Image.Status.APPROVED)
                                          .values_list("id", flat=True).iterator(), dtype=np.int64))
    rows_of = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
    return LikeMatrix(rows=rows_of[live], image_ids=image_ids[live], people=people + 1)


_LIKE_EVENTS = frozenset({Interaction.Event.LIKE.value, Interaction.Event.UNLIKE.value})


# Scoring weighs a like 0.8x the next one, so likes older than the last ~40 barely count (recommender.algorithms);
# reading only the latest events bounds a request's cost however long a person's history is.
HISTORY_EVENTS = 400


def like_history(face_user_id: uuid.UUID) -> list[int]:
    """The images a person likes now, oldest like first (the order EASE scoring weighs by recency), judged from
    the latest like or unlike of each of the HISTORY_EVENTS images they liked or unliked last."""
    latest = queries.latest_likes_and_unlikes(face_user_id=face_user_id, limit=HISTORY_EVENTS)
    liked_at: dict[int, int] = {}
    for position, (image_id, event) in enumerate(reversed(latest)):
        liked_at.pop(image_id, None)
        if event == Interaction.Event.LIKE:
            liked_at[image_id] = position
    return sorted(liked_at, key=liked_at.__getitem__)


# EASE inverts a dense matrix over the images it models: the most liked MAX_ITEMS bound its memory (two float32
# matrices of 8000^2, 256 MB each) and time whatever the catalogue's size. Rarer images are reached through their
# content by the taste model, and through exploration.
MAX_ITEMS = 8000
# Users per block when adding up the co-like counts, so the sparse products stay small.
GRAM_BLOCK = 100_000


def refit_personal_model(*, l2: float = 250.0, neighbours: int = NEIGHBOURS,
                         max_items: int = MAX_ITEMS) -> ModelSnapshot | None:
    """Fit EASE on the current likes of the most liked images and store it as the newest snapshot; None when there
    is nothing to learn."""
    started = time.monotonic()
    # Read first: events after it may be fitted too, so the likes since the fit are never underestimated.
    through_event = Interaction.objects.aggregate(newest=Max("pk"))["newest"] or 0
    likes = current_likes()
    image_ids, column, counts = np.unique(likes.image_ids, return_inverse=True, return_counts=True)
    if image_ids.size > max_items:
        kept = np.sort(np.argsort(-counts, kind="stable")[:max_items])
        remap = np.full(image_ids.size, -1)
        remap[kept] = np.arange(kept.size)
        column, image_ids = remap[column], image_ids[kept]
    modelled = column >= 0
    users = np.unique(likes.rows[modelled])
    if users.size < 2 or image_ids.size < 2:
        return None
    matrix = sp.csr_array(
        (np.ones(int(modelled.sum()), dtype=np.float32), (likes.rows[modelled], column[modelled])),
        shape=(likes.people, image_ids.size),
    )
    weights = _strongest_links(Ease(l2, max_items=max_items).fit_gram(_gram(matrix)).weights, neighbours)
    buffer = io.BytesIO()
    sp.save_npz(buffer, weights, compressed=True)
    snapshot = ModelSnapshot.objects.create(
        image_ids=image_ids.astype(np.int64).tobytes(), weights=buffer.getvalue(), users=int(users.size),
        likes=int(modelled.sum()), fit_seconds=round(time.monotonic() - started, 3), through_event=through_event,
    )
    stale = ModelSnapshot.objects.order_by("-created_at", "-id").values_list("id", flat=True)[KEEP_SNAPSHOTS:]
    ModelSnapshot.objects.filter(id__in=list(stale)).delete()
    return snapshot


class SnapshotMark(NamedTuple):
    """What serving and the refit's trigger read of the newest snapshot, without its weights."""

    id: int
    through_event: int
    likes: int


def newest_snapshot_mark() -> SnapshotMark | None:
    row = ModelSnapshot.objects.order_by("-created_at", "-id").values_list("id", "through_event", "likes").first()
    return SnapshotMark(*row) if row else None


def queue_refit_if_likes_grew(*, event_id: int, growth: float, newest: SnapshotMark | None) -> None:
    """Queue a refit, once the caller's transaction commits, if the events up to `event_id` (a like's) since the
    `newest` fit reach `growth` times the likes it fitted and REFIT_MIN_EVENTS. At most one is queued per
    REFIT_QUEUED_SECONDS per cache (a process's on the embedded default, every process's with Redis). 0: never."""
    if growth <= 0:
        return
    through_event, likes = (newest.through_event, newest.likes) if newest else (0, 0)
    if event_id - through_event < max(REFIT_MIN_EVENTS, growth * likes):
        return
    if not redis_cache.available():
        return
    try:
        first = cache.add(REFIT_QUEUED_KEY, True, timeout=REFIT_QUEUED_SECONDS)
    except REDIS_UNAVAILABLE as error:
        # The like is what matters: with Redis down (the cache and the broker alike), the schedule refits. Raised
        # inside the like's transaction, this failed every like past the growth mark with a 503 (probe.py redis).
        redis_cache.failed(error, fallback="refits wait for their schedule meanwhile")
        return
    if first:
        # Robust: the like is committed; a broker that cannot take the task leaves the refit to the schedule.
        transaction.on_commit(lambda: async_task("recommender.tasks.refit_personal_model",
                                                 task_name="refit-as-likes-grow"), robust=True)


def _gram(matrix: sp.csr_array) -> np.ndarray:
    """X'X as a dense float32 matrix, summed over blocks of users."""
    gram = np.zeros((matrix.shape[1], matrix.shape[1]), dtype=np.float32)
    for start in range(0, matrix.shape[0], GRAM_BLOCK):
        block = matrix[start:start + GRAM_BLOCK]
        gram += (block.T @ block).toarray()
    return gram


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
