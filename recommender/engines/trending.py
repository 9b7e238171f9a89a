"""Trending now: the images liked most in a recent window by visitors of one emotion, ties ordered by everyone's likes.

Read with one aggregate over the window for every emotion at once and kept per process like the segment counters
(recommender.engines.counters): refreshed in the background, so a trending garden never waits for the aggregate after
its process's first read.
"""

from datetime import timedelta

import numpy as np
from django.utils import timezone

from recommender.engines.counters import SegmentCounterCache, SegmentCounts
from recommender.items import IMAGES, ItemKind
from recommender.queries import recent_likes_by_emotion

WINDOW = "window"  # the cache's one key: every emotion is read together


class TrendingCache:
    def __init__(self, *, hours: float, max_age_seconds: float, kind: ItemKind = IMAGES) -> None:
        self.hours = hours
        self.kind = kind
        self._cache: SegmentCounterCache[dict[str, SegmentCounts]] = SegmentCounterCache(
            max_age_seconds, reader=self._read)

    def scores(self, emotion: str, image_ids: np.ndarray) -> np.ndarray:
        """The trending score of each of the sorted image_ids for visitors of `emotion` ("" for everyone)."""
        by_emotion = self._cache.get(WINDOW)
        counts = by_emotion.get(emotion)
        if counts is None:  # nobody of this emotion liked anything in the window
            return by_emotion[""].on(image_ids)[1]
        own, tie_break = counts.on(image_ids)
        return own + tie_break

    def _read(self, _key: str) -> dict[str, SegmentCounts]:
        """Per item liked in the window, for each emotion shown in it ("" for everyone): its likes by visitors of the
        emotion (`likes`) and everyone's likes scaled below one (`impressions`), the tie-break added to them."""
        rows = recent_likes_by_emotion(events=self.kind.events, item_field=self.kind.field,
                                       since=timezone.now() - timedelta(hours=self.hours))
        image_of = np.array([row[0] for row in rows], dtype=np.int64)
        emotion_of = np.array([row[1] for row in rows], dtype=object)
        likes = np.maximum(np.array([row[2] for row in rows], dtype=float), 0.0)  # more taken back than given
        image_ids, position = np.unique(image_of, return_inverse=True)
        everyone = np.bincount(position, weights=likes, minlength=image_ids.size)
        # Everyone's likes order only the images an emotion's own visitors liked equally often (most often none): scaled
        # below one, the most liked image of all cannot outweigh a single like of the emotion's own. A fixed weight
        # (0.1) let 340 likes of other emotions put images nobody in fear liked above one three fearful people liked.
        tie_break = everyone / (1.0 + everyone.max(initial=0.0))
        by_emotion = {"": SegmentCounts(image_ids=image_ids, likes=everyone, impressions=tie_break)}
        for emotion in {row[1] for row in rows} - {""}:
            mine = emotion_of == emotion
            by_emotion[emotion] = SegmentCounts(
                image_ids=image_ids, likes=np.bincount(position[mine], weights=likes[mine], minlength=image_ids.size),
                impressions=tie_break)
        return by_emotion
