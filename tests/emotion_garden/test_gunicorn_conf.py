"""emotion_garden/gunicorn.conf.py: sized and bound by the environment, and JSON all the way with LOG_FORMAT=json."""

import gc
import json
import os
import runpy
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.gallery.test_serve_command import free_port, wait_for

CONF_FILE = Path(settings.BASE_DIR) / "emotion_garden" / "gunicorn.conf.py"


def load_conf(monkeypatch: pytest.MonkeyPatch, **environment: str) -> dict[str, Any]:
    for name in ("BIND", "PORT", "WEB_CONCURRENCY", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF_FILE))


def test_defaults_suit_the_embedded_install(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load_conf(monkeypatch)
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["workers"] == 2
    assert conf["worker_class"] == "emotion_garden.gunicorn_worker.BufferedThreadWorker"
    assert conf["wsgi_app"] == "emotion_garden.wsgi:application"
    assert conf["chdir"] == str(settings.BASE_DIR)
    assert "%(M)s" in conf["access_log_format"]
    assert conf["worker_tmp_dir"] == ("/dev/shm" if os.path.isdir("/dev/shm") else None)
    assert "logconfig_dict" not in conf


def test_environment_sizes_and_binds(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load_conf(monkeypatch, WEB_CONCURRENCY="8", BIND="0.0.0.0:9000")
    assert (conf["workers"], conf["bind"]) == (8, ["0.0.0.0:9000"])
    assert load_conf(monkeypatch, PORT="5000")["bind"] == ["0.0.0.0:5000"]


@pytest.mark.slow
def test_json_logs_from_gunicorn_and_django_alike(tmp_path: Path) -> None:
    """Every line gunicorn and the application write parses as JSON, and a request's lines share its id."""
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment |= {"EMOTION_GARDEN_DATA_DIR": str(tmp_path), "LOG_FORMAT": "json"}
    # Started outside the repository: the configuration itself must make the project importable.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(CONF_FILE), "--bind", f"127.0.0.1:{port}",
         "--workers", "1"],
        cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/jsi18n/", timeout=60)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/jsi18n/", headers={"X-Request-ID": "e2e-json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["X-Request-ID"] == "e2e-json"
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    entries = [json.loads(line) for line in output.splitlines()]
    loggers = {entry["logger"] for entry in entries if entry.get("request_id") == "e2e-json"}
    assert loggers == {"emotion_garden.requests", "gunicorn.access"}
    assert any(entry["logger"] == "gunicorn.error" and "Booting worker" in entry["message"] for entry in entries)


def test_worker_start_warms_up_checkpoints_and_freezes_the_heap(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    monkeypatch.setattr("gallery.faces.warm_up_face_backends", lambda: started.append("warm-up"))
    monkeypatch.setattr("emotion_garden.sqlite_wal.start_wal_checkpointer", lambda: started.append("checkpointer"))
    try:
        load_conf(monkeypatch)["post_worker_init"](object())
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert started == ["warm-up", "checkpointer"]
