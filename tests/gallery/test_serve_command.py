"""README command 1 end to end, minus the install: `manage.py serve` on a fresh data directory."""

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings

from gallery.management.commands.serve import Command as ServeCommand


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


# Runs serve's supervisor with an action beside it (see the fixture): what the command wrote.
Supervise = Callable[[Callable[[Path, Path], None]], str]


def child(pids: Path) -> list[str]:
    """A child that writes its pid to `pids`, one line per start, then waits to be stopped."""
    return [sys.executable, "-c", "import os, sys, time; print(os.getpid(), file=open(sys.argv[1], 'a'), flush=True); "
            "time.sleep(120)", str(pids)]


def started(pids: Path, *, times: int = 1, timeout: float = 10) -> list[int]:
    deadline = time.monotonic() + timeout
    while len(lines := pids.read_text().split() if pids.exists() else []) < times:
        assert time.monotonic() < deadline, f"{pids.name} started {len(lines)} times, not {times}"
        time.sleep(0.05)
    return [int(line) for line in lines]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def supervise(tmp_path: Path) -> Iterator[Supervise]:
    """Runs serve's supervisor loop over two cheap children in this (the main) thread while `act(web_pids,
    worker_pids)` runs beside it; returns what the command wrote. The loop's signal handlers are undone after."""
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}

    def run(act: Callable[[Path, Path], None]) -> str:
        out = io.StringIO()
        web, worker = tmp_path / "web", tmp_path / "worker"
        with ThreadPoolExecutor(1) as pool:
            acting = pool.submit(act, web, worker)
            try:
                ServeCommand(stdout=out)._run_until_interrupted(web=child(web), worker=child(worker))
            finally:
                acting.result(timeout=30)
        return out.getvalue()

    yield run
    for signum, handler in handlers.items():
        signal.signal(signum, handler)


def test_a_task_worker_that_dies_is_started_again_and_the_site_keeps_serving(supervise: Supervise) -> None:
    """kill -9 of the qcluster stopped the web server too within 100 ms, and `serve` exited: the site was down."""
    seen: dict[str, object] = {}

    def kill_the_worker_then_the_web_server(web: Path, worker: Path) -> None:
        [web_pid], [worker_pid] = started(web), started(worker)
        os.kill(worker_pid, signal.SIGKILL)
        seen["workers"] = started(worker, times=2)  # after the 1 s back-off
        seen["web still serving"] = alive(web_pid) and started(web) == [web_pid]
        os.kill(web_pid, signal.SIGKILL)

    with pytest.raises(SystemExit) as exited:
        supervise(kill_the_worker_then_the_web_server)
    assert exited.value.code == 1  # the web server's exit still stops everything, as a failure
    first_worker, second_worker = seen["workers"]
    assert first_worker != second_worker and seen["web still serving"] is True
    assert not alive(second_worker)  # the restarted worker was stopped with the web server


def test_the_worker_restart_is_logged_and_ctrl_c_still_stops_both(supervise: Supervise) -> None:
    pids: dict[str, list[int]] = {}

    def kill_the_worker_then_press_ctrl_c(web: Path, worker: Path) -> None:
        os.kill(started(worker)[0], signal.SIGKILL)
        pids["workers"] = started(worker, times=2)
        pids["web"] = started(web)
        os.kill(os.getpid(), signal.SIGINT)  # the loop's handler takes it, in the main thread

    output = supervise(kill_the_worker_then_press_ctrl_c)

    assert output.splitlines() == ["The task worker exited with code -9; restarting it in 1 s.",
                                   "Stopped the web server and the task worker."]
    assert not any(alive(pid) for pid in pids["web"] + pids["workers"])


@pytest.mark.parametrize(("command", "argument"), [("serve", "--web-workers=0"), ("serve", "--demo-per-emotion=-1"),
                                                   ("seed_demo_gallery", "--per-emotion=-1"),
                                                   ("serve", "--web-workers=two")])
def test_counts_that_cannot_be_are_usage_errors(command: str, argument: str) -> None:
    """`serve --web-workers 0` listened with no worker behind it: every request hung."""
    with pytest.raises(CommandError, match="must be at least|is not a whole number"):
        call_command(command, argument)


@pytest.mark.django_db
def test_the_admin_login_is_created_once_and_a_changed_password_is_kept(
    settings: Settings, tmp_path: Path,
) -> None:
    """The command set the kept password again on every start: a password the admin had changed (one leaked, say)
    came back after a restart, and the old one was printed each time."""
    settings.DATA_DIR = str(tmp_path)
    username, first = ServeCommand()._ensure_admin()
    assert (tmp_path / "admin-password").read_text() == first
    assert ServeCommand()._ensure_admin() == (username, first)  # printed again while it still opens the login
    admin = get_user_model().objects.get(username=username)
    assert admin.is_superuser and admin.check_password(first)
    admin.set_password("Rotated-Secret-9931!")
    admin.save()

    _, told = ServeCommand()._ensure_admin()

    admin.refresh_from_db()
    assert admin.check_password("Rotated-Secret-9931!") and not admin.check_password(first)
    assert first not in told and not (tmp_path / "admin-password").exists()
