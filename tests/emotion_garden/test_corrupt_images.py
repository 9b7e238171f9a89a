"""Broken, hostile and awkward image files never crash an endpoint that reads photos, and never leave half a record.

The corpus (corrupt_corpus.py) is made from a real face photo, so a file that survives its corruption really is read
and, with consent, really remembered. Which files are read is not asserted (a flipped bit may leave a good photo);
what must hold for every file is: an answer below 500, a refusal that says why, and a face user (with its face
data) exactly when the answer names one.
"""

from pathlib import Path

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from rest_framework.test import APIClient

from curation.models import Image
from curation.uploads import import_uploads
from emotion_garden.vocabulary import Emotion
from gallery.faces.detection import detect_face_rows
from gallery.models import FaceEmbedding, FaceUser
from tests.curation.test_uploads import zip_of
from tests.emotion_garden.corrupt_corpus import Case, corpus, face_photo

CORPUS = corpus()
# Multipart goes through another parser to the same decoder: every fourth file covers it without doubling the time.
MULTIPART_CORPUS = CORPUS[::4]
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}

pytestmark = [
    pytest.mark.django_db,
    # Pillow warns (rather than fails) about the corrupt EXIF blocks some cases carry: expected here.
    pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning", "ignore:Truncated File Read:UserWarning"),
]


def case_id(case: Case) -> str:
    return case.name


def face_users() -> set[str]:
    return {str(pk) for pk in FaceUser.objects.values_list("pk", flat=True)}


def assert_no_half_records() -> None:
    """Every face user has face data, and no face data is without its face user."""
    owners = {str(pk) for pk in FaceEmbedding.objects.values_list("face_user_id", flat=True).distinct()}
    assert owners == face_users()


def assert_api_answer(response: HttpResponse) -> None:
    """Below 500; a refusal in the API's error format with a code; a face user stored only when the answer names
    them."""
    assert response.status_code < 500, response.content[:300]
    body = response.json()
    remembered: set[str] = set()
    if response.status_code == 200:
        assert body["faces"] and body["emotion"]
        if body["face_user"] is not None:
            remembered = {body["face_user"]["id"]}
    else:
        assert response.status_code in (400, 413, 422), response.status_code
        assert set(body) == {"error"}
        assert isinstance(body["error"]["code"], str) and body["error"]["code"]
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert face_users() == remembered
    assert_no_half_records()


@pytest.mark.parametrize("case", CORPUS, ids=case_id)
def test_emotion_api_answers_every_raw_body(api_client: APIClient, case: Case) -> None:
    response = api_client.post("/api/v1/emotion?remember=true", case.data, content_type=case.content_type)
    assert_api_answer(response)


@pytest.mark.parametrize("case", MULTIPART_CORPUS, ids=case_id)
def test_emotion_api_answers_every_multipart_upload(api_client: APIClient, case: Case) -> None:
    upload = SimpleUploadedFile(f"photo.{EXTENSIONS.get(case.content_type, 'bin')}", case.data, case.content_type)
    response = api_client.post("/api/v1/emotion", {"image": upload, "remember": "true"}, format="multipart")
    assert_api_answer(response)


@pytest.mark.parametrize("case", CORPUS, ids=case_id)
def test_original_emotion_endpoint_answers_every_body(case: Case, settings) -> None:  # noqa: ANN001 (pytest-django)
    # A kiosk whose visitors agreed: the original endpoint then remembers faces, so a success would store one.
    settings.COMPAT_REMEMBER_FACES = True
    response = Client(enforce_csrf_checks=True).post("/emotion", case.data, content_type=case.content_type)
    assert response.status_code < 500, response.content[:300]
    if response.status_code == 200:
        # The visitor's id is the face user's when one was stored (a face the identity backend cannot index again
        # is not stored, and then the id is a fresh one that names nobody).
        assert face_users() <= {response.json()["id"]}
    else:
        # The original pages only test for 200; any refusal is a short plain-text reason, as the original's was.
        assert response.status_code in (400, 404, 413), response.status_code
        assert response["Content-Type"].startswith("text/plain") and response.content
        assert not face_users()
    assert_no_half_records()


def stored_files() -> set[Path]:
    return {path for path in Path(default_storage.location).rglob("*") if path.is_file()}


def assert_whole_images_only(files_before: set[Path], accepted: list[Image]) -> None:
    """Exactly the accepted images were stored, each as a row, its file and its thumbnail, and nothing else."""
    assert Image.objects.count() == len(accepted)
    expected = {Path(image.file.path) for image in accepted} | {Path(image.thumbnail.path) for image in accepted}
    assert stored_files() - files_before == expected
    assert all(path.stat().st_size > 0 for path in expected)


def test_curator_uploads_keep_whole_images_and_refuse_the_rest() -> None:
    files_before = stored_files()
    report = import_uploads(
        files=((f"{case.name}.{EXTENSIONS.get(case.content_type, 'bin')}", case.data) for case in CORPUS),
        emotion=Emotion.CALM,
    )
    judged = [name for name, _ in report.refused] + [image.name for image in report.accepted]
    assert len(judged) == len(CORPUS)
    assert all(reason for _, reason in report.refused)
    assert report.accepted and report.refused  # the corpus holds both good and bad files
    assert_whole_images_only(files_before, report.accepted)


def test_a_zip_of_the_corpus_keeps_whole_images_and_refuses_the_rest() -> None:
    files_before = stored_files()
    archive = zip_of({f"{case.name}.{EXTENSIONS.get(case.content_type, 'bin')}": case.data for case in CORPUS})
    report = import_uploads(files=[("corpus.zip", archive)], emotion=Emotion.CALM)
    assert len(report.refused) + len(report.accepted) == len(CORPUS)
    assert_whole_images_only(files_before, report.accepted)


@pytest.mark.parametrize(("width", "height"), [(8, 20_000), (20_000, 8), (8, 40_000), (9, 1000), (24, 40), (640, 12),
                                               (31, 31), (160, 32)])
def test_the_face_detector_returns_no_garbage_boxes_for_slivers(width: int, height: int) -> None:
    # YuNet's rows for inputs a few dozen pixels across can be garbage (zero-sized boxes at 1e17), depending on what
    # it detected before: run every shape after a real face.
    detect_face_rows(np.asarray(face_photo())[:, :, ::-1].copy())
    rows = detect_face_rows(np.full((height, width, 3), 90, dtype=np.uint8))
    assert np.isfinite(rows).all()
    assert ((rows[:, 2] >= 1) & (rows[:, 0] < width) & (rows[:, 1] < height)).all()
