"""Small linear models for the attribute heads: L2-regularised logistic regression, and a Gaussian whose mean and
log standard deviation are both linear in the features (heteroscedastic regression). Fitted by L-BFGS (scipy)."""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize


@dataclass(frozen=True)
class Logistic:
    weights: np.ndarray
    bias: float

    def probability(self, features: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-np.clip(features @ self.weights + self.bias, -50, 50)))


def fit_logistic(features: np.ndarray, labels: np.ndarray, *, l2: float) -> Logistic:
    """Minimise the mean log-loss plus l2/2 |w|^2 on standardised features (the bias is not penalised); the
    weights returned apply to the raw features."""
    centre, scale = features.mean(axis=0), features.std(axis=0) + 1e-12
    fitted = _fit_standardised_logistic((features - centre) / scale, labels, l2=l2)
    weights = fitted.weights / scale
    return Logistic(weights, fitted.bias - float(centre @ weights))


def _fit_standardised_logistic(features: np.ndarray, labels: np.ndarray, *, l2: float) -> Logistic:
    count, width = features.shape
    y = labels.astype(np.float64)

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        weights, bias = params[:width], params[width]
        score = features @ weights + bias
        probability = 1 / (1 + np.exp(-np.clip(score, -50, 50)))
        value = np.mean(np.logaddexp(0, score) - y * score) + l2 / 2 * weights @ weights
        error = (probability - y) / count
        return float(value), np.concatenate([features.T @ error + l2 * weights, [error.sum()]])

    result = minimize(loss, np.zeros(width + 1), jac=True, method="L-BFGS-B")
    return Logistic(result.x[:width], float(result.x[width]))


@dataclass(frozen=True)
class GaussianRegression:
    weights: np.ndarray
    bias: float
    spread_weights: np.ndarray
    spread_bias: float

    def predict(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation for each row."""
        spread = np.exp(np.clip(features @ self.spread_weights + self.spread_bias, -5, 2))
        return features @ self.weights + self.bias, spread


def fit_gaussian(features: np.ndarray, targets: np.ndarray, *, l2: float, spread_l2: float) -> GaussianRegression:
    """Maximise the Gaussian likelihood with mean w.x + b and log sd v.x + c, L2 on w and v. The mean starts from
    ridge regression and the spread from the log of its residuals' spread, so L-BFGS starts near the answer."""
    count, width = features.shape
    augmented = np.hstack([features, np.ones((count, 1))])
    penalty = l2 * count * np.eye(width + 1)
    penalty[width, width] = 0
    start = np.linalg.solve(augmented.T @ augmented + penalty, augmented.T @ targets)
    residual_sd = float(np.std(targets - augmented @ start)) or 1.0

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        weights, bias = params[:width], params[width]
        spread_weights, spread_bias = params[width + 1 : 2 * width + 1], params[2 * width + 1]
        log_sd = np.clip(features @ spread_weights + spread_bias, -5, 2)
        residual = targets - (features @ weights + bias)
        inverse_variance = np.exp(-2 * log_sd)
        value = np.mean(0.5 * residual**2 * inverse_variance + log_sd)
        value += l2 / 2 * weights @ weights + spread_l2 / 2 * spread_weights @ spread_weights
        mean_gradient = -residual * inverse_variance / count
        spread_gradient = (1 - residual**2 * inverse_variance) / count
        gradient = np.concatenate([
            features.T @ mean_gradient + l2 * weights, [mean_gradient.sum()],
            features.T @ spread_gradient + spread_l2 * spread_weights, [spread_gradient.sum()],
        ])
        return float(value), gradient

    initial = np.concatenate([start, np.zeros(width), [np.log(residual_sd)]])
    result = minimize(loss, initial, jac=True, method="L-BFGS-B")
    params = result.x
    return GaussianRegression(params[:width], float(params[width]), params[width + 1 : 2 * width + 1],
                              float(params[2 * width + 1]))


def folds(count: int, k: int, *, seed: int, strata: np.ndarray | None = None) -> list[np.ndarray]:
    """k disjoint test-index sets covering range(count), stratified by `strata` when given."""
    rng = np.random.default_rng(seed)
    groups = np.zeros(count, dtype=int) if strata is None else np.unique(strata, return_inverse=True)[1]
    assignment = np.empty(count, dtype=int)
    for group in np.unique(groups):
        members = rng.permutation(np.flatnonzero(groups == group))
        assignment[members] = (np.arange(len(members)) + rng.integers(k)) % k
    return [np.flatnonzero(assignment == fold) for fold in range(k)]
