"""README command 1 end to end, minus the install: `manage.py serve` on a fresh data directory."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.slow
def test_serve_starts_web_and_worker_and_stops_both_on_ctrl_c(tmp_path: Path, astronaut_png: bytes) -> None:
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment |= {"EMOTION_GARDEN_DATA_DIR": str(tmp_path), "DJANGO_SUPERUSER_PASSWORD": "serve-test-password"}
    tmp_path.chmod(0o755)  # as an older install left it
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", "--demo-per-emotion", "2",
         "--web-workers", "1"],
        cwd=settings.BASE_DIR, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        home = wait_for(f"http://127.0.0.1:{port}/", timeout=90)
        assert b"Emotion Garden" in home
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/emotion", data=astronaut_png,
                                         headers={"Content-Type": "image/png"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert b'"emotion":"HAPPY"' in response.read()
        # The demo look-alike people are seeded: the astronaut is one of them.
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/lookalike", data=astronaut_png,
                                         headers={"Content-Type": "image/png"})
        with urllib.request.urlopen(request, timeout=30) as response:
            lookalike = json.loads(response.read())
        assert lookalike["person"]["name"] == "Eileen Collins" and lookalike["band"] == "same_person"
        assert len(lookalike["matches"]) == 2
        assert (tmp_path / "db.sqlite3").exists()
        assert tmp_path.stat().st_mode & 0o077 == 0  # sessions and face vectors: this user's alone
    finally:
        # Ctrl-C in a terminal signals the foreground process group: the command's own.
        os.killpg(server.pid, signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert "admin / serve-test-password" in output or "as admin / serve-test-password" in output
    assert "qcluster" in output.lower() or "Q Cluster" in output
    assert "Stopped the web server and the task worker." in output
    assert server.returncode == 0
    # Nothing the command started outlives it: not the web server, nor a task worker's pool (the command ran in a
    # session of its own, which every process it started shares).
    leftovers = subprocess.run(["pgrep", "-s", str(server.pid)], capture_output=True, text=True).stdout
    assert leftovers.strip() == ""


@pytest.mark.parametrize(("command", "argument"), [("serve", "--web-workers=0"), ("serve", "--demo-per-emotion=-1"),
                                                   ("seed_demo_gallery", "--per-emotion=-1"),
                                                   ("serve", "--web-workers=two")])
def test_counts_that_cannot_be_are_usage_errors(command: str, argument: str) -> None:
    """`serve --web-workers 0` listened with no worker behind it: every request hung."""
    with pytest.raises(CommandError, match="must be at least|is not a whole number"):
        call_command(command, argument)
