"""What the look-alike's bands mean: how often two photos of the same person, and of two different people, reach
each similarity, with the local face backend embedding as the look-alike does (both sides flip-averaged).

The look-alike page calls a match "probably the same person" at FACE_MATCH_THRESHOLD, "a strong resemblance" at
LOOKALIKE_STRONG_THRESHOLD and "a faint resemblance" below it. The strong band is explained to visitors by how rare
it is between strangers, which this script measures: every pair of photos of different people in the folders (the
person is read from LFW-style names, `<Person>_<NNNN>.jpg`), and every pair of photos of the same person.

Usage: .venv/bin/python benchmarks/lookalike_bands.py ../shared/faces-dev/pairs ../shared/faces-dev/expressions
       [--similarities 30,40,50,60,70,80]
"""

import argparse
import itertools
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from face_identification import photos_by_person
from loadtools import ROOT, SINGLE_THREADED

STRANGER_PERCENTILES = (50, 90, 95, 99, 99.9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders of photos named <Person>_<NNNN>.jpg")
    parser.add_argument("--similarities", default="30,40,50,60,70,80", help="similarities (0-100) to report")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="lookalike-bands-") as data_dir:
        os.environ.pop("DATABASE_URL", None)
        os.environ.update(SINGLE_THREADED, DJANGO_SETTINGS_MODULE="emotion_garden.settings",
                          EMOTION_GARDEN_DATA_DIR=data_dir)
        import django

        django.setup()
        from django.conf import settings

        from emotion_garden.imaging import decode_image
        from gallery.faces.local import cosine_to_similarity, largest_face_embedding

        owners, vectors = [], []
        photos = photos_by_person(args.folders)
        for person, paths in photos.items():
            for path in paths:
                vector = largest_face_embedding(decode_image(path.read_bytes()))
                if vector is not None:
                    owners.append(person)
                    vectors.append(vector)
        cosines = np.stack(vectors) @ np.stack(vectors).T
        same, different = [], []
        for first, second in itertools.combinations(range(len(vectors)), 2):
            (same if owners[first] == owners[second] else different).append(cosines[first, second])
        to_similarity = np.vectorize(cosine_to_similarity)
        same_similarity, stranger_similarity = to_similarity(np.array(same)), to_similarity(np.array(different))

    marks = {settings.FACE_MATCH_THRESHOLD: "FACE_MATCH_THRESHOLD",
             settings.LOOKALIKE_STRONG_THRESHOLD: "LOOKALIKE_STRONG_THRESHOLD"}
    print(f"{len(vectors)} faces of {len(set(owners))} people in {', '.join(map(str, args.folders))}: "
          f"{len(same)} same-person pairs, {len(different)} pairs of strangers")
    header = f"{'similarity':>10}  {'same person':>11}  {'strangers':>9}"
    print(header)
    print("-" * len(header))
    for similarity in sorted({*map(float, args.similarities.split(",")), *marks}):
        print(f"{similarity:10.1f}  {100 * np.mean(same_similarity >= similarity):10.1f}%  "
              f"{100 * np.mean(stranger_similarity >= similarity):8.2f}%"
              + (f"  <- {marks[similarity]}" if similarity in marks else ""))
    print("strangers' similarity percentiles: " + ", ".join(
        f"p{percentile:g} {np.percentile(stranger_similarity, percentile):.1f}" for percentile in STRANGER_PERCENTILES
    ))


if __name__ == "__main__":
    main()
