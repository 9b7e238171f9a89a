"""The data the HTTP benchmarks serve from: face users, their likes and the segment counters those likes would have
incremented, shaped like the product's. Visitors like far more or less than each other (log-normal activity: ten
likes on average, a few hundred at most), each favours one emotion, items are long-tailed within it, and every like
carries the two items shown beside it. For images (recommender_http.py) and songs (songs_http.py) alike; Django must
be set up before any of it runs.
"""

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

EMOTIONS = ["HAPPY", "SAD", "ANGRY", "CONFUSED", "DISGUSTED", "SURPRISED", "CALM", "FEAR"]
BANDS = ["teenager", "young-adult", "adult", "middle-age", "elder"]
GENDERS = ("Male", "Female")
BATCH = 20_000


@dataclass(frozen=True)
class Likes:
    user_ids: list[uuid.UUID]
    genders: np.ndarray  # per user, an index into GENDERS
    bands: np.ndarray  # per user, an index into BANDS
    user_of: np.ndarray  # per like, the user's index
    emotion_of: np.ndarray  # per like, the emotion the user showed
    liked: np.ndarray  # per like, the index of the item liked
    shown: np.ndarray  # per like, the indices of the two items shown beside it

    def __len__(self) -> int:
        return self.user_of.size

    def impressions(self, row: int) -> set[int]:
        return {int(self.liked[row]), *self.shown[row].tolist()}

    def segments(self, row: int) -> tuple[str, ...]:
        """The counters' segments of a like: everyone, its emotion, the emotion and gender, and the age band too."""
        user = self.user_of[row]
        emotion, gender = EMOTIONS[self.emotion_of[row]], GENDERS[self.genders[user]]
        return "*", emotion, f"{emotion}|{gender}", f"{emotion}|{gender}|{BANDS[self.bands[user]]}"

    def fields(self, row: int) -> dict[str, Any]:
        """An interaction row's fields that say who liked and in which mood."""
        user = self.user_of[row]
        return {"face_user_id": self.user_ids[user], "emotion": EMOTIONS[self.emotion_of[row]],
                "gender": GENDERS[self.genders[user]], "age_band": BANDS[self.bands[user]],
                "client_event_id": f"bench-{row}"}


def create_likes(rng: np.random.Generator, *, item_emotions: np.ndarray, users: int, interactions: int) -> Likes:
    """Create the face users; draw (not store) their likes of items whose emotions are given."""
    from django.db import transaction
    from django.utils import timezone

    from gallery.models import FaceUser

    now = timezone.now()
    genders = rng.integers(0, len(GENDERS), users)
    bands = rng.integers(0, len(BANDS), users)
    user_ids = [uuid.UUID(bytes=rng.bytes(16), version=4) for _ in range(users)]
    with transaction.atomic():
        FaceUser.objects.bulk_create(
            (FaceUser(id=user_id, gender=GENDERS[gender], age_low=20 + 10 * band, age_high=28 + 10 * band,
                      consented_at=now, last_seen_at=now)
             for user_id, gender, band in zip(user_ids, genders, bands, strict=True)),
            batch_size=BATCH,
        )
    by_emotion = [np.flatnonzero(item_emotions == emotion) for emotion in range(len(EMOTIONS))]
    activity = rng.lognormal(0.0, 1.0, users)
    user_of = rng.choice(users, size=interactions, p=activity / activity.sum())
    favourite = rng.integers(0, len(EMOTIONS), users)
    emotion_of = np.where(rng.random(interactions) < 0.8, favourite[user_of],
                          rng.integers(0, len(EMOTIONS), interactions))
    liked = np.array([by_emotion[emotion][min(rng.zipf(1.2) - 1, by_emotion[emotion].size - 1)]
                      for emotion in emotion_of])
    shown = rng.integers(0, item_emotions.size, (interactions, 2))
    return Likes(user_ids=user_ids, genders=genders, bands=bands, user_of=user_of, emotion_of=emotion_of,
                 liked=liked, shown=shown)


def store_likes(likes: Likes, *, item_ids: np.ndarray, interaction: type, counter: type, item: str) -> None:
    """Store the likes as `interaction` rows (LIKE events whose foreign key `item` names the item, with their
    impressions), and the `counter` rows (SegmentStat or its songs' twin) they would have incremented."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    through = interaction.impressions.through
    owner = f"{interaction._meta.model_name}_id"
    first_pk = (interaction.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with transaction.atomic():
        for start in range(0, len(likes), BATCH):
            rows = range(start, min(start + BATCH, len(likes)))
            interaction.objects.bulk_create(
                interaction(pk=first_pk + row, event=interaction.Event.LIKE,
                            **{f"{item}_id": int(item_ids[likes.liked[row]])}, **likes.fields(row))
                for row in rows
            )
            through.objects.bulk_create(
                through(**{owner: first_pk + row, f"{item}_id": int(item_ids[shown])})
                for row in rows
                for shown in likes.impressions(row)
            )
    # The rows above chose their own ids; PostgreSQL's sequence must move past them for the likes to come.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [interaction]):
            cursor.execute(statement)

    counts: dict[tuple[str, int], list[int]] = {}  # (segment, item id) -> [impressions, likes]
    for row in range(len(likes)):
        for shown in likes.impressions(row):
            for segment in likes.segments(row):
                cell = counts.setdefault((segment, int(item_ids[shown])), [0, 0])
                cell[0] += 1
                cell[1] += int(shown == likes.liked[row])
    with transaction.atomic():
        counter.objects.bulk_create(
            (counter(segment=segment, impressions=impressions, likes=liked, **{f"{item}_id": item_id})
             for (segment, item_id), (impressions, liked) in counts.items()),
            batch_size=BATCH,
        )
    # Fresh planner statistics, as autovacuum would gather them on a live site: without them PostgreSQL guesses the
    # index to use for a person's history.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
