"""Face capabilities, each served by the backend configured in settings.EMOTION_GARDEN_BACKENDS."""

import logging

from emotion_garden.backends import get_backend
from gallery.faces.base import FaceAnalyzer, FaceIdentity, ReferenceFaces

logger = logging.getLogger(__name__)


def face_analyzer() -> FaceAnalyzer:
    return get_backend("face_analysis", FaceAnalyzer)


def face_identity() -> FaceIdentity:
    return get_backend("face_identity", FaceIdentity)


def reference_faces() -> ReferenceFaces:
    return get_backend("face_reference", ReferenceFaces)


def warm_up_face_backends() -> None:
    """Load the face models and the face index now (a web worker at start-up), so that no visitor waits for them.

    A failure (the database not reachable yet, say) is logged and left for the first request to meet again: a worker
    that cannot warm up can still serve everything else.
    """
    for backend in (face_analyzer, face_identity):
        try:
            backend().warm_up()
        except Exception:  # noqa: BLE001 - see the docstring
            logger.exception("Warming up the %s backend failed", backend.__name__)
