"""Smoke test of manage.py train_expression: one short epoch on a tiny subset, then the exported model must load
in onnxruntime (the product's runtime, without torch) and its sidecar must describe it."""

import io
import json
import os
from pathlib import Path

import numpy as np
import onnxruntime
from django.conf import settings
from django.core.management import call_command

CLASSES = ["ANGRY", "DISGUSTED", "FEAR", "HAPPY", "SAD", "SURPRISED", "CALM"]


def _training_files(tmp_path: Path) -> tuple[Path, Path]:
    """The shared training sets when present (CI has ../shared beside the checkout), else tiny synthetic ones,
    so the test runs everywhere."""
    shared = Path(
        os.environ.get("EXPRESSION_TRAIN_DIR", Path(settings.BASE_DIR).parent / "shared" / "expression-train")
    )
    fer, real = shared / "fer2013.npz", shared / "muxspace_train.npz"
    if fer.is_file() and real.is_file():
        return fer, real
    rng = np.random.default_rng(0)
    labels = np.tile(np.arange(len(CLASSES), dtype=np.int8), 12)
    fer, real = tmp_path / "fer2013.npz", tmp_path / "muxspace_train.npz"
    np.savez(
        fer,
        x=rng.integers(0, 256, (len(labels), 48, 48), dtype=np.uint8),
        y=labels,
        split=np.where(np.arange(len(labels)) % 4 == 0, "validation", "train"),
        classes=np.array(CLASSES),
    )
    np.savez(
        real,
        x=rng.integers(0, 256, (len(labels), 96, 96), dtype=np.uint8),
        y=labels,
        name=np.array([f"Person_{i % 9}_{i:04d}.jpg" for i in range(len(labels))]),
        classes=np.array(CLASSES),
    )
    return fer, real


def test_train_expression_exports_a_loadable_model(tmp_path: Path) -> None:
    fer, real = _training_files(tmp_path)
    out = tmp_path / "model" / "expression_test.onnx"

    call_command(
        "train_expression",
        "--fer",
        str(fer),
        "--real",
        str(real),
        "--out",
        str(out),
        "--epochs",
        "1",
        "--images-per-epoch",
        "128",
        "--limit",
        "20",
        "--seed",
        "1",
        "--threads",
        "2",
        stdout=io.StringIO(),
    )

    spec = json.loads(out.with_suffix(".json").read_text())
    assert spec["name"] == "expression_test"
    assert spec["input_name"] == "x"
    assert spec["layout"] == "NCHW"
    assert spec["scale"] == "minus1_1"
    assert spec["crop_scale"] == 1.2
    assert spec["classes"] == CLASSES
    assert spec["temperature"] > 0
    assert isinstance(spec["flip_average"], bool)
    assert spec["source"] and spec["licence"]

    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    (model_input,) = session.get_inputs()
    (model_output,) = session.get_outputs()
    size = spec["input_size"]
    assert model_input.name == "x"
    assert model_input.shape[1:] == [1, size, size]
    assert model_output.name == "probs"
    faces = np.random.default_rng(0).uniform(-1, 1, (3, 1, size, size)).astype(np.float32)
    (probabilities,) = session.run(None, {"x": faces})
    assert probabilities.shape == (3, len(CLASSES))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
