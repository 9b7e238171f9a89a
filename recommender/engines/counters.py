"""The local engine's per-process cache of segment counters, refreshed in the background.

A segment's counters cover every image shown in it (on a busy site, most of the gallery: 10,000 rows), and a site
with eight emotions, two genders and five age bands has about a hundred segments. Reading them per request would
cost more than everything else a garden does, so each process keeps every segment it has served for
`max_age_seconds` and then refreshes it on a background thread, serving the previous counters meanwhile: a request
never waits for a refresh, only for the first read of a segment. The counters themselves stay exact in the
database (one upsert per event); only this process's view of them lags by up to max_age_seconds plus one read.
"""

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

import numpy as np
from django.db import close_old_connections, connection

from recommender.items import IMAGES, ItemKind

logger = logging.getLogger(__name__)


class SegmentCounts:
    """One segment's counters by sorted image id, and their last alignment on a catalogue's ids.

    Aligning costs two binary searches over the catalogue (about 1.5 ms at 10,000 images under load), and a personal
    garden aligns a dozen segments (its own path and one per mood the visitor showed): every request of a process
    aligns the same counters on the same catalogue until one of them is read again, so the last alignment is kept.
    """

    __slots__ = ("image_ids", "likes", "impressions", "_aligned")

    def __init__(self, *, image_ids: np.ndarray, likes: np.ndarray, impressions: np.ndarray) -> None:
        self.image_ids = image_ids
        self.likes = likes
        self.impressions = impressions
        self._aligned: tuple[np.ndarray, tuple[np.ndarray, np.ndarray]] | None = None

    def on(self, image_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(likes, impressions) of the given sorted image ids, 0 for images never shown in the segment.

        Read-only arrays, shared by every caller that passes the same image_ids array (compared by identity: a
        catalogue's ids never change in place)."""
        aligned = self._aligned
        if aligned is not None and aligned[0] is image_ids:
            return aligned[1]
        if self.image_ids.size == 0:
            found = np.zeros(image_ids.size), np.zeros(image_ids.size)
        else:
            positions = np.searchsorted(self.image_ids, image_ids).clip(max=self.image_ids.size - 1)
            known = self.image_ids[positions] == image_ids
            found = np.where(known, self.likes[positions], 0.0), np.where(known, self.impressions[positions], 0.0)
        for array in found:
            array.flags.writeable = False
        # One assignment: a concurrent request reads either the previous pair or this one, never half of it.
        self._aligned = (image_ids, found)
        return found


def read_segment_counts(segment: str, *, kind: ItemKind = IMAGES) -> SegmentCounts:
    """One segment's counters of one kind of item, by item id: an index range scan of (segment, item)."""
    item = f"{kind.field}_id"
    rows = kind.counters.objects.filter(segment=segment).order_by(item).values_list(item, "likes", "impressions")
    table = np.array(list(rows), dtype=np.int64).reshape(-1, 3)
    return SegmentCounts(image_ids=table[:, 0], likes=table[:, 1].astype(float), impressions=table[:, 2].astype(float))


V = TypeVar("V")


class SegmentCounterCache(Generic[V]):
    """Counters per segment, read once and then refreshed in the background every max_age_seconds.

    With max_age_seconds 0 every call reads the database (no thread): what tests that change counters behind the
    engine's back need. `reader` reads one key's counts (by default a segment's counters).
    """

    def __init__(self, max_age_seconds: float, reader: Callable[[str], V] | None = None) -> None:
        self.max_age_seconds = max_age_seconds
        self._read: Callable[[str], V] = reader or read_segment_counts  # type: ignore[assignment]
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, V]] = {}
        self._pending: set[str] = set()
        self._queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._refresher: threading.Thread | None = None

    def get(self, segment: str) -> V:
        if self.max_age_seconds <= 0:
            return self._read(segment)
        with self._lock:
            entry = self._entries.get(segment)
        if entry is None:
            return self._store(segment, self._read(segment))
        read_at, counts = entry
        if time.monotonic() - read_at >= self.max_age_seconds:
            self._schedule_refresh(segment)
        return counts

    def refresh_now(self) -> None:
        """Re-read every cached segment on the calling thread (after a bulk change, and in tests)."""
        with self._lock:
            segments = list(self._entries)
        for segment in segments:
            self._store(segment, self._read(segment))

    def _store(self, segment: str, counts: V) -> V:
        with self._lock:
            self._entries[segment] = (time.monotonic(), counts)
            self._pending.discard(segment)
        return counts

    def _schedule_refresh(self, segment: str) -> None:
        with self._lock:
            if segment in self._pending:
                return
            self._pending.add(segment)
            if self._refresher is None or not self._refresher.is_alive():
                # Started lazily, so a process that forks (gunicorn's preload) never inherits a dead thread.
                self._refresher = threading.Thread(target=self._refresh_forever, name="segment-counters",
                                                   daemon=True)
                self._refresher.start()
        self._queue.put(segment)

    def _refresh_forever(self) -> None:
        while True:
            segment = self._queue.get()
            try:
                close_old_connections()  # a connection that the database dropped is replaced, not reused
                self._store(segment, self._read(segment))
            except Exception:  # noqa: BLE001 - a failed refresh keeps serving the last counters; the next use retries
                logger.exception("Refreshing the counters of segment %r failed", segment)
                connection.close()
                with self._lock:
                    self._pending.discard(segment)
