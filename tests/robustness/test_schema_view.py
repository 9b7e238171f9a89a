"""GET /api/schema answers 200 to concurrent first requests (drf-spectacular's first builds raced: 500s)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# A fresh process: the race is in state drf-spectacular loads once per process, which this test process has loaded.
SCRIPT = """
import json, threading
import django
django.setup()
from django.test import Client
statuses, start = [], threading.Barrier(6)
def ask():
    client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    start.wait()
    statuses.append(client.get("/api/schema").status_code)
threads = [threading.Thread(target=ask) for _ in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(statuses))
"""


def test_concurrent_first_schema_requests_all_succeed(tmp_path: Path) -> None:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "emotion_garden.settings",
                   "EMOTION_GARDEN_DATA_DIR": str(tmp_path), "LOG_LEVEL": "CRITICAL"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=settings.BASE_DIR, env=environment,
                            capture_output=True, text=True, timeout=300, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [200] * 6
