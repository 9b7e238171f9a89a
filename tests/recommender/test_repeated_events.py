"""A person's event that changes nothing counts nothing: the issue's "duplicate events: idempotent, nothing counted
twice", for events sent again without a client event id (a double tap, a client that forgot it already liked)."""

import pytest

from recommender.engines import recommender_engine
from recommender.engines.base import Context
from recommender.models import Interaction, SegmentStat
from recommender.services import record_interaction
from tests.factories import ApprovedImageFactory, FaceUserFactory

pytestmark = pytest.mark.django_db
LIKE, UNLIKE = Interaction.Event.LIKE, Interaction.Event.UNLIKE


def send(event: Interaction.Event, image_id: int, face_user: object = None) -> tuple[int, bool]:
    recorded = record_interaction(event=event, image_id=image_id, emotion="SAD",
                                  visitor=face_user.as_visitor() if face_user else None)
    return recorded.interaction.pk, recorded.created


def sad_likes(image_id: int) -> int:
    return SegmentStat.objects.get(segment="SAD", image_id=image_id).likes


def test_a_like_of_an_image_the_person_likes_answers_with_that_like() -> None:
    image, person = ApprovedImageFactory(), FaceUserFactory()
    first, created = send(LIKE, image.id, person)
    assert created and send(LIKE, image.id, person) == (first, False)
    assert sad_likes(image.id) == 1
    assert Interaction.objects.count() == 1


def test_likes_and_unlikes_count_what_stands_however_often_they_are_sent() -> None:
    image, person = ApprovedImageFactory(), FaceUserFactory()
    for _ in range(15):
        send(LIKE, image.id, person)
        send(UNLIKE, image.id, person)
    unliked, _ = send(UNLIKE, image.id, person)
    assert send(UNLIKE, image.id, person) == (unliked, False)
    assert sad_likes(image.id) == 0
    send(LIKE, image.id, person)
    assert sad_likes(image.id) == 1


def test_an_unlike_of_an_image_the_person_never_liked_takes_no_one_elses_like() -> None:
    image, person = ApprovedImageFactory(), FaceUserFactory()
    send(LIKE, image.id)  # an anonymous visitor's like
    _, created = send(UNLIKE, image.id, person)
    assert created  # stored: the person said it
    assert sad_likes(image.id) == 1


def test_an_unlike_takes_the_like_back_where_it_was_counted() -> None:
    image, person = ApprovedImageFactory(), FaceUserFactory()
    send(LIKE, image.id, person)
    record_interaction(event=UNLIKE, image_id=image.id, emotion="HAPPY", visitor=person.as_visitor())
    assert sad_likes(image.id) == 0  # not in the segments of the mood the person was in when they took it back


def test_trending_counts_the_likes_that_stand() -> None:
    cycled, liked = ApprovedImageFactory.create_batch(2)
    person = FaceUserFactory()
    for _ in range(15):  # one person liking and unliking again and again was fifteen likes to trending
        send(LIKE, cycled.id, person)
        send(UNLIKE, cycled.id, person)
    send(LIKE, liked.id, FaceUserFactory())
    top, second = recommender_engine().trending(context=Context("SAD"), n=2)
    assert (top.image_id, second.image_id) == (liked.id, cycled.id)
    assert second.score == 0
