from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import onnx
import openvino
import pytest
from PIL import Image

from gallery.faces.local import detect_face_rows
from gallery.faces.sface import SFACE_PATH, SFaceNetwork, aligned_face, alignment_matrix, dequantized_onnx


@pytest.fixture(scope="module")
def network() -> SFaceNetwork:
    return SFaceNetwork(threads=1)


@pytest.fixture(scope="module")
def opencv_recognizer() -> cv2.FaceRecognizerSF:
    """The reference: OpenCV running the wheel's quantised file as it is."""
    return cv2.FaceRecognizerSF.create(SFACE_PATH, "")


def _photos(astronaut: Image.Image) -> list[np.ndarray]:
    bgr = cv2.cvtColor(np.asarray(astronaut), cv2.COLOR_RGB2BGR)
    return [bgr, cv2.rotate(bgr, cv2.ROTATE_90_CLOCKWISE), cv2.resize(bgr, (1000, 700))]


def test_the_expanded_model_has_no_quantised_weights_and_takes_only_the_image() -> None:
    model = onnx.load_from_string(dequantized_onnx(SFACE_PATH))
    assert not [node for node in model.graph.node if node.op_type == "DequantizeLinear"]
    assert [value.name for value in model.graph.input] == ["data"]
    onnx.checker.check_model(model)


def test_alignment_matches_opencvs_align_crop(
    astronaut: Image.Image, opencv_recognizer: cv2.FaceRecognizerSF
) -> None:
    for bgr in _photos(astronaut):
        row = detect_face_rows(bgr)[0]
        ours = aligned_face(bgr, row[4:14].reshape(5, 2)).astype(int)
        opencvs = opencv_recognizer.alignCrop(bgr, row).astype(int)
        # Float rounding moves a handful of pixels by a grey level or two.
        assert np.abs(ours - opencvs).max() <= 3
        assert np.abs(ours - opencvs).mean() < 0.01


def test_coincident_landmarks_align_to_the_identity() -> None:
    assert np.array_equal(alignment_matrix(np.full((5, 2), 40.0)), np.eye(2, 3))


def test_embeddings_match_opencvs_on_the_quantised_file(
    astronaut: Image.Image, network: SFaceNetwork, opencv_recognizer: cv2.FaceRecognizerSF
) -> None:
    for bgr in _photos(astronaut):
        crop = opencv_recognizer.alignCrop(bgr, detect_face_rows(bgr)[0])
        reference = opencv_recognizer.feature(crop).flatten()
        ours = network.embedding(crop)
        assert ours.shape == (128,) and ours.dtype == np.float32
        assert np.linalg.norm(ours) == pytest.approx(1.0, abs=1e-5)
        assert float(ours @ reference) / np.linalg.norm(reference) > 0.99999


def test_the_network_computes_in_float32_on_every_cpu(network: SFaceNetwork) -> None:
    """OpenVINO would pick bfloat16 on CPUs with bfloat16 units; stored embeddings must not depend on the machine."""
    assert network._compiled.get_property("INFERENCE_PRECISION_HINT") == openvino.Type.f32


def test_threads_share_the_network_safely(astronaut: Image.Image, network: SFaceNetwork) -> None:
    crops = [aligned_face(bgr, detect_face_rows(bgr)[0][4:14].reshape(5, 2)) for bgr in _photos(astronaut)]
    expected = [network.embedding(crop) for crop in crops]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(network.embedding, crops * 8))
    for index, vector in enumerate(results):
        np.testing.assert_allclose(vector, expected[index % len(crops)], atol=1e-6)
