"""The look-alike page as served (the browser tests drive it in Chromium), and the demo people `serve` seeds."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from gallery.models import ReferencePerson, ReferencePhoto


@pytest.mark.django_db
def test_the_page_offers_camera_and_upload_and_loads_nothing_from_elsewhere(client: Client) -> None:
    response = client.get("/lookalike")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="file"' in page and "gallery/lookalike.js" in page and 'id="start-camera"' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    config = response.context["config"]
    assert config["urls"]["lookalike"] == "/api/v1/lookalike" and config["people"] == 3


@pytest.mark.django_db
def test_the_bands_are_explained_with_the_configured_thresholds(client: Client, settings: Settings) -> None:
    settings.FACE_MATCH_THRESHOLD, settings.LOOKALIKE_STRONG_THRESHOLD = 85.0, 52.5
    page = client.get("/lookalike").content.decode()
    assert "Probably the same person" in page and "85 or more" in page
    assert "From 52.5 to under 85" in page and "Under 52.5" in page


@pytest.mark.django_db
def test_an_empty_collection_says_how_curators_fill_it(client: Client) -> None:
    page = client.get("/lookalike").content.decode()
    assert 'id="empty-collection"' in page and "Reference people" in page
    assert client.get("/lookalike", HTTP_ACCEPT_LANGUAGE="ko").content.decode().count("닮은꼴") >= 2


@pytest.mark.django_db
def test_the_demo_people_are_seeded_once(client: Client) -> None:
    call_command("seed_reference_people")
    assert sorted(ReferencePerson.objects.values_list("name", flat=True)) == ["Eileen Collins", "Grace Hopper"]
    assert ReferencePhoto.objects.count() == 2
    call_command("seed_reference_people")
    call_command("seed_reference_people", force=True)  # photos already in the collection are not added twice
    assert ReferencePhoto.objects.count() == 2
    page = client.get("/lookalike").content.decode()
    assert 'id="empty-collection"' not in page and "with both people" in page


@pytest.mark.django_db
def test_photos_enrolled_under_another_backend_are_enrolled_again(client: Client) -> None:
    call_command("seed_reference_people")
    ReferencePhoto.objects.update(model="another-backend", vector=b"")
    assert 'id="empty-collection"' in client.get("/lookalike").content.decode()
    call_command("enrol_reference_photos")
    assert set(ReferencePhoto.objects.values_list("model", flat=True)) == {"sface-2021dec-int8bq"}
    assert all(len(photo.as_array()) == 128 for photo in ReferencePhoto.objects.all())
