"""Settings for the test suite.

A module of its own because django-q2 reads Q_CLUSTER["sync"] once, at import time: tasks must run inline in tests.
DATABASE_URL and REDIS_URL still apply, so CI runs the same suite on PostgreSQL and the Redis broker.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from emotion_garden.settings import *  # noqa: F403
from emotion_garden.settings import API_RATE_COUNTERS, EMOTION_GARDEN_BACKENDS, Q_CLUSTER, STORAGES

Q_CLUSTER = {**Q_CLUSTER, "sync": True}


# The run's scratch folder, removed when the run ends. The processes a run starts inherit it and make theirs inside:
# some are killed on purpose (tests/recommender/test_outbox_faults.py), and no atexit outlives a SIGKILL.
_RUN_FOLDER = "EMOTION_GARDEN_TEST_RUN_FOLDER"
if _RUN_FOLDER not in os.environ:
    os.environ[_RUN_FOLDER] = tempfile.mkdtemp(prefix="emotion-garden-test-")
    atexit.register(shutil.rmtree, os.environ[_RUN_FOLDER], ignore_errors=True)


def _scratch_dir(prefix: str) -> Path:
    """A folder of this process's own, inside the run's."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=os.environ[_RUN_FOLDER]))


MEDIA_ROOT = _scratch_dir("emotion-garden-test-media-")
STORAGES = {
    **STORAGES,
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SERVE_MEDIA = True

GENERATION_RETRY_SECONDS = 0.0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# Tests change the catalogue and the counters behind the engine's back (factories) and read them back at once: the
# local engine's per-process state must be re-read at every request. Its caching has tests of its own. Nor does a
# like queue a refit: a test database's event ids do not restart on PostgreSQL, so whether a test's likes reached
# the refit's threshold would depend on the tests before it (tests/recommender/test_refits.py turns it on).
EMOTION_GARDEN_BACKENDS = {
    **EMOTION_GARDEN_BACKENDS,
    "recommender": {
        **EMOTION_GARDEN_BACKENDS["recommender"],
        "OPTIONS": {**EMOTION_GARDEN_BACKENDS["recommender"]["OPTIONS"], "state_check_seconds": 0,
                    "counters_cache_seconds": 0, "impression_flush_seconds": 0, "refit_growth": 0},
    },
    "song_recommender": {
        **EMOTION_GARDEN_BACKENDS["song_recommender"],
        "OPTIONS": {**EMOTION_GARDEN_BACKENDS["song_recommender"]["OPTIONS"], "state_check_seconds": 0,
                    "counters_cache_seconds": 0, "impression_flush_seconds": 0},
    },
}

# The suite calls the API far faster than any visitor, from one address, and the cache outlives a test: throttles are
# off except in tests/gallery/test_throttling.py, which sets rates of its own.
API_ANON_RATE = "none"
API_KEY_RATE = "none"
API_PERSON_RATE = "none"
# Without Redis, a counter file of the run's own, not the embedded install's.
if API_RATE_COUNTERS:
    API_RATE_COUNTERS = str(_scratch_dir("emotion-garden-test-rates-") / "rate-counters.sqlite3")
