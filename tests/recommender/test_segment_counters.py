import threading
import time
from collections.abc import Callable

import numpy as np
import pytest
from django.db import DatabaseError, transaction

from recommender.engines import counters
from recommender.engines.counters import CounterBuffer, SegmentCounterCache, SegmentCounts, read_segment_counts
from recommender.models import SegmentStat
from tests.factories import ApprovedImageFactory


def test_counts_are_laid_over_any_sorted_image_ids() -> None:
    counts = SegmentCounts(image_ids=np.array([3, 7]), likes=np.array([1.0, 2.0]), impressions=np.array([4.0, 9.0]))
    likes, impressions = counts.on(np.array([1, 3, 5, 7, 9]))
    assert likes.tolist() == [0, 1, 0, 2, 0]
    assert impressions.tolist() == [0, 4, 0, 9, 0]
    empty = SegmentCounts(image_ids=np.array([], dtype=np.int64), likes=np.array([]), impressions=np.array([]))
    assert empty.on(np.array([1, 2]))[0].tolist() == [0, 0]


def test_an_alignment_is_kept_for_the_same_ids_and_cannot_be_changed() -> None:
    counts = SegmentCounts(image_ids=np.array([3, 7]), likes=np.array([1.0, 2.0]), impressions=np.array([4.0, 9.0]))
    catalogue_ids = np.array([3, 5, 7])
    likes, _ = counts.on(catalogue_ids)
    assert counts.on(catalogue_ids)[0] is likes
    with pytest.raises(ValueError, match="read-only"):
        likes[0] = 99.0
    # Other ids (a catalogue read again) are aligned afresh, never answered with the old layout.
    assert counts.on(np.array([7]))[0].tolist() == [2.0]
    assert counts.on(np.array([3, 5, 7]))[0].tolist() == [1.0, 0.0, 2.0]


@pytest.mark.django_db
def test_a_segment_is_read_by_image_id() -> None:
    images = ApprovedImageFactory.create_batch(3)
    for image, likes in zip(reversed(images), (5, 0, 2), strict=True):
        SegmentStat.objects.create(segment="SAD", image=image, impressions=10, likes=likes)
    SegmentStat.objects.create(segment="*", image=images[0], impressions=1, likes=1)
    counts = read_segment_counts("SAD")
    assert counts.image_ids.tolist() == [image.pk for image in images]
    assert counts.likes.tolist() == [2, 0, 5]


@pytest.mark.django_db
def test_a_segment_reads_the_likes_beyond_what_the_viewers_tastes_foresaw() -> None:
    loved_by_its_fans, passed_by_its_fans = ApprovedImageFactory.create_batch(2)
    SegmentStat.objects.create(segment="SAD", image=loved_by_its_fans, impressions=10, likes=3, taste_lift=2.5)
    SegmentStat.objects.create(segment="SAD", image=passed_by_its_fans, impressions=10, likes=0, taste_lift=1.5)
    counts = read_segment_counts("SAD")
    assert counts.likes.tolist() == pytest.approx([0.5, -1.5])
    assert counts.impressions.tolist() == [10, 10]


@pytest.mark.django_db(transaction=True)
def test_stale_counters_are_served_while_a_background_thread_reads_them_again() -> None:
    image = ApprovedImageFactory()
    stat = SegmentStat.objects.create(segment="CALM", image=image, impressions=4, likes=1)
    cache = SegmentCounterCache(max_age_seconds=0.05)
    assert cache.get("CALM").likes.tolist() == [1]
    SegmentStat.objects.filter(pk=stat.pk).update(likes=3)
    time.sleep(0.06)
    assert cache.get("CALM").likes.tolist() == [1]  # served at once, stale; the refresh is under way
    deadline = time.monotonic() + 5
    while cache.get("CALM").likes.tolist() != [3]:
        assert time.monotonic() < deadline, "the background refresh never landed"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_an_idle_background_flush_leaves_the_database_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    image = ApprovedImageFactory()
    buffer = CounterBuffer(flush_seconds=0.01)
    flushes = []
    monkeypatch.setattr(counters, "close_old_connections", lambda: flushes.append(time.monotonic()))
    buffer.add([("CALM", image.pk, 1, 0, 0.0)])
    deadline = time.monotonic() + 5
    while not SegmentStat.objects.filter(segment="CALM", image=image, impressions=1).exists():
        assert time.monotonic() < deadline, "the background flush never wrote the impression"
        time.sleep(0.02)
    written = len(flushes)
    time.sleep(0.2)  # twenty flush intervals with nothing pending
    assert written >= 1 and len(flushes) == written


@pytest.mark.django_db
def test_without_a_max_age_every_read_goes_to_the_database() -> None:
    image = ApprovedImageFactory()
    stat = SegmentStat.objects.create(segment="CALM", image=image, impressions=4, likes=1)
    cache = SegmentCounterCache(max_age_seconds=0)
    assert cache.get("CALM").likes.tolist() == [1]
    SegmentStat.objects.filter(pk=stat.pk).update(likes=2)
    assert cache.get("CALM").likes.tolist() == [2]


@pytest.mark.django_db(transaction=True)  # rows are added when the caller's transaction commits
def test_counts_are_added_up_and_written_together_off_the_request_path() -> None:
    first, second = ApprovedImageFactory.create_batch(2)
    SegmentStat.objects.create(segment="SAD", image=first, impressions=2, likes=1)
    buffer = CounterBuffer(flush_seconds=3600)  # no background flush within the test
    buffer.add([(segment, image.pk, 1, 0, 0.25) for segment in ("*", "SAD") for image in (first, second)])
    buffer.add([(segment, first.pk, 1, 1, -0.5) for segment in ("*", "SAD")])
    assert SegmentStat.objects.get(segment="SAD", image=first).impressions == 2  # nothing written yet
    buffer.flush()
    counts = {(stat.segment, stat.image_id): (stat.impressions, stat.likes, stat.taste_lift)
              for stat in SegmentStat.objects.all()}
    assert counts == {("SAD", first.pk): (4, 2, -0.25), ("*", first.pk): (2, 1, -0.25),
                      ("SAD", second.pk): (1, 0, 0.25), ("*", second.pk): (1, 0, 0.25)}
    buffer.flush()  # nothing pending: nothing counted twice
    assert SegmentStat.objects.get(segment="SAD", image=first).impressions == 4


@pytest.mark.django_db(transaction=True)
def test_counts_of_a_transaction_rolled_back_are_never_added() -> None:
    image = ApprovedImageFactory()
    buffer = CounterBuffer(flush_seconds=3600)
    with pytest.raises(RuntimeError), transaction.atomic():
        buffer.add([("*", image.pk, 1, 1, 0.0)])
        raise RuntimeError("the like's request failed")
    buffer.add([("*", image.pk, 1, 0, 0.0)])
    buffer.flush()
    assert list(SegmentStat.objects.values_list("impressions", "likes")) == [(1, 0)]


@pytest.mark.django_db(transaction=True)
def test_buffered_counts_reach_the_database_within_the_flush_interval() -> None:
    image = ApprovedImageFactory()
    buffer = CounterBuffer(flush_seconds=0.05)
    buffer.add([("CALM", image.pk, 1, 0, 0.0)])
    deadline = time.monotonic() + 5
    while not SegmentStat.objects.filter(segment="CALM", image=image, impressions=1).exists():
        assert time.monotonic() < deadline, "the background flush never wrote the impression"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_flush_writes_in_chunks_and_a_failed_chunk_stays_pending(monkeypatch: pytest.MonkeyPatch) -> None:
    images = ApprovedImageFactory.create_batch(5)
    buffer = CounterBuffer(flush_seconds=3600, chunk_rows=2)
    buffer.add([("*", image.pk, 1, 0, 0.0) for image in images])
    written: list[int] = []
    original = counters.increment_counters

    def fail_the_second_chunk(rows: list[tuple[str, int, int, int, float]], **kwargs: object) -> None:
        written.append(len(rows))
        if len(written) == 2:
            raise DatabaseError("the disk is full")
        original(rows, **kwargs)

    monkeypatch.setattr(counters, "increment_counters", fail_the_second_chunk)
    with pytest.raises(DatabaseError):
        buffer.flush(pause_seconds=0.001)
    assert SegmentStat.objects.count() == 2  # the first chunk was committed on its own
    buffer.flush()
    assert written == [2, 2, 2, 1]
    assert sorted(SegmentStat.objects.values_list("image_id", "impressions")) == [(image.pk, 1) for image in images]


@pytest.mark.django_db(transaction=True)
def test_a_flush_waits_for_the_flush_in_progress() -> None:
    images = ApprovedImageFactory.create_batch(3)
    buffer = CounterBuffer(flush_seconds=3600, chunk_rows=1)
    buffer.add([("*", image.pk, 1, 1, 0.0) for image in images])
    background = threading.Thread(target=buffer.flush, kwargs={"pause_seconds": 0.2})
    background.start()
    time.sleep(0.05)  # the background flush has taken every row and written the first
    buffer.flush()  # an unlike's: its like must be in the table when this returns
    assert SegmentStat.objects.count() == 3
    background.join()


@pytest.mark.django_db(transaction=True)  # the flush's own transaction checks the foreign keys as it commits
def test_a_deleted_image_does_not_block_the_other_counts() -> None:
    kept, deleted = ApprovedImageFactory.create_batch(2)
    buffer = CounterBuffer(flush_seconds=3600)
    buffer.add([("*", kept.pk, 1, 0, 0.0), ("*", deleted.pk, 1, 0, 0.0)])
    deleted.delete()
    buffer.flush()
    assert list(SegmentStat.objects.values_list("image_id", "impressions")) == [(kept.pk, 1)]


@pytest.mark.django_db
def test_a_like_read_before_its_impression_counts_as_one() -> None:
    image = ApprovedImageFactory()
    SegmentStat.objects.create(segment="SAD", image=image, impressions=0, likes=1)
    assert read_segment_counts("SAD").impressions.tolist() == [1]


def test_a_segment_not_read_yet_is_read_in_the_background_when_the_caller_can_wait() -> None:
    reads: list[str] = []

    def read(segment: str) -> str:
        reads.append(segment)
        return segment

    cache = SegmentCounterCache(max_age_seconds=10, reader=read)
    assert cache.get_if_read("CALM|Female") is None  # the caller goes on without it
    deadline = time.monotonic() + 5
    while cache.get_if_read("CALM|Female") is None:
        assert time.monotonic() < deadline, "the background never read the segment"
        time.sleep(0.01)
    assert reads == ["CALM|Female"]
    assert SegmentCounterCache(max_age_seconds=0, reader=read).get_if_read("SAD") == "SAD"  # no cache: read at once


def test_counters_are_read_again_as_often_as_their_reads_allow() -> None:
    read_seconds = {"cheap": 0.001, "dear": 0.02}

    def read(segment: str) -> str:
        time.sleep(read_seconds[segment])
        return segment

    cache = SegmentCounterCache(max_age_seconds=10, reader=read, min_age_seconds=0.5, refresh_share=0.05)
    cache.get("cheap")
    assert cache.refresh_seconds() == 0.5  # a small gallery's counters: read again after min_age_seconds
    cache.get("dear")
    # Reading both takes about 21 ms; at a 5% share of a core they are read again every ~0.42 s, at least 0.5 s.
    assert cache.refresh_seconds() == 0.5
    read_seconds["dear"] = 0.2
    cache.refresh_now()
    assert 4.0 <= cache.refresh_seconds() <= 10  # ~0.2 s of reads: every ~4 s, within max_age_seconds
    read_seconds["dear"] = 1.0
    cache.refresh_now()
    assert cache.refresh_seconds() == 10


def wait_for(condition: Callable[[], bool], *, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.django_db(transaction=True)
def test_an_unlike_in_one_process_takes_back_a_like_still_pending_in_another() -> None:
    """Two gunicorn workers: the like sat in one's buffer when the other took it back, found no like to take, and
    the like was written a moment later: one person's like and unlike left a like counted."""
    image = ApprovedImageFactory()
    liked_in, unliked_in = CounterBuffer(flush_seconds=0.2), CounterBuffer(flush_seconds=0.2)
    with transaction.atomic():
        liked_in.add([(segment, image.pk, 1, 1, 0.0) for segment in ("*", "SAD")])
    with transaction.atomic():
        unliked_in.take_back(["*", "SAD"], image.pk)
    counted = SegmentStat.objects.filter(image=image)
    assert wait_for(lambda: sorted(counted.values_list("segment", "impressions", "likes")) == [
        ("*", 1, 0), ("SAD", 1, 0)]), sorted(counted.values_list("segment", "impressions", "likes"))


@pytest.mark.django_db(transaction=True)
def test_an_unlike_takes_back_after_its_transaction_and_a_rollback_loses_no_count() -> None:
    """The unlike flushed this process's counts and decremented inside the request's transaction: a rollback (a
    deadlock on PostgreSQL) lost the counts it had flushed."""
    image, other = ApprovedImageFactory.create_batch(2)
    buffer = CounterBuffer(flush_seconds=3600)
    with transaction.atomic():
        buffer.add([("*", image.pk, 1, 1, 0.0), ("*", other.pk, 1, 0, 0.0)])
    with pytest.raises(RuntimeError), transaction.atomic():
        buffer.take_back(["*"], image.pk)
        raise RuntimeError("the unlike's request failed")
    buffer.flush()
    assert sorted(SegmentStat.objects.values_list("image_id", "likes")) == [(image.pk, 1), (other.pk, 0)]
    with transaction.atomic():
        buffer.take_back(["*"], image.pk)
        assert SegmentStat.objects.get(image=image).likes == 1  # not yet: once committed
    assert SegmentStat.objects.get(image=image).likes == 0


@pytest.mark.django_db(transaction=True)
def test_a_take_back_with_no_like_counted_never_goes_below_zero() -> None:
    image = ApprovedImageFactory()
    buffer = CounterBuffer(flush_seconds=0.05)
    with transaction.atomic():
        buffer.add([("*", image.pk, 1, 0, 0.0)])
        buffer.take_back(["*"], image.pk)
    time.sleep(0.3)  # the retry has come and gone
    buffer.flush()
    assert list(SegmentStat.objects.values_list("impressions", "likes")) == [(1, 0)]


@pytest.mark.django_db(transaction=True)
def test_an_unlike_waits_several_flushes_for_a_like_written_late() -> None:
    """A take-back was tried twice, then dropped: a like the other worker wrote a little later stayed counted."""
    image = ApprovedImageFactory()
    slow, unliked_in = CounterBuffer(flush_seconds=0.7), CounterBuffer(flush_seconds=0.1)
    with transaction.atomic():
        slow.add([("*", image.pk, 1, 1, 0.0)])
    with transaction.atomic():
        unliked_in.take_back(["*"], image.pk)
    counted = SegmentStat.objects.filter(image=image)
    assert wait_for(lambda: list(counted.values_list("impressions", "likes")) == [(1, 0)]), list(
        counted.values_list("impressions", "likes"))


@pytest.mark.django_db(transaction=True)
def test_a_process_that_exits_takes_back_what_it_still_waited_for() -> None:
    """The retries lived in memory only: gunicorn workers stopped a second after unlikes left likes counted that
    nobody gave."""
    image = ApprovedImageFactory()
    liked_in, unliked_in = CounterBuffer(flush_seconds=3600), CounterBuffer(flush_seconds=3600)
    with transaction.atomic():
        liked_in.add([("*", image.pk, 1, 1, 0.0)])
    with transaction.atomic():
        unliked_in.take_back(["*"], image.pk)  # nothing to take yet: retried later
    liked_in.flush()  # the other worker writes its like (it stops too)

    unliked_in._flush_at_exit()  # what atexit runs

    assert list(SegmentStat.objects.filter(image=image).values_list("likes", flat=True)) == [0]
