from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommender.engines.trending import TrendingCache
from recommender.models import Interaction
from tests.factories import ApprovedImageFactory


def like(image_id: int, emotion: str, *, hours_ago: float = 0.0, event: str = Interaction.Event.LIKE) -> None:
    interaction = Interaction.objects.create(image_id=image_id, event=event, emotion=emotion)
    Interaction.objects.filter(pk=interaction.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))


@pytest.mark.django_db
def test_every_emotion_is_scored_from_one_read_of_the_window() -> None:
    first, second, third = (image.pk for image in ApprovedImageFactory.create_batch(3))
    like(first, "SAD")
    like(first, "SAD")
    like(second, "HAPPY")
    like(third, "SAD", hours_ago=30)  # before the window
    like(third, "SAD", event=Interaction.Event.VIEW)  # not a like
    ids = np.array(sorted((first, second, third)))
    cache = TrendingCache(hours=24, max_age_seconds=60)
    sad = cache.scores("SAD", ids)
    with connection.execute_wrapper(lambda *args: pytest.fail("a second read")):
        happy = cache.scores("HAPPY", ids)
        everyone = cache.scores("", ids)
        fear = cache.scores("FEAR", ids)
    # Everyone's likes (2, 1, 0) over one more than the most of them break the ties: 2/3, 1/3, 0.
    assert sad.tolist() == pytest.approx([2 + 2 / 3, 1 / 3, 0])
    assert happy.tolist() == pytest.approx([2 / 3, 1 + 1 / 3, 0])
    assert everyone.tolist() == pytest.approx([2 + 2 / 3, 1 + 1 / 3, 0])
    # Nobody in fear liked anything lately: everyone's likes still order the page.
    assert fear.tolist() == pytest.approx([2 / 3, 1 / 3, 0])


@pytest.mark.django_db
def test_other_emotions_likes_only_order_the_images_an_emotions_own_visitors_liked_equally() -> None:
    """Three fearful people liked one image; 0.1 of 340 likes by happy and sad people put images nobody in fear liked
    above it."""
    feared, popular, liked_less, unliked = (image.pk for image in ApprovedImageFactory.create_batch(4))
    for _ in range(3):
        like(feared, "FEAR")
    like(liked_less, "FEAR")
    Interaction.objects.bulk_create(
        [Interaction(image_id=popular, event=Interaction.Event.LIKE, emotion="HAPPY") for _ in range(25)]
        + [Interaction(image_id=popular, event=Interaction.Event.LIKE, emotion="SAD") for _ in range(25)]
        + [Interaction(image_id=liked_less, event=Interaction.Event.LIKE, emotion="HAPPY") for _ in range(40)])
    ids = np.array(sorted((feared, popular, liked_less, unliked)))

    scores = TrendingCache(hours=24, max_age_seconds=60).scores("FEAR", ids)
    fear = dict(zip(ids.tolist(), scores.tolist(), strict=True))

    # 3 fearful likes, then 1 (with 41 likes in all), then none: everyone's 50 orders only the images tied on none.
    assert sorted(fear, key=fear.__getitem__, reverse=True) == [feared, liked_less, popular, unliked]
    assert fear[feared] - fear[liked_less] > 1  # nobody else's likes make up for a fearful one


@pytest.mark.django_db
def test_an_empty_window_scores_nothing() -> None:
    image = ApprovedImageFactory()
    assert TrendingCache(hours=24, max_age_seconds=60).scores("SAD", np.array([image.pk])).tolist() == [0.0]


@pytest.mark.django_db
def test_the_window_is_read_from_its_covering_index_on_sqlite_whatever_the_statistics_say() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("an SQLite planner hint")
    image = ApprovedImageFactory()
    like(image.pk, "SAD")
    # The statistics ANALYZE gathered on benchmarks/recommender_http.py's million likes, all in the window: with them
    # SQLite's planner preferred the image index and a table visit per like.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [Interaction._meta.db_table])
        cursor.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)", [
            (Interaction._meta.db_table, "interaction_recent_likes", "1000000 1000000 1 1 1 1"),
            (Interaction._meta.db_table, _image_index(), "1000000 101"),
        ])
        cursor.execute("ANALYZE sqlite_schema")  # loads the statistics just written
        with CaptureQueriesContext(connection) as queries:
            TrendingCache(hours=24, max_age_seconds=60).scores("SAD", np.array([image.pk]))
        cursor.execute(f"EXPLAIN QUERY PLAN {queries.captured_queries[0]['sql']}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX interaction_recent_likes" in plan


def _image_index() -> str:
    """The name Django gave the foreign key's index on the image."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Interaction._meta.db_table)
    return next(name for name, details in constraints.items()
                if details["index"] and details["columns"] == ["image_id"])
