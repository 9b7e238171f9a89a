"""Do the expression confidences mean what they say? Reliability of the dominant emotion's confidence by band, and
how the CONFUSED ("unsure") signal separates doubtful readings, on a labelled CSV (path,label; as evaluate_faces).

Usage: .venv/bin/python benchmarks/expression_calibration.py ../shared/faces-dev/expressions.csv
       (EXPRESSION_MODEL=fer_emotion for the old model)
"""

import argparse
import csv
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANDS = ((0, 40), (40, 60), (60, 80), (80, 101))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emotion_garden.settings")
    import django

    django.setup()
    from emotion_garden.imaging import decode_image
    from gallery.faces import face_analyzer
    from tools.faces.evaluation import parse_expression_label

    analyzer = face_analyzer()
    readings: list[tuple[float, bool, bool]] = []  # dominant confidence, right, flagged unsure
    with args.csv.open(newline="") as rows:
        for row in csv.DictReader(rows):
            faces = analyzer.detect_faces(decode_image((args.csv.parent / row["path"]).read_bytes()))
            if not faces:
                continue
            emotions = faces[0]["Emotions"]
            confused = next(score["Confidence"] for score in emotions if score["Type"] == "CONFUSED")
            readings.append((emotions[0]["Confidence"], emotions[0]["Type"] == parse_expression_label(row["label"]),
                             confused > 0))
    print(f"{len(readings)} faces of {args.csv}")
    print(f"{'dominant confidence':<22}{'faces':>7}{'mean confidence':>17}{'accuracy':>10}")
    for low, high in BANDS:
        band = [(confidence, right) for confidence, right, _ in readings if low <= confidence < high]
        if band:
            mean = sum(confidence for confidence, _ in band) / len(band)
            accuracy = 100 * sum(right for _, right in band) / len(band)
            print(f"{f'{low}-{min(high, 100)}%':<22}{len(band):>7}{mean:>16.1f}%{accuracy:>9.1f}%")
    for label, flagged in (("CONFUSED > 0 (unsure)", True), ("CONFUSED = 0", False)):
        group = [right for _, right, unsure in readings if unsure == flagged]
        if group:
            print(f"{label:<22}{len(group):>7}{'':>17}{100 * sum(group) / len(group):>9.1f}%")


if __name__ == "__main__":
    main()
