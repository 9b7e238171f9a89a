"""tools/faces/heldout_expression_head.py: the prior shift it fits, the halves it judges on, and the model it writes
when a correction wins (on small synthetic data, so it runs without the shared training sets)."""

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import numpy_helper

from tests.gallery.test_train_expression import _training_files
from tools.faces import heldout_expression_head as heldout
from tools.faces.refit_expression_head import last_layer

MODELS = Path(__file__).resolve().parents[2] / "gallery" / "faces" / "models"


def last_layer_arrays(path: Path) -> tuple[np.ndarray, np.ndarray]:
    model = onnx.load(str(path))
    layer = last_layer(model)
    arrays = {tensor.name: numpy_helper.to_array(tensor) for tensor in model.graph.initializer}
    return arrays[layer.weight], arrays[layer.bias]


def test_prior_shift_undoes_a_known_shift_of_the_logits() -> None:
    rng = np.random.default_rng(0)
    truth = np.repeat(np.arange(7), 400)
    clean = rng.normal(size=(len(truth), 7)) + 2.0 * np.eye(7)[truth]  # balanced, every class equally well read
    shifted = clean - np.array([0.0, 1.0, 0.5, -0.5, 1.5, 0.0, -1.0])  # as if trained where priors differed
    views = np.stack([shifted, shifted])
    bias = heldout.fit_bias(views, truth, np.zeros(len(truth), dtype=int), 1.0, real_share=0.0)
    expected = np.array([0.0, 1.0, 0.5, -0.5, 1.5, 0.0, -1.0])
    assert bias == pytest.approx(expected - expected.mean(), abs=0.15)


def test_halves_keep_each_person_whole_and_split_every_source() -> None:
    groups = np.array(["a", "a", "b", "c", "c", "d", "f1", "f2", "f3", "f4"])
    sources = np.array([1, 1, 1, 1, 1, 1, 0, 0, 0, 0])
    first = heldout.halves(groups, sources, np.random.default_rng(0))
    for person in "abcd":
        assert len(set(first[groups == person])) == 1
    assert first[sources == 0].sum() == 2 and first[sources == 1].any() and (~first[sources == 1]).any()


def test_a_winning_correction_is_written_as_a_model_the_product_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPRESSION_TRAIN_DIR", str(tmp_path / "absent"))  # the synthetic sets: quick
    fer, real = _training_files(tmp_path)
    # Every candidate scores the same, so the last name wins: a prior shift, which must then be exported.
    monkeypatch.setattr(heldout, "criterion", lambda scores: 0.0)
    monkeypatch.setattr(heldout, "REPEATS", 1)
    out = tmp_path / "corrected.onnx"
    base = MODELS / "expression_eg2.onnx"
    assert heldout.main(["--fer", str(fer), "--real", str(real), "--base", str(base), "--out", str(out)]) == 0
    spec = json.loads(out.with_suffix(".json").read_text())
    assert spec["name"] == "corrected" and "prior shift, real_share 1.0 strength 1.0" in spec["source"]
    (old_weight, old_bias), (new_weight, new_bias) = last_layer_arrays(base), last_layer_arrays(out)
    assert np.array_equal(old_weight, new_weight) and not np.allclose(old_bias, new_bias)
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    probabilities = session.run(None, {"x": np.zeros((2, 1, 48, 48), dtype=np.float32)})[0]
    assert probabilities.shape == (2, 7) and probabilities.sum(axis=1) == pytest.approx([1, 1], abs=1e-5)
