"""The recommender's algorithms as pure numpy/scipy functions over item indices 0..n_items-1, free of Django.

The DB-backed engine maps image ids to indices, loads counters and histories, and calls these; the offline
evaluation (tools/recommender/evaluation.py) calls the very same code on a public data set, so the numbers it prints are
the numbers of production. The choices and their measurements are in research/recommender.md.

- SegmentPopularity: cold start by context, like-rates per visitor segment with hierarchical smoothing.
- Ease: the personalised model, scored from the visitor's live like history (a new like counts without a refit).
- thompson_pick: exploration of new and rarely shown images.
- blend: the production ranking that combines all three, with a reason per picked item.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import scipy.sparse as sp

EVERYONE = "*"
SEPARATOR = "|"
FORGOTTEN = 1e-4


def segment_path(*parts: str) -> list[str]:
    """The segments of a visitor, coarsest first; unknown (empty) parts are skipped.

    segment_path("HAPPY", "Female", "adult") == ["*", "HAPPY", "HAPPY|Female", "HAPPY|Female|adult"]
    segment_path("", "Male", "elder") == ["*", "Male", "Male|elder"]
    """
    known = [part for part in parts if part]
    return [EVERYONE] + [SEPARATOR.join(known[: depth + 1]) for depth in range(len(known))]


@dataclass(frozen=True)
class _ItemCounts:
    items: np.ndarray
    likes: np.ndarray
    impressions: np.ndarray


class SegmentPopularity:
    """Smoothed like-rate of every item in a visitor's segments, backing off from the finest segment to everyone.

    The rate in a segment is shrunk towards the rate in its parent segment, which is shrunk towards its own parent,
    down to a global prior: rate = (likes + m * parent_rate) / (impressions + m), the posterior mean of a Beta prior
    worth m impressions. A segment with few impressions borrows from its parents; a segment with many speaks for
    itself. An item never shown in a segment keeps its parent's rate.

    Offline data sets have no impressions. There, use as impressions the number of users of the segment who were
    active at all (liked anything): the rate then reads "share of the segment's active users who liked the item".
    """

    def __init__(self, n_items: int, *, prior_strength: float = 10.0, prior_rate: float | None = None) -> None:
        self.n_items = n_items
        self.prior_strength = prior_strength
        self._fixed_prior = prior_rate
        self._pooled_prior = 0.5
        self._counts: dict[str, _ItemCounts] = {}

    @property
    def prior_rate(self) -> float:
        """The rate of an item never shown to anyone: the given one, else the pooled rate of everyone's counts."""
        return self._pooled_prior if self._fixed_prior is None else self._fixed_prior

    def fit(self, segments: Sequence[str], items: np.ndarray, likes: np.ndarray,
            impressions: np.ndarray) -> "SegmentPopularity":
        """Load counter rows (segment key, item index, likes, impressions); repeated (segment, item) rows add up."""
        keys, key_of_row = np.unique(np.asarray(segments, dtype=str), return_inverse=True)
        items, likes, impressions = (np.asarray(column) for column in (items, likes, impressions))
        self._counts = {}
        for position, key in enumerate(keys.tolist()):
            rows = key_of_row == position
            present, item_of_row = np.unique(items[rows], return_inverse=True)
            self._counts[key] = _ItemCounts(
                items=present,
                likes=np.bincount(item_of_row, weights=likes[rows], minlength=present.size),
                impressions=np.bincount(item_of_row, weights=impressions[rows], minlength=present.size),
            )
        self._update_pooled_prior()
        return self

    def _update_pooled_prior(self) -> None:
        everyone = self._counts.get(EVERYONE)
        if everyone is not None:
            # The Beta(1, 1) pseudo-counts keep the prior strictly between 0 and 1, so log(rate) is always finite.
            self._pooled_prior = (everyone.likes.sum() + 1.0) / (everyone.impressions.sum() + 2.0)

    def load(self, dense_counts: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> "SegmentPopularity":
        """Load each segment's (likes, impressions) over all n_items items, as fit would from the same counters."""
        self._counts = {}
        for segment, (likes, impressions) in dense_counts.items():
            present = np.flatnonzero((likes > 0) | (impressions > 0))
            self._counts[segment] = _ItemCounts(items=present, likes=likes[present], impressions=impressions[present])
        self._update_pooled_prior()
        return self

    def counts(self, segment: str) -> tuple[np.ndarray, np.ndarray]:
        """Likes and impressions of every item in one segment (zeros where never shown)."""
        likes = np.zeros(self.n_items)
        impressions = np.zeros(self.n_items)
        stored = self._counts.get(segment)
        if stored is not None:
            likes[stored.items] = stored.likes
            impressions[stored.items] = stored.impressions
        return likes, impressions

    def scores(self, segment_keys: Sequence[str]) -> np.ndarray:
        """Smoothed like-rate of every item for a visitor whose segments are segment_keys, coarsest first."""
        rate = np.full(self.n_items, self.prior_rate)
        for key in segment_keys:
            stored = self._counts.get(key)
            if stored is not None:
                parent = rate[stored.items]
                rate[stored.items] = (stored.likes + self.prior_strength * parent) / (
                    stored.impressions + self.prior_strength)
        return rate


class Ease:
    """EASE (Steck 2019): an item-item model with a closed-form fit, B = I - P / diag(P), P = (X'X + l2 I)^-1.

    A visitor is their like history: scores = sum of B's rows over the liked items. So a new like changes the next
    scores at once, and only B needs a periodic refit. Recent likes weigh more (recency_decay per like back in time):
    on MovieLens-100k this took HR@10 from 0.150 to about 0.18, because taste drifts and the next like resembles the
    last ones more than the first ones.

    The fit inverts a dense n_items x n_items matrix: O(n_items^3) time and two n_items^2 float32 matrices, about
    3.2 GB and minutes on two cores at 20k items. Past max_items use another model (implicit ALS, see the research
    notes). The defaults (l2, recency_decay) are the ones tuned on MovieLens-100k.
    """

    def __init__(self, l2: float = 250.0, *, max_items: int = 20_000) -> None:
        self.l2 = l2
        self.max_items = max_items
        self.weights = np.zeros((0, 0), dtype=np.float32)

    def fit(self, interactions: sp.sparray | sp.spmatrix) -> "Ease":
        """Fit on a user x item matrix; any non-zero entry counts as one like."""
        liked = (sp.csr_array(interactions) != 0).astype(np.float32)
        return self.fit_gram((liked.T @ liked).toarray())

    def fit_gram(self, gram: np.ndarray) -> "Ease":
        """Fit on the item x item co-like counts X'X (dense; changed in place)."""
        n_items = gram.shape[0]
        if n_items > self.max_items:
            raise ValueError(f"EASE fits at most {self.max_items} items (got {n_items}): the fit is O(n_items^3).")
        gram[np.diag_indices(n_items)] += self.l2
        # float32 halves the memory; l2 on the diagonal keeps the matrix well conditioned enough for it.
        precision = np.linalg.inv(gram)
        weights = precision / -np.diag(precision)
        weights[np.diag_indices(n_items)] = 0.0
        self.weights = weights.astype(np.float32, copy=False)
        return self

    def scores(self, history: Sequence[int] | np.ndarray, *, recency_decay: float = 0.8) -> np.ndarray:
        """Scores of every item for a visitor whose liked items are `history`, oldest first; 0 < recency_decay <= 1."""
        history = np.asarray(history, dtype=np.intp)
        if recency_decay < 1.0:
            # Likes weighing under FORGOTTEN of the newest one barely move a score; dropping them bounds the cost of a
            # long history (about 40 likes are kept at a decay of 0.8).
            history = history[-math.ceil(math.log(FORGOTTEN) / math.log(recency_decay)):]
        age = np.arange(history.size - 1, -1, -1)
        return np.power(recency_decay, age, dtype=np.float32) @ self.weights[history]


def thompson_pick(likes: np.ndarray, impressions: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k positions of the arrays, picked by Thompson sampling: one draw of Beta(likes + 1, misses + 1) each, best k.

    An arm with little data draws widely, so it sometimes wins and gets shown; a proven arm draws near its rate.
    """
    likes = np.asarray(likes, dtype=float)
    misses = np.maximum(np.asarray(impressions, dtype=float) - likes, 0.0)
    draws = rng.beta(likes + 1.0, misses + 1.0)
    return np.argsort(-draws, kind="stable")[: max(k, 0)]


def exploration_candidates(age_days: np.ndarray, impressions: np.ndarray, *, max_age_days: float = 30.0,
                           min_impressions: int = 20) -> np.ndarray:
    """Items that deserve exploration slots: young ones (Personalize's explorationItemAgeCutOff defaults to 30 days)
    and ones shown fewer than min_impressions times (at a 10-20 % like-rate, 20 impressions are only 2-4 likes: too
    few to trust the rate)."""
    return (np.asarray(age_days) < max_age_days) | (np.asarray(impressions) < min_impressions)


class Reason(StrEnum):
    PERSONAL = "personal"
    SEGMENT = "segment"
    EXPLORE = "explore"
    EMOTION = "emotion"


@dataclass(frozen=True)
class BlendWeights:
    """How the production blend mixes its signals; defaults are the ones tuned on MovieLens-100k."""

    segment: float = 0.03  # beta, the weight of log(segment like-rate): a popularity prior under the personal scores
    emotion: float = 1.0  # bonus for the session's emotion; 1.0 puts matching images first unless nothing matches
    exploration_share: float = 1 / 3  # Personalize's explorationWeight defaults to 0.3: one image in three


@dataclass(frozen=True)
class Ranking:
    items: np.ndarray  # item indices, best first
    reasons: list[Reason]  # one per item


def blend(*, n: int, personal: np.ndarray | None, segment_rate: np.ndarray, item_emotions: np.ndarray,
          session_emotion: str, explore: np.ndarray, likes: np.ndarray, impressions: np.ndarray,
          excluded: np.ndarray, rng: np.random.Generator, weights: BlendWeights = BlendWeights()) -> Ranking:
    """The production ranking of up to n items.

    personal: EASE scores (None for a visitor with no history); segment_rate: SegmentPopularity.scores of the
    visitor's segments; item_emotions: each item's emotion ("" if none); explore, excluded: boolean masks over items
    (exploration candidates; items already seen or liked); likes, impressions: the counts Thompson sampling draws on.

    The exploited items are ranked by relevance + beta * log(segment rate) + an emotion bonus, where relevance is the
    personal score scaled to a maximum of 1, or for a visitor with no history the segment rate scaled the same way.
    A share of the slots (every third one by default) goes to exploration candidates picked by Thompson sampling.
    Excluded items come back only when nothing else is left (then up to n of them).
    """
    allowed = ~np.asarray(excluded, dtype=bool)
    pool = np.flatnonzero(np.asarray(explore, dtype=bool) & allowed)
    n_explore = min(math.floor(n * weights.exploration_share + 0.5), pool.size)
    explored = pool[thompson_pick(likes[pool], impressions[pool], n_explore, rng)]

    matches = (item_emotions == session_emotion) if session_emotion else np.zeros(segment_rate.size, dtype=bool)
    # The floor keeps a zero rate (possible with a prior of 0) from turning into -inf, or nan at a weight of 0.
    popularity = np.log(np.maximum(segment_rate, 1e-12))
    score = _relevance(personal, segment_rate, allowed) + weights.segment * popularity + weights.emotion * matches
    available = allowed.copy()
    available[explored] = False
    fresh = _best(score, np.flatnonzero(available), n - explored.size)
    # A visitor sees everything new before anything again: repeats only when nothing new is left at all.
    repeats = _best(score, np.flatnonzero(~allowed), n) if fresh.size + explored.size == 0 else fresh[:0]

    items = np.concatenate([_interleave(fresh, explored, weights.exploration_share), repeats])
    picked = set(explored.tolist())
    reasons = [Reason.EXPLORE if item in picked
               else Reason.PERSONAL if personal is not None and personal[item] > 0
               else Reason.EMOTION if matches[item]
               else Reason.SEGMENT
               for item in items.tolist()]
    return Ranking(items=items, reasons=reasons)


def rank_top(scores: np.ndarray, k: int, excluded: np.ndarray) -> np.ndarray:
    """The k best items by score; excluded ones only when nothing else is left."""
    excluded = np.asarray(excluded, dtype=bool)
    fresh = _best(scores, np.flatnonzero(~excluded), k)
    return np.concatenate([fresh, _best(scores, np.flatnonzero(excluded), k - fresh.size)])


def _best(scores: np.ndarray, pool: np.ndarray, k: int) -> np.ndarray:
    if k <= 0 or pool.size == 0:
        return np.zeros(0, dtype=np.intp)
    if k < pool.size:
        pool = pool[np.argpartition(-scores[pool], k - 1)[:k]]
    return pool[np.argsort(-scores[pool], kind="stable")]


def _relevance(personal: np.ndarray | None, segment_rate: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Personal scores scaled to a maximum of 1 over the allowed items; the segment rate, scaled the same way, for a
    visitor with no history or whose likes have nothing in common with anything left."""
    for values in (personal, segment_rate):
        top = values[allowed].max() if values is not None and allowed.any() else 0.0
        if top > 0:
            return values / top
    return np.zeros(segment_rate.size)


def _interleave(exploited: np.ndarray, explored: np.ndarray, share: float) -> np.ndarray:
    """Exploration picks at the end of each 1/share block (positions 2, 5, 8 for one in three), exploited ones around;
    leftover picks of either kind go last."""
    slots = {round((pick + 1) / share) - 1 for pick in range(explored.size)}
    items: list[int] = []
    exploit_next = explore_next = 0
    for position in range(exploited.size + explored.size):
        if explore_next < explored.size and (position in slots or exploit_next >= exploited.size):
            items.append(int(explored[explore_next]))
            explore_next += 1
        else:
            items.append(int(exploited[exploit_next]))
            exploit_next += 1
    return np.asarray(items, dtype=np.intp)
