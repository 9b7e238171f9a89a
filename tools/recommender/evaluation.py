"""Offline evaluation of the recommender's algorithms on a log of likes (`manage.py evaluate_recommender`).

Protocol (the one of docs/recommender.md, "Offline benchmark", so numbers compare):
- leave-last-out per user with at least 3 likes, in time order: the last like is the test target, the one before the
  validation target, the rest is training; users with fewer likes only train;
- each ranker's small grid is scored on validation, the best configuration is refit on training + validation and scored
  once on test;
- full ranking over the whole catalogue minus the user's training items, no sampled negatives;
- HR@10, NDCG@10, catalogue coverage (share of items in any top-10), hits on long-tail targets (items with fewer than
  5 training likes), the final refit's wall time and the in-process latency of one top-10 request.

The data has no impressions, so segment like-rates use SegmentPopularity's offline proxy (a segment's active users),
and the blend's exploration draws around those rates.
"""

import csv
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import numpy as np
import scipy.sparse as sp

from emotion_garden.vocabulary import AgeBand
from recommender.algorithms import Ease, SegmentPopularity, rank_top, segment_path
from recommender.taste import (
    NO_MOOD,
    BaselineConfig,
    Counts,
    TasteConfig,
    colike_relevance,
    draw_baseline,
    garden_scores,
    mood_baseline,
)
from tools.recommender.metrics import coverage, hit_rate, hits, ndcg

TOP_K = 10
TAIL_LIKES = 5
MIN_LIKES = 3
SEED = 20240601
RANKERS = ("global", "segment", "personal", "blend")


@dataclass(frozen=True)
class Dataset:
    """Likes sorted by user then time, as indices; per user their (gender, age band), per item its emotion."""

    users: np.ndarray
    items: np.ndarray
    emotions: np.ndarray  # the session emotion of each like, "" if unknown
    user_profiles: list[tuple[str, str]]
    item_emotions: np.ndarray

    @property
    def n_items(self) -> int:
        return self.item_emotions.size


@dataclass(frozen=True)
class Request:
    """One top-k request: the user's history (oldest first) and context at the time of the target like."""

    history: np.ndarray
    excluded: np.ndarray
    segments: list[str]
    emotion: str


class Ranker(Protocol):
    def fit(self, dataset: Dataset, rows: np.ndarray) -> None:
        """Learn from the likes at `rows` of the dataset."""

    def recommend(self, request: Request, k: int) -> np.ndarray:
        """The top k item indices."""


@dataclass(frozen=True)
class Result:
    hr: float
    ndcg: float
    coverage: float
    tail_hits: int
    tail_targets: int
    fit_s: float
    p50_ms: float
    p99_ms: float
    config: str

    def as_json(self) -> dict[str, float | int]:
        return {"hr@10": self.hr, "ndcg@10": self.ndcg, "coverage": self.coverage, "tail_hits": self.tail_hits,
                "fit_s": self.fit_s, "p50_ms": self.p50_ms, "p99_ms": self.p99_ms}


# ---------------------------------------------------------------------------------------------------------- loading

def load_dataset(interactions: Path, users: Path | None = None, items: Path | None = None) -> Dataset:
    """Read the CSVs: interactions user_id,item_id,timestamp[,emotion]; users user_id[,gender][,age];
    items item_id[,emotion]. Timestamps are epoch seconds or ISO 8601. A repeated (user, item) like keeps its latest."""
    likes = list(_read_csv(interactions, required=("user_id", "item_id", "timestamp")))
    profiles = {row["user_id"]: row for row in _read_csv(users, required=("user_id",))} if users else {}
    catalogue = {row["item_id"]: row for row in _read_csv(items, required=("item_id",))} if items else {}

    user_ids = sorted({row["user_id"] for row in likes})
    item_ids = sorted(catalogue.keys() | {row["item_id"] for row in likes})
    user_index = {user_id: index for index, user_id in enumerate(user_ids)}
    item_index = {item_id: index for index, item_id in enumerate(item_ids)}
    user_of = np.array([user_index[row["user_id"]] for row in likes], dtype=np.intp)
    item_of = np.array([item_index[row["item_id"]] for row in likes], dtype=np.intp)
    stamps = np.array([_timestamp(row["timestamp"]) for row in likes], dtype=float)
    emotions = np.array([(row.get("emotion") or "").strip().upper() for row in likes], dtype=str)

    # File order breaks timestamp ties, so the split is deterministic.
    order = np.lexsort((np.arange(len(likes)), stamps, user_of))
    latest = _last_occurrence(user_of[order], item_of[order])
    rows = order[latest]
    return Dataset(
        users=user_of[rows],
        items=item_of[rows],
        emotions=emotions[rows],
        user_profiles=[_profile(profiles.get(user_id, {})) for user_id in user_ids],
        item_emotions=np.array([(catalogue.get(item_id, {}).get("emotion") or "").strip().upper()
                                for item_id in item_ids], dtype=str),
    )


def _read_csv(path: Path, *, required: tuple[str, ...]) -> Iterator[dict[str, str]]:
    with path.open(newline="") as file:
        reader = csv.DictReader(file)
        missing = set(required) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path} lacks the column(s) {', '.join(sorted(missing))}")
        yield from reader


def _timestamp(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return datetime.fromisoformat(value).timestamp()


def _last_occurrence(users: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Positions of the last like of each (user, item) pair, in their original order."""
    pairs = users.astype(np.int64) * (items.max(initial=0) + 1) + items
    _, first_from_end = np.unique(pairs[::-1], return_index=True)
    return np.sort(pairs.size - 1 - first_from_end)


def _profile(row: dict[str, str]) -> tuple[str, str]:
    age = (row.get("age") or "").strip()
    band = AgeBand.for_age_range(int(float(age)), int(float(age))).value if age else ""
    return (row.get("gender") or "").strip(), band


# ------------------------------------------------------------------------------------------------------------ split

@dataclass(frozen=True)
class Split:
    """Row indices into the dataset: one validation and one test like per evaluated user."""

    validation: np.ndarray
    test: np.ndarray


def leave_last_out(dataset: Dataset) -> Split:
    """The last like of each user with at least MIN_LIKES likes is test, the one before it validation."""
    starts = np.flatnonzero(np.r_[True, dataset.users[1:] != dataset.users[:-1]])
    ends = np.r_[starts[1:], dataset.users.size]
    evaluated = ends - starts >= MIN_LIKES
    return Split(validation=ends[evaluated] - 2, test=ends[evaluated] - 1)


def _requests(dataset: Dataset, targets: np.ndarray) -> list[Request]:
    """A request per target like: the history is every earlier like of that user (rows are sorted by user, time)."""
    starts = np.searchsorted(dataset.users, dataset.users[targets], side="left")
    requests = []
    for start, target in zip(starts.tolist(), targets.tolist(), strict=True):
        history = dataset.items[start:target]
        excluded = np.zeros(dataset.n_items, dtype=bool)
        excluded[history] = True
        gender, band = dataset.user_profiles[dataset.users[target]]
        emotion = str(dataset.emotions[target])
        requests.append(Request(history=history, excluded=excluded, segments=segment_path(emotion, gender, band),
                                emotion=emotion))
    return requests


# ---------------------------------------------------------------------------------------------------------- rankers

def _like_matrix(dataset: Dataset, rows: np.ndarray) -> sp.csr_array:
    ones = np.ones(rows.size, dtype=np.float32)
    shape = (len(dataset.user_profiles), dataset.n_items)
    return sp.csr_array((ones, (dataset.users[rows], dataset.items[rows])), shape=shape)


def _segment_model(dataset: Dataset, rows: np.ndarray, prior_strength: float) -> SegmentPopularity:
    """Like counts per (segment, item); impressions are the segment's active users, for every item (the proxy)."""
    profiles = np.array(dataset.user_profiles, dtype=str).reshape(-1, 2)[dataset.users[rows]]
    contexts = np.column_stack([dataset.emotions[rows], profiles])
    likes: dict[str, np.ndarray] = {}
    active: dict[str, set[int]] = {}
    # Few distinct contexts (emotion x gender x age band), so count per context and add up along its segment path.
    distinct, context_of_row = np.unique(contexts, axis=0, return_inverse=True)
    for position, context in enumerate(distinct.tolist()):
        members = rows[context_of_row.ravel() == position]
        counts = np.bincount(dataset.items[members], minlength=dataset.n_items)
        for key in segment_path(*context):
            likes[key] = likes.get(key, np.zeros(dataset.n_items, dtype=np.int64)) + counts
            active.setdefault(key, set()).update(dataset.users[members].tolist())
    keys = list(likes)
    every_item = np.tile(np.arange(dataset.n_items), len(keys))
    impressions = np.repeat([len(active[key]) for key in keys], dataset.n_items)
    segments = np.repeat(np.array(keys, dtype=str), dataset.n_items)
    like_counts = np.concatenate([likes[key] for key in keys]) if keys else np.zeros(0)
    return SegmentPopularity(dataset.n_items, prior_strength=prior_strength).fit(
        segments, every_item, like_counts, impressions)


class GlobalRanker:
    def __init__(self) -> None:
        self.counts = np.zeros(0)

    def fit(self, dataset: Dataset, rows: np.ndarray) -> None:
        self.counts = np.bincount(dataset.items[rows], minlength=dataset.n_items).astype(float)

    def recommend(self, request: Request, k: int) -> np.ndarray:
        return rank_top(self.counts, k, request.excluded)


class SegmentRanker:
    def __init__(self, prior_strength: float) -> None:
        self.prior_strength = prior_strength
        self.model = SegmentPopularity(0)

    def fit(self, dataset: Dataset, rows: np.ndarray) -> None:
        self.model = _segment_model(dataset, rows, self.prior_strength)

    def recommend(self, request: Request, k: int) -> np.ndarray:
        return rank_top(self.model.scores(request.segments), k, request.excluded)


class PersonalRanker:
    def __init__(self, l2: float, recency_decay: float) -> None:
        self.model = Ease(l2)
        self.recency_decay = recency_decay

    def fit(self, dataset: Dataset, rows: np.ndarray) -> None:
        self.model.fit(_like_matrix(dataset, rows))

    def recommend(self, request: Request, k: int) -> np.ndarray:
        return rank_top(self.model.scores(request.history, recency_decay=self.recency_decay), k, request.excluded)


class BlendRanker:
    """The production ranking (recommender.engines.local): a Thompson draw of each item's segment baseline plus the
    co-like relevance of the visitor's history. The data has no content or impressions, so the taste model has
    nothing to learn here; exploration draws from a generator seeded at each fit, so runs are reproducible."""

    def __init__(self, personal: PersonalRanker, segment: SegmentRanker, colike_weight: float) -> None:
        self.personal = personal
        self.segment = segment
        self.colike_weight = colike_weight
        self.baseline = BaselineConfig()
        self.exploration = TasteConfig().exploration
        self.item_emotions = np.zeros(0, dtype=np.intp)
        self.rng = np.random.default_rng(SEED)

    def fit(self, dataset: Dataset, rows: np.ndarray) -> None:
        self.personal.fit(dataset, rows)
        self.segment.fit(dataset, rows)
        self.item_emotions = np.zeros(dataset.n_items, dtype=np.intp)
        self.rng = np.random.default_rng(SEED)

    def recommend(self, request: Request, k: int) -> np.ndarray:
        path = [Counts(*self.segment.model.counts(key)) for key in request.segments]
        rate, weight = mood_baseline(self.item_emotions, path, mood=NO_MOOD, config=self.baseline,
                                     prior_rate=self.segment.model.prior_rate)
        baseline = draw_baseline(rate, weight, self.rng, self.exploration)
        colike = None
        if request.history.size:
            personal = self.personal.model.scores(request.history, recency_decay=self.personal.recency_decay)
            colike = colike_relevance(personal)
        return rank_top(garden_scores(baseline, colike=colike, colike_weight=self.colike_weight), k,
                        request.excluded)


# --------------------------------------------------------------------------------------------------------- protocol

R = TypeVar("R", bound=Ranker, covariant=True)


@dataclass(frozen=True)
class Candidate(Generic[R]):
    """One configuration of a ranker: a label for the report and a way to build it unfitted."""

    config: str
    build: Callable[[], R]


L2_GRID = (100.0, 250.0, 500.0)
RECENCY_GRID = (0.8, 0.9, 1.0)
PRIOR_STRENGTH_GRID = (1.0, 10.0, 100.0)
COLIKE_WEIGHT_GRID = (0.3, 1.0, 3.0)


def _score(ranker: Ranker, dataset: Dataset, targets: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Top-k lists (padded with -1) for the requests of the targets, and each request's latency in ms."""
    top = np.full((targets.size, TOP_K), -1, dtype=np.intp)
    latencies = []
    for position, request in enumerate(_requests(dataset, targets)):
        started = time.perf_counter()
        items = ranker.recommend(request, TOP_K)
        latencies.append((time.perf_counter() - started) * 1000)
        top[position, : items.size] = items
    return top, latencies


def _tune(candidates: list[Candidate[R]], dataset: Dataset, split: Split) -> Candidate[R]:
    """The candidate with the best validation HR@10 (then NDCG@10), each fit on everything but the two targets."""
    training = _rows_except(dataset, split.validation, split.test)
    targets = dataset.items[split.validation]
    best: tuple[float, float] | None = None
    chosen = candidates[0]
    for candidate in candidates:
        ranker = candidate.build()
        ranker.fit(dataset, training)
        top, _ = _score(ranker, dataset, split.validation)
        quality = (hit_rate(top, targets), ndcg(top, targets))
        if best is None or quality > best:
            best, chosen = quality, candidate
    return chosen


def _test(candidate: Candidate[Ranker], dataset: Dataset, split: Split) -> Result:
    training = _rows_except(dataset, split.test)
    ranker = candidate.build()
    started = time.perf_counter()
    ranker.fit(dataset, training)
    fit_s = time.perf_counter() - started
    top, latencies = _score(ranker, dataset, split.test)
    targets = dataset.items[split.test]
    tail = np.bincount(dataset.items[training], minlength=dataset.n_items)[targets] < TAIL_LIKES
    return Result(hr=hit_rate(top, targets), ndcg=ndcg(top, targets), coverage=coverage(top, dataset.n_items),
                  tail_hits=int(hits(top, targets)[tail].sum()), tail_targets=int(tail.sum()), fit_s=fit_s,
                  p50_ms=float(np.percentile(latencies, 50)), p99_ms=float(np.percentile(latencies, 99)),
                  config=candidate.config)


def _rows_except(dataset: Dataset, *held_out: np.ndarray) -> np.ndarray:
    keep = np.ones(dataset.users.size, dtype=bool)
    for rows in held_out:
        keep[rows] = False
    return np.flatnonzero(keep)


def evaluate(dataset: Dataset) -> dict[str, Result]:
    """Tune, refit and test every ranker; the blend reuses the tuned personal and segment configurations."""
    split = leave_last_out(dataset)
    if not split.test.size:
        raise ValueError(f"No user has {MIN_LIKES} likes or more: nothing to evaluate.")
    global_ranker: Candidate[Ranker] = Candidate("-", GlobalRanker)
    segment = _tune([Candidate(f"m={m:g}", lambda m=m: SegmentRanker(m)) for m in PRIOR_STRENGTH_GRID], dataset, split)
    personal = _tune([Candidate(f"l2={l2:g} decay={decay:g}", lambda l2=l2, decay=decay: PersonalRanker(l2, decay))
                      for l2 in L2_GRID for decay in RECENCY_GRID], dataset, split)
    blended = _tune([_blend_candidate(personal, segment, weight) for weight in COLIKE_WEIGHT_GRID], dataset, split)
    return {name: _test(candidate, dataset, split)
            for name, candidate in zip(RANKERS, (global_ranker, segment, personal, blended), strict=True)}


def _blend_candidate(personal: Candidate[PersonalRanker], segment: Candidate[SegmentRanker],
                     colike_weight: float) -> Candidate[BlendRanker]:
    config = f"{personal.config} {segment.config} colike={colike_weight:g}"
    return Candidate(config, lambda: BlendRanker(personal.build(), segment.build(), colike_weight))


def summary(dataset: Dataset) -> str:
    split = leave_last_out(dataset)
    return (f"{split.test.size} users evaluated (of {len(dataset.user_profiles)}), {dataset.n_items} items, "
            f"{dataset.users.size} likes")
