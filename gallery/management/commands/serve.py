"""Run the whole site on this machine: migrate, seed the demo gallery and look-alike people, ensure an admin login,
then run the web server (gunicorn) and a django-q2 worker side by side until Ctrl-C, which stops both. A worker that
dies is started again; the web server's exit stops everything."""

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from emotion_garden.arguments import at_least

# A task worker that keeps dying is started again after 1 s, then 2, 4... at most a minute apart; one that ran for that
# minute failed anew and waits 1 s again.
WORKER_FIRST_DELAY = 1.0
WORKER_MAX_DELAY = 60.0


class Command(BaseCommand):
    help = ("Migrate, seed the demo gallery and look-alike people, create the admin login, and serve the site with a "
            "task worker.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--web-workers", type=at_least(1), default=None,
                            help="gunicorn worker processes (default: WEB_CONCURRENCY or 2, from gunicorn.conf.py)")
        parser.add_argument("--demo-per-emotion", type=at_least(0), default=22,
                            help="Demo images per emotion on the first start (see seed_demo_gallery).")

    def handle(self, *args: Any, bind: str, web_workers: int | None, demo_per_emotion: int, **options: Any) -> None:
        # The data folder holds the database (sessions, face vectors, key hashes), whose files SQLite makes readable
        # by everyone under the usual umask: the folder is this user's alone, also when an older install made it.
        Path(settings.DATA_DIR).chmod(0o700)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("seed_demo_gallery", per_emotion=demo_per_emotion, stdout=self.stdout)
        call_command("seed_reference_people", stdout=self.stdout)
        call_command("enrol_reference_photos", stdout=self.stdout)
        username, password = self._ensure_admin()
        self.stdout.write(self.style.SUCCESS(
            f"\nEmotion Garden: http://{bind}/  (admin: http://{bind}/admin/ as {username} / {password})\n"
            "Press Ctrl-C to stop the web server and the task worker.\n"
        ))
        # The same gunicorn.conf.py as a production deployment (threads, access log, timeouts, LOG_FORMAT), with the
        # address printed above.
        gunicorn = [sys.executable, "-m", "gunicorn", "--config",
                    str(Path(settings.BASE_DIR) / "emotion_garden" / "gunicorn.conf.py"), "--bind", bind]
        if web_workers is not None:
            gunicorn += ["--workers", str(web_workers)]
        self._run_until_interrupted(
            web=gunicorn, worker=[sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "qcluster"])

    def _ensure_admin(self) -> tuple[str, str]:
        """The admin login and how to tell it: created on the first start with DJANGO_SUPERUSER_PASSWORD, or a
        generated password kept in DATA_DIR/admin-password. Never reset afterwards: a password the admin changed
        came back on every restart, and the old one was printed each time. A kept password that no longer opens the
        login is deleted (it is stale, and was a secret)."""
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        password_file = Path(settings.DATA_DIR) / "admin-password"
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            password = os.environ.get("DJANGO_SUPERUSER_PASSWORD") or secrets.token_urlsafe(12)
            get_user_model().objects.create_superuser(username=username, password=password)
            if "DJANGO_SUPERUSER_PASSWORD" not in os.environ:
                password_file.write_text(password)
                password_file.chmod(0o600)
            return username, password
        if password_file.exists() and user.check_password(kept := password_file.read_text().strip()):
            return username, kept
        password_file.unlink(missing_ok=True)
        return username, "(the password as last set)"

    def _run_until_interrupted(self, *, web: list[str], worker: list[str]) -> None:
        """Run the web server and the task worker until Ctrl-C (SIGINT) or SIGTERM, or until the web server exits
        (then exit 1 unless it stopped cleanly); a task worker that exits is started again, after a back-off."""
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        # Before the children start: a Ctrl-C while they started would stop this process alone (KeyboardInterrupt)
        # and leave them running in their own groups.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # Each child leads a process group of its own with the processes it starts (gunicorn's workers, django-q2's):
        # it is asked to stop, and then its whole group is killed, so nothing outlives the command. Killing only a
        # task cluster that overran the deadline left its busy workers running, holding the terminal's output open.
        web_process = subprocess.Popen(web, process_group=0)
        worker_process: subprocess.Popen | None = subprocess.Popen(worker, process_group=0)
        worker_started = time.monotonic()
        delay, restart_at = WORKER_FIRST_DELAY, 0.0
        # Ctrl-C reaches this process alone (the children have their own groups). The web server is the site: the
        # loop stops when it exits. The task worker only helps it (refits, generation jobs, the outbox): a killed
        # worker used to take the whole site down with it; now the site keeps serving and the worker comes back.
        while not stopping and web_process.poll() is None:
            if worker_process is not None and worker_process.poll() is not None:
                _signal_group(worker_process, signal.SIGKILL)  # a killed cluster's pool would run on beside the next
                if time.monotonic() - worker_started >= WORKER_MAX_DELAY:
                    delay = WORKER_FIRST_DELAY
                self.stdout.write(f"The task worker exited with code {worker_process.returncode}; restarting it in "
                                  f"{delay:g} s.")
                self.stdout.flush()  # a log collector reading the pipe sees it now, not when the command ends
                worker_process, restart_at = None, time.monotonic() + delay
                delay = min(delay * 2, WORKER_MAX_DELAY)
            if worker_process is None and time.monotonic() >= restart_at:
                worker_process = subprocess.Popen(worker, process_group=0)
                worker_started = time.monotonic()
            time.sleep(0.2)
        processes = [web_process] if worker_process is None else [web_process, worker_process]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # each stops its own workers gracefully
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        for process in processes:
            _signal_group(process, signal.SIGKILL)  # whatever a child left behind when it exited
        failed = [process.returncode for process in processes if process.returncode not in (0, -signal.SIGTERM)]
        self.stdout.write("Stopped the web server and the task worker.")
        if failed and not stopping:
            raise SystemExit(1)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group is gone: every process of it has exited
        os.killpg(process.pid, signum)
