"""Face capabilities, each served by the backend configured in settings.EMOTION_GARDEN_BACKENDS."""

from emotion_garden.backends import get_backend
from gallery.faces.base import FaceAnalyzer, FaceIdentity


def face_analyzer() -> FaceAnalyzer:
    return get_backend("face_analysis", FaceAnalyzer)


def face_identity() -> FaceIdentity:
    return get_backend("face_identity", FaceIdentity)
