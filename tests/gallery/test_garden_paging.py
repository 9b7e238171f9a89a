"""Paging the garden: a compact cursor, an explicit end, no repeats of liked images; paging a person's likes."""

import random

import pytest
from django.core import signing
from rest_framework.test import APIClient

from gallery.cursors import MAX_CURSOR_CHARS, MAX_REMEMBERED, decode_cursor, encode_cursor
from tests.factories import ApprovedImageFactory, FaceUserFactory, as_person

pytestmark = pytest.mark.django_db
URL = "/api/v1/garden"


def pages(api_client: APIClient, body: dict[str, object], *, limit: int = 10) -> list[dict]:
    answers = []
    for _ in range(limit):
        answer = api_client.post(URL, body, format="json").json()
        answers.append(answer)
        if answer["cursor"] is None:
            break
        body = {**body, "cursor": answer["cursor"]}
    return answers


def test_the_cursor_pages_to_an_explicit_end_without_repeats(api_client: APIClient) -> None:
    images = {image.id for image in ApprovedImageFactory.create_batch(7, emotion="SAD")}
    answers = pages(api_client, {"emotion": "SAD", "mode": "emotion"})
    assert [len(answer["items"]) for answer in answers] == [3, 3, 1]
    assert [answer["exhausted"] for answer in answers] == [False, False, True]
    assert answers[-1]["cursor"] is None
    seen = [item["id"] for answer in answers for item in answer["items"]]
    assert sorted(seen) == sorted(images)  # each image once


def test_a_pool_that_ends_on_a_full_page_says_so_on_that_page(api_client: APIClient) -> None:
    ApprovedImageFactory.create_batch(6, emotion="SAD")
    answers = pages(api_client, {"emotion": "SAD", "mode": "emotion"})
    assert [(len(answer["items"]), answer["exhausted"]) for answer in answers] == [(3, False), (3, True)]


def test_asking_past_the_end_answers_an_empty_page_that_says_why(api_client: APIClient) -> None:
    shown = [image.id for image in ApprovedImageFactory.create_batch(2, emotion="SAD")]
    answer = api_client.post(URL, {"emotion": "SAD", "mode": "emotion", "exclude": shown}, format="json").json()
    assert (answer["items"], answer["cursor"], answer["exhausted"]) == ([], None, True)
    assert answer["empty_reason"]["code"] == "seen_everything"


def test_exclude_is_kept_in_the_cursor(api_client: APIClient) -> None:
    images = [image.id for image in ApprovedImageFactory.create_batch(5, emotion="CALM")]
    first = api_client.post(URL, {"emotion": "CALM", "n": 2, "exclude": images[:2]}, format="json").json()
    second = api_client.post(URL, {"emotion": "CALM", "n": 2, "cursor": first["cursor"]}, format="json").json()
    served = {item["id"] for answer in (first, second) for item in answer["items"]}
    assert not served & set(images[:2])
    assert len(served) == 3 and second["exhausted"]


def test_personal_picks_never_serve_an_image_the_person_likes(api_client: APIClient, settings) -> None:  # noqa: ANN001
    settings.PERSONAL_PICKS_MIN_LIKES = 2
    images = ApprovedImageFactory.create_batch(4, emotion="HAPPY")
    face_user = FaceUserFactory()
    api_client.credentials(**as_person(face_user))
    for image in images[:2]:
        assert api_client.post("/api/v1/like", {"image": image.id, "face_user": str(face_user.id)},
                               format="json").status_code == 201
    answer = api_client.post(URL, {"emotion": "HAPPY", "face_user": str(face_user.id), "n": 10},
                             format="json").json()
    assert answer["mode"] == "personal"
    assert {item["id"] for item in answer["items"]} == {images[2].id, images[3].id}
    assert answer["exhausted"] is True
    for image in images[2:]:
        api_client.post("/api/v1/like", {"image": image.id, "face_user": str(face_user.id)}, format="json")
    liked_all = api_client.post(URL, {"emotion": "HAPPY", "face_user": str(face_user.id)}, format="json").json()
    assert liked_all["items"] == [] and liked_all["empty_reason"]["code"] == "seen_everything"


def test_the_cursor_is_compact() -> None:
    ids = random.Random(7).sample(range(1, 20_000), 500)  # 500 images seen across a 20,000-image catalogue
    token = encode_cursor(ids)
    assert decode_cursor(token) == set(ids)
    assert len(token) < 1_200  # the signed JSON list of the same ids was over 3,000 characters
    assert len(token) < len(signing.dumps(ids, salt="emotion-garden.garden-cursor", compress=True)) / 2
    assert len(encode_cursor(range(1, 5_001))) < 100  # a run of ids costs almost nothing


def test_a_visitor_past_the_remembered_ids_starts_afresh_with_this_page() -> None:
    """The page came as a generator, which the union used up: the fresh set was empty and the next page repeated it."""
    page = [10_000_007, 10_000_009]
    token = encode_cursor(range(1, MAX_REMEMBERED + 1), (image_id for image_id in page))
    assert decode_cursor(token) == set(page)


def test_no_cursor_is_issued_that_the_api_would_refuse(api_client: APIClient) -> None:
    """Excluded ids far apart (no image has them) deflate badly: four pages of 500 made a cursor of 24,000
    characters, which the next request refused."""
    ApprovedImageFactory.create_batch(8, emotion="HAPPY")
    far_apart = random.Random(3).sample(range(2**62, 2**63), 3_000)
    body: dict[str, object] = {"emotion": "HAPPY", "n": 1}
    for start in range(0, 3_000, 500):
        answer = api_client.post(URL, {**body, "exclude": far_apart[start:start + 500]}, format="json")
        assert answer.status_code == 200, answer.json()
        assert len(answer.json()["cursor"]) <= MAX_CURSOR_CHARS
        body["cursor"] = answer.json()["cursor"]


def test_a_cursor_signed_before_the_compact_format_still_pages(api_client: APIClient) -> None:
    images = [image.id for image in ApprovedImageFactory.create_batch(4, emotion="SAD")]
    old = signing.dumps(images[:3], salt="emotion-garden.garden-cursor", compress=True)
    answer = api_client.post(URL, {"emotion": "SAD", "cursor": old}, format="json").json()
    assert [item["id"] for item in answer["items"]] == [images[3]]


@pytest.mark.parametrize("cursor", ["WzEsMiwzXQ:forged", encode_cursor([1, 2])[:-2], "", "x" * 20_001])
def test_a_cursor_we_did_not_issue_is_refused(api_client: APIClient, cursor: str) -> None:
    response = api_client.post(URL, {"emotion": "SAD", "cursor": cursor}, format="json")
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


def test_a_persons_likes_come_a_page_at_a_time(api_client: APIClient) -> None:
    images = ApprovedImageFactory.create_batch(5)
    face_user = FaceUserFactory()
    api_client.credentials(**as_person(face_user))
    for image in images:
        api_client.post("/api/v1/like", {"image": image.id, "face_user": str(face_user.id)}, format="json")
    url = f"/api/v1/users/{face_user.id}/likes?limit=2"
    listed: list[int] = []
    while url:
        page = api_client.get(url).json()
        assert page["count"] == 5 and len(page["likes"]) <= 2
        listed += [item["id"] for item in page["likes"]]
        url = page["next"]
    assert listed == [image.id for image in reversed(images)]  # newest like first, each once
    assert page["previous"].endswith("limit=2&offset=2")
    past_the_end = api_client.get(f"/api/v1/users/{face_user.id}/likes?limit=2&offset=100").json()
    assert past_the_end["likes"] == [] and past_the_end["previous"].endswith("limit=2&offset=3")  # the last page
    for bad in ("limit=0", "limit=501", "limit=many", "offset=-1", "offset=99999999999999999999"):
        response = api_client.get(f"/api/v1/users/{face_user.id}/likes?{bad}")
        assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid"), bad
