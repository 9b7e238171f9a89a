"""The Curators group curates the look-alike's reference people (F3: every reference page was a 403 for them), and
still reaches nothing else of the gallery: face users, their embeddings and credentials, API keys, interactions."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from gallery.models import ReferencePerson
from tests.factories import zipped

pytestmark = pytest.mark.django_db

HOPPER = (Path(settings.BASE_DIR) / "gallery" / "demo_references" / "grace_hopper.jpg").read_bytes()
REFERENCE_PAGES = [
    "admin:gallery_referenceperson_changelist",
    "admin:gallery_referenceperson_add",
    "admin:gallery_referenceperson_import",
]
OPERATOR_PAGES = [
    "admin:gallery_faceuser_changelist",
    "admin:gallery_apikey_changelist",
    "admin:recommender_interaction_changelist",
]
REFERENCE_PERMISSIONS = {f"{action}_{model}" for model in ("referenceperson", "referencephoto")
                         for action in ("view", "add", "change", "delete")}


@pytest.fixture
def media_root(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("page", REFERENCE_PAGES)
def test_curators_reach_every_reference_people_page(curator_client: Client, page: str) -> None:
    assert curator_client.get(reverse(page)).status_code == 200


def test_curators_change_and_delete_a_reference_person(curator_client: Client) -> None:
    person = ReferencePerson.objects.create(name="Grace Hopper")
    assert curator_client.get(reverse("admin:gallery_referenceperson_change", args=[person.pk])).status_code == 200
    deleted = curator_client.post(reverse("admin:gallery_referenceperson_delete", args=[person.pk]), {"post": "yes"})
    assert deleted.status_code == 302 and not ReferencePerson.objects.exists()


def test_curators_add_a_person_with_a_photo_and_import_an_archive(curator_client: Client, media_root: Path,
                                                                  astronaut_jpeg: bytes) -> None:
    added = curator_client.post(reverse("admin:gallery_referenceperson_add"), {
        "name": "Grace Hopper", "info_url": "", "photos-TOTAL_FORMS": "1", "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0", "photos-MAX_NUM_FORMS": "1000",
        "photos-0-photo": SimpleUploadedFile("hopper.jpg", HOPPER, content_type="image/jpeg"),
    })
    assert added.status_code == 302
    assert ReferencePerson.objects.get().photos.count() == 1

    archive = zipped([("Eileen_Collins_0001.jpg", astronaut_jpeg)])
    imported = curator_client.post(reverse("admin:gallery_referenceperson_import"),
                                   {"archive": SimpleUploadedFile("people.zip", archive)})
    assert imported.status_code == 200
    assert imported.context["report"].stored == [("Eileen_Collins_0001.jpg", "Eileen Collins")]


@pytest.mark.parametrize("page", OPERATOR_PAGES)
def test_curators_still_cannot_see_face_users_api_keys_or_interactions(curator_client: Client, page: str) -> None:
    assert curator_client.get(reverse(page)).status_code == 403


def test_of_the_gallery_curators_hold_only_the_reference_people_permissions(curator: AbstractBaseUser) -> None:
    granted = set(Group.objects.get(name="Curators").permissions.filter(
        content_type__app_label="gallery").values_list("codename", flat=True))
    assert granted == REFERENCE_PERMISSIONS
    for model in ("faceuser", "faceembedding", "collectionface", "personcredential", "apikey"):
        assert not any(curator.has_perm(f"gallery.{action}_{model}") for action in ("view", "add", "change", "delete"))


def test_an_import_takes_the_right_to_add_photos_too(client: Client) -> None:
    # It creates photos as well as people: the right to add people alone is not enough.
    user = get_user_model().objects.create_user("people-only", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="gallery",
                                                     codename="add_referenceperson"))
    client.force_login(user)
    assert client.get(reverse("admin:gallery_referenceperson_import")).status_code == 403
    user.user_permissions.add(Permission.objects.get(content_type__app_label="gallery",
                                                     codename="add_referencephoto"))
    client.force_login(get_user_model().objects.get(pk=user.pk))  # a fresh user: permissions are cached per object
    assert client.get(reverse("admin:gallery_referenceperson_import")).status_code == 200
