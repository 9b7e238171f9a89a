from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import onnx
import openvino
import pytest
from PIL import Image

from gallery.faces.detection import detect_face_rows
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


def test_vectors_match_opencvs_on_the_quantised_file_for_the_crop_and_its_mirror(
    astronaut: Image.Image, network: SFaceNetwork, opencv_recognizer: cv2.FaceRecognizerSF
) -> None:
    for bgr in _photos(astronaut):
        crop = opencv_recognizer.alignCrop(bgr, detect_face_rows(bgr)[0])
        ours = network.vectors(crop)
        assert ours.shape == (2, 128) and ours.dtype == np.float32
        for vector, image in zip(ours, (crop, np.ascontiguousarray(crop[:, ::-1])), strict=True):
            reference = opencv_recognizer.feature(image).flatten()
            assert _cosine(vector, reference) > 0.99999


def test_the_embedding_is_the_mean_direction_of_the_crop_and_its_mirror(
    astronaut: Image.Image, network: SFaceNetwork
) -> None:
    bgr = _photos(astronaut)[0]
    crop = aligned_face(bgr, detect_face_rows(bgr)[0][4:14].reshape(5, 2))
    plain, mirrored = (vector / np.linalg.norm(vector) for vector in network.vectors(crop))
    embedding = network.embedding(crop)
    assert embedding.shape == (128,) and embedding.dtype == np.float32
    assert np.linalg.norm(embedding) == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(embedding, (plain + mirrored) / np.linalg.norm(plain + mirrored), atol=1e-6)
    # Close enough to the plain vector that embeddings stored before flip averaging still match.
    assert _cosine(embedding, plain) > 0.97


def test_one_pass_gives_the_crops_own_vector(astronaut: Image.Image, network: SFaceNetwork) -> None:
    bgr = _photos(astronaut)[0]
    crop = aligned_face(bgr, detect_face_rows(bgr)[0][4:14].reshape(5, 2))
    [plain] = network.vectors(crop, mirrored=False)
    np.testing.assert_allclose(network.vectors(crop)[0], plain, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(network.embedding(crop, flip_average=False), plain / np.linalg.norm(plain), atol=1e-6)


def _cosine(first: np.ndarray, second: np.ndarray) -> float:
    return float(first @ second) / float(np.linalg.norm(first) * np.linalg.norm(second))


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
