"""Smile: a small head of our own on the expression model's output.

A logistic regression on the log-probabilities of the expression model's seven classes (flip-averaged, as the
analyser computes them anyway), fitted on photos labelled by hand (tools/faces/train_face_attributes.py; the
coefficients, the expression model they were fitted on, and the figures are in models/face_attributes_eg.json and
models/FACE_ATTRIBUTES.md). It costs nothing on top of the expression reading. The same kind of head for an open
mouth fell below always answering "open" on real news photos, and a face mesh (MediaPipe's 468 points) did no
better than always answering "open" on hand-labelled faces-dev photos, for mouths and eyes alike
(benchmarks/face_mesh_attributes.py); so mouth, eyes, glasses and facial hair are not estimated.

The heads belong to one expression model: with another one configured (EXPRESSION_MODEL), they are not offered.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gallery.faces.base import BooleanAttribute

MODELS_DIR = Path(__file__).resolve().parent / "models"


@dataclass(frozen=True)
class AttributeHead:
    weights: np.ndarray  # one per expression class, in the expression model's class order
    bias: float

    def probability(self, log_probabilities: np.ndarray) -> float:
        score = float(log_probabilities @ self.weights) + self.bias
        return 1 / (1 + math.exp(-min(max(score, -50.0), 50.0)))


@dataclass(frozen=True)
class FaceAttributesModel:
    expression_model: str
    heads: dict[str, AttributeHead]

    @classmethod
    def load(cls, name: str = "face_attributes_eg") -> "FaceAttributesModel":
        spec = json.loads((MODELS_DIR / f"{name}.json").read_text())
        return cls(
            expression_model=spec["expression_model"],
            heads={
                attribute: AttributeHead(np.array(head["weights"]), float(head["bias"]))
                for attribute, head in spec["heads"].items()
            },
        )

    def attributes(self, expression_probabilities: np.ndarray) -> dict[str, BooleanAttribute]:
        log_probabilities = np.log(np.maximum(expression_probabilities, 1e-6))
        answers: dict[str, BooleanAttribute] = {}
        for attribute, head in self.heads.items():
            probability = head.probability(log_probabilities)
            answers[attribute] = {
                "Value": probability >= 0.5, "Confidence": round(100 * max(probability, 1 - probability), 3)
            }
        return answers
