import numpy as np
import pytest
import scipy.sparse as sp

from recommender.algorithms import (
    BlendWeights,
    Ease,
    Reason,
    SegmentPopularity,
    blend,
    exploration_candidates,
    rank_top,
    segment_path,
    thompson_pick,
)


def test_segment_path_goes_from_everyone_to_the_finest_known_segment() -> None:
    assert segment_path("HAPPY", "Female", "adult") == ["*", "HAPPY", "HAPPY|Female", "HAPPY|Female|adult"]
    assert segment_path("", "Male", "elder") == ["*", "Male", "Male|elder"]
    assert segment_path("", "", "") == ["*"]


def popularity(prior_strength: float = 10.0) -> SegmentPopularity:
    """Four items; everyone likes item 0, happy women like item 1, nobody has seen item 3."""
    rows = [
        ("*", 0, 50, 100), ("*", 1, 10, 100), ("*", 2, 10, 100),
        ("HAPPY", 0, 20, 40), ("HAPPY", 1, 10, 40),
        ("HAPPY|Female", 1, 9, 10), ("HAPPY|Female", 0, 1, 10),
    ]
    segments, items, likes, impressions = zip(*rows, strict=True)
    return SegmentPopularity(4, prior_strength=prior_strength).fit(
        list(segments), np.array(items), np.array(likes), np.array(impressions))


def test_segment_popularity_backs_off_from_fine_to_coarse_segments() -> None:
    model = popularity()
    everyone = model.scores(["*"])
    happy_women = model.scores(segment_path("HAPPY", "Female", "adult"))
    sad_men = model.scores(segment_path("SAD", "Male"))
    assert np.argmax(everyone) == 0
    assert np.argmax(happy_women) == 1
    # No data for sad men at all: they get everyone's rates.
    np.testing.assert_allclose(sad_men, everyone)
    # The never-shown item keeps the pooled prior (70 + 1 likes of 300 + 2 impressions) in every segment.
    assert everyone[3] == happy_women[3] == pytest.approx(71 / 302)


def test_segment_popularity_smooths_by_prior_strength() -> None:
    prior = 71 / 302
    everyone_rate = (10 + 10 * prior) / (100 + 10)
    assert popularity().scores(["*"])[2] == pytest.approx(everyone_rate)
    # A strong prior pulls a small segment all the way to its parent; a weak one lets its own data speak.
    assert popularity(prior_strength=1e6).scores(["*", "HAPPY"])[1] == pytest.approx(prior, rel=1e-3)
    assert popularity(prior_strength=1e-6).scores(["*", "HAPPY"])[1] == pytest.approx(10 / 40)


def test_segment_popularity_adds_up_repeated_rows_and_exposes_counts() -> None:
    model = SegmentPopularity(3, prior_rate=0.5).fit(["*", "*", "*"], np.array([1, 1, 2]), np.array([1, 2, 0]),
                                                     np.array([3, 4, 5]))
    likes, impressions = model.counts("*")
    np.testing.assert_array_equal(likes, [0, 3, 0])
    np.testing.assert_array_equal(impressions, [0, 7, 5])
    assert model.prior_rate == 0.5
    np.testing.assert_array_equal(model.counts("HAPPY")[1], [0, 0, 0])


def co_likes() -> sp.csr_array:
    """Six users: three like items 0 and 1 together, three like 2 and 3 together; item 4 is never liked."""
    rows = [[1, 1, 0, 0, 0]] * 3 + [[0, 0, 1, 1, 0]] * 3
    return sp.csr_array(np.array(rows, dtype=np.float32))


def test_ease_recovers_co_likes() -> None:
    model = Ease(l2=1.0).fit(co_likes())
    assert model.weights.dtype == np.float32
    assert np.argmax(model.scores([0])) == 1
    assert np.argmax(model.scores([3])) == 2
    assert np.all(model.weights.diagonal() == 0)
    # A visitor with no history has no personal opinion.
    np.testing.assert_array_equal(model.scores([]), np.zeros(5))


def test_ease_weighs_recent_likes_more() -> None:
    model = Ease(l2=1.0).fit(co_likes())
    first_0_then_2 = model.scores([0, 2], recency_decay=0.5)
    assert first_0_then_2[3] > first_0_then_2[1]
    unweighted = model.scores([0, 2], recency_decay=1.0)
    assert unweighted[3] == pytest.approx(unweighted[1])


def test_ease_refuses_catalogues_too_large_to_invert() -> None:
    with pytest.raises(ValueError, match="at most 4 items"):
        Ease(max_items=4).fit(co_likes())


def test_thompson_sampling_prefers_the_better_arm_but_still_explores_the_unknown() -> None:
    rng = np.random.default_rng(7)
    likes, impressions = np.array([50, 10, 0]), np.array([100, 100, 0])
    picks = np.array([thompson_pick(likes[:2], impressions[:2], 1, rng)[0] for _ in range(1000)])
    assert (picks == 0).mean() > 0.99
    picks = np.array([thompson_pick(likes[1:], impressions[1:], 1, rng)[0] for _ in range(1000)])
    # The never-shown arm draws from a flat Beta(1, 1): it beats a 10 % arm most of the time.
    assert 0.8 < (picks == 1).mean() < 0.95
    assert sorted(thompson_pick(likes, impressions, 5, rng).tolist()) == [0, 1, 2]


def test_exploration_candidates_are_young_or_rarely_shown() -> None:
    candidates = exploration_candidates(np.array([1, 60, 60, 10]), np.array([500, 500, 3, 0]), max_age_days=30,
                                        min_impressions=20)
    assert candidates.tolist() == [True, False, True, True]


def test_rank_top_skips_excluded_items_unless_nothing_else_is_left() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.1])
    excluded = np.array([True, False, False, True])
    assert rank_top(scores, 2, excluded).tolist() == [1, 2]
    assert rank_top(scores, 4, excluded).tolist() == [1, 2, 0, 3]


def blend_inputs(n_items: int = 12) -> dict[str, np.ndarray]:
    return {
        "segment_rate": np.linspace(0.5, 0.05, n_items),
        "item_emotions": np.array(["HAPPY", "SAD"] * (n_items // 2)),
        "explore": np.arange(n_items) >= n_items - 4,
        "likes": np.zeros(n_items),
        "impressions": np.zeros(n_items),
    }


def test_blend_reserves_one_slot_in_three_for_exploration() -> None:
    excluded = np.zeros(12, dtype=bool)
    excluded[[0, 11]] = True
    for n in (3, 6, 9):
        ranking = blend(n=n, personal=None, session_emotion="", excluded=excluded, rng=np.random.default_rng(0),
                        **blend_inputs())
        explored = [position for position, reason in enumerate(ranking.reasons) if reason is Reason.EXPLORE]
        assert explored == list(range(2, n, 3))
        assert set(ranking.items[explored].tolist()) <= {8, 9, 10}
        assert not set(ranking.items.tolist()) & {0, 11}
        assert len(set(ranking.items.tolist())) == n


def test_blend_without_candidates_or_share_does_not_explore() -> None:
    inputs = blend_inputs() | {"explore": np.zeros(12, dtype=bool)}
    ranking = blend(n=3, personal=None, session_emotion="", excluded=np.zeros(12, dtype=bool),
                    rng=np.random.default_rng(0), **inputs)
    assert ranking.items.tolist() == [0, 1, 2]
    ranking = blend(n=3, personal=None, session_emotion="", excluded=np.zeros(12, dtype=bool),
                    rng=np.random.default_rng(0), weights=BlendWeights(exploration_share=0.0), **blend_inputs())
    assert Reason.EXPLORE not in ranking.reasons


def test_blend_repeats_excluded_items_only_when_nothing_else_is_left() -> None:
    excluded = np.ones(12, dtype=bool)
    excluded[[4, 10]] = False
    ranking = blend(n=3, personal=None, session_emotion="", excluded=excluded, rng=np.random.default_rng(0),
                    **blend_inputs())
    assert ranking.items.tolist() == [4, 10]  # a short page of new items beats topping it up with repeats
    assert ranking.reasons[1] is Reason.EXPLORE
    everything_seen = blend(n=3, personal=None, session_emotion="", excluded=np.ones(12, dtype=bool),
                            rng=np.random.default_rng(0), **blend_inputs())
    assert everything_seen.items.tolist()[0] == 0  # the best of the excluded


def test_blend_ranks_by_personal_scores_and_gives_reasons() -> None:
    personal = np.zeros(12)
    personal[[5, 7]] = [1.0, 2.0]
    ranking = blend(n=4, personal=personal, session_emotion="HAPPY", excluded=np.zeros(12, dtype=bool),
                    rng=np.random.default_rng(0), weights=BlendWeights(segment=0.01, emotion=0.25,
                                                                       exploration_share=0.0), **blend_inputs())
    assert ranking.items.tolist() == [7, 5, 0, 2]
    assert ranking.reasons == [Reason.PERSONAL, Reason.PERSONAL, Reason.EMOTION, Reason.EMOTION]


def test_blend_for_a_visitor_without_history_follows_the_segment_and_the_emotion() -> None:
    ranking = blend(n=3, personal=None, session_emotion="SAD", excluded=np.zeros(12, dtype=bool),
                    rng=np.random.default_rng(0), weights=BlendWeights(exploration_share=0.0), **blend_inputs())
    assert ranking.items.tolist() == [1, 3, 5]
    assert ranking.reasons == [Reason.EMOTION] * 3
    ranking = blend(n=2, personal=None, session_emotion="", excluded=np.zeros(12, dtype=bool),
                    rng=np.random.default_rng(0), weights=BlendWeights(exploration_share=0.0), **blend_inputs())
    assert ranking.items.tolist() == [0, 1]
    assert ranking.reasons == [Reason.SEGMENT] * 2
