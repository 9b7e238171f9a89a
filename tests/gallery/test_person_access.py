"""No path from a photo or an id to a person's data: every door of the REST API that opens one, tried with nothing,
with someone else's credential, with a revoked one, with the page's cookie, and with the rights that do open it."""

import hashlib
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django.fixtures import Settings
from rest_framework.response import Response
from rest_framework.test import APIClient

from gallery.credentials import issue_person_credential
from gallery.models import FaceUser, PersonCredential
from gallery.person_access import PERSON_COOKIE
from recommender.models import Interaction, ServedPage
from tests.factories import ApiKeyFactory, ApprovedImageFactory, ApprovedTrackFactory, FaceUserFactory, as_person

pytestmark = pytest.mark.django_db

ORIGIN = {"HTTP_ORIGIN": "http://testserver"}  # what a browser sends with the page's own POSTs
Door = Callable[[APIClient, uuid.UUID, int], Response]

DOORS: dict[str, Door] = {
    "read": lambda client, person, image: client.get(f"/api/v1/users/{person}"),
    "likes": lambda client, person, image: client.get(f"/api/v1/users/{person}/likes"),
    "export": lambda client, person, image: client.get(f"/api/v1/users/{person}/export"),
    "personal picks": lambda client, person, image: client.post(
        "/api/v1/garden", {"emotion": "HAPPY", "face_user": str(person)}, format="json"),
    "like in their name": lambda client, person, image: client.post(
        "/api/v1/like", {"image": image, "face_user": str(person)}, format="json"),
    "unlike in their name": lambda client, person, image: client.post(
        "/api/v1/unlike", {"image": image, "face_user": str(person)}, format="json"),
    "forget": lambda client, person, image: client.delete(f"/api/v1/users/{person}"),
}


def assert_refused(response: Response) -> None:
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "person_credential_required"


@pytest.fixture
def image() -> int:
    return ApprovedImageFactory().pk


@pytest.mark.parametrize("door", DOORS)
def test_an_id_alone_opens_nothing_and_says_nothing_of_who_exists(api_client: APIClient, image: int,
                                                                  door: str) -> None:
    person = FaceUserFactory()
    known = DOORS[door](api_client, person.pk, image)
    unknown = DOORS[door](api_client, uuid.uuid4(), image)
    assert_refused(known)
    assert known.status_code == unknown.status_code
    # The same answer but for the request's own id.
    assert {**known.json()["error"], "request_id": ""} == {**unknown.json()["error"], "request_id": ""}
    assert FaceUser.objects.filter(pk=person.pk).exists()
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("door", DOORS)
def test_one_persons_credential_does_not_open_anothers(api_client: APIClient, image: int, door: str) -> None:
    person, other = FaceUserFactory.create_batch(2)
    api_client.credentials(**as_person(other))
    assert_refused(DOORS[door](api_client, person.pk, image))
    assert FaceUser.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize("door", DOORS)
def test_the_persons_own_credential_opens_every_door(api_client: APIClient, image: int, door: str) -> None:
    person = FaceUserFactory()
    api_client.credentials(**as_person(person))
    assert DOORS[door](api_client, person.pk, image).status_code in (200, 201, 204)


@pytest.mark.parametrize("door", DOORS)
def test_an_operator_key_with_the_users_scope_opens_every_door(api_client: APIClient, image: int, door: str) -> None:
    person = FaceUserFactory()
    api_client.credentials(HTTP_X_API_KEY=ApiKeyFactory().raw_key)  # every scope
    assert DOORS[door](api_client, person.pk, image).status_code in (200, 201, 204)


def test_an_apps_key_without_the_users_scope_opens_only_its_persons_data(api_client: APIClient) -> None:
    person, other = FaceUserFactory.create_batch(2)
    app_key = ApiKeyFactory(scopes=["faces", "garden", "likes"]).raw_key
    token = issue_person_credential(face_user=person)
    assert api_client.get(f"/api/v1/users/{person.pk}", HTTP_X_API_KEY=app_key,
                          HTTP_X_PERSON_TOKEN=token).status_code == 200
    assert_refused(api_client.get(f"/api/v1/users/{other.pk}", HTTP_X_API_KEY=app_key, HTTP_X_PERSON_TOKEN=token))
    without = api_client.get(f"/api/v1/users/{person.pk}", HTTP_X_API_KEY=app_key)
    assert (without.status_code, without.json()["error"]["code"]) == (403, "insufficient_scope")


def test_a_photo_without_consent_names_nobody_even_someone_remembered(api_client: APIClient,
                                                                       astronaut_png: bytes) -> None:
    enrolled = api_client.post("/api/v1/emotion?remember=true", astronaut_png, content_type="image/png").json()
    assert enrolled["face_user"] and enrolled["person_token"]
    for query in ("", "?remember=false", "?recognise=no"):
        response = api_client.post(f"/api/v1/emotion{query}", astronaut_png, content_type="image/png")
        body = response.json()
        assert (body["face_user"], body["recognised"], body["person_token"]) == (None, False, None)
        assert PERSON_COOKIE not in response.cookies
    assert PersonCredential.objects.count() == 1


def test_enrolment_and_consented_recognition_hand_an_api_client_its_token_once(api_client: APIClient,
                                                                               astronaut_png: bytes) -> None:
    enrolled = api_client.post("/api/v1/emotion?remember=true", astronaut_png, content_type="image/png").json()
    token, person = enrolled["person_token"], enrolled["face_user"]["id"]
    assert token.startswith("egp_")
    stored = PersonCredential.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()  # the token itself is kept nowhere
    # A device without the token that is recognised with consent gets one of its own...
    other_device = api_client.post("/api/v1/emotion?recognise=true", astronaut_png, content_type="image/png").json()
    assert other_device["face_user"]["id"] == person and other_device["person_token"] not in (None, token)
    # ...and a device that sends its token gets no new one.
    again = api_client.post("/api/v1/emotion?recognise=true", astronaut_png, content_type="image/png",
                            HTTP_X_PERSON_TOKEN=token).json()
    assert again["recognised"] is True and again["person_token"] is None
    assert PersonCredential.objects.count() == 2


def test_a_revoked_credential_opens_nothing_and_the_other_devices_keep_theirs(api_client: APIClient) -> None:
    person = FaceUserFactory()
    phone, tablet = (issue_person_credential(face_user=person) for _ in range(2))
    assert api_client.delete("/api/v1/credential", HTTP_X_PERSON_TOKEN=phone).status_code == 204
    assert_refused(api_client.get(f"/api/v1/users/{person.pk}", HTTP_X_PERSON_TOKEN=phone))
    assert api_client.get(f"/api/v1/users/{person.pk}", HTTP_X_PERSON_TOKEN=tablet).status_code == 200
    # Revoking again, or something that never was a token, is no error.
    assert api_client.delete("/api/v1/credential", HTTP_X_PERSON_TOKEN=phone).status_code == 204
    assert api_client.delete("/api/v1/credential", HTTP_X_PERSON_TOKEN="x" * 10_000).status_code == 204


def test_forgetting_a_person_revokes_every_credential(api_client: APIClient) -> None:
    person = FaceUserFactory()
    tokens = [issue_person_credential(face_user=person) for _ in range(3)]
    assert api_client.delete(f"/api/v1/users/{person.pk}", HTTP_X_PERSON_TOKEN=tokens[0]).status_code == 204
    assert not PersonCredential.objects.exists()
    for token in tokens:
        assert_refused(api_client.get(f"/api/v1/users/{person.pk}/export", HTTP_X_PERSON_TOKEN=token))


def test_the_page_keeps_the_credential_in_a_cookie_its_script_cannot_read(client: Client, astronaut_png: bytes,
                                                                          settings: Settings) -> None:
    settings.HTTPS = True
    client.get("/")
    response = client.post("/api/v1/emotion?remember=true", astronaut_png, content_type="image/png", **ORIGIN)
    body = response.json()
    assert body["person_token"] is None  # nothing a script on the page could read
    cookie = response.cookies[PERSON_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["secure"]
    assert cookie["max-age"] == 365 * 24 * 3600
    person = body["face_user"]["id"]
    assert client.get(f"/api/v1/users/{person}/export").status_code == 200
    forgotten = client.delete(f"/api/v1/users/{person}", **ORIGIN)
    assert forgotten.status_code == 204 and forgotten.cookies[PERSON_COOKIE].value == ""


def test_a_browser_handed_to_someone_else_revokes_the_first_persons_cookie(client: Client,
                                                                          astronaut_png: bytes) -> None:
    first = FaceUserFactory()
    client.cookies[PERSON_COOKIE] = issue_person_credential(face_user=first)
    response = client.post("/api/v1/emotion?remember=true", astronaut_png, content_type="image/png", **ORIGIN)
    newcomer = response.json()["face_user"]["id"]
    assert newcomer != str(first.pk)
    assert list(PersonCredential.objects.values_list("face_user", flat=True)) == [uuid.UUID(newcomer)]
    assert_refused(client.get(f"/api/v1/users/{first.pk}"))
    assert client.get(f"/api/v1/users/{newcomer}").status_code == 200


def test_the_page_cookie_of_a_keys_required_site_opens_no_person(client: Client, settings: Settings) -> None:
    settings.API_KEYS_REQUIRED = True
    person = FaceUserFactory()
    client.get("/")
    assert client.post("/api/v1/garden", {"emotion": "HAPPY"}, content_type="application/json").status_code == 200
    for path in (f"/api/v1/users/{person.pk}", f"/api/v1/users/{person.pk}/likes",
                 f"/api/v1/users/{person.pk}/export"):
        assert_refused(client.get(path))
    assert_refused(client.delete(f"/api/v1/users/{person.pk}"))
    assert FaceUser.objects.filter(pk=person.pk).exists()


def test_a_client_that_sends_its_persons_credential_acts_for_them_where_it_does_not_name_them(
        api_client: APIClient, image: int) -> None:
    """Its pages are served in the person's name, so its likes must be theirs too: the taste would otherwise read
    every image shown as passed over."""
    person = FaceUserFactory()
    theirs = as_person(person)
    answer = api_client.post("/api/v1/garden", {"emotion": "HAPPY"}, format="json", **theirs)
    assert answer.status_code == 200
    assert ServedPage.objects.get(pk=answer.json()["recommendation_id"]).face_user_id == person.pk
    like = api_client.post("/api/v1/like", {"image": image}, format="json", **theirs)
    assert like.status_code == 201 and (like.json()["face_user"], like.json()["likes"]) == (str(person.pk), 1)
    assert api_client.get(f"/api/v1/images/{image}/similar", **theirs).status_code == 200
    # A token that names nobody (unknown, revoked) leaves the event anonymous, as before.
    stranger = api_client.post("/api/v1/like", {"image": image}, format="json", HTTP_X_PERSON_TOKEN="not-a-token")
    assert stranger.status_code == 201 and stranger.json()["face_user"] is None


@pytest.mark.parametrize("path", ["/api/v1/garden", "/api/v1/songs"])
def test_a_persons_credential_stands_for_the_face_user_where_no_emotion_is_given(
        api_client: APIClient, image: int, path: str) -> None:
    """A face user alone is enough for personal picks, so their credential alone is too; a token that names nobody
    is still a request with neither, refused with the reason."""
    ApprovedTrackFactory()
    person = FaceUserFactory()
    answer = api_client.post(path, {}, format="json", **as_person(person))
    assert answer.status_code == 200, answer.content
    assert len(answer.json()["items"]) == 1
    assert ServedPage.objects.get(pk=answer.json()["recommendation_id"]).face_user_id == person.pk
    for headers in ({}, {"HTTP_X_PERSON_TOKEN": "not-a-token"}):
        refused = api_client.post(path, {}, format="json", **headers)
        assert refused.status_code == 400 and "emotion" in refused.json()["error"]["fields"]


def test_the_pages_cookie_does_not_name_its_person_where_the_page_leaves_them_out(client: Client, image: int) -> None:
    """The page leaves the face user out when its visitor chose not to be remembered this time; the cookie outlives
    that choice and must not override it."""
    person = FaceUserFactory()
    client.cookies[PERSON_COOKIE] = issue_person_credential(face_user=person)
    like = client.post("/api/v1/like", {"image": image}, content_type="application/json", **ORIGIN)
    assert like.status_code == 201 and like.json()["face_user"] is None
    assert not Interaction.objects.filter(face_user=person).exists()
