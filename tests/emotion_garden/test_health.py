"""GET /healthz: the database, the task broker and the media storage, each checked and timed; 503 names a failure."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.test import Client, override_settings

from emotion_garden import health

pytestmark = pytest.mark.django_db


class UnreachableDatabase:
    def cursor(self) -> None:
        raise OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed')


class Broker:
    def __init__(self, *, ping: bool = True, error: Exception | None = None) -> None:
        self.answer, self.error = ping, error

    def ping(self) -> bool:
        if self.error:
            raise self.error
        return self.answer

    def queue_size(self) -> int:
        return 0


class ReadOnlyStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        raise PermissionError("Access Denied for PutObject on garden-media")


def get_health(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/healthz")
    return response.status_code, response.json()


def test_healthy_when_every_check_passes(client: Client) -> None:
    status, body = get_health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage"}
    for result in body["checks"].values():
        assert result["ok"] is True
        assert isinstance(result["ms"], float)


def test_the_storage_probe_leaves_no_file_behind(client: Client) -> None:
    assert get_health(client)[0] == 200
    probes = Path(settings.MEDIA_ROOT) / "healthz"
    assert not probes.exists() or list(probes.iterdir()) == []


def test_database_down(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "connection", UnreachableDatabase())
    status, body = get_health(client)
    assert status == 503
    assert body["status"] == "error"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert body["checks"]["storage"]["ok"] is True


@pytest.mark.parametrize("broker", [Broker(error=ConnectionError("Error 111 connecting to redis.internal:6379")),
                                    Broker(ping=False)], ids=["unreachable", "no-answer"])
def test_broker_down(client: Client, monkeypatch: pytest.MonkeyPatch, broker: Broker) -> None:
    monkeypatch.setattr(health, "_broker", lambda: broker)
    status, body = get_health(client)
    assert status == 503
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True


def test_storage_down(client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(health, "default_storage", ReadOnlyStorage(location=tmp_path))
    status, body = get_health(client)
    assert status == 503
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["storage"]["error"] == "PermissionError"


def test_failures_name_the_error_type_only(client: Client, monkeypatch: pytest.MonkeyPatch,
                                           caplog: pytest.LogCaptureFixture) -> None:
    """Unauthenticated: no host names, users or tracebacks in the answer; the details go to the log."""
    monkeypatch.setattr(health, "connection", UnreachableDatabase())
    response = client.get("/healthz")
    assert b"db.internal" not in response.content
    assert b"Traceback" not in response.content
    assert any("db.internal" in record.getMessage() for record in caplog.records if record.name == health.__name__)


def test_probes_are_never_cached_and_only_read(client: Client) -> None:
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_probes_are_not_redirected_to_https(client: Client) -> None:
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200
