"""The training side of the face heads (tools/faces): the linear models, the demographic heads' fitting and report,
and the expression model's last-layer refit, on small synthetic data."""

import json
from pathlib import Path

import numpy as np
import onnxruntime
import pytest

from gallery.faces.sface import APPEARANCE_SIZE
from tests.gallery.test_train_expression import _training_files
from tools.faces import linear
from tools.faces.train_demographics import fit

MODELS = Path(__file__).resolve().parents[2] / "gallery" / "faces" / "models"


def test_logistic_regression_separates_and_reports_raw_feature_weights() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(400, 2)) * [1.0, 100.0] + [0.0, 500.0]
    labels = (features[:, 0] + (features[:, 1] - 500) / 100 > 0).astype(int)
    model = linear.fit_logistic(features, labels, l2=1e-4)
    assert ((model.probability(features) >= 0.5) == labels).mean() > 0.97
    assert model.weights[0] == pytest.approx(100 * model.weights[1], rel=0.2)  # raw scale, not standardised


def test_gaussian_regression_learns_where_it_is_unsure() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=(3000, 1))
    noise = np.where(x[:, 0] > 0, 0.5, 0.05)
    y = 2 * x[:, 0] + 1 + rng.normal(size=3000) * noise
    model = linear.fit_gaussian(x, y, l2=1e-4, spread_l2=1e-4)
    mean, spread = model.predict(np.array([[-0.5], [0.5]]))
    assert mean == pytest.approx([0.0, 2.0], abs=0.1)
    assert spread[1] > 3 * spread[0]


def test_folds_partition_and_stratify() -> None:
    strata = np.repeat([0, 1], [30, 10])
    parts = linear.folds(40, 5, seed=0, strata=strata)
    assert sorted(np.concatenate(parts).tolist()) == list(range(40))
    assert all((strata[part] == 1).sum() == 2 for part in parts)


def test_demographic_heads_fit_and_report_by_group() -> None:
    rng = np.random.default_rng(2)
    count = 500
    male = rng.integers(0, 2, count)
    ages = rng.uniform(1, 80, count).round()
    appearance = rng.normal(size=(count, APPEARANCE_SIZE)).astype(np.float32)
    # Like real features: many carry a little of gender, and of age.
    appearance[:, :200] += 0.5 * male[:, None]
    appearance[:, 200:400] += 0.5 * np.log1p(ages)[:, None]
    data = {
        "appearance": appearance, "age_estimates": ages + rng.normal(size=count) * 8,
        "gender_scores": rng.normal(size=count), "ages": ages, "genders": male,
        "races": rng.choice(["Asian", "Black", "White"], count), "missed": np.array([]),
    }
    spec = fit(data)
    assert len(spec["gender"]["weights"]) == len(spec["features"]["mean"]) == APPEARANCE_SIZE + 2
    report = spec["cross_validation"]
    assert report["all"]["photos"] == count and report["all"]["gender_accuracy"] > 0.9
    assert set(report["by_race"]) == {"Asian", "Black", "White"}
    assert 0.7 <= report["all"]["age_range_holds_age"] <= 0.9  # calibrated to 80% on the folds
    assert sum(group["photos"] for group in report["by_age_band"].values()) == count


def test_refit_exports_a_model_and_sidecar_the_product_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.faces.refit_expression_head import GRID, main

    fer, real = _training_files(tmp_path)
    out = tmp_path / "refit.onnx"
    for key, values in GRID.items():  # a grid of one keeps the smoke test short
        monkeypatch.setitem(GRID, key, values[:1])
    assert main(["--fer", str(fer), "--real", str(real), "--base", str(MODELS / "expression_eg.onnx"),
                 "--out", str(out), "--real-views", "1", "--limit", "10"]) == 0
    spec = json.loads(out.with_suffix(".json").read_text())
    assert spec["name"] == "refit" and spec["classes"] == json.loads((MODELS / "expression_eg.json").read_text())[
        "classes"] and spec["temperature"] > 0
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    probabilities = session.run(None, {"x": np.zeros((2, 1, 48, 48), dtype=np.float32)})[0]
    assert probabilities.shape == (2, 7) and probabilities.sum(axis=1) == pytest.approx([1, 1], abs=1e-5)
