"""The co-like model is refitted as the likes grow, not only by the 15-minute schedule."""

import itertools

import pytest
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError

from emotion_garden.outages import redis_cache
from recommender.models import Interaction, ModelSnapshot
from recommender.services import record_interaction
from recommender.training import (
    REFIT_MIN_EVENTS,
    REFIT_QUEUED_KEY,
    SnapshotMark,
    newest_snapshot_mark,
    queue_refit_if_likes_grew,
    refit_personal_model,
)
from tests.factories import ApprovedImageFactory, FaceUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_refit_queued() -> None:
    cache.delete(REFIT_QUEUED_KEY)


@pytest.fixture
def refits_as_likes_grow(settings) -> None:  # noqa: ANN001 - pytest-django's settings fixture
    """The engine's default growth (the test settings turn it off)."""
    engine = settings.EMOTION_GARDEN_BACKENDS["recommender"]
    options = {key: value for key, value in engine["OPTIONS"].items() if key != "refit_growth"}
    settings.EMOTION_GARDEN_BACKENDS = {**settings.EMOTION_GARDEN_BACKENDS,
                                        "recommender": {**engine, "OPTIONS": options}}


def snapshot(*, likes: int, through_event: int) -> SnapshotMark:
    ModelSnapshot.objects.create(image_ids=b"", weights=b"", users=2, likes=likes, fit_seconds=0.0,
                                 through_event=through_event)
    return newest_snapshot_mark()


@pytest.mark.usefixtures("refits_as_likes_grow")
def test_a_young_gallery_is_refitted_as_its_likes_grow(django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    images = ApprovedImageFactory.create_batch(6)
    visitors = [FaceUserFactory().as_visitor() for _ in range(10)]
    # The visitors take turns, each liking every image once.
    pairs = iter([(visitor, images[(turn + position) % len(images)])
                  for turn in range(len(images)) for position, visitor in enumerate(visitors)])

    def like(count: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):  # the task runs inline in tests (Q_CLUSTER sync)
            for visitor, image in itertools.islice(pairs, count):
                record_interaction(event=Interaction.Event.LIKE, image_id=image.pk, visitor=visitor, emotion="CALM")

    cache.add(REFIT_QUEUED_KEY, True)  # PostgreSQL's event ids do not restart: these would pass no snapshot's mark
    like(4)
    scheduled = refit_personal_model()
    cache.delete(REFIT_QUEUED_KEY)
    assert scheduled.through_event == Interaction.objects.latest("pk").pk
    like(REFIT_MIN_EVENTS - 1)
    assert ModelSnapshot.objects.count() == 1
    like(1)
    newest = ModelSnapshot.objects.order_by("-created_at", "-id").first()
    assert newest.pk != scheduled.pk
    assert (newest.likes, newest.through_event) == (4 + REFIT_MIN_EVENTS, scheduled.through_event + REFIT_MIN_EVENTS)


def test_the_likes_must_grow_by_a_share_of_those_fitted(django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    newest = snapshot(likes=1_000, through_event=5_000)
    assert (newest.likes, newest.through_event) == (1_000, 5_000)
    with django_capture_on_commit_callbacks() as queued:
        queue_refit_if_likes_grew(event_id=5_249, growth=0.25, newest=newest)
    assert queued == []
    with django_capture_on_commit_callbacks() as queued:
        queue_refit_if_likes_grew(event_id=5_250, growth=0.25, newest=newest)
        queue_refit_if_likes_grew(event_id=5_251, growth=0.25, newest=newest)  # one is queued already
    assert len(queued) == 1


def test_growth_0_leaves_the_refits_to_the_schedule(django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    newest = snapshot(likes=10, through_event=0)
    with django_capture_on_commit_callbacks() as queued:
        queue_refit_if_likes_grew(event_id=10_000, growth=0, newest=newest)
    assert queued == []


@pytest.mark.usefixtures("refits_as_likes_grow")
def test_a_like_past_the_growth_mark_is_recorded_while_redis_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The refit's once-a-minute mark is a cache entry, in Redis when scaled out: unreachable, it raised inside the
    like's transaction, and every like past the mark was a 503 (benchmarks/probe.py --probes redis)."""
    image = ApprovedImageFactory()
    snapshot(likes=1, through_event=0)

    def unreachable(*args: object, **kwargs: object) -> bool:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(cache, "add", unreachable)
    monkeypatch.setattr("recommender.training.REFIT_MIN_EVENTS", 1)
    for visitor in [FaceUserFactory().as_visitor() for _ in range(3)]:
        assert record_interaction(event=Interaction.Event.LIKE, image_id=image.pk, visitor=visitor).created
    assert Interaction.objects.count() == 3
    assert not redis_cache.available()  # left alone for a few seconds, as every other use of the cache is
