"""The refit benchmark (benchmarks/recommender_fit.py) on a tiny database: it writes its rows with raw SQL, so a
column the models gain must not break it (a NOT NULL one without a database default once failed the whole run)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_fit_benchmark_runs_on_the_current_schema() -> None:
    finished = subprocess.run(
        [sys.executable, "benchmarks/recommender_fit.py", "--images", "50", "--users", "40", "--likes", "400"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )

    assert finished.returncode == 0, finished.stderr[-2000:]
    assert "Refit on sqlite: 50 images, 40 face users, 400 likes" in finished.stdout
    assert "people modelled" in finished.stdout
