"""An outside prober's paths to another person's data or to the catalogue, beyond what every route gets
(test_route_access.py): a photo of an enrolled person, a reused event id, and the curation admin's own pages."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from curation.models import Image, Track
from gallery.compat.keys import live_key
from gallery.models import FaceUser
from gallery.person_access import PERSON_COOKIE, PERSON_HEADER
from recommender.models import Interaction
from tests.factories import ApiKeyFactory, ApprovedImageFactory, FaceUserFactory, ImageFactory, TrackFactory, as_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim(astronaut_jpeg: bytes) -> tuple[FaceUser, str]:
    """The astronaut, enrolled with consent by an API client, which holds the credential."""
    answer = APIClient().post("/api/v1/emotion?remember=true", astronaut_jpeg, content_type="image/jpeg").json()
    assert answer["person_token"]
    return FaceUser.objects.get(pk=answer["face_user"]["id"]), answer["person_token"]


def _strangers() -> dict[str, Client]:
    page = Client()
    page.get("/")
    return {"anonymous": Client(), "page": page,
            "keyed": Client(headers={"X-Api-Key": ApiKeyFactory(scopes=["faces", "likes", "garden"]).raw_key}),
            "another person": Client(**as_person(FaceUserFactory()))}


def test_a_photo_without_consent_names_nobody(victim: tuple[FaceUser, str], astronaut_jpeg: bytes) -> None:
    face_user, token = victim
    strangers = _strangers()
    people = FaceUser.objects.count()
    for who, client in strangers.items():
        for path in ("/api/v1/emotion", "/api/v1/emotion?remember=false", "/emotion", "/api/v1/lookalike"):
            response = client.post(path, astronaut_jpeg, content_type="image/jpeg")
            assert response.status_code == 200, (who, path, response.content)
            body = response.content.decode()
            assert str(face_user.pk) not in body and token not in body, (who, path)
            assert PERSON_COOKIE not in response.cookies, (who, path)
        photo = SimpleUploadedFile("me.jpg", astronaut_jpeg, content_type="image/jpeg")
        same = SimpleUploadedFile("me-too.jpg", astronaut_jpeg, content_type="image/jpeg")
        response = client.post("/api/v1/faces/compare", {"source": photo, "target": same})
        assert response.status_code == 200 and str(face_user.pk) not in response.content.decode()
        photo.seek(0), same.seek(0)
        response = client.post("/upload", {"user_image": photo, "reference_image": same})  # the original look-alike
        assert response.status_code == 200 and str(face_user.pk) not in response.content.decode()
        assert response.json()["comparison_confidence"] > 0  # the photos were read
    assert FaceUser.objects.count() == people  # nobody enrolled either


def test_a_reused_event_id_never_answers_with_the_victims_event(victim: tuple[FaceUser, str]) -> None:
    face_user, token = victim
    strangers = _strangers()
    paths = ("/api/v1/like", "/api/v1/not-interested", "/api/v1/unlike")
    images = {path: ApprovedImageFactory() for path in paths}
    for path, image in images.items():
        event = {"image": image.pk, "impressions": [image.pk], "client_event_id": f"evt-victim{path}"}
        first = Client(headers={PERSON_HEADER: token}).post(
            path, json.dumps({**event, "face_user": str(face_user.pk)}), content_type="application/json")
        assert first.status_code == 201
        for who, client in strangers.items():
            response = client.post(path, json.dumps(event), content_type="application/json")
            assert response.status_code == 201, (who, path, response.content)  # an event of their own
            assert str(face_user.pk) not in response.content.decode(), (who, path)
            named = client.post(path, json.dumps({**event, "face_user": str(face_user.pk)}),
                                content_type="application/json")
            assert named.status_code in (401, 403), (who, path)
    assert Interaction.objects.filter(face_user=face_user).count() == len(paths)
    # The victim's own unlike reusing their like's id is a conflict, not the like again.
    liked = images["/api/v1/like"]
    again = Client(headers={PERSON_HEADER: token}).post("/api/v1/unlike", json.dumps({
        "image": liked.pk, "impressions": [liked.pk], "client_event_id": "evt-victim/api/v1/like",
        "face_user": str(face_user.pk)}), content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "idempotency_conflict"


CHANGELIST = reverse("admin:curation_image_changelist")
GRID = reverse("admin:curation_image_grid")
REVIEW = reverse("admin:curation_image_review")


def _staff(*permissions: str, csrf: bool = False) -> Client:
    user = get_user_model().objects.create_user(f"staff-{len(permissions)}-{csrf}", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="curation",
                                                         codename__in=permissions))
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _decisions(image: Image) -> dict[str, dict[str, object]]:
    """Every way the admin changes an image's status or filing, as the pages post them."""
    return {
        GRID: {"approve": str(image.pk)},
        REVIEW: {"image": image.pk, "decision": "approve"},
        CHANGELIST: {"action": "correct", "_selected_action": [image.pk], "index": 0, "apply": "1",
                     "emotion": "SAD", "theme": ""},
        f"{CHANGELIST}#approve": {"action": "approve", "_selected_action": [image.pk], "index": 0},
    }


@pytest.mark.parametrize("permissions", [(), ("view_image",), ("view_image", "change_image")],
                         ids=["no permission", "view only", "view and change"])
def test_the_review_pages_refuse_staff_without_the_review_permission(permissions: tuple[str, ...]) -> None:
    image = ImageFactory()
    client = _staff(*permissions)
    for path, form in _decisions(image).items():
        response = client.post(path.split("#")[0], form)
        assert response.status_code in (200, 302, 403), (path, response.status_code)
    image.refresh_from_db()
    assert (image.status, image.emotion) == (Image.Status.PENDING, "HAPPY")
    undo = reverse("admin:curation_image_undo", args=["0" * 32])
    assert client.post(undo).status_code in (403, 404)


@pytest.mark.parametrize("action", ["approve", "reject", "retire", "delete_selected"])
def test_the_track_list_refuses_decisions_to_staff_without_the_review_permission(action: str) -> None:
    track = TrackFactory()
    client = _staff("view_track", "change_track")
    client.post(reverse("admin:curation_track_changelist"),
                {"action": action, "_selected_action": [track.pk], "index": 0, "post": "yes"})
    track.refresh_from_db()
    assert track.status == Track.Status.PENDING


def test_the_track_list_decides_for_a_curator(curator_client: Client) -> None:
    """The control of the test above: the same post from a curator approves."""
    track = TrackFactory()
    curator_client.post(reverse("admin:curation_track_changelist"),
                        {"action": "approve", "_selected_action": [track.pk], "index": 0})
    track.refresh_from_db()
    assert track.status == Track.Status.APPROVED


def test_the_review_pages_change_nothing_without_a_csrf_token(curator: AbstractBaseUser) -> None:
    image = ImageFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    for path, form in _decisions(image).items():
        assert client.post(path.split("#")[0], form).status_code == 403, path
    image.refresh_from_db()
    assert (image.status, image.emotion) == (Image.Status.PENDING, "HAPPY")
    # The same decision with the page's token goes through: the refusal above was the token's.
    token = client.get(GRID).context["csrf_token"]
    assert client.post(GRID, {"approve": str(image.pk), "csrfmiddlewaretoken": token}).status_code == 302
    image.refresh_from_db()
    assert image.status == Image.Status.APPROVED


def test_undo_needs_post_and_the_token(curator: AbstractBaseUser) -> None:
    image = ImageFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    token = client.get(GRID).context["csrf_token"]
    client.post(GRID, {"approve": str(image.pk), "csrfmiddlewaretoken": token})
    [batch] = client.session["curation_image_undo"]
    undo = reverse("admin:curation_image_undo", args=[batch])
    assert client.get(undo).status_code == 200  # shows what it would do, and does nothing
    assert client.post(undo).status_code == 403
    image.refresh_from_db()
    assert image.status == Image.Status.APPROVED
    # Where it sends the curator after is this site only: an undo link is no open redirect.
    done = client.post(undo, {"csrfmiddlewaretoken": token, "next": "https://evil.example/"})
    assert done.status_code == 302 and done["Location"] == CHANGELIST
    image.refresh_from_db()
    assert image.status == Image.Status.PENDING


@pytest.mark.parametrize("origin", [{}, {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}])
def test_a_curators_session_writes_through_the_original_endpoints_only_from_this_site(
    curator: AbstractBaseUser, origin: dict[str, str]
) -> None:
    image = ApprovedImageFactory()
    client = Client(enforce_csrf_checks=True, headers=origin)
    client.force_login(curator)
    response = client.post("/remove", json.dumps({"objName": [live_key(image)]}), content_type="application/json")
    assert response.status_code == 403
    image.refresh_from_db()
    assert image.status == Image.Status.APPROVED


@pytest.mark.parametrize("path", ["/", "/lookalike", "/i18n/setlang/"])
def test_the_pages_change_nothing_without_a_csrf_token(path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/")
    response = client.post(path, {"language": "ko"})
    assert response.status_code in (403, 405), path
    assert "django_language" not in response.cookies


@pytest.mark.parametrize("path", ["/", "/lookalike"])
def test_the_pages_are_only_read(path: str) -> None:
    """Even with a valid token (or none asked), a page answers only GET and HEAD."""
    for method in ("post", "put", "delete", "patch"):
        response = getattr(Client(), method)(path)
        assert response.status_code == 405, (path, method)
        assert "eg_page" not in response.cookies
