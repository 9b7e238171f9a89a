"""Metrics for `manage.py evaluate_faces`: pure functions over labels and scores, so they can be checked by hand.

A prediction of None means the backend found no face; it is never equal to a true label, so it counts as wrong.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from emotion_garden.vocabulary import Emotion

# The fixed row and column order of the confusion matrix.
EXPRESSION_LABELS: tuple[str, ...] = tuple(Emotion.values)

# FER2013/AffectNet-style names. Rekognition has no contempt; its closest label is DISGUSTED.
FER_LABELS: dict[str, Emotion] = {
    "anger": Emotion.ANGRY,
    "disgust": Emotion.DISGUSTED,
    "fear": Emotion.FEAR,
    "happiness": Emotion.HAPPY,
    "neutral": Emotion.CALM,
    "sadness": Emotion.SAD,
    "surprise": Emotion.SURPRISED,
    "contempt": Emotion.DISGUSTED,
}


def parse_expression_label(value: str) -> Emotion:
    """A Rekognition name in any case, or a FER name. Raises ValueError for anything else."""
    fer = FER_LABELS.get(value.strip().lower())
    return fer if fer is not None else Emotion.parse(value)


@dataclass(frozen=True)
class ClassRecall:
    recall: float
    support: int


def accuracy(truth: Sequence[str], predicted: Sequence[str | None]) -> float:
    _check_lengths(truth, predicted)
    if not truth:
        return 0.0
    return sum(actual == guess for actual, guess in zip(truth, predicted, strict=True)) / len(truth)


def per_class_recall(truth: Sequence[str], predicted: Sequence[str | None]) -> dict[str, ClassRecall]:
    """Recall and support of every class present in `truth`, by class name."""
    _check_lengths(truth, predicted)
    recalls = {}
    for label in sorted(set(truth)):
        guesses = [guess for actual, guess in zip(truth, predicted, strict=True) if actual == label]
        recalls[label] = ClassRecall(recall=guesses.count(label) / len(guesses), support=len(guesses))
    return recalls


def macro_recall(truth: Sequence[str], predicted: Sequence[str | None]) -> float:
    """The mean of the per-class recalls: every class present in `truth` weighs the same, however rare."""
    recalls = per_class_recall(truth, predicted)
    if not recalls:
        return 0.0
    return sum(item.recall for item in recalls.values()) / len(recalls)


def confusion_matrix(truth: Sequence[str], predicted: Sequence[str | None], labels: Sequence[str]) -> np.ndarray:
    """Counts with rows = true label and columns = predicted label, both in `labels` order, plus a last column
    for "no face" so that every row sums to that label's support."""
    _check_lengths(truth, predicted)
    index = {label: position for position, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels) + 1), dtype=np.int64)
    for actual, guess in zip(truth, predicted, strict=True):
        matrix[index[actual], len(labels) if guess is None else index[guess]] += 1
    return matrix


def verification_accuracy(scores: Sequence[float | None], same: Sequence[bool], threshold: float) -> float:
    """Share of pairs decided right when "same person" means score >= threshold; an unscored pair is wrong."""
    _check_lengths(scores, same)
    if not scores:
        return 0.0
    right = sum(
        score is not None and (score >= threshold) == is_same for score, is_same in zip(scores, same, strict=True)
    )
    return right / len(scores)


@dataclass(frozen=True)
class BestThreshold:
    threshold: float
    accuracy: float


def best_threshold(scores: Sequence[float | None], same: Sequence[bool]) -> BestThreshold | None:
    """The observed score that, used as the threshold, decides the most pairs right (the lowest such score on a
    tie); None when no pair has a score. Unscored pairs stay wrong whatever the threshold."""
    _check_lengths(scores, same)
    scored = [(score, is_same) for score, is_same in zip(scores, same, strict=True) if score is not None]
    if not scored:
        return None
    positives = np.sort([score for score, is_same in scored if is_same])
    negatives = np.sort([score for score, is_same in scored if not is_same])
    candidates = np.unique([score for score, _ in scored])
    # Same-person pairs at or above a candidate are accepted; different-person pairs below it are rejected.
    accepted = len(positives) - np.searchsorted(positives, candidates, side="left")
    rejected = np.searchsorted(negatives, candidates, side="left")
    right = accepted + rejected
    best = int(np.argmax(right))
    return BestThreshold(threshold=float(candidates[best]), accuracy=float(right[best]) / len(scores))


def roc_auc(scores: Sequence[float | None], same: Sequence[bool]) -> float | None:
    """Area under the ROC curve over the scored pairs, by the rank-sum (Mann-Whitney U) statistic: the chance that
    a random same-person pair outscores a random different-person pair, ties counting half. None when the scored
    pairs lack either kind."""
    _check_lengths(scores, same)
    scored = [(score, is_same) for score, is_same in zip(scores, same, strict=True) if score is not None]
    values = np.array([score for score, _ in scored], dtype=np.float64)
    positive = np.array([is_same for _, is_same in scored], dtype=bool)
    n_positive, n_negative = int(positive.sum()), int((~positive).sum())
    if not n_positive or not n_negative:
        return None
    order = np.argsort(values, kind="stable")
    _, first, counts = np.unique(values[order], return_index=True, return_counts=True)
    # Tied scores share the average of the 1-based ranks they span.
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(first + (counts + 1) / 2, counts)
    u_statistic = ranks[positive].sum() - n_positive * (n_positive + 1) / 2
    return float(u_statistic / (n_positive * n_negative))


@dataclass(frozen=True)
class Latency:
    p50: float
    p99: float


def latency_percentiles(milliseconds: Sequence[float]) -> Latency | None:
    """p50 and p99 (linear interpolation between samples); None without samples."""
    if not milliseconds:
        return None
    p50, p99 = np.percentile(np.asarray(milliseconds, dtype=np.float64), [50, 99])
    return Latency(p50=float(p50), p99=float(p99))


def _check_lengths(first: Sequence[object], second: Sequence[object]) -> None:
    if len(first) != len(second):
        raise ValueError(f"{len(first)} labels but {len(second)} predictions.")
