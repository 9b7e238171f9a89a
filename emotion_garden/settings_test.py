"""Settings for the test suite.

A module of its own because django-q2 reads Q_CLUSTER["sync"] once, at import time: tasks must run inline in tests.
DATABASE_URL and REDIS_URL still apply, so CI runs the same suite on PostgreSQL and the Redis broker.
"""

import tempfile
from pathlib import Path

from emotion_garden.settings import *  # noqa: F403
from emotion_garden.settings import Q_CLUSTER, STORAGES

Q_CLUSTER = {**Q_CLUSTER, "sync": True}

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="emotion-garden-test-media-"))
STORAGES = {
    **STORAGES,
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SERVE_MEDIA = True

GENERATION_RETRY_SECONDS = 0.0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
