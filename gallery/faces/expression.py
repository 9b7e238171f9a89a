"""Reading a face's expression: an ONNX classifier described by a sidecar JSON in ./models, run by onnxruntime on the
square crop of detection.square_face_crop, and Rekognition's eight emotions made from its seven classes."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime

from emotion_garden.vocabulary import Emotion
from gallery.faces.base import EmotionScore
from gallery.faces.detection import square_face_crop

MODELS_DIR = Path(__file__).resolve().parent / "models"


@dataclass(frozen=True)
class ExpressionModel:
    """An ONNX expression classifier described by its sidecar JSON (input size, layout, classes, calibration)."""

    session: onnxruntime.InferenceSession
    input_name: str
    input_size: int
    channels_last: bool
    crop_scale: float
    classes: tuple[str, ...]
    flip_average: bool

    @classmethod
    def load(cls, name: str, *, threads: int) -> "ExpressionModel":
        spec = json.loads((MODELS_DIR / f"{name}.json").read_text())
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(MODELS_DIR / f"{name}.onnx"), options, providers=["CPUExecutionProvider"]
        )
        return cls(
            session=session,
            input_name=spec["input_name"],
            input_size=int(spec["input_size"]),
            channels_last=spec["layout"] == "NHWC",
            crop_scale=float(spec["crop_scale"]),
            classes=tuple(Emotion(label) for label in spec["classes"]),
            flip_average=bool(spec.get("flip_average", False)),
        )

    def probabilities(self, gray: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Class probabilities (faces x classes) for the given face rows of a greyscale image."""
        crops = np.stack([
            square_face_crop(gray, row, crop_scale=self.crop_scale, size=self.input_size) for row in rows
        ]).astype(np.float32) / 127.5 - 1.0
        if self.flip_average:
            crops = np.concatenate([crops, crops[:, :, ::-1]])
        batch = crops[..., None] if self.channels_last else crops[:, None]
        probabilities = self.session.run(None, {self.input_name: np.ascontiguousarray(batch)})[0]
        if self.flip_average:
            probabilities = (probabilities[: len(rows)] + probabilities[len(rows) :]) / 2
        return probabilities


# When the two most likely expressions are closer than this, the model is torn between them.
UNSURE_MARGIN = 0.05


def eight_emotions(classes: tuple[str, ...], probabilities: np.ndarray) -> list[EmotionScore]:
    """Rekognition's eight emotion confidences (sum 100, sorted) from a seven-class expression model.

    CONFUSED is a heuristic, not a trained output: no expression data set labels confusion. It measures how torn
    the model is between its two best guesses: (1 - margin / UNSURE_MARGIN) x the runner-up's probability when
    the top-two margin is below UNSURE_MARGIN, else 0. It can never exceed the runner-up, so it flags uncertain
    readings without overriding the dominant emotion.
    """
    scores = {label: float(probability) for label, probability in zip(classes, probabilities, strict=True)}
    top, runner_up = sorted(scores.values(), reverse=True)[:2]
    unsure = max(0.0, 1.0 - (top - runner_up) / UNSURE_MARGIN)
    scores[Emotion.CONFUSED] = scores.get(Emotion.CONFUSED, 0.0) + unsure * runner_up
    total = sum(scores.values()) or 1.0
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    return [{"Type": str(label), "Confidence": round(100 * value / total, 3)} for label, value in ranked]
