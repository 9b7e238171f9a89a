import pytest

from recommender.engines.base import Context
from recommender.engines.local import LocalRecommender, segment_keys
from recommender.models import Interaction, SegmentStat
from recommender.services import record_interaction
from tests.factories import ApprovedImageFactory, FaceUserFactory, ImageFactory

pytestmark = pytest.mark.django_db


def test_segment_keys_go_from_coarse_to_fine() -> None:
    assert segment_keys(Context(emotion="HAPPY", gender="Female", age_band="adult")) == [
        "*", "HAPPY", "HAPPY|Female", "HAPPY|Female|adult"]
    assert segment_keys(Context(emotion="SAD")) == ["*", "SAD"]


def test_like_counts_in_every_segment_of_the_visitor() -> None:
    shown = ApprovedImageFactory.create_batch(3)
    person = FaceUserFactory(gender="Male", age_low=60, age_high=66)
    record_interaction(event=Interaction.Event.LIKE, image_id=shown[0].id, face_user_id=person.id,
                       impression_ids=[image.id for image in shown], emotion="CALM")
    stats = {(stat.segment, stat.image_id): (stat.impressions, stat.likes) for stat in SegmentStat.objects.all()}
    for segment in ("*", "CALM", "CALM|Male", "CALM|Male|middle-age"):
        assert stats[(segment, shown[0].id)] == (1, 1)
        assert stats[(segment, shown[1].id)] == (1, 0)
    assert len(stats) == 12


def test_finer_segments_outweigh_coarser_ones() -> None:
    everyone_likes, calm_women_like = ApprovedImageFactory.create_batch(2, emotion="CALM")
    person = FaceUserFactory(gender="Female")
    for _ in range(5):
        record_interaction(event=Interaction.Event.LIKE, image_id=everyone_likes.id,
                           impression_ids=[everyone_likes.id, calm_women_like.id], emotion="HAPPY")
    for _ in range(5):
        record_interaction(event=Interaction.Event.LIKE, image_id=calm_women_like.id, face_user_id=person.id,
                           impression_ids=[everyone_likes.id, calm_women_like.id], emotion="CALM")
    engine = LocalRecommender()
    for_calm_women = engine.recommend(face_user_id=None, context=Context("CALM", "Female", "adult"), n=2)
    for_happy_men = engine.recommend(face_user_id=None, context=Context("HAPPY", "Male"), n=2)
    assert [item.image_id for item in for_calm_women] == [calm_women_like.id, everyone_likes.id]
    assert for_calm_women[0].reason == "popular with calm visitors"
    # Happy visitors have no CALM images of their emotion, so the whole gallery is the pool.
    assert [item.image_id for item in for_happy_men] == [everyone_likes.id, calm_women_like.id]


def test_never_recommends_unapproved_and_repeats_only_when_the_pool_is_empty() -> None:
    live = ApprovedImageFactory.create_batch(2, emotion="FEAR")
    ImageFactory(emotion="FEAR")  # pending
    engine = LocalRecommender()
    ids = {item.image_id for item in engine.recommend(face_user_id=None, context=Context("FEAR"), n=10)}
    assert ids == {image.id for image in live}
    everything = [image.id for image in live]
    again = engine.recommend(face_user_id=None, context=Context("FEAR"), n=10, exclude=everything)
    assert {item.image_id for item in again} == set(everything)


def test_new_images_are_marked_new() -> None:
    ApprovedImageFactory(emotion="SAD")
    [item] = LocalRecommender().recommend(face_user_id=None, context=Context("SAD"), n=3)
    assert item.reason == "new"
