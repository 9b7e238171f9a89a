from datetime import timedelta

import pytest
from django.utils import timezone

from curation.models import Image
from curation.selectors import garden_sample
from emotion_garden.vocabulary import Emotion
from tests.factories import ApprovedImageFactory, ImageFactory

pytestmark = pytest.mark.django_db


def approved(emotion: Emotion, minutes_ago: int) -> Image:
    return ApprovedImageFactory(emotion=emotion, approved_at=timezone.now() - timedelta(minutes=minutes_ago))


def test_garden_sample_shows_the_newest_of_each_emotion_first_then_the_next_newest() -> None:
    happy_new, happy_old = approved(Emotion.HAPPY, 1), approved(Emotion.HAPPY, 5)
    sad, calm = approved(Emotion.SAD, 3), approved(Emotion.CALM, 10)
    ImageFactory(emotion=Emotion.FEAR)  # pending: not in the garden
    ApprovedImageFactory(emotion=Emotion.ANGRY, status=Image.Status.RETIRED)

    assert garden_sample(size=4) == [happy_new, sad, calm, happy_old]
    assert garden_sample(size=2) == [happy_new, sad]


def test_garden_sample_of_an_empty_garden_is_empty() -> None:
    assert garden_sample(size=6) == []
