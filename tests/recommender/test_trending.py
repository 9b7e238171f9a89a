from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from recommender.engines.trending import EVERYONE_WEIGHT, TrendingCache
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
    assert sad.tolist() == pytest.approx([2 + 2 * EVERYONE_WEIGHT, EVERYONE_WEIGHT, 0])
    assert happy.tolist() == pytest.approx([2 * EVERYONE_WEIGHT, 1 + EVERYONE_WEIGHT, 0])
    assert everyone.tolist() == pytest.approx([2 * (1 + EVERYONE_WEIGHT), 1 + EVERYONE_WEIGHT, 0])
    # Nobody in fear liked anything lately: everyone's likes still order the page.
    assert fear.tolist() == pytest.approx([2 * EVERYONE_WEIGHT, EVERYONE_WEIGHT, 0])


@pytest.mark.django_db
def test_an_empty_window_scores_nothing() -> None:
    image = ApprovedImageFactory()
    assert TrendingCache(hours=24, max_age_seconds=60).scores("SAD", np.array([image.pk])).tolist() == [0.0]
