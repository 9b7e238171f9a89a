"""The original endpoints that change the catalogue or start work answer only to a curator: a staff session with the
permissions on this site's own pages, or an API key with the `curation` scope. The reads stay open."""

import json
import logging

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.files.storage import default_storage
from django.test import Client
from pytest_django.fixtures import Settings

from curation.models import GenerationJob, Image
from recommender.models import Interaction
from tests.compat.pages import live_image, pool_image, post_json
from tests.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
WRITES = {
    "/remove": {"objName": ["emotions/happy/live_1h.jpeg"]},
    "/removePool": {"objName": ["imgPool/happy/pool_1h.jpeg"]},
    "/clearIndex": {"objName": "emotions/happy/live_1h.jpeg"},
    "/bulk": {"index": 0, "prompt": json.dumps({"emotion": "sad", "text": "sad garden"}),
              "fname": "imgPool/sad/img_20230423-101932"},
    "/generateDataset": [{"userId": "male/happy", "gender": "male", "emotion": "happy"}],
    "/text2image": {"text": "white flowers, very happy", "width": 64, "height": 64},
    "/updateDisplay": {"zone": "access-zone", "landscape": ["emotions/happy/live_1h.jpeg"]},
}
SCREENS = "display/access-zone"
READS = {
    "/retrieve": {"emotion": "happy"},
    "/galleryfromDB": {"emotion": "happy"},
    "/gardenfromDB": {"emotion": "happy"},
    "/gallery": {"userId": "male/happy", "emotion": "happy", "gender": "male"},
    "/garden": {"id": "x", "emotion": "happy", "generation": "adult", "gender": "Male"},
}


@pytest.fixture(autouse=True)
def catalogue() -> None:
    live_image("live_1h.jpeg")
    pool_image("pool_1h.jpeg")
    for screen in _files(SCREENS):  # the media folder outlives a test
        default_storage.delete(f"{SCREENS}/{screen}")


def _files(folder: str) -> list[str]:
    return sorted(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else []


def catalogue_state() -> tuple[object, ...]:
    return (sorted(Image.objects.values_list("name", "status")), GenerationJob.objects.count(),
            Interaction.objects.count(), _files("text2image"), _files(SCREENS))


def user(*, staff: bool = True, curator: bool = True) -> AbstractBaseUser:
    person = get_user_model().objects.create_user(f"user-{staff}-{curator}", password="pw", is_staff=staff)
    if curator:
        person.groups.add(Group.objects.get(name="Curators"))
    return person


def logged_in(person: AbstractBaseUser) -> Client:
    client = Client(enforce_csrf_checks=True)  # the original pages send no CSRF token
    client.force_login(person)
    return client


@pytest.mark.parametrize("path", WRITES)
def test_an_anonymous_caller_changes_nothing(path: str) -> None:
    before = catalogue_state()
    response = post_json(Client(enforce_csrf_checks=True), path, WRITES[path])
    assert response.status_code == 401
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "log in to /admin/ as a curator" in response.content.decode()
    assert response["WWW-Authenticate"].startswith("Api-Key")
    assert catalogue_state() == before


@pytest.mark.parametrize("path", WRITES)
def test_a_curators_session_on_this_sites_pages_works(path: str) -> None:
    client = logged_in(user())
    before = catalogue_state()
    response = client.post(path, json.dumps(WRITES[path]), content_type="application/json", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert catalogue_state() != before


def test_a_referer_of_this_site_stands_in_for_a_missing_origin() -> None:
    response = logged_in(user()).post("/removePool", json.dumps(WRITES["/removePool"]),
                                      content_type="application/json",
                                      headers={"Referer": f"{ORIGIN}/html/pool/preview/preview.html"})
    assert response.status_code == 200
    assert not Image.objects.filter(name="pool_1h.jpeg").exists()


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/page.html"},
    {},  # a session cookie with no page behind it (a form another site posts can hide neither header)
])
@pytest.mark.parametrize("path", WRITES)
def test_a_curators_session_from_elsewhere_is_refused(path: str, headers: dict[str, str]) -> None:
    client = logged_in(user())
    before = catalogue_state()
    response = client.post(path, json.dumps(WRITES[path]), content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert "only from this site's own pages" in response.content.decode()
    assert catalogue_state() == before


@pytest.mark.parametrize(("staff", "curator"), [(True, False), (False, True)])
def test_staff_without_the_permission_and_curators_without_staff_status_are_refused(staff: bool,
                                                                                   curator: bool) -> None:
    before = catalogue_state()
    response = logged_in(user(staff=staff, curator=curator)).post(
        "/remove", json.dumps(WRITES["/remove"]), content_type="application/json", headers={"Origin": ORIGIN})
    assert response.status_code == 403
    assert "lacks a permission" in response.content.decode()
    assert catalogue_state() == before


@pytest.mark.parametrize("path", WRITES)
def test_a_curation_key_works_from_anywhere(path: str) -> None:
    client = Client(headers={"X-Api-Key": ApiKeyFactory(scopes=["curation"]).raw_key,
                             "Origin": "https://tools.example"})
    before = catalogue_state()
    assert post_json(client, path, WRITES[path]).status_code == 200
    assert catalogue_state() != before


def test_keys_without_the_scope_and_unknown_keys_are_refused() -> None:
    before = catalogue_state()
    others = ["faces", "garden", "likes", "users"]
    wrong_scope = post_json(Client(headers={"Authorization": f"Api-Key {ApiKeyFactory(scopes=others).raw_key}"}),
                            "/remove", WRITES["/remove"])
    assert (wrong_scope.status_code, wrong_scope.content) == (403, b"This API key lacks the 'curation' scope.")
    unknown = post_json(Client(headers={"X-Api-Key": "eg_abcdefgh_" + "x" * 43}), "/remove", WRITES["/remove"])
    assert unknown.status_code == 401
    assert catalogue_state() == before


@pytest.mark.parametrize("path", READS)
def test_the_reads_stay_open_as_the_originals_were(path: str) -> None:
    assert post_json(Client(enforce_csrf_checks=True), path, READS[path]).status_code == 200


def test_a_closed_kiosk_network_may_open_the_writes_and_is_warned(settings: Settings,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    settings.COMPAT_OPEN_CURATION = True
    with caplog.at_level(logging.WARNING, logger="gallery.apps"):
        apps.get_app_config("gallery").ready()
    assert "COMPAT_OPEN_CURATION is on" in caplog.text
    assert post_json(Client(), "/remove", WRITES["/remove"]).status_code == 200
    assert Image.objects.get(name="live_1h.jpeg").status == Image.Status.RETIRED
