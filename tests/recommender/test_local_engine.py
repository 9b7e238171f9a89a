import uuid
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from emotion_garden.vocabulary import Emotion
from gallery.models import FaceUser
from recommender import selectors
from recommender.engines import counters, local
from recommender.engines.base import Context
from recommender.engines.local import LocalRecommender, segment_keys
from recommender.history import left_out_mask
from recommender.models import Interaction, ModelSnapshot, SegmentStat
from recommender.services import record_interaction, record_served_page
from recommender.training import refit_personal_model
from tests.factories import ApprovedImageFactory, FaceUserFactory, ImageFactory

pytestmark = pytest.mark.django_db


def engine_reading_at_once(**options: Any) -> LocalRecommender:
    """Counters read at every use, as the test settings' engine (tests of the cache give counters_cache_seconds)."""
    return LocalRecommender(**{"counters_cache_seconds": 0, **options})


def no_exploration(**options: Any) -> LocalRecommender:
    return engine_reading_at_once(taste={"exploration": 0}, **options)


def like(image_id: int, *, face_user: FaceUser | None = None, shown: list[int] | None = None,
         emotion: str = "") -> None:
    record_interaction(event=Interaction.Event.LIKE, image_id=image_id,
                       visitor=face_user.as_visitor() if face_user else None,
                       impression_ids=shown or [], emotion=emotion)


def test_segment_keys_go_from_coarse_to_fine() -> None:
    assert segment_keys(Context(emotion="HAPPY", gender="Female", age_band="adult")) == [
        "*", "HAPPY", "HAPPY|Female", "HAPPY|Female|adult"]
    assert segment_keys(Context(emotion="SAD")) == ["*", "SAD"]


def test_like_counts_in_every_segment_of_the_visitor() -> None:
    shown = ApprovedImageFactory.create_batch(3)
    person = FaceUserFactory(gender="Male", age_low=60, age_high=66)
    like(shown[0].id, face_user=person, shown=[image.id for image in shown], emotion="CALM")
    stats = {(stat.segment, stat.image_id): (stat.impressions, stat.likes) for stat in SegmentStat.objects.all()}
    for segment in ("*", "CALM", "CALM|Male", "CALM|Male|middle-age"):
        assert stats[(segment, shown[0].id)] == (1, 1)
        assert stats[(segment, shown[1].id)] == (1, 0)
    assert len(stats) == 12


def test_finer_segments_outweigh_coarser_ones() -> None:
    everyone_likes, calm_women_like = ApprovedImageFactory.create_batch(2, emotion="CALM")
    for _ in range(5):  # five women: one person's like of an image counts once however often it is sent
        like(everyone_likes.id, shown=[everyone_likes.id, calm_women_like.id], emotion="HAPPY")
        like(calm_women_like.id, face_user=FaceUserFactory(gender="Female"),
             shown=[everyone_likes.id, calm_women_like.id], emotion="CALM")
    engine = no_exploration()
    for_calm_women = engine.recommend(face_user_id=None, context=Context("CALM", "Female", "adult"), n=2)
    for_happy_men = engine.recommend(face_user_id=None, context=Context("HAPPY", "Male"), n=2)
    assert [item.image_id for item in for_calm_women] == [calm_women_like.id, everyone_likes.id]
    assert for_calm_women[0].reason == "popular with calm visitors"
    # Happy visitors have no CALM images of their emotion, so the whole gallery is the pool.
    assert [item.image_id for item in for_happy_men] == [everyone_likes.id, calm_women_like.id]


def test_never_recommends_unapproved_and_repeats_only_when_the_pool_is_empty() -> None:
    live = ApprovedImageFactory.create_batch(2, emotion="FEAR")
    ImageFactory(emotion="FEAR")  # pending
    engine = engine_reading_at_once()
    ids = {item.image_id for item in engine.recommend(face_user_id=None, context=Context("FEAR"), n=10)}
    assert ids == {image.id for image in live}
    everything = [image.id for image in live]
    again = engine.recommend(face_user_id=None, context=Context("FEAR"), n=10, exclude=everything)
    assert {item.image_id for item in again} == set(everything)


def test_new_images_are_marked_new() -> None:
    ApprovedImageFactory(emotion="SAD")
    [item] = engine_reading_at_once().recommend(face_user_id=None, context=Context("SAD"), n=3)
    assert item.reason == "new"


@pytest.mark.parametrize("old_images", [9, 60])  # 60: more than the shortlist the draws decide among
def test_new_images_get_a_fair_chance_in_a_mostly_old_catalogue(old_images: int) -> None:
    month_ago = timezone.now() - timedelta(days=60)
    proven = ApprovedImageFactory.create_batch(old_images, emotion="CALM", approved_at=month_ago)
    new = {image.id for image in ApprovedImageFactory.create_batch(9, emotion="CALM")}
    # Well known: three loved ones, the rest disliked. A new image, never shown, is as uncertain as its prior (the
    # rate of calm images, about 0.27), so it is shown before the disliked ones: no slot is reserved for it, yet a
    # visitor paging on meets it long before the images everyone leaves.
    for position, image in enumerate(proven):
        SegmentStat.objects.create(segment="*", image=image, impressions=200, likes=120 if position < 3 else 20)
    engine = engine_reading_at_once(seed=None)

    def share_of_new(face_user_id: uuid.UUID | None) -> float:
        slots = Counter()
        for _ in range(30):
            shown: list[int] = []
            for _page in range(3):
                page = [item.image_id for item in engine.recommend(face_user_id=face_user_id, context=Context("CALM"),
                                                                   n=3, exclude=shown)]
                shown += page
                slots.update("new" if image_id in new else "proven" for image_id in page)
        return slots["new"] / slots.total()

    assert 0.4 < share_of_new(FaceUserFactory().pk) < 0.8
    # An anonymous page is sampled from a wider shortlist (BaselineConfig.anonymous_sharpness), where a disliked image
    # gets its turn too: new images still fill more slots than their share of the catalogue, and never all of them.
    assert len(new) / (len(new) + old_images) < share_of_new(None) < 0.8
    first_page = [item.image_id for item in no_exploration().recommend(face_user_id=None, context=Context("CALM"), n=3)]
    assert set(first_page) == {image.id for image in proven[:3]}


def test_an_all_new_catalogue_follows_the_mood_without_reserved_slots() -> None:
    ApprovedImageFactory.create_batch(6, emotion="SAD")
    calm = {image.id for image in ApprovedImageFactory.create_batch(6, emotion="CALM")}
    picks = no_exploration().recommend(face_user_id=None, context=Context("SAD"), n=3)
    assert not calm & {item.image_id for item in picks}  # with no data yet, the visitor's own emotion first
    assert {item.reason_code for item in picks} == {"new"}


def test_a_sad_segment_that_likes_calm_images_gets_them_outside_a_strict_context() -> None:
    sad = ApprovedImageFactory.create_batch(4, emotion="SAD")
    calm = ApprovedImageFactory.create_batch(4, emotion="CALM")
    for image in [*sad, *calm]:
        SegmentStat.objects.create(segment="SAD", image=image, impressions=60, likes=30 if image in calm else 1)
        SegmentStat.objects.create(segment="*", image=image, impressions=60, likes=30 if image in calm else 1)
    engine = no_exploration()
    lifted = engine.recommend(face_user_id=None, context=Context("SAD"), n=3)
    assert {item.image_id for item in lifted} <= {image.id for image in calm}
    assert lifted[0].reason_code == "for_your_mood"
    strict = engine.recommend(face_user_id=None, context=Context("SAD", strict_emotion=True), n=3)
    assert {item.image_id for item in strict} <= {image.id for image in sad}


def test_three_likes_of_one_theme_bring_more_of_it_on_the_very_next_page_without_a_refit() -> None:
    themes = ["winter,snowy,night", "summer,sunny,day", "autumn,rainy,sunset", "spring,cloudy,dawn"]
    images = {theme: ApprovedImageFactory.create_batch(8, emotion="HAPPY", theme=theme) for theme in themes}
    winter = {image.id for image in images[themes[0]]}
    visitor = FaceUserFactory()
    # Counters as first read: these likes come without the served pages whose impressions would temper them.
    engine = LocalRecommender(seed=7)

    def winter_share() -> float:
        pages = [engine.recommend(face_user_id=visitor.id, context=Context("HAPPY"), n=3) for _ in range(40)]
        return sum(item.image_id in winter for page in pages for item in page) / (3 * len(pages))

    before = winter_share()
    for image in images[themes[0]][:3]:
        like(image.id, face_user=visitor, shown=[image.id], emotion="HAPPY")
    assert not ModelSnapshot.objects.exists()
    after = winter_share()
    assert after > before + 0.25, (before, after)
    [pick] = engine.recommend(face_user_id=visitor.id, context=Context("HAPPY"), n=1)
    assert pick.reason_code == "matches_taste"


def test_a_served_page_counts_what_the_visitors_taste_foresaw_and_the_segment_credits_only_the_rest() -> None:
    winter = ApprovedImageFactory.create_batch(6, emotion="HAPPY", theme="winter,snowy,night")
    summer = ApprovedImageFactory.create_batch(6, emotion="HAPPY", theme="summer,sunny,day")
    visitor = FaceUserFactory()
    for liked, passed in zip(winter[:3], summer[:3], strict=True):
        like(liked.id, face_user=visitor, shown=[liked.id, passed.id], emotion="HAPPY")
    before = {stat.image_id: (stat.impressions, stat.likes) for stat in SegmentStat.objects.filter(segment="HAPPY")}
    page = selectors.garden(emotion="HAPPY", visitor=visitor.as_visitor(), n=3, mode=selectors.Mode.PERSONAL)
    # Shown to a visitor who loves winter, a winter image is expected to be liked more than its segment's rate.
    assert max(item.taste_lift for item in page.items) > 0.01
    counts = counters.read_segment_counts("HAPPY")
    for item in page.items:
        stat = SegmentStat.objects.get(segment="HAPPY", image=item.image)
        impressions, likes = before.get(item.image.pk, (0, 0))
        assert (stat.impressions, stat.likes) == (impressions + 1, likes)
        assert stat.taste_lift == pytest.approx(item.taste_lift)  # the likes' own impressions foresaw nothing
        assert counts.likes[counts.image_ids.tolist().index(item.image.pk)] == pytest.approx(likes - item.taste_lift)
    # A garden without a personal taste foresees nothing.
    anonymous = selectors.garden(emotion="HAPPY", n=3, exclude=[item.image.pk for item in page.items])
    assert {item.taste_lift for item in anonymous.items} == {0.0}


def test_personal_picks_follow_co_likes_and_a_like_counts_at_once() -> None:
    first, second, third, fourth, *others = ApprovedImageFactory.create_batch(8, emotion="HAPPY")
    # Enough people liking each pair for EASE to predict from them (a chance co-like or two counts for little:
    # recommender.taste.colike_relevance).
    for pair in [(first, second)] * 20 + [(third, fourth)] * 20:
        person = FaceUserFactory()
        for image in pair:
            like(image.id, face_user=person, emotion="HAPPY")
    assert refit_personal_model() is not None
    visitor = FaceUserFactory()
    engine = no_exploration()

    like(first.id, face_user=visitor, emotion="HAPPY")
    picks = engine.recommend(face_user_id=visitor.id, context=Context("HAPPY"), n=3)
    assert picks[0].image_id == second.id
    assert picks[0].reason == f"because you liked image {first.id}"
    assert picks[0].reason_code == "because_you_liked"
    assert first.id not in [pick.image_id for pick in picks]  # what they already like is not offered again

    like(third.id, face_user=visitor, emotion="HAPPY")  # no refit: the history changed, that is enough
    picks = engine.recommend(face_user_id=visitor.id, context=Context("HAPPY"), n=3)
    assert picks[0].image_id == fourth.id
    assert len(others) == 4


@pytest.mark.parametrize("people", [2, 40])
def test_similar_images_follow_co_likes_once_enough_people_share_them(people: int) -> None:
    image = ApprovedImageFactory(emotion="SAD", theme="winter,snowy,night")
    lookalike = ApprovedImageFactory(emotion="SAD", theme="winter,snowy,day")
    co_liked = ApprovedImageFactory(emotion="SAD", theme="summer,sunny,dawn")
    for _ in range(people):
        person = FaceUserFactory()
        for liked in (image, co_liked):
            like(liked.id, face_user=person)
    assert refit_personal_model() is not None
    first, *_ = engine_reading_at_once().similar(image_id=image.id, n=2)
    if people == 2:  # two people's likes say little: what the images show decides
        assert first.image_id == lookalike.id
    else:
        assert (first.image_id, first.reason) == (co_liked.id, "liked by the same visitors")


def test_refit_stores_a_sparse_snapshot_and_keeps_a_few() -> None:
    assert refit_personal_model() is None  # nothing to learn from
    images = ApprovedImageFactory.create_batch(3)
    for _ in range(2):
        person = FaceUserFactory()
        for image in images:
            like(image.id, face_user=person)
    for _ in range(5):
        snapshot = refit_personal_model()
    assert snapshot is not None and (snapshot.users, snapshot.likes) == (2, 6)
    assert ModelSnapshot.objects.count() == 3


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The engine's clock (its caches' module's), so their intervals pass without sleeping."""
    fake = FakeClock()
    monkeypatch.setattr(counters, "time", fake)
    return fake


def test_counters_are_served_from_the_cache_and_refreshed_in_the_background(clock: FakeClock) -> None:
    first, second = ApprovedImageFactory.create_batch(2, emotion="CALM")
    engine = no_exploration(counters_cache_seconds=30, state_check_seconds=0)
    refreshed: list[str] = []
    engine._counters._schedule_refresh = refreshed.append  # the refresh thread is tested in test_segment_counters
    assert engine.recommend(face_user_id=None, context=Context("CALM"), n=1)[0].image_id == first.id  # a tie
    # Likes from any worker (this one included) wait for the refresh that follows the interval.
    like(second.id, emotion="CALM")
    assert engine.recommend(face_user_id=None, context=Context("CALM"), n=1)[0].image_id == first.id
    assert refreshed == []
    clock.now += 30
    assert engine.recommend(face_user_id=None, context=Context("CALM"), n=1)[0].image_id == first.id  # still stale
    # Everyone's, and every mood's (whose mirrored likes set the mirror prior: recommender.taste.learned_mirror).
    assert set(refreshed) == {"*", *Emotion.values}
    engine._counters.refresh_now()
    assert engine.recommend(face_user_id=None, context=Context("CALM"), n=1)[0].image_id == second.id


def test_a_finer_segment_read_for_the_first_time_is_read_in_the_background(clock: FakeClock) -> None:
    first, second = ApprovedImageFactory.create_batch(2, emotion="CALM")
    female_adults = Context("CALM", gender="Female", age_band="adult")
    for _ in range(3):
        record_interaction(event=Interaction.Event.LIKE, image_id=second.id, visitor=None, impression_ids=[first.id],
                           emotion="CALM", gender="Female", age_band="adult")
        record_interaction(event=Interaction.Event.LIKE, image_id=first.id, visitor=None, impression_ids=[second.id],
                           emotion="CALM", gender="Male", age_band="adult")
    engine = no_exploration(counters_cache_seconds=30, state_check_seconds=0)
    scheduled: list[str] = []
    engine._counters._schedule_refresh = scheduled.append  # the refresh thread is tested in test_segment_counters
    # Everyone's and the mood's read at once; the woman's segments wait for the background: served as the mood's,
    # which likes both alike (a tie).
    assert engine.recommend(face_user_id=None, context=female_adults, n=1)[0].image_id == first.id
    assert scheduled == ["CALM|Female", "CALM|Female|adult"]
    for segment in scheduled:
        engine._counters._read_and_store(segment)  # what the background thread does
    assert engine.recommend(face_user_id=None, context=female_adults, n=1)[0].image_id == second.id
    assert engine.recommend(face_user_id=None, context=Context("CALM", gender="Male", age_band="adult"),
                            n=1)[0].reason_code  # served from the mood's counters without an error


def test_a_segments_baseline_is_computed_once_until_its_counters_are_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = ApprovedImageFactory.create_batch(2, emotion="CALM")
    engine = no_exploration(counters_cache_seconds=30, state_check_seconds=0)
    computed: list[int] = []
    real = local.mood_baseline
    monkeypatch.setattr(local, "mood_baseline", lambda *args, **kwargs: computed.append(kwargs["mood"])
                        or real(*args, **kwargs))
    for _ in range(3):
        assert engine.recommend(face_user_id=None, context=Context("CALM"), n=1)[0].image_id == first.id  # a tie
    assert len(computed) == 1
    like(second.id, emotion="CALM")
    engine._counters.refresh_now()
    assert engine.recommend(face_user_id=None, context=Context("CALM"), n=1)[0].image_id == second.id
    assert len(computed) == 2


def test_catalogue_is_checked_at_intervals_and_at_once_after_this_process_changes_it(
    clock: FakeClock, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    first = ApprovedImageFactory(emotion="CALM")
    engine = no_exploration(state_check_seconds=1)
    assert [item.image_id for item in engine.recommend(face_user_id=None, context=Context("CALM"), n=3)] == [first.id]
    # Approved behind the engine's back (another worker): seen once the check interval has passed.
    second = ApprovedImageFactory(emotion="CALM")
    assert [item.image_id for item in engine.recommend(face_user_id=None, context=Context("CALM"), n=3)] == [first.id]
    clock.now += 1
    assert {item.image_id for item in engine.recommend(face_user_id=None, context=Context("CALM"), n=3)} == {
        first.id, second.id}
    # Approved through this process's engine: seen as soon as the approval commits.
    third = ImageFactory(emotion="CALM")
    with django_capture_on_commit_callbacks(execute=True):
        engine.publish_item(third)
        third.status, third.approved_at = "approved", timezone.now()
        third.save()
    assert third.id in {item.image_id for item in engine.recommend(face_user_id=None, context=Context("CALM"), n=3)}


def test_the_garden_never_shows_a_retired_image_an_engine_still_remembers(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, retired = ApprovedImageFactory.create_batch(2, emotion="CALM")
    engine = no_exploration(state_check_seconds=60)
    assert len(engine.recommend(face_user_id=None, context=Context("CALM"), n=3)) == 2
    retired.status = "retired"
    retired.save()
    assert len(engine.recommend(face_user_id=None, context=Context("CALM"), n=3)) == 2  # still in its state
    monkeypatch.setattr(selectors, "recommender_engine", lambda: engine)
    shown = selectors.garden(emotion="CALM", n=3)
    assert [item.image.pk for item in shown.items] == [kept.id]


def test_a_face_users_page_leaves_out_their_last_images_unless_recent_images_is_0() -> None:
    loved = ApprovedImageFactory.create_batch(3, emotion="CALM")
    others = ApprovedImageFactory.create_batch(5, emotion="CALM")
    for image in loved * 5:  # everyone's favourites: a person's one pass over them leaves them the best
        like(image.id, shown=[image.id, *(other.id for other in others)], emotion="CALM")
    person = FaceUserFactory()
    calm = Context("CALM")

    def page(engine: LocalRecommender) -> set[int]:
        return {pick.image_id for pick in engine.recommend(face_user_id=person.id, context=calm, n=3)}

    assert page(no_exploration()) == {image.id for image in loved}
    record_served_page(recommendation_id=uuid.uuid4().hex, visitor_id=person.id, mode="auto", context=calm,
                       image_ids=[image.id for image in loved])
    assert page(no_exploration()) <= {image.id for image in others}
    assert page(no_exploration(recent_images=0)) == {image.id for image in loved}


def test_the_newest_of_the_recent_images_are_left_out_first_as_far_as_the_pool_allows() -> None:
    ids = np.arange(1, 7)
    mask = left_out_mask(ids, excluded={1}, recent=[5, 4, 9, 3, 5], keep=3)  # 9 is not in the pool
    assert ids[mask].tolist() == [1, 4, 5]
    assert ids[left_out_mask(ids, excluded={1}, recent=[5, 4, 3], keep=5)].tolist() == [1]
    assert ids[left_out_mask(ids, excluded=(), recent=[], keep=3)].tolist() == []
