"""IRBE's gallery.html, request by request: emotion -> gallery (+ createUser) -> like -> gallery again."""

import pytest
from django.test import Client

from gallery.models import FaceUser
from recommender.models import Interaction
from tests.compat.pages import live_image, post_json

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_exploration")]

PAGE_SIZE = 3  # gallery.html shows three images at a time


def _visit_and_like_the_third_image(client: Client, frame: bytes) -> tuple[str, list[str], list[str]]:
    """The page's requests; returns the visitor id, the first garden and the garden after the like."""
    info = client.post("/emotion", frame, content_type="image/png").json()
    emotion = info["emotions"].lower()
    user_id = f"{info['id']}/{emotion}"
    request = {"userId": user_id, "emotion": emotion, "gender": info["gender"]}
    first = post_json(client, "/gallery", request)
    created = post_json(client, "/createUser", {"userId": user_id, "gender": info["gender"], "emotion": emotion})
    assert (first.status_code, created.status_code) == (200, 200)
    before = [entry["url"] for entry in first.json()]
    shown = before[:PAGE_SIZE]
    liked = post_json(client, "/like", {"id": user_id, "itemId": shown[2], "impression": shown})
    assert (liked.status_code, liked.content) == (200, b"Success")
    after = [entry["url"] for entry in post_json(client, "/gallery", request).json()]
    return info["id"], before, after


def test_an_anonymous_visitors_like_lifts_the_image(compat_client: Client, gallery_canvas_png: bytes) -> None:
    for index in range(6):
        live_image(f"img_20230423-10193{index}_{index}h.jpeg")
    _, before, after = _visit_and_like_the_third_image(compat_client, gallery_canvas_png)
    assert len(before) == len(after) == 6
    assert after[0] == before[2]
    # Shown but not liked: they fall behind the images not yet shown.
    assert after[-2:] == before[:2]


def test_a_kiosk_visitors_like_is_remembered_for_them(
    compat_client: Client, gallery_canvas_png: bytes, settings  # noqa: ANN001 (pytest-django fixture)
) -> None:
    settings.COMPAT_REMEMBER_FACES = True
    for index in range(6):
        live_image(f"img_20230423-10193{index}_{index}h.jpeg")
    # The page never sees the cookie /emotion sets; its XHRs carry it back, and the visitor's likes are theirs.
    visitor_id, before, after = _visit_and_like_the_third_image(compat_client, gallery_canvas_png)
    assert visitor_id == str(FaceUser.objects.get().pk)
    assert Interaction.objects.get().face_user_id == FaceUser.objects.get().pk
    # Their own likes are not shown to them again while anything new is left; what they passed over comes last.
    assert before[2] not in after
    assert after[-2:] == before[:2]
