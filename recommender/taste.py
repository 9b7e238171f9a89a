"""What a visitor loves, learned from every event within the visit: pure numpy over item indices, free of Django.

The garden's ranking is a contextual bandit (docs/recommender.md, measured by benchmarks/online_sim.py):

- A mood-aware baseline: each item's smoothed like-rate among visitors of the same segment (session emotion x gender x
  age band), whose prior is the item's appeal to everyone times the segment's like-rate of the item's emotion. So the
  baseline learns from everyone which image emotions answer each mood (some moods want to be mirrored, others lifted)
  and backs off from the finest segment to everyone; with no data at all it mildly prefers the visitor's own emotion,
  as the original system did. Its likes are those beyond what each viewer's own taste foresaw (Counts), so an item
  shown to the visitors who love its kind is not taken for one everyone loves.
- A per-visitor taste: a Bayesian linear model over item content (emotion, theme words, prompt words, pixel statistics)
  and the visitor's own mood response (session emotion x image emotion), fitted on the residual of every exposure
  (liked, shown but not liked, not interested) against the baseline. It is solved from the visitor's recent exposures
  at each request, so a like or a skipped page changes the very next page without any refit; the prior of each theme
  and prompt word is refitted to the visitor's own evidence on the way (posterior's `refitted` columns), since tastes
  over words are sparse.
- Exploration by uncertainty: one Thompson draw of the taste posterior and of each item's like-rate per request. A
  new item is as uncertain as its content and segment allow, so an all-new catalogue burns no fixed share of slots.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular

N_EMOTIONS = 8
# The visitor's mood response: one cell per (session emotion, image emotion), then one "mirror" column shared by
# every mood (the image shows the emotion the visitor shows), so that a visitor who liked their own mood's images
# in one mood is expected to in the next, before any like in that mood.
MOOD_CELLS = N_EMOTIONS * N_EMOTIONS
MOOD_DIMS = MOOD_CELLS + 1
NO_MOOD = -1


@dataclass(frozen=True)
class BaselineConfig:
    """How the mood-aware baseline smooths; defaults chosen on benchmarks/online_sim.py's worlds (all of them)."""

    item_strength: float = 10.0  # impressions an item's prior is worth in a segment
    emotion_strength: float = 50.0  # impressions a segment's emotion rate borrows from its parent
    mirror: float = 3.0  # with no data, the visitor's own emotion is this many times as likely to be liked
    mirror_strength: float = 100.0  # impressions that prior is worth against everyone's mirrored and other ones
    # An anonymous visitor's page is sampled (explored_top_items' `sharpness`; 1 or less: the best few) from this share
    # of the items the context allows, those with the best means (at least the taste's shortlist), by draws of their
    # rates' whole spread: nothing says which images they liked on an earlier visit, and the best few would show a
    # returning one the same images every time.
    anonymous_sharpness: float = 3.0
    anonymous_share: float = 0.1


@dataclass(frozen=True)
class TasteConfig:
    """The per-visitor model's prior and noise; defaults chosen on benchmarks/online_sim.py's worlds (all of them)."""

    content_variance: float = 0.02  # prior variance of a content weight (in like-probability units)
    mood_variance: float = 0.02  # prior variance of the visitor's own response to an image emotion in a mood
    mirror_variance: float = 0.02  # prior variance of how much more they like images of their own mood
    noise_variance: float = 0.15  # variance of one outcome around its expected value (p(1-p) near 0.2)
    # scale of the Thompson draws' spread (0 ranks by the posterior means); 0.1 against 0.3 before: a better first
    # visit and no worse later ones in every world of benchmarks/online_sim.py
    exploration: float = 0.1
    # Thompson draws decide among this many items with the best posterior means: among N items of the same prior the
    # best of N draws is the noisiest, so without a shortlist exploration would grow with the catalogue.
    shortlist: int = 20
    not_interested_weight: float = 3.0  # one "not interested" teaches as much as this many skipped impressions
    # A person loves or shuns a few themes and subjects, not a little of every one: each word column's prior variance
    # is refitted to the visitor's own evidence (automatic relevance determination, a few EM rounds), so the words
    # their likes and skips say nothing about shrink, and the few that matter are learned faster (0 rounds: off).
    relevance_rounds: int = 3
    relevance_strength: float = 2.0  # how many of the visitor's own second moments the base variance is worth
    relevance_range: tuple[float, float] = (0.1, 5.0)  # a column's variance stays within these multiples of base


@dataclass(frozen=True)
class Counts:
    """Likes and impressions of every item (dense over the catalogue) in one segment. The engine's likes are those
    beyond what the viewers' own tastes predicted (recommender.engines.counters.read_segment_counts): fractions,
    below 0 for an item its likely fans passed by."""

    likes: np.ndarray
    impressions: np.ndarray


# A rate smoothed from likes beyond the tastes' predictions stays above this, however far below them they fell.
MIN_RATE = 1e-4


def smoothed_rate(likes: np.ndarray | float, impressions: np.ndarray | float, strength: float,
                  prior: np.ndarray | float) -> np.ndarray:
    """(likes + strength x prior) / (impressions + strength), at least MIN_RATE."""
    return np.maximum((likes + strength * prior) / (impressions + strength), MIN_RATE)


# The baseline's strengths are impressions at about one like in ten. Where visitors like less, the same impressions
# hold fewer likes, and "shown, never liked" says less: counted in impressions alone, a garden nobody had liked
# anything in yet learned that its visitors shun the emotion they show (the mirror fell from 3 to its floor of 0.1)
# and showed everyone the emotions they had not been shown.
REFERENCE_RATE = 0.1


def evidence_scale(prior_rate: float) -> float:
    """How many times its strength in impressions a prior is worth at this pooled like-rate: 1 from one like in ten
    up, more below it, so that a prior is worth about as many expected likes whatever the rate."""
    return max(1.0, REFERENCE_RATE / max(prior_rate, MIN_RATE))


def pooled_rate(everyone: Counts) -> float:
    """Everyone's like-rate: the rate of an item nobody has seen. Before any data, one like in ten (Beta(1, 9)
    pseudo-counts), about what visitors of a new garden give: a guess of a half would make every like look expected,
    and teach a visitor's taste nothing."""
    return float(smoothed_rate(everyone.likes.sum(), everyone.impressions.sum(), 10.0, 0.1))


def learned_mirror(item_emotions: np.ndarray, by_mood: Sequence[Counts], *, config: BaselineConfig,
                   prior_rate: float) -> float:
    """How many times as likely visitors are to like an image of the emotion they show as one of another emotion,
    learned from every mood's segment (by_mood[m]: the counts of visitors showing emotion m) and smoothed towards
    config.mirror. Pooled over all moods, a few hundred impressions settle it: a new mood segment then starts from
    what everyone's moods showed, and the residuals the taste learns from are not skewed by a guess."""
    likes, impressions = np.zeros(2), np.zeros(2)  # [other emotions, the mood's own]
    for mood, counts in enumerate(by_mood):
        mirrored = (item_emotions == mood).astype(np.intp)
        likes += np.bincount(mirrored, weights=counts.likes, minlength=2)
        impressions += np.bincount(mirrored, weights=counts.impressions, minlength=2)
    strength = config.mirror_strength * evidence_scale(prior_rate)
    other = smoothed_rate(likes[0], impressions[0], strength, prior_rate)
    own = smoothed_rate(likes[1], impressions[1], strength, prior_rate * config.mirror)
    return float(np.clip(own / other, 0.1, 10.0))


def emotion_rates(item_emotions: np.ndarray, path: Sequence[Counts], *, mood: int, config: BaselineConfig,
                  prior_rate: float, mirror: float | None = None) -> list[np.ndarray]:
    """The like-rate of each image emotion (length 8) in each segment of the path (coarsest first).

    The root (everyone) backs off to prior_rate; the first segment below it carries the session emotion, so its
    prior favours the mirrored emotion by `mirror` (learned_mirror; config.mirror when not given) until that
    segment's data says otherwise."""
    rates = []
    strength = config.emotion_strength * evidence_scale(prior_rate)
    parent = np.full(N_EMOTIONS, prior_rate)
    for depth, counts in enumerate(path):
        likes = np.bincount(item_emotions, weights=counts.likes, minlength=N_EMOTIONS)
        impressions = np.bincount(item_emotions, weights=counts.impressions, minlength=N_EMOTIONS)
        if depth == 1 and mood != NO_MOOD:
            parent = parent.copy()
            parent[mood] = min(parent[mood] * (config.mirror if mirror is None else mirror), 0.95)
        rate = smoothed_rate(likes, impressions, strength, parent)
        rates.append(rate)
        parent = rate
    return rates


def mood_baseline(item_emotions: np.ndarray, path: Sequence[Counts], *, mood: int, config: BaselineConfig,
                  prior_rate: float, mirror: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each item's smoothed like-rate in the finest segment of the path, and how many impressions that is worth.

    item_emotions: each item's emotion index (0..7); path: the visitor's segments, coarsest (everyone) first, where
    the second carries the session emotion `mood` (NO_MOOD if unknown)."""
    by_emotion = emotion_rates(item_emotions, path, mood=mood, config=config, prior_rate=prior_rate, mirror=mirror)
    strength = config.item_strength * evidence_scale(prior_rate)
    if not path:
        return np.full(item_emotions.size, prior_rate), np.full(item_emotions.size, strength)
    # Each like counts once: a segment's counters hold its finer segments' too, so every segment but the finest is
    # read less the next one (its other visitors'). Counted at every level, one lucky like of a thin segment's
    # visitor moved the item's rate four times over (everyone, mood, gender, age band).
    own = [*(Counts(coarse.likes - fine.likes, np.maximum(coarse.impressions - fine.impressions, 0.0))
             for coarse, fine in zip(path, path[1:], strict=False)), path[-1]]
    root = by_emotion[0][item_emotions]
    rate = smoothed_rate(own[0].likes, own[0].impressions, strength, root)
    parent_emotion_rate = root
    for counts, emotion_rate in zip(own[1:], by_emotion[1:], strict=True):
        # The item's rate among the other visitors one segment up, moved by how this segment likes its emotion
        # compared with that one: what a thin segment (a gender and age band of a mood) knows of an item is mostly
        # what its mood knows.
        segment_emotion_rate = emotion_rate[item_emotions]
        prior = np.clip(rate * segment_emotion_rate / np.maximum(parent_emotion_rate, 1e-9), MIN_RATE, 0.99)
        rate = smoothed_rate(counts.likes, counts.impressions, strength, prior)
        parent_emotion_rate = segment_emotion_rate
    return rate, path[-1].impressions + strength


def design(content: np.ndarray, item_emotions: np.ndarray, items: np.ndarray, moods: np.ndarray) -> np.ndarray:
    """The feature rows of exposures (item, mood): the item's content, a one-hot of (mood, image emotion), and
    whether the image mirrors the mood."""
    rows = np.zeros((items.size, content.shape[1] + MOOD_DIMS), dtype=np.float64)
    rows[:, : content.shape[1]] = content[items]
    known = np.flatnonzero(moods != NO_MOOD)
    shown = item_emotions[items[known]]
    rows[known, content.shape[1] + moods[known] * N_EMOTIONS + shown] = 1.0
    rows[known, -1] = (shown == moods[known]).astype(np.float64)
    return rows


@dataclass(frozen=True)
class Posterior:
    """A visitor's taste: mean weights over design()'s columns and the lower Cholesky factor of their precision."""

    mean: np.ndarray
    precision_factor: np.ndarray

    def draw(self, rng: np.random.Generator, scale: float) -> np.ndarray:
        """One Thompson draw: the covariance is P^-1 = L^-T L^-1, so L^-T z has it for a standard normal z."""
        if scale <= 0:
            return self.mean
        noise = solve_triangular(self.precision_factor, rng.standard_normal(self.mean.size), lower=True, trans="T")
        return self.mean + scale * noise


def prior_variances(n_content: int, config: TasteConfig) -> np.ndarray:
    return np.r_[np.full(n_content, config.content_variance), np.full(MOOD_CELLS, config.mood_variance),
                 config.mirror_variance]


def posterior(rows: np.ndarray, residuals: np.ndarray, weights: np.ndarray, prior_variance: np.ndarray,
              config: TasteConfig, *, refitted: slice = slice(0)) -> Posterior:
    """Bayesian linear regression of residual outcomes on feature rows, prior N(0, diag(prior_variance)).

    The `refitted` columns' prior variances are then refitted by EM to this evidence (config.relevance_rounds,
    automatic relevance determination): each becomes its weight's posterior second moment, smoothed towards the base
    variance (config.relevance_strength) and kept within config.relevance_range of it. By default none is."""
    weighted = rows * (weights / config.noise_variance)[:, None]
    gram, moment = weighted.T @ rows, weighted.T @ residuals
    found = _solve(gram, moment, prior_variance)
    columns = np.arange(prior_variance.size)[refitted]
    if columns.size == 0:
        return found
    low, high = config.relevance_range
    base = prior_variance[columns]
    variances = prior_variance.copy()
    unit = np.zeros((variances.size, columns.size))
    unit[columns, np.arange(columns.size)] = 1.0
    for _ in range(config.relevance_rounds):
        # The posterior variance of weight j is the squared norm of column j of L^-1 (precision = L L^T).
        inverse_columns = solve_triangular(found.precision_factor, unit, lower=True)
        second_moment = found.mean[columns] ** 2 + (inverse_columns**2).sum(axis=0)
        smoothed = (second_moment + config.relevance_strength * base) / (1.0 + config.relevance_strength)
        variances[columns] = np.clip(smoothed, low * base, high * base)
        found = _solve(gram, moment, variances)
    return found


def _solve(gram: np.ndarray, moment: np.ndarray, prior_variance: np.ndarray) -> Posterior:
    precision = gram.copy()
    precision[np.diag_indices_from(precision)] += 1.0 / prior_variance
    factor = cholesky(precision, lower=True)
    return Posterior(mean=cho_solve((factor, True), moment), precision_factor=factor)


@dataclass(frozen=True)
class History:
    """A visitor's recent exposures, one per item (the latest): item index, session emotion index, outcome
    (1 liked, 0 shown but not liked, -1 not interested)."""

    items: np.ndarray
    moods: np.ndarray
    outcomes: np.ndarray

    @staticmethod
    def empty() -> "History":
        return History(np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0))


def visitor_posterior(history: History, content: np.ndarray, item_emotions: np.ndarray,
                      baselines_by_mood: dict[int, np.ndarray], config: TasteConfig, *,
                      sparse_columns: slice = slice(0)) -> Posterior | None:
    """The visitor's taste from their history; baselines_by_mood[m] holds the baseline rate of every item in mood m
    (only the moods present in the history are needed). The content columns in sparse_columns (the engine passes
    recommender.content.word_columns) have their priors refitted to this history (posterior); by default
    none. None without history."""
    if history.items.size == 0:
        return None
    rows = design(content, item_emotions, history.items, history.moods)
    expected = np.array([baselines_by_mood[int(mood)][item]
                         for item, mood in zip(history.items.tolist(), history.moods.tolist(), strict=True)])
    liked = np.clip(history.outcomes, 0.0, 1.0)
    weights = np.where(history.outcomes < 0, config.not_interested_weight, 1.0)
    return posterior(rows, liked - expected, weights, prior_variances(content.shape[1], config), config,
                     refitted=sparse_columns)


def taste_scores(theta: np.ndarray, content: np.ndarray, item_emotions: np.ndarray, mood: int) -> np.ndarray:
    """theta's score of every item for a visitor in `mood`: content weights plus their response to each emotion."""
    n_content = content.shape[1]
    scores = content @ theta[:n_content]
    if mood != NO_MOOD:
        scores = scores + theta[n_content + mood * N_EMOTIONS + item_emotions] + theta[-1] * (item_emotions == mood)
    return scores


def draw_baseline(rate: np.ndarray, weight: np.ndarray, rng: np.random.Generator, scale: float) -> np.ndarray:
    """One Thompson draw of each item's like-rate: Beta with the baseline's mean, worth `weight` impressions."""
    if scale <= 0:
        return rate
    alpha = np.maximum(rate * weight / scale, 1e-3)
    beta = np.maximum((1.0 - rate) * weight / scale, 1e-3)
    return rng.beta(alpha, beta)


def thompson_scores(items: np.ndarray, *, rate: np.ndarray, weight: np.ndarray, theta: np.ndarray | None,
                    content: np.ndarray, item_emotions: np.ndarray, mood: int, rng: np.random.Generator,
                    scale: float) -> np.ndarray:
    """One Thompson draw of these items' scores: a draw of each one's baseline rate (draw_baseline) plus the drawn
    taste theta's score of it (none without a taste)."""
    drawn = draw_baseline(rate[items], weight[items], rng, scale)
    if theta is not None:
        drawn = drawn + taste_scores(theta, content[items], item_emotions[items], mood)
    return drawn


def top_items(scores: np.ndarray, k: int, excluded: np.ndarray) -> np.ndarray:
    """The k best items by score; excluded ones (already seen or liked) only when nothing else is left at all, so a
    visitor sees everything new before anything again."""
    picked = _best(scores, np.flatnonzero(~excluded), k)
    return picked if picked.size else _best(scores, np.flatnonzero(excluded), k)


def explored_top_items(means: np.ndarray, draw: Callable[[np.ndarray], np.ndarray], k: int, excluded: np.ndarray,
                       shortlist: int, *, sharpness: float = 0.0, rng: np.random.Generator | None = None) -> np.ndarray:
    """The k best items by their Thompson draws among the `shortlist` best by their means (top_items' exclusions).
    draw(items) gives the draws of those items only: a request draws for its shortlist, not for the catalogue.

    With a `sharpness` above 1, the k are sampled from the shortlist instead, without replacement, each with a chance
    in proportion to its draw to that power (Plackett-Luce, by the Gumbel-top-k trick): an item half as likely to be
    liked is an eighth as likely to be picked at 3, so pages of the same context differ and rarely hold a poor item.
    """
    pool = np.flatnonzero(~excluded)
    if pool.size == 0:
        pool = np.flatnonzero(excluded)
    candidates = _best(means, pool, max(shortlist, k))
    drawn = draw(candidates)
    if sharpness > 1.0:
        noise = (rng or np.random.default_rng()).gumbel(size=candidates.size)
        drawn = sharpness * np.log(np.maximum(drawn, MIN_RATE)) + noise
    return candidates[_best(drawn, np.arange(candidates.size), k)]


def _best(scores: np.ndarray, pool: np.ndarray, k: int) -> np.ndarray:
    if k <= 0 or pool.size == 0:
        return np.zeros(0, dtype=np.intp)
    if k < pool.size:
        pool = pool[np.argpartition(-scores[pool], k - 1)[:k]]
    return pool[np.argsort(-scores[pool], kind="stable")]


# EASE predicts a like from the visitor's likes, and predicts little from little: a visitor's best co-liked item
# scores about 0.085 on MovieLens-100k (dozens of likes per film), about 0.007 in a gallery of a thousand images with a
# like or two each, where the co-likes are chance. Co-likes count fully from this score up, and below it in proportion.
COLIKE_FULL_SCORE = 0.1


def colike_relevance(scores: np.ndarray) -> np.ndarray:
    """Co-like scores (EASE over the visitor's likes) as a relevance of 0..1: the score over COLIKE_FULL_SCORE,
    at most 1, 0 if negative. Scaled to each visitor's best score instead, chance co-likes of a young gallery counted
    as much as a film's fifty (benchmarks/online_sim.py's taste world: 1.80x against 1.99x without co-likes)."""
    return np.clip(scores / COLIKE_FULL_SCORE, 0.0, 1.0)


def garden_scores(baseline: np.ndarray, *, taste: np.ndarray | None = None, colike: np.ndarray | None = None,
                  colike_weight: float = 0.3) -> np.ndarray:
    """The production score of every item: a draw of its baseline rate, plus a draw of the visitor's taste, plus
    the co-like relevance (0..1) at colike_weight like-probability units."""
    scores = baseline.copy()
    if taste is not None:
        scores += taste
    if colike is not None:
        scores += colike_weight * colike
    return scores
