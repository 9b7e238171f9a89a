"""Trending now: the images liked most in a recent window by visitors of one emotion, smoothed by everyone's likes.

Read with one aggregate per emotion and kept per process like the segment counters (recommender.engines.counters):
refreshed in the background, so a trending garden never waits for the aggregate after its first read.
"""

from datetime import timedelta

import numpy as np
from django.db import connection
from django.utils import timezone

from recommender.engines.counters import SegmentCounterCache, SegmentCounts
from recommender.items import IMAGES, ItemKind
from recommender.models import Interaction

# A like by anyone counts this much towards an emotion's trending list: enough to order images its own visitors have
# not liked yet, never enough to outweigh one of theirs.
EVERYONE_WEIGHT = 0.1


class TrendingCache:
    def __init__(self, *, hours: float, max_age_seconds: float, kind: ItemKind = IMAGES) -> None:
        self.hours = hours
        self.kind = kind
        self._cache = SegmentCounterCache(max_age_seconds, reader=self._read)

    def scores(self, emotion: str, image_ids: np.ndarray) -> np.ndarray:
        """The trending score of each of the sorted image_ids for visitors of `emotion` ("" for everyone)."""
        own, everyone = self._cache.get(emotion).on(image_ids)
        return own + EVERYONE_WEIGHT * everyone

    def _read(self, emotion: str) -> SegmentCounts:
        """Per image liked in the window: its likes by visitors of the emotion, and by everyone."""
        since = timezone.now() - timedelta(hours=self.hours)
        table = self.kind.events._meta.db_table
        created = self.kind.events._meta.get_field("created_at")
        item = f"{self.kind.field}_id"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {item}, SUM(CASE WHEN emotion = %s THEN 1 ELSE 0 END), COUNT(*) FROM {table} "
                f"WHERE event = %s AND created_at >= %s GROUP BY {item} ORDER BY {item}",
                [emotion or "", Interaction.Event.LIKE.value, created.get_db_prep_value(since, connection)],
            )
            rows = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 3)
        own = rows[:, 1].astype(float) if emotion else rows[:, 2].astype(float)
        return SegmentCounts(image_ids=rows[:, 0], likes=own, impressions=rows[:, 2].astype(float))
