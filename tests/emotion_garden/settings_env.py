"""Load emotion_garden/settings.py afresh under a given environment, as a deployment would see it."""

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

SETTINGS_FILE = Path(django_settings.BASE_DIR) / "emotion_garden" / "settings.py"
# The variables these tests set; any value from the developer's shell would change what the settings read.
DEPLOYMENT_VARIABLES = [
    "DJANGO_DEBUG", "DJANGO_HTTPS", "DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", "DJANGO_SECURE_HSTS_PRELOAD", "LOG_FORMAT", "DJANGO_SECRET_KEY",
    "DATABASE_URL", "REDIS_URL", "FACE_ANALYSIS_BACKEND", "RECOMMENDER_BACKEND",
    "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_S3_CUSTOM_DOMAIN",
]


def load_settings(monkeypatch: pytest.MonkeyPatch, data_dir: Path, **environment: str) -> dict[str, Any]:
    for name in DEPLOYMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EMOTION_GARDEN_DATA_DIR", str(data_dir))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))
