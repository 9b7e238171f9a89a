"""The person cookie acts in a write only from this site's own pages (or from a client that names no origin): a
page of another origin on the same site (another port, a sibling subdomain) gets it sent despite SameSite=Strict."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from curation.models import Image
from gallery.compat.keys import live_key
from gallery.credentials import face_user_id_for_token, issue_person_credential
from gallery.models import FaceUser
from gallery.person_access import PERSON_COOKIE, PERSON_HEADER
from recommender.models import Interaction
from tests.factories import ApprovedImageFactory, FaceUserFactory

pytestmark = pytest.mark.django_db

HOPPER = (Path(settings.BASE_DIR) / "gallery" / "demo_references" / "grace_hopper.jpg").read_bytes()
OTHER_ORIGINS = {
    "another site": {"HTTP_ORIGIN": "http://evil.example"},
    "another port": {"HTTP_ORIGIN": "http://testserver:8080"},
    "a sibling subdomain": {"HTTP_ORIGIN": "http://shop.testserver"},
    "an opaque origin": {"HTTP_ORIGIN": "null"},
    "a referer only": {"HTTP_REFERER": "http://evil.example/page.html"},
}
OWN_PAGES = {
    "origin": {"HTTP_ORIGIN": "http://testserver"},
    "referer only": {"HTTP_REFERER": "http://testserver/html/garden.html"},
    "no page at all": {},  # a program holding the cookie: browsers name the origin of every POST
}


@pytest.fixture
def holder() -> tuple[FaceUser, Client, str]:
    """A person whose browser holds their cookie."""
    person = FaceUserFactory()
    token = issue_person_credential(face_user=person)
    client = Client()
    client.cookies[PERSON_COOKIE] = token
    return person, client, token


def _original_like(client: Client, person: FaceUser, image: Image, headers: dict[str, str]) -> None:
    """As the probe sent it: text/plain, which a page of another origin may POST without asking first."""
    body = json.dumps({"id": f"{person.pk}/happy", "itemId": live_key(image)})
    response = client.post("/like", body, content_type="text/plain", **headers)
    assert (response.status_code, response.content) == (200, b"Success")


@pytest.mark.parametrize("where", OTHER_ORIGINS)
def test_the_cookie_from_another_origin_acts_for_nobody(holder: tuple[FaceUser, Client, str], where: str) -> None:
    person, client, token = holder
    image = ApprovedImageFactory(emotion="HAPPY")
    _original_like(client, person, image, OTHER_ORIGINS[where])
    assert Interaction.objects.get().face_user is None  # an anonymous like, not the person's

    response = client.post("/api/v1/like", {"image": image.pk, "face_user": str(person.pk)},
                           content_type="application/json", **OTHER_ORIGINS[where])
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "person_credential_required"

    photo = SimpleUploadedFile("someone-else.jpg", HOPPER, content_type="image/jpeg")
    answer = client.post("/api/v1/emotion?remember=true", {"image": photo}, **OTHER_ORIGINS[where])
    assert answer.status_code == 200
    assert answer.json()["face_user"]["id"] != str(person.pk)
    assert face_user_id_for_token(token) == person.pk  # the holder's credential was not revoked


@pytest.mark.parametrize("where", OWN_PAGES)
def test_the_cookie_from_this_sites_pages_acts_for_its_person(holder: tuple[FaceUser, Client, str],
                                                              where: str) -> None:
    person, client, _ = holder
    image = ApprovedImageFactory(emotion="HAPPY")
    _original_like(client, person, image, OWN_PAGES[where])
    assert Interaction.objects.get().face_user == person
    response = client.post("/api/v1/unlike", {"image": image.pk, "face_user": str(person.pk)},
                           content_type="application/json", **OWN_PAGES[where])
    assert response.status_code == 201


def test_reads_and_the_header_credential_are_not_bound_to_an_origin(holder: tuple[FaceUser, Client, str]) -> None:
    """A page of another origin cannot read a credentialed answer (CORS allows no credentials), nor send the header
    without CORS allowing it."""
    person, client, token = holder
    elsewhere = OTHER_ORIGINS["another port"]
    assert client.get(f"/api/v1/users/{person.pk}", **elsewhere).status_code == 200
    image = ApprovedImageFactory()
    response = Client().post("/api/v1/like", {"image": image.pk, "face_user": str(person.pk)},
                             content_type="application/json", headers={PERSON_HEADER: token}, **elsewhere)
    assert response.status_code == 201
    assert Interaction.objects.get().face_user == person
