import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image, ImageOps
from skimage import data as skimage_data

from emotion_garden.vocabulary import Emotion
from tests.conftest import encode
from tools.faces import evaluation

# --- metric functions, against hand-computed values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("anger", Emotion.ANGRY),
        ("disgust", Emotion.DISGUSTED),
        ("contempt", Emotion.DISGUSTED),
        ("fear", Emotion.FEAR),
        ("Happiness", Emotion.HAPPY),
        ("neutral", Emotion.CALM),
        ("sadness", Emotion.SAD),
        ("surprise", Emotion.SURPRISED),
        ("HAPPY", Emotion.HAPPY),
        ("confused", Emotion.CONFUSED),
        (" calm ", Emotion.CALM),
    ],
)
def test_expression_labels_accept_rekognition_and_fer_names(raw: str, expected: Emotion) -> None:
    assert evaluation.parse_expression_label(raw) == expected


def test_unknown_expression_label_is_refused() -> None:
    with pytest.raises(ValueError):
        evaluation.parse_expression_label("bored")


def test_accuracy_recalls_and_macro_recall() -> None:
    truth = ["HAPPY", "HAPPY", "HAPPY", "SAD"]
    predicted = ["HAPPY", "HAPPY", None, "HAPPY"]
    assert evaluation.accuracy(truth, predicted) == 0.5
    assert evaluation.per_class_recall(truth, predicted) == {
        "HAPPY": evaluation.ClassRecall(recall=2 / 3, support=3),
        "SAD": evaluation.ClassRecall(recall=0.0, support=1),
    }
    # (2/3 + 0) / 2: the single SAD photo weighs as much as the three HAPPY ones; absent classes do not count.
    assert evaluation.macro_recall(truth, predicted) == pytest.approx(1 / 3)


def test_confusion_matrix_rows_are_true_labels_and_no_face_is_the_last_column() -> None:
    matrix = evaluation.confusion_matrix(
        ["HAPPY", "HAPPY", "SAD", "SAD"], ["HAPPY", "SAD", None, "SAD"], labels=("HAPPY", "SAD", "CALM")
    )
    assert matrix.tolist() == [[1, 1, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0]]


def test_mismatched_lengths_are_an_error() -> None:
    with pytest.raises(ValueError):
        evaluation.accuracy(["HAPPY"], [])


# Same-person pairs score 30 and 50; different-person pairs 10, 20 and 40; one pair has no face.
SCORES = [10.0, 20.0, 30.0, 40.0, 50.0, None]
SAME = [False, False, True, False, True, True]


def test_verification_accuracy_counts_an_unscored_pair_as_wrong() -> None:
    # At 35: 50 accepted, 10 and 20 rejected are right; 30 rejected, 40 accepted and the faceless pair are wrong.
    assert evaluation.verification_accuracy(SCORES, SAME, threshold=35) == pytest.approx(3 / 6)


def test_best_threshold_is_the_lowest_observed_score_with_the_most_right() -> None:
    # Right decisions per threshold: 10 -> 2, 20 -> 3, 30 -> 4, 40 -> 3, 50 -> 4.
    assert evaluation.best_threshold(SCORES, SAME) == evaluation.BestThreshold(threshold=30.0, accuracy=4 / 6)
    assert evaluation.best_threshold([None], [True]) is None


def test_roc_auc_by_rank_statistic() -> None:
    # Of the 2 x 3 (same, different) combinations, 30 beats 10 and 20, 50 beats all three: 5 / 6.
    assert evaluation.roc_auc(SCORES, SAME) == pytest.approx(5 / 6)
    # The textbook example (0.75), and ties counting half: 2 vs 2 ties, the other three combinations win.
    assert evaluation.roc_auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == pytest.approx(0.75)
    assert evaluation.roc_auc([1.0, 2.0, 2.0, 3.0], [False, True, False, True]) == pytest.approx(3.5 / 4)
    assert evaluation.roc_auc([1.0, 2.0], [True, True]) is None


def test_latency_percentiles() -> None:
    assert evaluation.latency_percentiles([float(value) for value in range(101)]) == evaluation.Latency(
        p50=50.0, p99=99.0
    )
    assert evaluation.latency_percentiles([]) is None


# --- the command, end to end on photos made from scikit-image's pictures ------------------------------------------


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory, astronaut: Image.Image) -> Path:
    """Three photos of the astronaut (Female, smiling), the cameraman (another person), a faceless gradient and a
    file that is no image, with CSVs for the three modes."""
    folder = tmp_path_factory.mktemp("faces")
    photos = {
        "astronaut.jpg": astronaut,
        "mirrored.jpg": ImageOps.mirror(astronaut),
        "crop.jpg": astronaut.crop((100, 0, 400, 300)),
        "cameraman.jpg": Image.fromarray(skimage_data.camera()),
    }
    for name, image in photos.items():
        (folder / name).write_bytes(encode(image.convert("RGB"), "JPEG", quality=90))
    gradient = np.tile(np.linspace(0, 255, 320, dtype=np.uint8), (240, 1))
    (folder / "gradient.jpg").write_bytes(encode(Image.fromarray(gradient), "JPEG"))
    (folder / "notes.jpg").write_text("not a photo")
    (folder / "expressions.csv").write_text(
        "path,label\nastronaut.jpg,HAPPY\nmirrored.jpg,happiness\ncrop.jpg,happy\ngradient.jpg,neutral\n"
        "notes.jpg,HAPPY\n"
    )
    (folder / "pairs.csv").write_text(
        "path_a,path_b,same\nastronaut.jpg,astronaut.jpg,1\nastronaut.jpg,mirrored.jpg,1\n"
        "astronaut.jpg,cameraman.jpg,0\ncrop.jpg,cameraman.jpg,0\nastronaut.jpg,gradient.jpg,0\n"
        "astronaut.jpg,notes.jpg,1\n"
    )
    (folder / "gender.csv").write_text(
        "path,gender\nastronaut.jpg,Female\ncrop.jpg,female\ncameraman.jpg,MALE\ngradient.jpg,Male\nnotes.jpg,Male\n"
    )
    (folder / "attributes.csv").write_text(
        "path,smile,mouth_open,eyes_open,beard\nastronaut.jpg,1,1,1,0\nmirrored.jpg,1,,1,0\n"
        "cameraman.jpg,0,0,1,\ngradient.jpg,0,0,,\n"
    )
    return folder


def run_command(*arguments: str) -> str:
    output = io.StringIO()
    call_command("evaluate_faces", *arguments, stdout=output)
    return output.getvalue()


def all_modes(dataset: Path) -> list[str]:
    return ["--expressions", str(dataset / "expressions.csv"), "--pairs", str(dataset / "pairs.csv"),
            "--gender", str(dataset / "gender.csv")]


def test_json_report_of_all_three_modes(dataset: Path) -> None:
    report: dict[str, Any] = json.loads(run_command(*all_modes(dataset), "--json"))

    expression = report["expression"]
    assert expression["n"] == 4 and expression["no_face"] == 1
    assert [item["path"] for item in expression["unreadable"]] == [str(dataset / "notes.jpg")]
    assert expression["accuracy"] == 0.75
    assert expression["per_class"] == {"HAPPY": 1.0, "CALM": 0.0}
    assert expression["support"] == {"HAPPY": 3, "CALM": 1}
    assert expression["macro_recall"] == 0.5
    assert list(expression["confusion"]) == list(Emotion.values)
    assert expression["confusion"]["HAPPY"]["HAPPY"] == 3 and expression["confusion"]["CALM"]["no face"] == 1

    pairs = report["pairs"]
    assert pairs["n"] == 5 and pairs["n_same"] == 2 and pairs["no_face"] == 1
    assert pairs["threshold"] == 80.0
    # Both same-person pairs verify, both different-person pairs are rejected, the faceless pair is wrong.
    assert pairs["accuracy"] == pairs["best_accuracy"] == 0.8
    assert 50 < pairs["best_threshold"] <= 100
    assert pairs["auc"] == 1.0

    gender = report["gender"]
    assert gender["n"] == 4 and gender["no_face"] == 1 and gender["accuracy"] == 0.75
    assert gender["per_class"] == {"Male": 0.5, "Female": 1.0}

    latency = report["latency_ms"]
    assert 0 < latency["p50"] <= latency["p99"]
    for section in (expression, pairs, gender):
        assert 0 < section["latency_ms"]["p50"] <= section["latency_ms"]["p99"]


def test_threshold_option_overrides_the_setting(dataset: Path) -> None:
    report = json.loads(run_command("--pairs", str(dataset / "pairs.csv"), "--threshold", "1", "--json"))
    # At 1 every scored pair is "same": the two different-person pairs become wrong too.
    assert report["pairs"]["threshold"] == 1.0 and report["pairs"]["accuracy"] == 0.4
    assert set(report) == {"pairs", "latency_ms"}


def test_text_report(dataset: Path) -> None:
    output = run_command(*all_modes(dataset))
    assert "Expressions (" in output and "4 photos, no face: 1, unreadable: 1" in output
    assert f"unreadable: {dataset / 'notes.jpg'}" in output
    assert "confusion matrix (rows true, columns predicted)" in output
    assert "accuracy at threshold 80" in output and "ROC AUC" in output
    assert "Gender (" in output and "latency per image (detect_faces)" in output


def test_attribute_accuracy_counts_what_is_offered_and_names_what_is_not(dataset: Path) -> None:
    report = json.loads(run_command("--attributes", str(dataset / "attributes.csv"), "--json"))
    section = report["attributes"]
    assert section["n"] == 4 and section["no_face"] == 1
    smile = section["attributes"]["Smile"]
    # The astronaut smiles in both photos; the cameraman does not; the faceless gradient counts as wrong.
    assert (smile["labelled"], smile["no_face"], smile["scored"], smile["right"]) == (4, 1, 4, 3)
    assert smile["accuracy"] == 0.75 and smile["balanced_accuracy"] == 1.0
    assert section["attributes"]["MouthOpen"]["labelled"] == 3  # a blank label is "cannot tell", left out
    # The local backend estimates neither eyes nor beards: labelled, but no accuracy.
    for unestimated in ("EyesOpen", "Beard"):
        assert "accuracy" not in section["attributes"][unestimated]
        assert section["attributes"][unestimated]["not_offered"] > 0
    text = run_command("--attributes", str(dataset / "attributes.csv"))
    assert "Attributes (" in text and "not offered (3 labelled)" in text and "Smile" in text


def test_a_mode_is_required() -> None:
    with pytest.raises(CommandError, match="at least one"):
        run_command()


def test_bad_labels_and_missing_files_stop_with_a_clear_error(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("path,label\nsomeone.jpg,bored\n")
    with pytest.raises(CommandError, match="line 2: unknown expression 'bored'"):
        run_command("--expressions", str(labels))
    with pytest.raises(CommandError, match="has no column gender"):
        run_command("--gender", str(labels))
    with pytest.raises(CommandError, match="Cannot read"):
        run_command("--pairs", str(tmp_path / "missing.csv"))


def test_missing_or_unreadable_files_are_usage_errors(tmp_path: Path) -> None:
    """Each was a traceback: UnicodeDecodeError for a file that is not a CSV, FileNotFoundError for training data."""
    binary = tmp_path / "labels.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 64)
    with pytest.raises(CommandError, match="could not be read"):
        call_command("evaluate_faces", "--expressions", str(binary))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("train_expression", "--fer", str(tmp_path / "none.npz"), "--real", str(binary), "--out",
                     str(tmp_path / "out.onnx"))
