"""The recommender's algorithms as pure numpy/scipy functions over item indices 0..n_items-1, free of Django.

The DB-backed engine maps image ids to indices, loads counters and histories, and calls these; the offline
evaluation (tools/recommender/evaluation.py) calls the very same code on a public data set, so the numbers it prints are
the numbers of production. The choices and their measurements are in docs/recommender.md.

- SegmentPopularity: cold start by context, like-rates per visitor segment with hierarchical smoothing.
- Ease: the co-like model, scored from the visitor's live like history (a new like counts without a refit).
The production ranking that combines them with each visitor's taste is in recommender.taste.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
