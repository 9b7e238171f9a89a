"""The local engine's per-process cache of segment counters, refreshed in the background.

A segment's counters cover every image shown in it (on a busy site, most of the gallery: 10,000 rows), and a site
with eight emotions, two genders and five age bands has about a hundred segments. Reading them per request would
cost more than everything else a garden does, so each process keeps every segment it has served and refreshes it on
a background thread as often as its reads allow (SegmentCounterCache), serving the previous counters meanwhile: a
request never waits for a refresh, only for the first read of a segment it cannot do without (get; get_if_read
leaves even that to the background). The counts of served gardens and likes are
added up per process and written together every `flush_seconds` by a CounterBuffer, off the request path (the
events themselves are stored at once). This process's view of the counters lags by up to one flush, one refresh
interval and one read.
"""

import atexit
import logging
import math
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Generic, TypeVar

import numpy as np
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F

from recommender import queries
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
    """One segment's counters of one kind of item, by item id: an index range scan of (segment, item).

    The likes are those beyond what the viewers' own tastes predicted (likes less taste_lift, so a fraction, and
    below 0 for an image its likely fans passed by): an image the engine showed to the people who love its kind
    would otherwise look loved by everyone, and be shown to everyone next (benchmarks/online_sim.py)."""
    item = f"{kind.field}_id"
    rows = kind.counters.objects.filter(segment=segment).order_by(item).values_list(
        item, "likes", "impressions", "taste_lift")
    table = np.array(list(rows), dtype=np.float64).reshape(-1, 4)
    likes = table[:, 1]
    # Every like was an impression: another process's impressions may reach the table up to a flush after its like.
    return SegmentCounts(image_ids=table[:, 0].astype(np.int64), likes=likes - table[:, 3],
                         impressions=np.maximum(table[:, 2], likes))


T = TypeVar("T")
V = TypeVar("V")


class SegmentCounterCache(Generic[V]):
    """Counters per segment, read once and then refreshed in the background as often as their reads allow.

    A segment is read again once it is older than what reading every cached segment takes, divided by
    `refresh_share` (so the background reads use about that share of one core), but never sooner than
    min_age_seconds nor later than max_age_seconds. A gallery of a few hundred images reads its counters every few
    seconds, so that the likes of the visitors before teach the next ones; one of 10,000 images with 1,000,000 likes,
    whose hundred segments take 15-20 ms each, every minute and a half (the engine's max_age_seconds is 120 s). Not
    more often: every read holds the GIL while it builds its rows, and the requests after it align the new counters
    on the catalogue again (one run of benchmarks/recommender_http.py at 100,000 likes with a tenth of a core gave
    the garden a one-client p99 of 26 ms against 19; 2% measured the same as a fixed 30 s).

    With max_age_seconds 0 every call reads the database (no thread): what tests that change counters behind the
    engine's back need. `reader` reads one key's counts (by default a segment's counters).
    """

    def __init__(self, max_age_seconds: float, reader: Callable[[str], V] | None = None, *,
                 min_age_seconds: float = 1.0, refresh_share: float = 0.02) -> None:
        self.max_age_seconds = max_age_seconds
        self.min_age_seconds = min(min_age_seconds, max_age_seconds)
        self.refresh_share = refresh_share
        self._read: Callable[[str], V] = reader or read_segment_counts  # type: ignore[assignment]
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, V]] = {}
        self._read_seconds: dict[str, float] = {}  # what each segment's last read took
        self._reading_all = 0.0  # their sum
        self._pending: set[str] = set()
        self._queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._refresher: threading.Thread | None = None

    def get(self, segment: str) -> V:
        """The segment's counters, read on the calling thread the first time."""
        counts = self._cached(segment)
        return self._read_and_store(segment) if counts is None else counts

    def get_if_read(self, segment: str) -> V | None:
        """The segment's counters if this process has read them; otherwise None, and they are read in the
        background, so that no request waits for a segment its visitors can do without (a gender and age band of a
        mood, 20 ms each on SQLite at 1M likes, a hundred of them after a start)."""
        counts = self._cached(segment)
        if counts is None:
            self._schedule_refresh(segment)
        return counts

    def _cached(self, segment: str) -> V | None:
        """The segment's counters as last read, None if never, a refresh scheduled once they are old enough (with
        max_age_seconds 0: read now)."""
        if self.max_age_seconds <= 0:
            return self._read(segment)
        with self._lock:
            entry = self._entries.get(segment)
        if entry is None:
            return None
        read_at, counts = entry
        if time.monotonic() - read_at >= self.refresh_seconds():
            self._schedule_refresh(segment)
        return counts

    def refresh_seconds(self) -> float:
        """How old a segment's counters may grow before they are read again (see the class)."""
        return min(max(self._reading_all / self.refresh_share, self.min_age_seconds), self.max_age_seconds)

    def refresh_now(self) -> None:
        """Re-read every cached segment on the calling thread (after a bulk change, and in tests)."""
        with self._lock:
            segments = list(self._entries)
        for segment in segments:
            self._read_and_store(segment)

    def _read_and_store(self, segment: str) -> V:
        started = time.monotonic()
        counts = self._read(segment)
        finished = time.monotonic()
        with self._lock:
            self._entries[segment] = (finished, counts)
            self._reading_all += finished - started - self._read_seconds.get(segment, 0.0)
            self._read_seconds[segment] = finished - started
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
                self._read_and_store(segment)
            except Exception:  # noqa: BLE001 - a failed refresh keeps serving the last counters; the next use retries
                logger.exception("Refreshing the counters of segment %r failed", segment)
                connection.close()
                with self._lock:
                    self._pending.discard(segment)


def increment_counters(rows: list[tuple[str, int, int, int, float]], *, kind: ItemKind = IMAGES) -> None:
    """Add (impressions, likes, taste_lift) to each (segment, item) counter of the kind, creating missing rows."""
    if rows:
        queries.add_to_counters(rows, kind=kind)


# How often an unlike looks again for a like that another process has not written yet (every two flushes).
TAKE_BACK_TRIES = 5


class CounterBuffer:
    """The counters of this process's served gardens and likes, added up and written every `flush_seconds` on a
    background thread: a garden then writes only its ServedPage row (what the dashboard and the visitor's taste
    read, at once), and the counters get one upsert per (segment, item) per flush instead of one per garden.

    A like's counter is buffered with the impressions of the page that showed it, so that no reader sees the like
    before its impression: counted at once against impressions a second late, every image liked in the last second
    looked loved (one like, no impression), and the engine showed them to everyone next.

    The background flush writes `chunk_rows` counters per transaction and pauses `pause_seconds` between them. On
    SQLite a transaction holds the one write lock: a second's counters of a busy worker (about a thousand rows, 20 ms)
    in one transaction made every garden that wanted to store its page meanwhile wait for it, and SQLite's busy
    handler waits in steps of 1, 2, 5 and 10 ms, so the garden whose turn came during a flush took twice its time
    (the one-client p99 of personal picks: benchmarks/recommender_http.py). Each chunk stands on its own: a like and
    its impression of the same image are one row, so no reader ever sees one without the other.

    Rows are added once the caller's transaction commits (an event rolled back counts nothing). A process that exits
    flushes what it holds (atexit); one killed outright loses at most flush_seconds of counts, which only the
    baselines' smoothing reads (the events themselves are stored at once). With flush_seconds 0 every call writes at
    once (no thread), in the caller's transaction: what tests that read the counters right after a garden need.
    """

    def __init__(self, flush_seconds: float, *, kind: ItemKind = IMAGES, chunk_rows: int = 200,
                 pause_seconds: float = 0.005) -> None:
        self.flush_seconds = flush_seconds
        self.kind = kind
        self.chunk_rows = chunk_rows
        self.pause_seconds = pause_seconds
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._impressions: Counter[tuple[str, int]] = Counter()
        self._likes: Counter[tuple[str, int]] = Counter()
        self._lifts: Counter[tuple[str, int]] = Counter()
        self._retries: list[tuple[float, int, list[str], int]] = []  # (when, tries, segments, item): likes not in yet
        self._flusher: threading.Thread | None = None
        if flush_seconds > 0:
            atexit.register(self._flush_at_exit)  # a forked worker inherits it, and writes its own counts at exit

    def add(self, rows: list[tuple[str, int, int, int, float]]) -> None:
        """Add (segment, item, impressions, likes, taste_lift) rows, as increment_counters takes them."""
        if self.flush_seconds <= 0:
            increment_counters(rows, kind=self.kind)
            return
        transaction.on_commit(lambda: self._pend(rows))

    def take_back(self, segments: list[str], item_id: int) -> None:
        """Take one like of the item back in each segment (not its impression: the item was still shown), once the
        caller's transaction commits, after this process's pending counts (its like may be among them).

        Off the caller's transaction and one counter per statement: an unlike that flushed and decremented inside
        it deadlocked with others on PostgreSQL, and its rollback lost the counts it had flushed. A like still
        pending in another process (given there a moment ago) is not counted yet: a segment with no like to take is
        tried again every two flushes, up to TAKE_BACK_TRIES times, and once more when the process exits (a like
        of a person's is always counted by the process that took it, unless that one is killed outright)."""
        if self.flush_seconds <= 0:
            self._take_back_now(segments, item_id)
            return
        transaction.on_commit(lambda: self._take_back_after_commit(segments, item_id), robust=True)

    def _take_back_after_commit(self, segments: list[str], item_id: int) -> None:
        self.flush()
        if missing := self._take_back_now(segments, item_id):
            self._retry_later(1, missing, item_id)

    def _retry_later(self, tries: int, segments: list[str], item_id: int) -> None:
        with self._lock:
            self._retries.append((time.monotonic() + 2 * self.flush_seconds, tries, segments, item_id))
            self._ensure_flusher()

    def _take_back_now(self, segments: list[str], item_id: int) -> list[str]:
        """The segments where no like of the item was counted to take back."""
        counters = self.kind.counters.objects.filter(likes__gt=0, **{f"{self.kind.field}_id": item_id})
        return [segment for segment in segments
                if not counters.filter(segment=segment).update(likes=F("likes") - 1)]

    def _retry_due(self, *, everything: bool = False) -> None:
        with self._lock:
            now = math.inf if everything else time.monotonic()
            due = [retry for retry in self._retries if retry[0] <= now]
            self._retries = [retry for retry in self._retries if retry[0] > now]
        for _, tries, segments, item_id in due:
            if (missing := self._take_back_now(segments, item_id)) and tries < TAKE_BACK_TRIES and not everything:
                self._retry_later(tries + 1, missing, item_id)

    def _flush_at_exit(self) -> None:
        self.flush()
        self._retry_due(everything=True)

    def _pend(self, rows: list[tuple[str, int, int, int, float]]) -> None:
        with self._lock:
            self._accumulate(rows)
            self._ensure_flusher()

    def _ensure_flusher(self) -> None:
        """Start the background flush (the caller holds self._lock): lazily, so a process that forks (gunicorn's
        preload) never inherits a dead thread."""
        if self._flusher is None or not self._flusher.is_alive():
            self._flusher = threading.Thread(target=self._flush_forever, name="counters", daemon=True)
            self._flusher.start()

    def flush(self, *, pause_seconds: float = 0.0) -> None:
        """Write what is pending now, on the calling thread, `chunk_rows` counters per transaction with
        `pause_seconds` between them; what a failure leaves unwritten stays pending for the next flush."""
        # One flush at a time: a caller that flushes to see its counts written (an unlike, before it takes its like
        # back) waits for the background flush that may hold them.
        with self._flushing:
            with self._lock:
                impressions, likes, lifts = self._impressions, self._likes, self._lifts
                self._impressions, self._likes, self._lifts = Counter(), Counter(), Counter()
            rows = [(segment, item, impressions[segment, item], likes[segment, item], lifts[segment, item])
                    for segment, item in sorted(impressions.keys() | likes.keys() | lifts.keys())]
            for start in range(0, len(rows), self.chunk_rows):
                if start and pause_seconds:
                    time.sleep(pause_seconds)
                try:
                    self._write(rows[start:start + self.chunk_rows])
                except Exception:
                    with self._lock:
                        self._accumulate(rows[start:])
                    raise

    def _accumulate(self, rows: list[tuple[str, int, int, int, float]]) -> None:
        """Add rows to what is pending (new ones, or a failed flush's put back); the caller holds self._lock."""
        for segment, item, impressions, likes, lift in rows:
            self._impressions[segment, item] += impressions
            self._likes[segment, item] += likes
            self._lifts[segment, item] += lift

    def _write(self, rows: list[tuple[str, int, int, int, float]]) -> None:
        try:
            with transaction.atomic():
                increment_counters(rows, kind=self.kind)
        except IntegrityError:
            # An item deleted since it was served (not retired: deleted) would fail every later flush too.
            known = set(self.kind.model.objects.filter(pk__in={row[1] for row in rows}).values_list("pk", flat=True))
            with transaction.atomic():
                increment_counters([row for row in rows if row[1] in known], kind=self.kind)

    def _flush_forever(self) -> None:
        while True:
            time.sleep(self.flush_seconds)
            with self._lock:
                idle = not (self._impressions or self._likes or self._lifts or self._retries)
            if idle:  # an idle process leaves the database (and its connection) alone
                continue
            try:
                close_old_connections()  # a connection that the database dropped is replaced, not reused
                self.flush(pause_seconds=self.pause_seconds)
                self._retry_due()
            except Exception:  # noqa: BLE001 - the counts stay pending and the next flush retries them
                logger.exception("Writing the counters of served gardens and likes failed")
                connection.close()


class CheckedValue(Generic[T]):
    """A value read from the database at most every `seconds` by this process (0: at every use)."""

    def __init__(self, seconds: float, read: Callable[[], T]) -> None:
        self.seconds = seconds
        self._read = read
        self._lock = threading.Lock()
        self._value: T | None = None
        self._read_at = -math.inf

    def value(self) -> T:
        with self._lock:
            if time.monotonic() - self._read_at < self.seconds:
                return self._value
        value = self._read()
        with self._lock:
            self._value, self._read_at = value, time.monotonic()
        return value

    def expire(self) -> None:
        with self._lock:
            self._read_at = -math.inf
