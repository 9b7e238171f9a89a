import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from curation.generators import image_generator
from curation.generators.procedural import ProceduralGenerator
from emotion_garden.backends import get_backend
from gallery.faces import face_analyzer, face_identity
from gallery.faces.base import FaceAnalyzer
from gallery.faces.local import LocalFaceAnalyzer, LocalFaceIdentity
from recommender.engines import recommender_engine
from recommender.engines.local import LocalRecommender


def test_embedded_defaults_are_the_local_backends() -> None:
    assert isinstance(face_analyzer(), LocalFaceAnalyzer)
    assert isinstance(face_identity(), LocalFaceIdentity)
    assert isinstance(recommender_engine(), LocalRecommender)
    assert isinstance(image_generator(), ProceduralGenerator)


def test_backend_is_built_once_per_process() -> None:
    assert recommender_engine() is recommender_engine()


def test_options_are_passed_and_overrides_rebuild(settings) -> None:  # noqa: ANN001 (pytest-django fixture)
    backends = {
        **settings.EMOTION_GARDEN_BACKENDS,
        "recommender": {"BACKEND": "recommender.engines.local.LocalRecommender", "OPTIONS": {"colike_weight": 3.0}},
    }
    default_engine = recommender_engine()
    with override_settings(EMOTION_GARDEN_BACKENDS=backends):
        configured = recommender_engine()
        assert configured is not default_engine
        assert configured.colike_weight == 3.0
    assert recommender_engine().colike_weight == default_engine.colike_weight


def test_wrong_interface_is_a_configuration_error(settings) -> None:  # noqa: ANN001
    backends = {
        **settings.EMOTION_GARDEN_BACKENDS,
        "face_analysis": {"BACKEND": "recommender.engines.local.LocalRecommender"},
    }
    with override_settings(EMOTION_GARDEN_BACKENDS=backends), pytest.raises(ImproperlyConfigured):
        get_backend("face_analysis", FaceAnalyzer)


def test_unknown_capability_is_a_configuration_error() -> None:
    with pytest.raises(ImproperlyConfigured):
        get_backend("telepathy", FaceAnalyzer)


def test_the_embedded_backends_pass_the_system_check() -> None:
    assert [message for message in checks.run_checks() if message.id.startswith("emotion_garden.")] == []


def test_a_misspelt_backend_or_option_fails_the_system_check_without_building_anything(settings) -> None:  # noqa: ANN001
    backends = {
        **settings.EMOTION_GARDEN_BACKENDS,
        "recommender": {"BACKEND": "recommender.engines.local.LocalRecommender", "OPTIONS": {"recent_imagse": 0}},
        "image_generation": {"BACKEND": "curation.generators.procedural.ProceduralGeneratr", "OPTIONS": {}},
    }
    with override_settings(EMOTION_GARDEN_BACKENDS=backends):
        found = {message.id: message.msg for message in checks.run_checks()
                 if message.id.startswith("emotion_garden.")}
    assert found.keys() == {"emotion_garden.E001", "emotion_garden.E002"}
    assert "image_generation" in found["emotion_garden.E001"]
    assert "recent_imagse" in found["emotion_garden.E002"]
