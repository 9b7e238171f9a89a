"""A reference person's name is unique ignoring case and spacing (F5): "Scott Wolf" twice, "Scott  Wolf" and "scott
wolf" had all been added, and an archive's Scott_Wolf_0002.jpg then went to whichever came last."""

import importlib
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from PIL import Image
from pytest_django.fixtures import Settings

from gallery.models import ReferencePerson, ReferencePhoto
from gallery.references import import_reference_archive
from tests.factories import zipped

pytestmark = pytest.mark.django_db

NAME_MIGRATION = importlib.import_module("gallery.migrations.0007_reference_person_names_unique")
EMPTY_INLINE = {"info_url": "", "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0",
                "photos-MIN_NUM_FORMS": "0", "photos-MAX_NUM_FORMS": "1000"}


@pytest.fixture
def media_root(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("namesake", ["Scott Wolf", "scott wolf", "Scott  Wolf", " SCOTT\tWOLF "])
def test_the_admin_refuses_a_name_taken_ignoring_case_and_spacing(curator_client: Client, namesake: str) -> None:
    add = reverse("admin:gallery_referenceperson_add")
    assert curator_client.post(add, {**EMPTY_INLINE, "name": "Scott Wolf"}).status_code == 302
    refused = curator_client.post(add, {**EMPTY_INLINE, "name": namesake})
    assert refused.status_code == 200
    assert "“Scott Wolf” is already a reference person" in refused.content.decode()
    assert ReferencePerson.objects.count() == 1


def test_a_person_may_be_renamed_to_another_spelling_of_their_own_name(curator_client: Client) -> None:
    person = ReferencePerson.objects.create(name="scott wolf")
    change = reverse("admin:gallery_referenceperson_change", args=[person.pk])
    assert curator_client.post(change, {**EMPTY_INLINE, "name": "Scott Wolf"}).status_code == 302
    person.refresh_from_db()
    assert person.name == "Scott Wolf"


def test_the_database_refuses_a_second_person_of_one_name() -> None:
    ReferencePerson.objects.create(name="Scott Wolf")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferencePerson.objects.create(name="SCOTT  WOLF")


def test_an_archive_photo_goes_to_the_person_of_its_name_whatever_the_case(media_root: Path,
                                                                           astronaut_jpeg: bytes) -> None:
    scott = ReferencePerson.objects.create(name="Scott Wolf")
    report = import_reference_archive(archive=zipped([("scott_wolf_0002.jpg", astronaut_jpeg)]))
    assert report.stored == [("scott_wolf_0002.jpg", "Scott Wolf")]  # the person as stored, not as the file spells it
    assert report.new_people == []
    assert ReferencePerson.objects.get() == scott and scott.photos.count() == 1


def test_one_archive_spelling_a_new_name_two_ways_makes_one_person(curator_client: Client, media_root: Path,
                                                                   astronaut_jpeg: bytes) -> None:
    archive = zipped([("Eileen_Collins_0001.jpg", astronaut_jpeg), ("eileen_COLLINS_0002.png", _png(astronaut_jpeg))])
    response = curator_client.post(reverse("admin:gallery_referenceperson_import"),
                                   {"archive": SimpleUploadedFile("people.zip", archive)})
    report = response.context["report"]
    assert report.stored == [("Eileen_Collins_0001.jpg", "Eileen Collins"),
                             ("eileen_COLLINS_0002.png", "Eileen Collins")]
    assert report.new_people == ["Eileen Collins"]
    assert ReferencePerson.objects.get().photos.count() == 2


def _png(jpeg: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(jpeg)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_migration_merges_people_who_already_share_a_name() -> None:
    first = ReferencePerson.objects.create(name="Scott Wolf")
    second = ReferencePerson.objects.create(name="placeholder 2", info_url="https://example.org/wolf")
    third = ReferencePerson.objects.create(name="placeholder 3")
    other = ReferencePerson.objects.create(name="Grace Hopper")
    # What the table held before the constraint: names differing only in case and spacing (written past save()).
    ReferencePerson.objects.filter(pk=second.pk).update(name="scott wolf")
    ReferencePerson.objects.filter(pk=third.pk).update(name="Scott  Wolf")
    photos = [ReferencePhoto.objects.create(person=person, photo=f"references/{index}.jpeg", model="test")
              for index, person in enumerate([first, second, third, other])]

    NAME_MIGRATION.merge_people_of_one_name(apps, connection.schema_editor())

    assert list(ReferencePerson.objects.order_by("id")) == [first, other]
    first.refresh_from_db()
    assert first.name == "Scott Wolf" and first.info_url == "https://example.org/wolf"
    assert set(first.photos.all()) == set(photos[:3]) and list(other.photos.all()) == [photos[3]]
