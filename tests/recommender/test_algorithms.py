import numpy as np
import pytest
import scipy.sparse as sp

from recommender.algorithms import Ease, SegmentPopularity, rank_top, segment_path


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


def test_rank_top_skips_excluded_items_unless_nothing_else_is_left() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.1])
    excluded = np.array([True, False, False, True])
    assert rank_top(scores, 2, excluded).tolist() == [1, 2]
    assert rank_top(scores, 4, excluded).tolist() == [1, 2, 0, 3]
