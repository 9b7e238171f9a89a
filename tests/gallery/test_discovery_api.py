"""The recommender's newer answers through the API: not interested, similar images, trending, themes, and the
garden answers (recommendation_id) that likes name."""

import uuid

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from curation.models import Image
from recommender.dashboard import online_like_rates
from recommender.history import LIKED, SHOWN, visitor_events
from recommender.items import store_item_content
from recommender.models import Interaction, SegmentStat, ServedPage
from tests.factories import ApiKeyFactory, ApprovedImageFactory, FaceUserFactory, ImageFactory, as_person, jpeg_bytes

pytestmark = pytest.mark.django_db


def garden(api_client: APIClient, credential: dict[str, str] | None = None, **body: object) -> dict:
    response = api_client.post("/api/v1/garden", body, format="json", **(credential or {}))
    assert response.status_code == 200, response.content
    return response.json()


def test_not_interested_hides_the_image_and_its_near_duplicates_from_that_visitor(api_client: APIClient) -> None:
    # The same picture twice (measured on approval), pictures of another theme, and one in another colour.
    twins = ApprovedImageFactory.create_batch(2, emotion="CALM", theme="winter,snowy,night", prompt="a frozen lake")
    others = ApprovedImageFactory.create_batch(3, emotion="CALM", theme="summer,sunny,day", prompt="a green field")
    others.append(ApprovedImageFactory(emotion="CALM", theme="winter,snowy,night", prompt="a frozen lake",
                                       file=ContentFile(jpeg_bytes(colour=(20, 40, 200)), name="blue.jpeg")))
    for image in [*twins, *others]:
        store_item_content(image)
    person, stranger = FaceUserFactory(), FaceUserFactory()
    theirs, strangers = as_person(person), as_person(stranger)
    assert api_client.post("/api/v1/not-interested", {"image": twins[0].id, "face_user": str(person.id)},
                           format="json").status_code == 403  # in someone's name, only with their credential
    answer = api_client.post("/api/v1/not-interested", {
        "image": twins[0].id, "face_user": str(person.id), "emotion": "calm", "client_event_id": "no-1"},
        format="json", **theirs)
    assert answer.status_code == 201 and answer.json()["event"] == "not_interested"
    shown = {item["id"] for item in garden(api_client, theirs, emotion="CALM", face_user=str(person.id),
                                           n=10)["items"]}
    assert not shown & {image.id for image in twins}
    assert {image.id for image in others} <= shown
    assert twins[1].id in {item["id"] for item in garden(api_client, strangers, emotion="CALM",
                                                               face_user=str(stranger.id), n=10)["items"]}
    # Once per visitor and image, whatever the client event id: nothing is counted twice.
    counted = SegmentStat.objects.get(segment="*", image=twins[0]).impressions
    again = api_client.post("/api/v1/not-interested", {"image": twins[0].id, "face_user": str(person.id)},
                            format="json", **theirs)
    assert again.status_code == 200 and again.json()["id"] == answer.json()["id"]
    assert Interaction.objects.filter(event="not_interested").count() == 1
    assert SegmentStat.objects.get(segment="*", image=twins[0]).impressions == counted


@pytest.mark.parametrize(("status", "was_live", "code"), [
    (None, False, "unknown_image"),
    (Image.Status.PENDING, False, "unknown_image"),  # never shown to anyone: as if it did not exist
    (Image.Status.REJECTED, False, "unknown_image"),
    (Image.Status.RETIRED, True, "image_not_live"),
    (Image.Status.REJECTED, True, "image_not_live"),  # withdrawn after it was live
])
def test_similar_and_not_interested_answer_404_for_images_out_of_the_gallery(
    api_client: APIClient, status: str | None, was_live: bool, code: str
) -> None:
    image_id = ImageFactory(status=status, approved_at=timezone.now() if was_live else None).id if status else 987_654
    similar = api_client.get(f"/api/v1/images/{image_id}/similar")
    assert similar.status_code == 404 and similar.json()["error"]["code"] == "image_not_found"
    hidden = api_client.post("/api/v1/not-interested", {"image": image_id}, format="json")
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, code)
    assert api_client.get(f"/api/v1/images/{2**70}/similar").status_code == 404


def test_similar_images_share_content_and_say_why(api_client: APIClient) -> None:
    image = ApprovedImageFactory(emotion="SAD", theme="winter,snowy,night")
    alike = ApprovedImageFactory.create_batch(2, emotion="SAD", theme="winter,snowy,night")
    unlike = ApprovedImageFactory.create_batch(3, emotion="HAPPY", theme="summer,sunny,day")
    ImageFactory(emotion="SAD", theme="winter,snowy,night")  # pending: never suggested
    response = api_client.get(f"/api/v1/images/{image.id}/similar", {"n": 3})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["id"] for item in items[:2]] in ([alike[0].id, alike[1].id], [alike[1].id, alike[0].id])
    assert items[0]["reason"] == "also night, snowy, winter" and items[0]["reason_code"] == "similar"
    assert len(items) == 3 and image.id not in {item["id"] for item in items}
    assert {item["id"] for item in items} <= {image.id for image in [*alike, *unlike]}
    assert api_client.get(f"/api/v1/images/{image.id}/similar", {"n": 0}).status_code == 400
    someone = FaceUserFactory()
    url = f"/api/v1/images/{image.id}/similar"
    assert api_client.get(url, {"face_user": str(someone.id)}).status_code == 403
    assert api_client.get(url, {"face_user": str(someone.id)}, **as_person(someone)).status_code == 200


def test_trending_favours_what_visitors_of_the_emotion_liked_lately(api_client: APIClient) -> None:
    quiet, hot, warm = ApprovedImageFactory.create_batch(3, emotion="FEAR")
    for _ in range(3):
        api_client.post("/api/v1/like", {"image": hot.id, "emotion": "fear"}, format="json")
    api_client.post("/api/v1/like", {"image": warm.id, "emotion": "happy"}, format="json")
    answer = garden(api_client, emotion="FEAR", mode="trending", n=3)
    assert answer["mode"] == "trending"
    assert [item["id"] for item in answer["items"]] == [hot.id, warm.id, quiet.id]
    assert answer["items"][0]["reason_code"] == "trending"


def test_theme_keeps_its_images_in_every_mode_and_an_unknown_theme_gives_an_empty_page_with_a_reason(
    api_client: APIClient,
) -> None:
    winter = ApprovedImageFactory.create_batch(2, emotion="HAPPY", theme="winter,snowy,day")
    ApprovedImageFactory.create_batch(3, emotion="HAPPY", theme="summer,sunny,day")
    for mode in ("auto", "emotion", "trending"):
        answer = garden(api_client, emotion="HAPPY", theme="winter", mode=mode, n=5)
        assert {item["id"] for item in answer["items"]} == {image.id for image in winter}
    every_word = garden(api_client, emotion="HAPPY", theme="Winter, snowy, day", theme_match="all", n=5)
    assert {item["id"] for item in every_word["items"]} == {image.id for image in winter}
    assert len(garden(api_client, emotion="HAPPY", theme="day", n=5)["items"]) == 5
    unknown = garden(api_client, emotion="HAPPY", theme="volcano", n=5)
    assert unknown["items"] == [] and unknown["empty_reason"]["code"] == "unknown_theme_words"


def test_garden_answers_are_stored_and_likes_that_name_them_count_per_mode_and_slot(api_client: APIClient) -> None:
    images = ApprovedImageFactory.create_batch(3, emotion="SAD")
    person = FaceUserFactory()
    theirs = as_person(person)
    answer = garden(api_client, theirs, emotion="SAD", face_user=str(person.id), n=3)
    page = ServedPage.objects.get(pk=answer["recommendation_id"])
    assert page.item_ids == [item["id"] for item in answer["items"]] and page.face_user_id == person.id
    # Serving counted the impressions; the like that names the answer adds only the like.
    assert {stat.impressions for stat in SegmentStat.objects.filter(segment="SAD")} == {1}
    second = answer["items"][1]["id"]
    like = api_client.post("/api/v1/like", {"image": second, "face_user": str(person.id), "emotion": "sad",
                                            "impressions": [image.id for image in images],
                                            "recommendation_id": answer["recommendation_id"]}, format="json",
                      **theirs)
    assert like.status_code == 201
    assert SegmentStat.objects.get(segment="SAD", image_id=second).impressions == 1
    assert Interaction.objects.get().recommendation_id == answer["recommendation_id"]
    rates = online_like_rates(days=1)
    assert [(row.label, row.shown, row.likes) for row in rates.by_mode] == [("emotion", 3, 1)]
    assert [(row.label, row.shown, row.likes) for row in rates.by_slot] == [("1", 1, 0), ("2", 1, 1), ("3", 1, 0)]
    bad = api_client.post("/api/v1/like", {"image": second, "recommendation_id": "not-an-id"}, format="json")
    assert bad.status_code == 400 and "recommendation_id" in bad.json()["error"]["fields"]


def test_a_like_without_its_answers_id_is_counted_with_the_page_that_showed_it(api_client: APIClient) -> None:
    """A client that sends the page as impressions but no recommendation_id: the page counted its impressions when
    it was served, so the like adds only the like, and the dashboard credits that page."""
    ApprovedImageFactory.create_batch(3, emotion="SAD")
    person = FaceUserFactory()
    theirs = as_person(person)
    answer = garden(api_client, theirs, emotion="SAD", face_user=str(person.id), n=3)
    shown = [item["id"] for item in answer["items"]]
    like = api_client.post("/api/v1/like", {"image": shown[2], "face_user": str(person.id), "emotion": "SAD",
                                            "impressions": shown}, format="json", **theirs)
    assert like.status_code == 201
    assert Interaction.objects.get().recommendation_id == answer["recommendation_id"]
    assert sorted(SegmentStat.objects.filter(segment="SAD").values_list("image_id", "impressions", "likes")) == [
        (image_id, 1, int(image_id == shown[2])) for image_id in sorted(shown)]
    assert [(row.label, row.shown, row.likes) for row in online_like_rates(days=1).by_slot] == [
        ("1", 1, 0), ("2", 1, 0), ("3", 1, 1)]


def test_a_like_that_does_not_say_the_emotion_is_counted_in_its_answers(api_client: APIClient) -> None:
    """A client that sends only what is liked: the like counts in the segments of the emotion its page was served
    for, and the visitor's taste reads it in that mood; a like no answer showed keeps no emotion."""
    ApprovedImageFactory.create_batch(3, emotion="SAD")
    person = FaceUserFactory()
    theirs = as_person(person)
    answer = garden(api_client, theirs, emotion="SAD", face_user=str(person.id), n=3)
    shown = [item["id"] for item in answer["items"]]
    named = api_client.post("/api/v1/like", {"image": shown[0], "face_user": str(person.id),
                                             "recommendation_id": answer["recommendation_id"]}, format="json", **theirs)
    found = api_client.post("/api/v1/like", {"image": shown[1], "face_user": str(person.id)}, format="json", **theirs)
    assert [(like.status_code, like.json()["emotion"]) for like in (named, found)] == [(201, "SAD"), (201, "SAD")]
    assert sorted(SegmentStat.objects.filter(segment="SAD").values_list("image_id", "impressions", "likes")) == [
        (image_id, 1, int(image_id in shown[:2])) for image_id in sorted(shown)]
    exposures = visitor_events(person.id).exposures
    assert [exposures[image_id] for image_id in shown] == [("SAD", LIKED), ("SAD", LIKED), ("SAD", SHOWN)]
    unseen = ApprovedImageFactory(emotion="CALM")
    anonymous = api_client.post("/api/v1/like", {"image": unseen.id}, format="json")
    assert anonymous.status_code == 201 and anonymous.json()["emotion"] == ""
    assert not SegmentStat.objects.filter(segment="CALM").exists()


def test_a_recommendation_id_that_did_not_show_the_image_to_this_visitor_is_not_trusted(
        api_client: APIClient) -> None:
    images = ApprovedImageFactory.create_batch(3, emotion="SAD")
    someone, person = FaceUserFactory(), FaceUserFactory()
    theirs = garden(api_client, as_person(someone), emotion="SAD", face_user=str(someone.id), n=3)
    # Another person, and an anonymous visitor, each naming someone's answer: their likes count their own impressions.
    for visitor, credential in ((str(person.id), as_person(person)), (None, {})):
        like = api_client.post("/api/v1/like", {
            "image": images[0].id, "emotion": "HAPPY", "impressions": [image.id for image in images],
            "recommendation_id": theirs["recommendation_id"], **({"face_user": visitor} if visitor else {}),
        }, format="json", **credential)
        assert like.status_code == 201 and like.json()["recommendation_id"] == ""
    assert sorted(SegmentStat.objects.filter(segment="HAPPY").values_list("image_id", "impressions", "likes")) == [
        (image.id, 2, 2 * (image == images[0])) for image in images]
    # Nor one that showed other images: the person's own answer of other images.
    other = ApprovedImageFactory(emotion="CALM")
    mine = garden(api_client, as_person(person), emotion="CALM", face_user=str(person.id), n=1)
    assert [item["id"] for item in mine["items"]] == [other.id]
    like = api_client.post("/api/v1/like", {"image": images[1].id, "face_user": str(person.id), "emotion": "HAPPY",
                                            "recommendation_id": mine["recommendation_id"]}, format="json",
                           **as_person(person))
    assert like.status_code == 201 and like.json()["recommendation_id"] == ""


def test_the_dashboard_shows_online_like_rates(admin_client: Client) -> None:
    image = ApprovedImageFactory()
    ServedPage.objects.create(id="a" * 32, mode="personal", emotion="HAPPY", items=str(image.id),
                              created_at=timezone.now())
    page = admin_client.get("/admin/recommender/interaction/dashboard/")
    assert page.status_code == 200
    assert b"Online like-rate" in page.content and b"personal" in page.content


def test_similar_for_a_face_user_who_does_not_exist_is_a_400(api_client: APIClient) -> None:
    """An operator key naming an unknown or forgotten person got a 200, where garden, songs and like answer 400."""
    image = ApprovedImageFactory()
    api_client.credentials(HTTP_X_API_KEY=ApiKeyFactory().raw_key)
    answer = api_client.get(f"/api/v1/images/{image.id}/similar", {"face_user": str(uuid.uuid4())})
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "unknown_face_user")
