"""The work of `manage.py evaluate_faces`: run the configured face backends over labelled photos and report.

It calls face_analyzer() and face_identity() exactly as the product does, so it measures whichever backends settings
configure. The metrics themselves are in evaluation.py. Paths in a CSV are relative to the CSV's folder. Unreadable
files are listed and left out of the metrics; a photo where no face is found counts as wrong.
"""

import csv
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from emotion_garden.imaging import DecodedImage, InvalidImage, decode_image
from emotion_garden.vocabulary import Gender
from gallery.faces import face_analyzer, face_identity
from gallery.faces.base import FaceDetail, dominant_emotion
from tools.faces import evaluation

NO_FACE = "no face"


@dataclass
class _Run:
    """The unreadable files and the per-image backend call times of one mode."""

    unreadable: list[dict[str, str]] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    calls: int = 0
    root: Path | None = None  # what the CSV's paths are relative to; None: the CSV's folder

    def load(self, csv_path: Path, relative: str) -> DecodedImage | None:
        path = (self.root or csv_path.parent) / relative
        try:
            return decode_image(path.read_bytes())
        except OSError as error:
            reason = error.strerror or str(error)
        except InvalidImage as error:
            reason = error.message
        self.unreadable.append({"path": str(path), "reason": reason})
        return None

    @contextmanager
    def stopwatch(self, *, images: int = 1) -> Iterator[None]:
        """Time the backend call in the block, shared equally among the images it handled.

        The first call is not timed: backends load models lazily (per thread, too), a start-up cost that would
        otherwise dominate p99 on a small set.
        """
        start = time.perf_counter()
        yield
        if self.calls:
            self.latencies_ms.append((time.perf_counter() - start) * 1000 / images)
        self.calls += 1

    def summary(self) -> dict[str, Any]:
        return {"unreadable": self.unreadable, "latency_ms": _latency(self.latencies_ms)}


def evaluate(*, expressions_csv: Path | None = None, pairs_csv: Path | None = None, gender_csv: Path | None = None,
             attributes_csv: Path | None = None, attribute_photos: Path | None = None,
             threshold: float = 80.0) -> dict[str, Any]:
    """The report of each mode asked for, plus the latency over all of them."""
    report: dict[str, Any] = {}
    runs: list[_Run] = []
    if expressions_csv:
        report["expression"] = expressions(expressions_csv, runs)
    if pairs_csv:
        report["pairs"] = pairs(pairs_csv, threshold, runs)
    if gender_csv:
        report["gender"] = gender(gender_csv, runs)
    if attributes_csv:
        report["attributes"] = attributes(attributes_csv, runs, photos=attribute_photos)
    report["latency_ms"] = _latency([latency for run in runs for latency in run.latencies_ms])
    return report


def text_report(report: dict[str, Any]) -> str:
    return "\n".join(_text_report(report))


def expressions(csv_path: Path, runs: list[_Run]) -> dict[str, Any]:
    run = _Run()
    runs.append(run)
    truth: list[str] = []
    predicted: list[str | None] = []
    for label, faces in _labelled_faces(csv_path, run, "label", evaluation.parse_expression_label,
                                         what="expression"):
        truth.append(label)
        predicted.append(dominant_emotion(faces[0]) if faces else None)
    labels = evaluation.EXPRESSION_LABELS
    matrix = evaluation.confusion_matrix(truth, predicted, labels)
    return {
        "source": str(csv_path),
        "n": len(truth),
        "no_face": predicted.count(None),
        "accuracy": evaluation.accuracy(truth, predicted),
        "macro_recall": evaluation.macro_recall(truth, predicted),
        **_class_breakdown(truth, predicted, labels),
        "confusion": {
            actual: dict(zip((*labels, NO_FACE), map(int, counts), strict=True))
            for actual, counts in zip(labels, matrix, strict=True)
        },
        **run.summary(),
    }

def pairs(csv_path: Path, threshold: float, runs: list[_Run]) -> dict[str, Any]:
    run = _Run()
    runs.append(run)
    identity = face_identity()
    scores: list[float | None] = []
    same: list[bool] = []
    for line, row in _rows(csv_path, ("path_a", "path_b", "same")):
        if row["same"].strip() not in {"0", "1"}:
            raise CommandError(f"{csv_path}, line {line}: same must be 0 or 1, not {row['same']!r}.")
        source, target = run.load(csv_path, row["path_a"]), run.load(csv_path, row["path_b"])
        if source is None or target is None:
            continue
        with run.stopwatch(images=2):
            scores.append(identity.compare(source=source, target=target))
        same.append(row["same"].strip() == "1")
    best = evaluation.best_threshold(scores, same)
    return {
        "source": str(csv_path),
        "n": len(scores),
        "n_same": sum(same),
        "no_face": scores.count(None),
        "threshold": threshold,
        "accuracy": evaluation.verification_accuracy(scores, same, threshold),
        "best_threshold": best.threshold if best else None,
        "best_accuracy": best.accuracy if best else None,
        "auc": evaluation.roc_auc(scores, same),
        **run.summary(),
    }

def gender(csv_path: Path, runs: list[_Run]) -> dict[str, Any]:
    run = _Run()
    runs.append(run)
    truth: list[str] = []
    predicted: list[str | None] = []
    no_face = 0
    for label, faces in _labelled_faces(csv_path, run, "gender", Gender.parse, what="gender"):
        no_face += not faces
        truth.append(label)
        # A backend that detects the face but estimates no gender has not answered: wrong, like no face.
        predicted.append(Gender.parse(faces[0]["Gender"]["Value"]) if faces and "Gender" in faces[0] else None)
    return {
        "source": str(csv_path),
        "n": len(truth),
        "no_face": no_face,
        "accuracy": evaluation.accuracy(truth, predicted),
        **_class_breakdown(truth, predicted, tuple(Gender.values)),
        **run.summary(),
    }




# Label columns of an attributes CSV and the FaceDetail attribute each one checks.
ATTRIBUTE_COLUMNS = {
    "eyes_open": "EyesOpen", "mouth_open": "MouthOpen", "smile": "Smile", "eyeglasses": "Eyeglasses",
    "sunglasses": "Sunglasses", "beard": "Beard", "mustache": "Mustache",
}


def attributes(csv_path: Path, runs: list[_Run], *, photos: Path | None = None) -> dict[str, Any]:
    """Accuracy of each boolean attribute labelled in the CSV (1, 0, or blank for "cannot tell", which is left out).

    A photo without a face counts as wrong; an attribute the backend leaves out of a face it found is "not offered"
    for that photo, and an attribute never offered gets no accuracy at all. The paths are relative to `photos` when
    given (labels kept apart from the photos they describe), else to the CSV's folder.
    """
    run = _Run(root=photos)
    runs.append(run)
    analyzer = face_analyzer()
    labels: dict[str, list[tuple[bool, bool | None]]] = {}  # (truth, answer); answer None: not offered
    faceless: dict[str, int] = {}
    no_face = 0
    for _, row in _rows(csv_path, ("path",)):
        image = run.load(csv_path, row["path"])
        if image is None:
            continue
        with run.stopwatch():
            faces = analyzer.detect_faces(image)
        no_face += not faces
        for column, attribute in ATTRIBUTE_COLUMNS.items():
            value = (row.get(column) or "").strip()
            if value not in {"0", "1"}:
                continue
            labels.setdefault(attribute, [])
            if not faces:
                faceless[attribute] = faceless.get(attribute, 0) + 1
                continue
            offered = faces[0].get(attribute)
            labels[attribute].append((value == "1", None if offered is None else bool(offered["Value"])))
    return {
        "source": str(csv_path),
        "n": run.calls,
        "no_face": no_face,
        "attributes": {
            attribute: _attribute_figures(pairs, faceless=faceless.get(attribute, 0))
            for attribute, pairs in labels.items()
        },
        **run.summary(),
    }


def _attribute_figures(pairs: list[tuple[bool, bool | None]], *, faceless: int) -> dict[str, Any]:
    """Accuracy over the photos with a face where the attribute was offered, plus the faceless ones as wrong."""
    answered = [(truth, guess) for truth, guess in pairs if guess is not None]
    figures: dict[str, Any] = {
        "labelled": len(pairs) + faceless, "no_face": faceless, "not_offered": len(pairs) - len(answered)
    }
    if answered:
        right = [truth == guess for truth, guess in answered] + [False] * faceless
        by_value = [[truth == guess for truth, guess in answered if truth == value] for value in (True, False)]
        figures["accuracy"] = sum(right) / len(right)
        figures["right"] = sum(right)
        figures["scored"] = len(right)
        figures["true"] = sum(truth for truth, _ in answered)
        figures["balanced_accuracy"] = sum(sum(group) / len(group) for group in by_value if group) / sum(
            1 for group in by_value if group
        )
    return figures


def _labelled_faces(csv_path: Path, run: _Run, column: str, parse: Callable[[str], str],
                    *, what: str) -> Iterator[tuple[str, list[FaceDetail]]]:
    """(label, faces found) for each readable photo of the CSV, timing the backend call."""
    analyzer = face_analyzer()
    for line, row in _rows(csv_path, ("path", column)):
        try:
            label = parse(row[column])
        except ValueError:
            raise CommandError(f"{csv_path}, line {line}: unknown {what} {row[column]!r}.") from None
        image = run.load(csv_path, row["path"])
        if image is None:
            continue
        with run.stopwatch():
            faces = analyzer.detect_faces(image)
        yield label, faces


def _rows(csv_path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Each data row with its line number in the file (the header is line 1)."""
    try:
        with csv_path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in columns if column not in (reader.fieldnames or ())]
            if missing:
                raise CommandError(f"{csv_path} has no column {', '.join(missing)} (expected {', '.join(columns)}).")
            yield from enumerate(reader, start=2)
    except OSError as error:
        raise CommandError(f"Cannot read {csv_path}: {error.strerror or error}") from None


def _class_breakdown(truth: list[str], predicted: list[str | None], labels: tuple[str, ...]) -> dict[str, Any]:
    """Recall and support of each class present, in `labels` order."""
    recalls = evaluation.per_class_recall(truth, predicted)
    present = [label for label in labels if label in recalls]
    return {
        "per_class": {label: recalls[label].recall for label in present},
        "support": {label: recalls[label].support for label in present},
    }


def _latency(milliseconds: list[float]) -> dict[str, float] | None:
    summary = evaluation.latency_percentiles(milliseconds)
    return {"p50": round(summary.p50, 2), "p99": round(summary.p99, 2)} if summary else None


def _text_report(report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if "expression" in report:
        section = report["expression"]
        lines += [
            *_heading("Expressions", section, unit="photos"),
            _row("top-1 accuracy", _percent(section["accuracy"])),
            _row("macro recall", f"{_percent(section['macro_recall'])}  (mean over the "
                 f"{len(section['per_class'])} classes present)"),
            "  per-class recall",
            *_recall_lines(section),
            "  confusion matrix (rows true, columns predicted)",
            *_confusion_lines(section["confusion"]),
            *_footer(section, call="detect_faces"),
        ]
    if "pairs" in report:
        section = report["pairs"]
        lines += [
            *_heading("Pairs", section, unit="pairs"),
            _row("same / different person", f"{section['n_same']} / {section['n'] - section['n_same']}"),
            _row(f"accuracy at threshold {section['threshold']:g}", _percent(section["accuracy"])),
            _row(f"best threshold {_number(section['best_threshold'])}", _percent(section["best_accuracy"])),
            _row("ROC AUC", _number(section["auc"], digits=4)),
            *_footer(section, call="compare / 2"),
        ]
    if "gender" in report:
        section = report["gender"]
        lines += [
            *_heading("Gender", section, unit="photos"),
            _row("accuracy", _percent(section["accuracy"])),
            "  per-class recall",
            *_recall_lines(section),
            *_footer(section, call="detect_faces"),
        ]
    if "attributes" in report:
        section = report["attributes"]
        lines += [*_heading("Attributes", section, unit="photos"), *_attribute_lines(section["attributes"]),
                  *_footer(section, call="detect_faces")]
    lines.append(_row("all modes, latency per image", _latency_text(report["latency_ms"])))
    return lines


def _heading(title: str, section: dict[str, Any], *, unit: str) -> list[str]:
    return [
        f"{title} ({section['source']}): {section['n']} {unit}, no face: {section['no_face']}, "
        f"unreadable: {len(section['unreadable'])}",
        *(f"  unreadable: {item['path']} ({item['reason']})" for item in section["unreadable"]),
    ]


def _footer(section: dict[str, Any], *, call: str) -> list[str]:
    return [_row(f"latency per image ({call})", _latency_text(section["latency_ms"])), ""]


def _row(name: str, value: str) -> str:
    return f"  {name:<36}{value}"


def _latency_text(latency: dict[str, float] | None) -> str:
    return f"p50 {latency['p50']:.1f} ms, p99 {latency['p99']:.1f} ms" if latency else "no timed calls"


def _recall_lines(section: dict[str, Any]) -> list[str]:
    return [
        f"    {label:<10} {_percent(recall):>6}  ({round(recall * section['support'][label])} of "
        f"{section['support'][label]})"
        for label, recall in section["per_class"].items()
    ]


def _attribute_lines(figures: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    for attribute, item in figures.items():
        if "accuracy" not in item:
            lines.append(_row(attribute, f"not offered ({item['labelled']} labelled)"))
            continue
        lines.append(_row(attribute, (
            f"{_percent(item['accuracy'])} ({item['right']} of {item['scored']}; {item['true']} true), balanced "
            f"{_percent(item['balanced_accuracy'])}, not offered {item['not_offered']}"
        )))
    return lines


def _confusion_lines(confusion: dict[str, dict[str, int]]) -> list[str]:
    columns = list(next(iter(confusion.values())))
    width = max(len(name) for name in columns) + 2
    header = "    " + " " * width + "".join(f"{name:>{width}}" for name in columns)
    rows = [
        f"    {actual:<{width}}" + "".join(f"{counts[name]:>{width}}" for name in columns)
        for actual, counts in confusion.items()
    ]
    return [header, *rows]


def _percent(fraction: float | None) -> str:
    return "n/a" if fraction is None else f"{100 * fraction:.1f}%"


def _number(value: float | None, *, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"
