import time

import numpy as np
import pytest

from recommender.engines.counters import ImpressionBuffer, SegmentCounterCache, SegmentCounts, read_segment_counts
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


@pytest.mark.django_db
def test_without_a_max_age_every_read_goes_to_the_database() -> None:
    image = ApprovedImageFactory()
    stat = SegmentStat.objects.create(segment="CALM", image=image, impressions=4, likes=1)
    cache = SegmentCounterCache(max_age_seconds=0)
    assert cache.get("CALM").likes.tolist() == [1]
    SegmentStat.objects.filter(pk=stat.pk).update(likes=2)
    assert cache.get("CALM").likes.tolist() == [2]


@pytest.mark.django_db
def test_impressions_are_added_up_and_written_together_off_the_request_path() -> None:
    first, second = ApprovedImageFactory.create_batch(2)
    SegmentStat.objects.create(segment="SAD", image=first, impressions=2, likes=1)
    buffer = ImpressionBuffer(flush_seconds=3600)  # no background flush within the test
    buffer.add(["*", "SAD"], [first.pk, second.pk])
    buffer.add(["*", "SAD"], [first.pk])
    assert SegmentStat.objects.get(segment="SAD", image=first).impressions == 2  # nothing written yet
    buffer.flush()
    counts = {(stat.segment, stat.image_id): (stat.impressions, stat.likes) for stat in SegmentStat.objects.all()}
    assert counts == {("SAD", first.pk): (4, 1), ("*", first.pk): (2, 0), ("SAD", second.pk): (1, 0),
                      ("*", second.pk): (1, 0)}
    buffer.flush()  # nothing pending: nothing counted twice
    assert SegmentStat.objects.get(segment="SAD", image=first).impressions == 4


@pytest.mark.django_db(transaction=True)
def test_buffered_impressions_reach_the_database_within_the_flush_interval() -> None:
    image = ApprovedImageFactory()
    buffer = ImpressionBuffer(flush_seconds=0.05)
    buffer.add(["CALM"], [image.pk])
    deadline = time.monotonic() + 5
    while not SegmentStat.objects.filter(segment="CALM", image=image, impressions=1).exists():
        assert time.monotonic() < deadline, "the background flush never wrote the impression"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)  # the flush's own transaction checks the foreign keys as it commits
def test_a_deleted_image_does_not_block_the_other_impressions() -> None:
    kept, deleted = ApprovedImageFactory.create_batch(2)
    buffer = ImpressionBuffer(flush_seconds=3600)
    buffer.add(["*"], [kept.pk, deleted.pk])
    deleted.delete()
    buffer.flush()
    assert list(SegmentStat.objects.values_list("image_id", "impressions")) == [(kept.pk, 1)]
