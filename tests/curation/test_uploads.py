import io
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PillowImage

from curation import uploads
from curation.models import Image
from curation.uploads import import_uploads
from emotion_garden.vocabulary import Emotion
from tests.conftest import encode
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:curation_image_upload")


def png_bytes(width: int = 90, height: int = 120) -> bytes:
    return encode(PillowImage.new("RGBA", (width, height), (20, 90, 200, 200)), "PNG")


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def stored_files() -> set[Path]:
    return {path for path in Path(default_storage.location).rglob("*") if path.is_file()}


@pytest.fixture
def nothing_stored() -> Iterator[None]:
    """The test must leave neither rows nor files behind."""
    files, rows = stored_files(), Image.objects.count()
    yield
    assert stored_files() == files
    assert Image.objects.count() == rows


def test_images_are_reencoded_and_thumbnailed_into_the_pool() -> None:
    report = import_uploads(files=[("photo.jpg", jpeg_bytes(160, 120)), ("drawing.png", png_bytes())],
                            emotion=Emotion.HAPPY, theme="spring")
    assert report.refused == []
    landscape, portrait = report.accepted
    for image in report.accepted:
        assert (image.status, image.source, image.emotion, image.theme) == (
            Image.Status.PENDING, Image.Source.UPLOADED, Emotion.HAPPY, "spring")
        assert image.thumbnail and image.name.endswith(f"{image.orientation_letter}.jpeg")
        with default_storage.open(image.file.name) as stored:
            assert PillowImage.open(stored).format == "JPEG"
    assert (landscape.orientation, portrait.orientation) == (Image.Orientation.LANDSCAPE, Image.Orientation.PORTRAIT)


def test_a_zip_is_unpacked_and_each_image_judged_on_its_own() -> None:
    archive = zip_of({
        "garden/one.jpg": jpeg_bytes(),
        "garden/two.png": png_bytes(),
        "garden/notes.txt": b"not a picture",
        "garden/": b"",
        "__MACOSX/garden/._one.jpg": b"Finder metadata",
    })
    report = import_uploads(files=[("batch.zip", archive)], emotion=Emotion.CALM)
    assert len(report.accepted) == 2
    assert [name for name, _ in report.refused] == ["batch.zip/garden/notes.txt"]
    assert "not a JPEG, PNG, WebP or GIF" in report.refused[0][1]


def test_a_file_that_is_not_an_image_is_refused(nothing_stored: None) -> None:
    report = import_uploads(files=[("evil.jpg", b"<?php system($_GET['c']); ?>")], emotion=Emotion.SAD)
    assert report.accepted == [] and report.refused[0][0] == "evil.jpg"


def test_an_oversized_image_is_refused(settings, nothing_stored: None) -> None:  # noqa: ANN001 (pytest-django)
    settings.MAX_IMAGE_UPLOAD_BYTES = 1000
    report = import_uploads(files=[("huge.png", png_bytes(400, 400))], emotion=Emotion.SAD)
    assert report.accepted == []
    assert "limit is 1000 bytes" in report.refused[0][1]


def test_an_image_declaring_too_many_pixels_is_refused(settings, nothing_stored: None) -> None:  # noqa: ANN001
    settings.MAX_IMAGE_PIXELS = 10_000
    report = import_uploads(files=[("wide.png", png_bytes(400, 400))], emotion=Emotion.SAD)
    assert report.accepted == [] and "pixels" in report.refused[0][1]


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    # 8 MB of zeros deflate to about 8 KB: under the size limit, but a ratio no image has.
    bomb = zip_of({"zeros.png": bytes(8 * 1024 * 1024), "fine.jpg": jpeg_bytes()})
    report = import_uploads(files=[("bomb.zip", bomb)], emotion=Emotion.FEAR)
    refused = dict(report.refused)
    assert "decompression bomb" in refused["bomb.zip/zeros.png"]
    assert len(report.accepted) == 1  # the image beside the bomb still goes in
    assert Image.objects.count() == 1


def test_a_member_declaring_more_than_the_image_limit_is_refused(settings, nothing_stored: None) -> None:  # noqa: ANN001
    settings.MAX_IMAGE_UPLOAD_BYTES = 4096
    report = import_uploads(files=[("big.zip", zip_of({"big.png": png_bytes(300, 300) + bytes(8192)}))],
                            emotion=Emotion.FEAR)
    assert "the limit is 4096 bytes" in dict(report.refused)["big.zip/big.png"]


def test_an_archive_unpacking_to_too_much_is_refused_whole(
    monkeypatch: pytest.MonkeyPatch, nothing_stored: None
) -> None:
    monkeypatch.setattr(uploads, "MAX_ZIP_UNCOMPRESSED_BYTES", 1000)
    report = import_uploads(files=[("many.zip", zip_of({"a.jpg": jpeg_bytes(), "b.jpg": jpeg_bytes()}))],
                            emotion=Emotion.FEAR)
    assert report.accepted == [] and report.refused[0][0] == "many.zip" and "unpacks to" in report.refused[0][1]


def test_an_archive_with_too_many_files_is_refused_whole(
    monkeypatch: pytest.MonkeyPatch, nothing_stored: None
) -> None:
    monkeypatch.setattr(uploads, "MAX_ZIP_MEMBERS", 2)
    archive = zip_of({f"{index}.jpg": jpeg_bytes() for index in range(3)})
    report = import_uploads(files=[("many.zip", archive)], emotion=Emotion.FEAR)
    assert report.accepted == [] and "holds 3 files" in report.refused[0][1]


def test_a_header_that_understates_the_size_is_caught(nothing_stored: None) -> None:
    archive = bytearray(zip_of({"liar.png": png_bytes() + bytes(64 * 1024)}))
    # Rewrite the declared uncompressed size, in the local header and in the central directory, to 100 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = archive.index(signature)
        archive[start + offset:start + offset + 4] = struct.pack("<I", 100)
    report = import_uploads(files=[("liar.zip", bytes(archive))], emotion=Emotion.FEAR)
    assert report.accepted == []
    assert "could not be unpacked" in dict(report.refused)["liar.zip/liar.png"]


@pytest.mark.parametrize("name", ["../evil.jpg", "/etc/evil.jpg", "C:/evil.jpg", "garden/../../evil.jpg",
                                  "..\\evil.jpg"])
def test_members_whose_path_escapes_the_archive_are_refused(name: str, nothing_stored: None) -> None:
    report = import_uploads(files=[("escape.zip", zip_of({name: jpeg_bytes()}))], emotion=Emotion.ANGRY)
    assert report.refused == [(f"escape.zip/{name}", "Its path leads outside the archive.")]


def test_nested_archives_and_broken_archives_are_refused(nothing_stored: None) -> None:
    nested = zip_of({"inner.zip": zip_of({"a.jpg": jpeg_bytes()})})
    report = import_uploads(files=[("outer.zip", nested), ("broken.zip", b"PK\x03\x04 not really")],
                            emotion=Emotion.ANGRY)
    refused = dict(report.refused)
    assert "not opened" in refused["outer.zip/inner.zip"]
    assert "not a readable zip" in refused["broken.zip"]


# --- The admin view ----------------------------------------------------------------------------------------------


def test_curators_upload_images_and_archives_through_the_admin(curator_client: Client) -> None:
    response = curator_client.get(UPLOAD)
    assert response.status_code == 200 and 'type="file"' in response.content.decode()
    response = curator_client.post(UPLOAD, {
        "emotion": "CALM",
        "theme": "zen",
        "files": [
            SimpleUploadedFile("pond.jpg", jpeg_bytes(), "image/jpeg"),
            SimpleUploadedFile("more.zip", zip_of({"a.png": png_bytes(), "b.txt": b"hello"}), "application/zip"),
        ],
    }, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('admin:curation_image_changelist')}?emotion__exact=CALM"
    assert Image.objects.filter(emotion="CALM", theme="zen", source=Image.Source.UPLOADED).count() == 2
    page = response.content.decode()
    assert "2 image(s) added to the pool" in page
    assert "more.zip/b.txt" in page and "not a JPEG" in page


def test_an_upload_with_nothing_acceptable_says_why_and_stores_nothing(
    curator_client: Client, nothing_stored: None
) -> None:
    response = curator_client.post(UPLOAD, {
        "emotion": "SAD", "files": [SimpleUploadedFile("notes.jpg", b"plain text", "image/jpeg")]
    })
    assert response.status_code == 200
    assert "1 file(s) refused" in response.content.decode() and "notes.jpg" in response.content.decode()


def test_the_upload_form_refuses_a_theme_the_original_keys_cannot_hold(curator_client: Client,
                                                                       nothing_stored: None) -> None:
    response = curator_client.post(UPLOAD, {"emotion": "SAD", "theme": "a/../b",
                                            "files": [SimpleUploadedFile("x.jpg", jpeg_bytes(), "image/jpeg")]})
    assert "letters, digits and hyphens" in response.context["form"].errors["theme"][0]


def test_the_upload_form_needs_files_and_refuses_giants_unread(
    curator_client: Client, monkeypatch: pytest.MonkeyPatch, nothing_stored: None
) -> None:
    response = curator_client.post(UPLOAD, {"emotion": "SAD"})
    assert response.context["form"].errors["files"] == ["This field is required."]
    monkeypatch.setattr("curation.admin.forms.MAX_UPLOAD_BYTES", 10)
    response = curator_client.post(UPLOAD, {"emotion": "SAD", "files": [SimpleUploadedFile("x.jpg", jpeg_bytes())]})
    assert "x.jpg" in response.context["form"].errors["files"][0]


def test_uploading_needs_the_add_permission(staff_client: Client, staff: AbstractBaseUser) -> None:
    assert staff_client.get(UPLOAD).status_code == 403
    response = staff_client.post(UPLOAD, {"emotion": "SAD", "files": [SimpleUploadedFile("a.jpg", jpeg_bytes())]})
    assert response.status_code == 403 and not Image.objects.exists()
