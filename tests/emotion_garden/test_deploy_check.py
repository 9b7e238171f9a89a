"""Production settings pass `check --deploy` with no warning, while the embedded install keeps working over http."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.emotion_garden.settings_env import load_settings

# Only these come from the test process: the rest of its environment is the suite's (DJANGO_SETTINGS_MODULE, the
# browser tests' DJANGO_ALLOW_ASYNC_UNSAFE), which no deployment has and check --deploy rightly reports.
INHERITED = ["PATH", "HOME", "LANG", "TMPDIR", "REDIS_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
             "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED"]


def production_environment(data_dir: Path) -> dict[str, str]:
    """What README's "Scale out" asks of a deployment, on the suite's own database (or SQLite) and Redis if any."""
    environment = {name: os.environ[name] for name in INHERITED if name in os.environ}
    return environment | {
        "DJANGO_SETTINGS_MODULE": "emotion_garden.settings",
        "EMOTION_GARDEN_DATA_DIR": str(data_dir),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "garden.example.com",
        "DJANGO_HTTPS": "true",
        "AWS_STORAGE_BUCKET_NAME": "garden-media",
        "LOG_FORMAT": "json",
    }


@pytest.mark.usefixtures("no_real_aws")
def test_check_deploy_is_clean_with_the_production_environment(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", "--database", "default"],
        cwd=settings.BASE_DIR, env=production_environment(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_embedded_defaults_stay_on_plain_http(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(monkeypatch, tmp_path)
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert loaded["CSRF_COOKIE_SECURE"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 0
    assert "SECURE_PROXY_SSL_HEADER" not in loaded


def test_https_behind_a_proxy_turns_on_the_secure_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(monkeypatch, tmp_path, DJANGO_HTTPS="true")
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["SECURE_HSTS_SECONDS"] == 3600
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_each_secure_setting_can_be_tuned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(
        monkeypatch, tmp_path, DJANGO_HTTPS="true", DJANGO_SECURE_HSTS_SECONDS="31536000",
        DJANGO_SECURE_SSL_REDIRECT="false", DJANGO_SECURE_HSTS_PRELOAD="false",
    )
    assert loaded["SECURE_HSTS_SECONDS"] == 31536000
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECURE_HSTS_PRELOAD"] is False


def test_debug_keeps_cookies_and_redirect_off_even_behind_https(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded = load_settings(monkeypatch, tmp_path, DJANGO_HTTPS="true", DJANGO_DEBUG="true")
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 0
    # The proxy still terminates TLS, so request.is_secure() must still say so.
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
