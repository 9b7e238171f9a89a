"""Curating the look-alike's reference people in the admin: photos one by one, and zips of photos named by person."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pytest_django.fixtures import Settings

from emotion_garden.archives import ArchiveRefused
from gallery.models import ReferencePerson, ReferencePhoto
from gallery.references import import_reference_archive, person_from_file_name
from tests.conftest import encode
from tests.factories import zipped

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/gallery/referenceperson/import/"
HOPPER = (Path(settings.BASE_DIR) / "gallery" / "demo_references" / "grace_hopper.jpg").read_bytes()


def stored_files() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "references"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def curator(client: Client) -> Client:
    client.force_login(get_user_model().objects.create_superuser("curator", "c@example.com", "pw"))
    return client


@pytest.fixture
def media_root(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(("path", "person"), [
    ("Name_0001.jpg", "Name"),
    ("lfw/George_W_Bush/George_W_Bush_0012.jpg", "George W Bush"),
    ("Eileen Collins.png", "Eileen Collins"),
    ("Jean-Paul_Sartre-3.webp", "Jean-Paul Sartre"),
    ("a\u202eevil_0001.jpg", "aevil"),  # a direction override, shown to the public in look-alike answers
])
def test_the_person_comes_from_the_file_name(path: str, person: str) -> None:
    assert person_from_file_name(path) == person


@pytest.mark.parametrize("path", ["0001.jpg", "_0002.jpg", ".hidden_0001.jpg", "Ctrl\x07Char_0001.jpg"])
def test_a_file_name_without_a_name_is_refused(path: str) -> None:
    with pytest.raises(ArchiveRefused):
        person_from_file_name(path)


def test_curators_add_people_with_several_photos(curator: Client, astronaut_jpeg: bytes, astronaut_png: bytes,
                                                 faceless_jpeg: bytes, media_root: Path) -> None:
    form = {
        "name": "Eileen Collins", "info_url": "https://www.nasa.gov/",
        "photos-TOTAL_FORMS": "2", "photos-INITIAL_FORMS": "0", "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    refused = curator.post("/admin/gallery/referenceperson/add/", {
        **form, "photos-0-photo": SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg"),
        "photos-1-photo": SimpleUploadedFile("x.jpg", faceless_jpeg, content_type="image/jpeg")})
    assert refused.status_code == 200 and b"No face was found" in refused.content
    assert not ReferencePerson.objects.exists() and stored_files() == []

    added = curator.post("/admin/gallery/referenceperson/add/", {
        **form, "photos-0-photo": SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg"),
        "photos-1-photo": SimpleUploadedFile("me.png", astronaut_png, content_type="image/png")})
    assert added.status_code == 302
    person = ReferencePerson.objects.get()
    assert person.photos.count() == 2 and len(stored_files()) == 2
    assert all(len(photo.as_array()) == 128 and photo.sha256 for photo in person.photos.all())

    again = curator.post(f"/admin/gallery/referenceperson/{person.pk}/change/", {
        **form, "photos-TOTAL_FORMS": "3", "photos-INITIAL_FORMS": "2",
        **{f"photos-{index}-id": photo.pk for index, photo in enumerate(person.photos.order_by("id"))},
        **{f"photos-{index}-person": person.pk for index in range(2)},
        "photos-2-photo": SimpleUploadedFile("copy.jpg", astronaut_jpeg, content_type="image/jpeg")})
    assert again.status_code == 200 and b"Already in the collection, as a photo of Eileen Collins" in again.content
    assert person.photos.count() == 2


def test_a_zip_of_photos_named_by_person(curator: Client, astronaut: Image.Image, astronaut_jpeg: bytes,
                                         faceless_jpeg: bytes, media_root: Path) -> None:
    existing = ReferencePerson.objects.create(name="Grace Hopper", info_url="https://example.org/hopper")
    archive = zipped([
        ("people/Eileen_Collins_0001.jpg", astronaut_jpeg),
        ("people/Eileen_Collins_0002.png", encode(astronaut.crop((60, 0, 512, 450)), "PNG")),
        ("Grace_Hopper_0001.jpg", HOPPER),
        ("Eileen_Collins_0003.jpg", astronaut_jpeg),  # the same bytes as 0001
        ("Wall_0001.jpg", faceless_jpeg),
        ("notes_0001.txt", b"not a photo"),
        ("../Intruder_0001.jpg", astronaut_jpeg),
        ("/etc/Intruder_0002.jpg", astronaut_jpeg),
        ("0001.jpg", HOPPER),
        ("__MACOSX/._Grace_Hopper_0001.jpg", b"Finder metadata"),
    ])
    response = curator.post(IMPORT_URL, {"archive": SimpleUploadedFile("people.zip", archive)})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.stored == [("people/Eileen_Collins_0001.jpg", "Eileen Collins"),
                             ("people/Eileen_Collins_0002.png", "Eileen Collins"),
                             ("Grace_Hopper_0001.jpg", "Grace Hopper")]
    assert report.new_people == ["Eileen Collins"]
    refused = dict(report.refused)
    assert set(refused) == {"Eileen_Collins_0003.jpg", "Wall_0001.jpg", "notes_0001.txt", "../Intruder_0001.jpg",
                            "/etc/Intruder_0002.jpg", "0001.jpg"}
    assert "same photo as people/Eileen_Collins_0001.jpg" in refused["Eileen_Collins_0003.jpg"]
    assert "No face" in refused["Wall_0001.jpg"]
    assert "Not a usable image" in refused["notes_0001.txt"]
    assert "outside the archive" in refused["../Intruder_0001.jpg"]
    assert "does not name a person" in refused["0001.jpg"]
    page = response.content.decode()
    assert "3 photos added, 6 refused" in page and "outside the archive" in page

    assert ReferencePerson.objects.count() == 2
    assert ReferencePerson.objects.get(name="Grace Hopper").photos.count() == 1
    assert ReferencePerson.objects.get(name="Eileen Collins").photos.count() == 2
    assert existing.photos.get().person.info_url == "https://example.org/hopper"
    assert len(stored_files()) == ReferencePhoto.objects.count() == 3

    again = curator.post(IMPORT_URL, {"archive": SimpleUploadedFile("people.zip", archive)})
    assert again.context["report"].stored == []
    assert "Already in the collection, as a photo of Grace Hopper" in dict(again.context["report"].refused)[
        "Grace_Hopper_0001.jpg"]
    assert len(stored_files()) == 3


def test_repeated_names_in_one_archive_are_refused(astronaut_jpeg: bytes, media_root: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Eileen_Collins_0001.jpg", astronaut_jpeg)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("Eileen_Collins_0001.jpg", HOPPER)
    report = import_reference_archive(archive=buffer.getvalue())
    assert [name for name, _ in report.stored] == ["Eileen_Collins_0001.jpg"]
    assert report.refused == [("Eileen_Collins_0001.jpg", "This file name appears more than once in the archive.")]


@pytest.mark.parametrize(("upload", "message"), [
    (b"this is not a zip", "not a readable zip archive"),
    (zipped([(f"Person_{index:04d}.jpg", b"x") for index in range(501)]), "at most 500"),
])
def test_an_unusable_archive_is_refused_whole(curator: Client, upload: bytes, message: str,
                                              media_root: Path) -> None:
    response = curator.post(IMPORT_URL, {"archive": SimpleUploadedFile("people.zip", upload)})
    assert response.status_code == 200 and message in response.content.decode()
    assert response.context["report"] is None
    assert not ReferencePerson.objects.exists() and stored_files() == []


def test_only_curators_may_import(client: Client) -> None:
    staff = get_user_model().objects.create_user("visitor", "v@example.com", "pw", is_staff=True)
    client.force_login(staff)
    assert client.get(IMPORT_URL).status_code == 403
    client.logout()
    assert client.get(IMPORT_URL).status_code == 302  # to the login page


def test_the_empty_collection_tells_curators_how_to_fill_it(curator: Client) -> None:
    page = curator.get("/admin/gallery/referenceperson/").content.decode()
    assert "The look-alike collection is empty" in page and IMPORT_URL in page
    ReferencePerson.objects.create(name="Someone")
    assert "The look-alike collection is empty" not in curator.get("/admin/gallery/referenceperson/").content.decode()
