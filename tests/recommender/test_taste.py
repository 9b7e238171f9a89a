"""The taste bandit's pieces (recommender.taste, recommender.content) on small arrays."""

import numpy as np
import pytest

from recommender.content import (
    PROMPT_SCALE,
    THEME_SCALE,
    VISUAL_DIMS,
    content_matrix,
    visual_statistics,
    word_columns,
    word_rows,
    words,
)
from recommender.taste import (
    COLIKE_FULL_SCORE,
    NO_MOOD,
    BaselineConfig,
    Counts,
    History,
    TasteConfig,
    colike_relevance,
    design,
    draw_baseline,
    evidence_scale,
    explored_top_items,
    learned_mirror,
    mood_baseline,
    pooled_rate,
    posterior,
    prior_variances,
    taste_scores,
    top_items,
    visitor_posterior,
)

HAPPY, SAD, CALM = 0, 1, 6


def counts(likes: list[float], impressions: list[float]) -> Counts:
    return Counts(np.array(likes, dtype=float), np.array(impressions, dtype=float))


def test_words_skip_quality_tags_and_repeat_words() -> None:
    assert words("best quality, very happy nature, Lake and lake, cinematic lighting") == ["happy", "lake"]
    assert words("spring,rainy,day") == ["spring", "rainy", "day"]


def test_word_rows_are_unit_rows_over_words_shared_by_items() -> None:
    rows = word_rows(["winter,snowy,night", "winter,snowy,day", "", "summer,sunny,day", "moon"], 48)
    assert rows.shape == (5, 3)  # winter, snowy, day: the words found on two items or more
    assert np.allclose(np.linalg.norm(rows[[0, 1, 3]], axis=1), 1.0)
    assert not rows[2].any() and not rows[4].any()
    assert rows[0] @ rows[1] > rows[0] @ rows[3] == 0


def test_word_rows_break_ties_by_the_word_not_by_the_process_hashing() -> None:
    # Six words on two items each, four columns: which four, and their order, must not follow set order (string
    # hashing differs per process, so each web worker would read the catalogue's words its own way).
    texts = ["sea,fox", "moon,elm", "cat,dew", "fox,sea", "elm,moon", "dew,cat"]
    rows = word_rows(texts, 4)
    assert rows.shape == (6, 4)
    # The columns: cat, dew, elm, fox; moon and sea are past the limit.
    assert [np.flatnonzero(rows[item]).tolist() for item in range(6)] == [[3], [2], [0, 1], [3], [2], [0, 1]]


def test_prompt_words_leave_the_emotion_to_the_emotion_column() -> None:
    rows = content_matrix(np.array([SAD, SAD, HAPPY]), ["", "", ""],
                          ["sad mood, lake", "sad mood, forest", "happy mood, lake"], np.full((3, VISUAL_DIMS), 0.5))
    assert rows[0] @ rows[2] > 0  # the lake
    assert rows[0] @ rows[1] == 1.0  # only the emotion column: "sad" and "mood" are not words of their own


def test_pixels_are_read_against_their_emotion_s_palette() -> None:
    visuals = np.array([[0.9] * VISUAL_DIMS, [0.7] * VISUAL_DIMS, [0.2] * VISUAL_DIMS, [0.0] * VISUAL_DIMS])
    rows = content_matrix(np.array([HAPPY, HAPPY, SAD, SAD]), [""] * 4, [""] * 4, visuals)
    pixels = rows[:, -VISUAL_DIMS:]
    # Each emotion's brighter image reads the same: what differs within an emotion, not the emotion's palette.
    assert np.allclose(pixels[0], pixels[2]) and np.allclose(pixels[1], pixels[3])
    assert (pixels[0] > 0).all() and (pixels[1] < 0).all()


def test_pixels_are_read_beyond_what_the_theme_tells() -> None:
    # Snowy images are bright, night ones dark, whatever their emotion; within each theme one is brighter.
    light = [0.95, 0.85, 0.95, 0.85, 0.3, 0.2, 0.3, 0.2]
    visuals = np.repeat(np.array(light)[:, None], VISUAL_DIMS, axis=1)
    themes = ["snowy"] * 4 + ["night"] * 4
    rows = content_matrix(np.array([HAPPY, HAPPY, SAD, SAD] * 2), themes, [""] * 8, visuals)
    pixels = rows[:, -VISUAL_DIMS:]
    brighter, darker = pixels[[0, 2, 4, 6]], pixels[[1, 3, 5, 7]]
    assert (brighter > 0).all() and (darker < 0).all()
    assert np.ptp(brighter[:, 0]) < 0.2 * (brighter[0, 0] - darker[0, 0])  # a bright night reads as a bright snow


def test_visual_statistics_see_warmth_and_light() -> None:
    warm = np.zeros((32, 48, 3), dtype=np.uint8)
    warm[..., 0] = 220
    cool = np.zeros((32, 48, 3), dtype=np.uint8)
    cool[..., 2] = 60
    warm_stats, cool_stats = visual_statistics(warm), visual_statistics(cool)
    assert warm_stats.shape == (VISUAL_DIMS,)
    assert warm_stats[0] > cool_stats[0] and warm_stats[9] > cool_stats[9]  # redder, brighter
    assert warm_stats[7] == 1.0 and cool_stats[7] == 0.0  # share of warm pixels


def test_content_rows_hold_every_block_and_tolerate_unmeasured_items() -> None:
    visuals = np.vstack([np.ones(VISUAL_DIMS), np.full(VISUAL_DIMS, np.nan), np.zeros(VISUAL_DIMS)])
    rows = content_matrix(np.array([HAPPY, SAD, HAPPY]), ["winter", "", "winter"], ["lake", "", "lake"], visuals)
    assert rows.shape == (3, 8 + 1 + 1 + VISUAL_DIMS)
    assert rows[0, HAPPY] == 1.0 and rows[1, SAD] == 1.0
    assert not rows[1, -VISUAL_DIMS:].any()  # not measured yet: average pixels
    assert np.isfinite(rows).all()


def test_the_baseline_mirrors_the_mood_without_data_and_learns_a_lift_from_everyone() -> None:
    emotions = np.array([HAPPY, SAD, CALM, SAD])
    empty = [counts([0] * 4, [0] * 4), counts([0] * 4, [0] * 4)]
    rate, _ = mood_baseline(emotions, empty, mood=SAD, config=BaselineConfig(), prior_rate=0.1)
    assert rate[1] == rate[3] > rate[0] == rate[2]
    # Sad visitors liked the calm image and never the sad ones: calm images now come first for them.
    lifted = [counts([20, 0, 20, 0], [100, 100, 100, 100]), counts([0, 0, 30, 0], [50, 50, 50, 50])]
    rate, weight = mood_baseline(emotions, lifted, mood=SAD, config=BaselineConfig(), prior_rate=0.1)
    assert rate[2] > rate[0] > rate[1]
    assert weight[2] > BaselineConfig().item_strength


def test_likes_far_below_what_the_tastes_foresaw_rank_an_item_last_but_never_below_zero() -> None:
    emotions = np.array([SAD, SAD, SAD])
    # Likes beyond the viewers' tastes (recommender.engines.counters.read_segment_counts): the third image was shown
    # forty times to people expected to love it, and none did.
    everyone = counts([6.0, 2.0, -8.0], [40, 40, 40])
    sad = counts([4.0, 1.0, -6.0], [30, 30, 30])
    rate, weight = mood_baseline(emotions, [everyone, sad], mood=SAD, config=BaselineConfig(), prior_rate=0.1)
    assert rate[0] > rate[1] > rate[2] > 0
    assert (weight > 0).all()


def test_a_thin_segment_inherits_what_its_mood_knows_of_each_item() -> None:
    emotions = np.array([SAD, SAD, SAD])
    everyone = counts([10, 10, 10], [100, 100, 100])
    # Sad visitors liked the first image far more than the others; no sad man over 60 has seen any of them yet.
    sad = counts([30, 2, 2], [60, 60, 60])
    sad_men, sad_old_men = counts([0, 0, 0], [0, 0, 0]), counts([0, 0, 0], [0, 0, 0])
    rate, _ = mood_baseline(emotions, [everyone, sad, sad_men, sad_old_men], mood=SAD, config=BaselineConfig(),
                            prior_rate=0.1)
    mood_rate, _ = mood_baseline(emotions, [everyone, sad], mood=SAD, config=BaselineConfig(), prior_rate=0.1)
    assert rate[0] > 2 * rate[1]
    assert np.allclose(rate, mood_rate)


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_a_like_counts_once_however_many_segments_hold_it(depth: int) -> None:
    # The only visitors are a sad man over 60's: each segment of his path (everyone, sad, sad men, sad old men)
    # holds the same counters, one like of the first image in one impression each.
    emotions = np.array([SAD] * 10)
    his = counts([1.0] + [0.0] * 9, [1.0] * 10)
    rate, weight = mood_baseline(emotions, [his] * depth, mood=SAD, config=BaselineConfig(), prior_rate=0.1)
    # One like in one impression, against the same prior: a like's worth of difference, at any depth.
    strength = BaselineConfig().item_strength
    assert rate[0] - rate[1] == pytest.approx(1 / (1 + strength))
    assert weight.tolist() == [1 + strength] * 10


def test_the_mirror_prior_is_learned_from_every_mood() -> None:
    emotions = np.array([HAPPY, SAD, CALM])
    config = BaselineConfig()
    silent = [counts([0] * 3, [0] * 3) for _ in range(8)]
    assert learned_mirror(emotions, silent, config=config, prior_rate=0.1) == pytest.approx(config.mirror)
    # Happy and sad visitors liked images of their own emotion no more often than others: no mirror left to assume.
    flat = [counts([0] * 3, [0] * 3) for _ in range(8)]
    flat[HAPPY] = counts([100, 100, 100], [1000, 1000, 1000])
    flat[SAD] = counts([100, 100, 100], [1000, 1000, 1000])
    assert learned_mirror(emotions, flat, config=config, prior_rate=0.1) == pytest.approx(1.0, abs=0.1)
    # A sad visitor then starts from that, not from the guess.
    path = [counts([0] * 3, [0] * 3), counts([0] * 3, [0] * 3)]
    rate, _ = mood_baseline(emotions, path, mood=SAD, config=config, prior_rate=0.1, mirror=1.0)
    assert rate[0] == pytest.approx(rate[1])


def test_images_nobody_liked_say_nothing_against_the_emotion_they_were_shown_to() -> None:
    """On a garden where nobody had liked anything yet, every mood's own images, shown hundreds of times, looked
    shunned beside images never shown: the mirror fell to its floor (0.1) and visitors were shown other emotions."""
    emotions = np.array([HAPPY, SAD, CALM])
    config = BaselineConfig()
    everyone = counts([0, 0, 0], [300, 300, 0])
    unliked = [counts([0] * 3, [0] * 3) for _ in range(8)]
    unliked[HAPPY] = counts([0, 0, 0], [300, 0, 0])
    unliked[SAD] = counts([0, 0, 0], [0, 300, 0])
    prior_rate = pooled_rate(everyone)

    mirror = learned_mirror(emotions, unliked, config=config, prior_rate=prior_rate)

    assert mirror > 0.9 * config.mirror
    rate, _ = mood_baseline(emotions, [everyone, unliked[SAD]], mood=SAD, config=config, prior_rate=prior_rate,
                            mirror=mirror)
    sad_image, calm_image = 1, 2
    assert rate[sad_image] > 1.2 * rate[calm_image]  # it was 0.06 of it, with a mirror of 0.43
    # Where visitors do like, as often as the strengths assume, the same impressions still teach as much as before.
    assert evidence_scale(0.1) == evidence_scale(0.3) == 1.0


def test_a_visitor_who_likes_one_theme_scores_it_higher_without_a_refit() -> None:
    content = content_matrix(np.array([HAPPY] * 6), ["winter", "winter", "winter", "summer", "summer", "summer"],
                             [""] * 6, np.zeros((6, VISUAL_DIMS)))
    emotions = np.zeros(6, dtype=np.intp)
    history = History(items=np.array([0, 1, 3]), moods=np.array([HAPPY] * 3), outcomes=np.array([1.0, 1.0, 0.0]))
    posterior = visitor_posterior(history, content, emotions, {HAPPY: np.full(6, 0.2)}, TasteConfig())
    scores = taste_scores(posterior.mean, content, emotions, HAPPY)
    assert scores[2] > scores[5] + 0.1


def test_the_visitor_learns_their_own_mood_response() -> None:
    content = np.zeros((4, 3))
    emotions = np.array([SAD, CALM, SAD, CALM])
    history = History(items=np.array([0, 1]), moods=np.array([SAD, SAD]), outcomes=np.array([0.0, 1.0]))
    posterior = visitor_posterior(history, content, emotions, {SAD: np.full(4, 0.3)}, TasteConfig())
    when_sad = taste_scores(posterior.mean, content, emotions, SAD)
    assert when_sad[3] > 0 > when_sad[2]
    assert not taste_scores(posterior.mean, content, emotions, HAPPY).any()  # another mood: nothing learned yet
    assert not taste_scores(posterior.mean, content, emotions, NO_MOOD).any()


def test_not_interested_teaches_more_than_a_skip() -> None:
    content = np.eye(2)
    emotions = np.zeros(2, dtype=np.intp)
    baseline = {HAPPY: np.full(2, 0.2)}
    skipped = visitor_posterior(History(np.array([0]), np.array([HAPPY]), np.array([0.0])), content, emotions,
                                baseline, TasteConfig())
    refused = visitor_posterior(History(np.array([0]), np.array([HAPPY]), np.array([-1.0])), content, emotions,
                                baseline, TasteConfig())
    assert refused.mean[0] < skipped.mean[0] < 0


def test_design_rows_hold_content_the_mood_cell_and_the_mirror() -> None:
    rows = design(np.ones((3, 2)), np.array([HAPPY, SAD, CALM]), np.array([1, 2, 0]), np.array([SAD, NO_MOOD, SAD]))
    assert rows.shape == (3, 2 + 64 + 1)
    assert rows[0, 2 + SAD * 8 + SAD] == 1.0 and rows[0, -1] == 1.0  # a sad image for a sad visitor: mirrored
    assert rows[1, 2:].sum() == 0.0
    assert rows[2, 2 + SAD * 8 + HAPPY] == 1.0 and rows[2, -1] == 0.0


def test_mirroring_one_mood_carries_over_to_the_next() -> None:
    content = np.zeros((4, 1))
    emotions = np.array([SAD, CALM, HAPPY, CALM])
    history = History(items=np.array([0, 1]), moods=np.array([SAD, SAD]), outcomes=np.array([1.0, 0.0]))
    posterior = visitor_posterior(history, content, emotions, {SAD: np.full(4, 0.2)}, TasteConfig())
    when_happy = taste_scores(posterior.mean, content, emotions, HAPPY)
    assert when_happy[2] > when_happy[3]  # never seen happy, but they liked their own mood's image when sad


def test_draws_spread_with_uncertainty_and_collapse_without_exploration() -> None:
    rng = np.random.default_rng(0)
    rate = np.array([0.3, 0.3])
    weight = np.array([10.0, 10_000.0])
    draws = np.array([draw_baseline(rate, weight, rng, 1.0) for _ in range(500)])
    assert draws[:, 0].std() > 5 * draws[:, 1].std()
    assert (draw_baseline(rate, weight, rng, 0.0) == rate).all()
    with_history = visitor_posterior(History(np.array([0]), np.array([HAPPY]), np.array([1.0])), np.eye(2),
                                     np.zeros(2, dtype=np.intp), {HAPPY: np.full(2, 0.2)}, TasteConfig())
    assert (with_history.draw(rng, 0.0) == with_history.mean).all()
    assert not np.allclose(with_history.draw(rng, 1.0), with_history.mean)


def test_colike_relevance_weighs_co_likes_by_the_evidence_behind_them() -> None:
    # A well-liked catalogue's scores (a film's dozens of co-likes) count fully; a young gallery's chance co-likes,
    # which EASE predicts little from, count in proportion, however the visitor's own scores compare.
    relevance = colike_relevance(np.array([0.2, COLIKE_FULL_SCORE, 0.05, 0.007, -0.3]))
    assert relevance.tolist() == pytest.approx([1.0, 1.0, 0.5, 0.07, 0.0])


def test_top_items_repeat_excluded_ones_only_when_nothing_else_is_left() -> None:
    scores = np.array([0.9, 0.5, 0.7, 0.1])
    excluded = np.array([True, False, False, False])
    assert top_items(scores, 2, excluded).tolist() == [2, 1]
    assert top_items(scores, 4, excluded).tolist() == [2, 1, 3]
    assert top_items(scores, 2, np.ones(4, dtype=bool)).tolist() == [0, 2]


def test_draws_decide_only_among_the_shortlist_of_best_means_and_are_made_for_it_alone() -> None:
    means = np.array([0.5, 0.4, 0.3, 0.1, 0.1])
    draws = np.array([0.1, 0.2, 0.3, 0.9, 0.8])  # lucky draws of two poor items
    nothing_seen = np.zeros(5, dtype=bool)
    assert explored_top_items(means, draws.__getitem__, 2, nothing_seen, shortlist=3).tolist() == [2, 1]
    assert explored_top_items(means, draws.__getitem__, 2, nothing_seen, shortlist=5).tolist() == [3, 4]
    seen = np.array([True, True, False, False, False])  # the shortlist is drawn from what is left to show
    assert explored_top_items(means, draws.__getitem__, 2, seen, shortlist=2).tolist() == [3, 2]
    drawn_for = []
    explored_top_items(means, lambda items: drawn_for.append(items.tolist()) or draws[items], 2, nothing_seen,
                       shortlist=3)
    assert drawn_for == [[0, 1, 2]]  # one draw per shortlisted item, none for the rest of the catalogue
    everything_seen = np.ones(5, dtype=bool)
    assert explored_top_items(means, draws.__getitem__, 1, everything_seen, shortlist=2).tolist() == [1]


def test_a_sampled_page_keeps_the_best_likeliest_and_differs_from_one_request_to_the_next() -> None:
    means = np.linspace(0.5, 0.05, 50)
    nothing_seen = np.zeros(50, dtype=bool)
    rng = np.random.default_rng(7)
    pages = [explored_top_items(means, means.__getitem__, 3, nothing_seen, shortlist=30, sharpness=3.0, rng=rng)
             for _ in range(400)]
    assert all(len(set(page.tolist())) == 3 and page.max() < 30 for page in pages)  # within the shortlist, no repeat
    assert len({tuple(page.tolist()) for page in pages}) > 100
    # Chances follow the draws' cube: each third of the shortlist fills fewer slots than the better one before it.
    picks = np.bincount(np.concatenate(pages), minlength=30)
    assert picks[:10].sum() > 2 * picks[10:20].sum() > 0 and picks[10:20].sum() > 2 * picks[20:30].sum()
    unsampled = {tuple(explored_top_items(means, means.__getitem__, 3, nothing_seen, shortlist=30,
                                          rng=rng).tolist()) for _ in range(20)}
    assert unsampled == {(0, 1, 2)}


def test_a_sparse_taste_is_learned_faster_when_each_column_finds_its_own_relevance() -> None:
    # Twelve content columns, one of which the visitor loves: the refitted prior lets that column's weight grow and
    # shrinks the eleven the likes and skips say nothing about, so the loved column stands out further than under
    # the fixed prior; with no rounds it is the fixed prior's posterior exactly.
    rng = np.random.default_rng(3)
    rows = (rng.random((60, 12)) < 0.25).astype(float)
    residuals = np.where(rows[:, 0] == 1, 0.6, -0.1) + rng.normal(0, 0.05, 60)
    weights = np.ones(60)
    config = TasteConfig()
    variances = prior_variances(12, config)[:12]
    fixed = posterior(rows, residuals, weights, variances, config)
    refitted = posterior(rows, residuals, weights, variances, config, refitted=slice(0, 12))
    assert refitted.mean[0] > fixed.mean[0]
    assert np.abs(refitted.mean[1:]).mean() < np.abs(fixed.mean[1:]).mean()
    unrefitted = posterior(rows, residuals, weights, variances, TasteConfig(relevance_rounds=0),
                           refitted=slice(0, 12))
    assert np.allclose(unrefitted.mean, fixed.mean)


def test_word_columns_are_the_theme_and_prompt_words_of_the_content() -> None:
    themes = ["winter,snowy", "winter,sunny", "summer,sunny"]
    prompts = ["a lake and a forest", "a lake", "a forest"]
    content = content_matrix(np.array([HAPPY, SAD, CALM]), themes, prompts, np.ones((3, VISUAL_DIMS)))
    words_block = np.hstack([THEME_SCALE * word_rows(themes, 48), PROMPT_SCALE * word_rows(prompts, 48)])
    assert words_block.shape[1] == 4  # winter, sunny, lake, forest: the words found on two items or more
    assert np.allclose(content[:, word_columns(content)], words_block)
