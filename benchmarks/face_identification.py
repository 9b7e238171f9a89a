"""Open-set face identification: how often a search recognises a returning person, and how often a stranger.

`manage.py evaluate_faces --pairs` measures verification (one photo against one other). Recognising a returning
visitor is a search against everyone remembered, and a stranger is at risk from every one of them: the chance that a
new visitor matches somebody grows with the number of people stored. This script measures both rates on photos named
as in LFW (`<Person>_<NNNN>.jpg`, the person from the file name), with the local face backend, embedding as the
product does (stored faces flip-averaged, searches with one pass):

- the gallery holds the first photo of every person with two or more photos;
- mated searches: every other photo of those people (found = their own face user is the best match at or above
  the threshold; the true positive identification rate, TPIR);
- non-mated searches: every photo of the people with one photo, who are not in the gallery (the false positive
  identification rate, FPIR: any match at or above the threshold);
- FPIR at larger galleries is projected from the rate per comparison r as 1 - (1 - r)^N, which assumes independent
  comparisons; where no stranger matched, from the 95% upper bound of r (3 / comparisons), marked "<".

Usage: .venv/bin/python benchmarks/face_identification.py ../shared/faces-dev/pairs ../shared/faces-dev/expressions
       [--thresholds 80,85,90,93,95,97]
"""

import argparse
import os
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from loadtools import ROOT, SINGLE_THREADED

LFW_NAME = re.compile(r"^(?P<person>.+)_(?P<number>\d{4})\.(jpe?g|png)$", re.IGNORECASE)
PROJECTED_GALLERIES = (1_000, 10_000, 100_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders of photos named <Person>_<NNNN>.jpg")
    parser.add_argument("--thresholds", default="80,85,90,93,95,97", help="similarities (0-100) to report")
    args = parser.parse_args()
    thresholds = [float(value) for value in args.thresholds.split(",")]
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="identification-benchmark-") as data_dir:
        os.environ.pop("DATABASE_URL", None)
        os.environ.update(SINGLE_THREADED, DJANGO_SETTINGS_MODULE="emotion_garden.settings",
                          EMOTION_GARDEN_DATA_DIR=data_dir)
        import django

        django.setup()
        from django.conf import settings

        from emotion_garden.imaging import decode_image
        from gallery.faces.local import LocalFaceIdentity, largest_face_embedding

        photos = photos_by_person(args.folders)
        # As the product embeds them: stored faces flip-averaged, searches with one pass (gallery/faces/sface.py).
        stored, searched = {}, {}
        for paths in photos.values():
            for path in paths:
                image = decode_image(path.read_bytes())
                vector = largest_face_embedding(image)
                if vector is not None:
                    stored[path] = vector
                    searched[path] = largest_face_embedding(image, flip_average=False)
        identity = LocalFaceIdentity()
        report(photos, stored, searched, identity.similarity, thresholds,
               search_threshold=settings.FACE_SEARCH_THRESHOLD, folders=args.folders)


def photos_by_person(folders: list[Path]) -> dict[str, list[Path]]:
    """Every LFW-named photo in the folders, by person, in file name order; a file name seen twice counts once."""
    seen: set[str] = set()
    photos: dict[str, list[Path]] = defaultdict(list)
    for folder in folders:
        for path in sorted(folder.iterdir()):
            match = LFW_NAME.match(path.name)
            if match and path.name not in seen:
                seen.add(path.name)
                photos[match["person"]].append(path)
    return dict(photos)


def report(photos: dict[str, list[Path]], stored: dict[Path, np.ndarray], searched: dict[Path, np.ndarray],
           similarity: Callable[[float], float], thresholds: list[float], *, search_threshold: float,
           folders: list[Path]) -> None:
    usable = {person: [path for path in paths if path in stored] for person, paths in photos.items()}
    enrolled = sorted(person for person, paths in usable.items() if len(paths) >= 2)
    strangers = [paths[0] for person, paths in usable.items() if len(paths) == 1]
    gallery = np.stack([stored[usable[person][0]] for person in enrolled])
    mated = [(person_index, path) for person_index, person in enumerate(enrolled) for path in usable[person][1:]]

    mated_cosines = np.stack([gallery @ searched[path] for _, path in mated])
    mated_owner = np.array([person_index for person_index, _ in mated])
    best = mated_cosines.argmax(axis=1)
    best_mated = mated_cosines[np.arange(len(mated)), best]
    stranger_cosines = np.stack([gallery @ searched[path] for path in strangers])
    to_similarity = np.vectorize(similarity)

    print(f"Open-set identification on {', '.join(str(folder) for folder in folders)}: "
          f"{sum(len(paths) for paths in photos.values())} photos, no face in "
          f"{sum(len(paths) for paths in photos.values()) - len(stored)}")
    print(f"gallery {len(enrolled)} people (first photo each); {len(mated)} searches by enrolled people, "
          f"{len(strangers)} by strangers ({stranger_cosines.size} stranger comparisons)")
    header = f"{'similarity':>10}  {'TPIR':>7}  {'FPIR':>7}  {'per comparison':>14}  " + "  ".join(
        f"{f'FPIR @{size:,}':>13}" for size in PROJECTED_GALLERIES
    )
    print(header)
    print("-" * len(header))
    best_mated_similarity = to_similarity(best_mated)
    stranger_similarity = to_similarity(stranger_cosines)
    for threshold in sorted({*thresholds, search_threshold}):
        found = np.mean((best == mated_owner) & (best_mated_similarity >= threshold))
        false_match = np.mean((stranger_similarity >= threshold).any(axis=1))
        matches = int(np.sum(stranger_similarity >= threshold))
        # No match seen: project the 95% upper bound of the rate instead (the rule of three), marked with "<".
        bound = "" if matches else "<"
        per_comparison = (matches or 3) / stranger_similarity.size
        projected = "  ".join(
            f"{bound + f'{100 * (1 - (1 - per_comparison) ** size):.1f}':>12}%" for size in PROJECTED_GALLERIES
        )
        marker = "  <- FACE_SEARCH_THRESHOLD" if threshold == search_threshold else ""
        rate = bound + f"{per_comparison:.2e}"
        print(f"{threshold:10.1f}  {100 * found:6.1f}%  {100 * false_match:6.1f}%  {rate:>14}  {projected}{marker}")


if __name__ == "__main__":
    main()
