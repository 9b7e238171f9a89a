"""The same settings module switches from the embedded defaults to the scale-out engines by environment only."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.emotion_garden.settings_env import load_settings


def test_embedded_defaults_need_nothing_running(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(monkeypatch, tmp_path)
    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    # Web workers checkpoint in the background; a commit does only past this safety net (emotion_garden.sqlite_wal).
    assert "wal_autocheckpoint=10000" in database["OPTIONS"]["init_command"]
    assert database["CONN_MAX_AGE"] == 60
    assert loaded["Q_CLUSTER"]["orm"] == "default"
    assert "redis" not in loaded["Q_CLUSTER"]
    assert loaded["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert loaded["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert loaded["EMOTION_GARDEN_BACKENDS"]["face_analysis"]["BACKEND"] == "gallery.faces.local.LocalFaceAnalyzer"
    assert loaded["DEBUG"] is False


def test_embedded_secret_key_is_generated_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first = load_settings(monkeypatch, tmp_path)["SECRET_KEY"]
    assert len(first) >= 50
    assert load_settings(monkeypatch, tmp_path)["SECRET_KEY"] == first


def test_environment_switches_to_scale_out_engines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(
        monkeypatch,
        tmp_path,
        DATABASE_URL="postgres://garden@db.internal:5432/garden",
        REDIS_URL="redis://cache.internal:6379/0",
        AWS_STORAGE_BUCKET_NAME="garden-media",
        FACE_ANALYSIS_BACKEND="gallery.faces.rekognition.RekognitionFaceAnalyzer",
        DJANGO_SECRET_KEY="from-the-environment",
    )
    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db.internal", "garden")
    assert loaded["Q_CLUSTER"]["redis"] == "redis://cache.internal:6379/0"
    assert "orm" not in loaded["Q_CLUSTER"]
    assert loaded["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    storage = loaded["STORAGES"]["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "garden-media"
    assert storage["OPTIONS"]["signature_version"] == "s3v4"
    assert loaded["SERVE_MEDIA"] is False
    assert loaded["EMOTION_GARDEN_BACKENDS"]["face_analysis"]["BACKEND"].endswith("RekognitionFaceAnalyzer")
    assert loaded["SECRET_KEY"] == "from-the-environment"


def test_test_settings_run_tasks_inline() -> None:
    assert django_settings.Q_CLUSTER["sync"] is True
