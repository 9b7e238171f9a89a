"""CPU time per photo of the face pipeline, in this process on one thread: detect_faces alone (a request without
consent, which searches nobody) and detect_faces plus the search's embedding (a request with consent).

CPU time rather than wall time, so that two checkouts can be compared on a busy shared machine: `--checkout` runs
another checkout's application code (its face backends and models) with this script, e.g. the parent commit's in a
git worktree, in turn with this one. The photos are the astronaut of face_pipeline.py, each with noise of its own, so
that no result kept for one photo serves another.

Usage: .venv/bin/python benchmarks/face_analysis_cpu.py [--photos 100] [--checkout ../main]
"""

import argparse
import os
import sys
import tempfile
import time

from face_pipeline import astronaut_jpeg, astronaut_variants
from loadtools import ROOT, SINGLE_THREADED, UNTHROTTLED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--checkout", default=str(ROOT), help="the checkout whose application code to measure")
    args = parser.parse_args()
    os.chdir(args.checkout)
    sys.path.insert(0, args.checkout)
    with tempfile.TemporaryDirectory(prefix="face-cpu-") as data_dir:
        for name in ("DATABASE_URL", "REDIS_URL"):
            os.environ.pop(name, None)
        os.environ.update(SINGLE_THREADED, **UNTHROTTLED, DJANGO_SETTINGS_MODULE="emotion_garden.settings",
                          EMOTION_GARDEN_DATA_DIR=data_dir)
        import django
        import numpy as np

        django.setup()
        from emotion_garden.imaging import decode_image
        from gallery.faces import face_analyzer, face_identity

        analyzer, identity = face_analyzer(), face_identity()
        warm_up = 3
        photos = [decode_image(photo) for photo in astronaut_variants(astronaut_jpeg(), args.photos + warm_up)]
        for with_search in (False, True):
            spent = []
            for number, image in enumerate(photos):
                start = time.process_time()
                faces = analyzer.detect_faces(image)
                if with_search:
                    identity.embed(image, faces[0])
                if number >= warm_up:
                    spent.append((time.process_time() - start) * 1000)
            p50, p90 = np.percentile(spent, [50, 90])
            what = "detect_faces + search embedding" if with_search else "detect_faces alone"
            print(f"{args.checkout}: {what:<34} {len(spent)} photos, CPU ms per photo p50 {p50:.1f}, p90 {p90:.1f}")


if __name__ == "__main__":
    main()
