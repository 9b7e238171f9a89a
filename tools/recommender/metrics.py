"""Top-k ranking metrics with one held-out target per request (leave-last-out)."""

import numpy as np


def hits(top: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Whether each request's target is in its top list (rows of `top`, padded with -1)."""
    return (top == targets[:, None]).any(axis=1)


def hit_rate(top: np.ndarray, targets: np.ndarray) -> float:
    return float(hits(top, targets).mean()) if targets.size else 0.0


def ndcg(top: np.ndarray, targets: np.ndarray) -> float:
    """NDCG with one relevant item per request: 1 / log2(position + 2) where it is found, 0 elsewhere."""
    _, position = np.nonzero(top == targets[:, None])
    return float((1.0 / np.log2(position + 2)).sum() / targets.size) if targets.size else 0.0


def coverage(top: np.ndarray, n_items: int) -> float:
    """Share of the catalogue that appears in at least one top list."""
    return float(np.unique(top[top >= 0]).size / n_items) if n_items else 0.0
