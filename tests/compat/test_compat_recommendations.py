import uuid

import pytest
from django.test import Client

from curation.models import Image
from gallery.credentials import issue_person_credential
from gallery.models import FaceUser
from gallery.person_access import PERSON_COOKIE
from recommender.engines.base import Visitor
from tests.compat.pages import live_image, pool_image, post_json
from tests.factories import ApprovedImageFactory, FaceUserFactory, ImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def happy_gallery() -> list[Image]:
    """Live happy images, one sad one, and happy ones that are not live."""
    images = [live_image(f"img_20230423-101932_{index}h.jpeg") for index in range(3)]
    images.append(live_image("img_20230423-101932_3v.jpeg"))
    live_image("img_20230423-101932_9h.jpeg", emotion="SAD")
    pool_image("img_20230423-101932_5h.jpeg")
    ImageFactory(name="img_20230423-101932_6h.jpeg", status=Image.Status.RETIRED)
    return images


def test_emotion_recommendation_is_an_array_of_relative_urls(compat_client: Client,
                                                             happy_gallery: list[Image]) -> None:
    response = post_json(compat_client, "/gallery", {"userId": "female/happy", "emotion": "happy",
                                                     "gender": "female"})
    assert response.status_code == 200
    urls = response.json()
    assert all(list(entry) == ["url"] for entry in urls)
    assert sorted(entry["url"] for entry in urls) == [
        "emotions/happy/img_20230423-101932_0h.jpeg", "emotions/happy/img_20230423-101932_1h.jpeg",
        "emotions/happy/img_20230423-101932_2h.jpeg", "emotions/happy/img_20230423-101932_3v.jpeg",
    ]


def test_at_most_25_images_as_personalize_returned(compat_client: Client) -> None:
    ApprovedImageFactory.create_batch(27, emotion="CALM")
    response = post_json(compat_client, "/gallery", {"userId": "male/calm", "emotion": "calm", "gender": "male"})
    assert len(response.json()) == 25


def test_personalised_ids_of_known_and_unknown_visitors_both_get_picks(compat_client: Client,
                                                                       happy_gallery: list[Image]) -> None:
    person = FaceUserFactory()
    for user_id in (f"{person.pk}/happy", f"{uuid.uuid4()}/happy"):
        response = post_json(compat_client, "/gallery", {"userId": user_id, "emotion": "happy", "gender": "Female"})
        assert response.status_code == 200
        assert len(response.json()) == 4


def test_create_user_echoes_the_user(compat_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    person = FaceUserFactory()
    registered: list[Visitor] = []
    monkeypatch.setattr("recommender.engines.local.LocalRecommender.upsert_user",
                        lambda engine, visitor: registered.append(visitor))
    for user_id in (f"{person.pk}/happy", f"{uuid.uuid4()}/happy"):
        body = {"userId": user_id, "gender": "female", "emotion": "happy"}
        response = post_json(compat_client, "/createUser", body)
        assert (response.status_code, response.json()) == (200, body)
    assert registered == []  # an id alone acts for nobody
    compat_client.cookies[PERSON_COOKIE] = issue_person_credential(face_user=person)
    for user_id in (f"{person.pk}/happy", f"{uuid.uuid4()}/happy"):
        assert post_json(compat_client, "/createUser", {"userId": user_id, "gender": "female",
                                                         "emotion": "happy"}).status_code == 200
    # Only the id of the person whose cookie came along reaches the recommender.
    assert registered == [person.as_visitor()]
    assert FaceUser.objects.count() == 1


def test_gallery_from_db_lists_every_live_image_of_the_emotion(compat_client: Client,
                                                               happy_gallery: list[Image]) -> None:
    """IRBE had no favorites (its searchKey was the bare emotion), so the images of every theme are the emotion's."""
    live_image("img_20230423-101932_7h.jpeg", theme="spring,cloudy,day")
    live_image("sad_1h.jpeg", emotion="SAD")
    response = post_json(compat_client, "/galleryfromDB", {"id": str(uuid.uuid4()), "emotion": "happy",
                                                          "gender": "female"})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["landscape", "portrait"]
    assert sorted(entry["url"] for entry in body["landscape"]) == [
        "emotions/happy/img_20230423-101932_0h.jpeg", "emotions/happy/img_20230423-101932_1h.jpeg",
        "emotions/happy/img_20230423-101932_2h.jpeg", "emotions/happy/spring,cloudy,day/img_20230423-101932_7h.jpeg",
    ]
    assert body["portrait"] == [{"url": "emotions/happy/img_20230423-101932_3v.jpeg"}]


def test_garden_from_db_answers_absolute_urls_with_the_search_key(compat_client: Client) -> None:
    live_image("x_1h.jpeg", theme="winter,snowy,sunset")
    live_image("x_2v.jpeg", theme="winter,snowy,sunset")
    live_image("x_3h.jpeg")
    response = post_json(compat_client, "/gardenfromDB", {"id": "8b1d", "emotion": "happy/winter,snowy,sunset",
                                                         "generation": "adult", "gender": "Female"})
    assert response.status_code == 200
    assert response.json() == {
        "landscape": [{"url": "http://testserver/emotions/happy/winter,snowy,sunset/x_1h.jpeg",
                       "emotion": "happy/winter,snowy,sunset"}],
        "portrait": [{"url": "http://testserver/emotions/happy/winter,snowy,sunset/x_2v.jpeg",
                      "emotion": "happy/winter,snowy,sunset"}],
    }
    viewer = post_json(compat_client, "/gardenfromDB", {"emotion": "happy"}).json()
    assert viewer == {"landscape": [{"url": "http://testserver/emotions/happy/x_3h.jpeg", "emotion": "happy"}],
                      "portrait": []}


def test_garden_recommends_and_echoes_the_requested_search_key(compat_client: Client,
                                                               happy_gallery: list[Image]) -> None:
    response = post_json(compat_client, "/garden", {"id": str(uuid.uuid4()), "emotion": "happy/spring,cloudy,day",
                                                   "generation": "adult", "gender": "Female"})
    assert response.status_code == 200
    body = response.json()
    assert (len(body["landscape"]), len(body["portrait"])) == (3, 1)
    assert body["portrait"] == [{"url": "http://testserver/emotions/happy/img_20230423-101932_3v.jpeg",
                                 "emotion": "happy/spring,cloudy,day"}]
    assert all(entry["url"].startswith("http://testserver/emotions/happy/") for entry in body["landscape"])


def test_garden_answers_the_favorites_images_when_it_has_some(compat_client: Client,
                                                             happy_gallery: list[Image]) -> None:
    favorite = [live_image(f"fav_{index}h.jpeg", theme="spring,cloudy,day") for index in range(2)]
    live_image("other_1h.jpeg", theme="spring,cloudy,sunset")
    body = post_json(compat_client, "/garden", {"id": str(uuid.uuid4()), "emotion": "happy/spring,cloudy,day",
                                                "generation": "adult", "gender": "Female"}).json()
    assert sorted(entry["url"] for entry in body["landscape"]) == [
        f"http://testserver/emotions/happy/spring,cloudy,day/{image.name}" for image in favorite
    ]
    assert body["portrait"] == []
    assert {entry["emotion"] for entry in body["landscape"]} == {"happy/spring,cloudy,day"}


def test_garden_from_db_is_an_exact_match_on_the_search_key(compat_client: Client) -> None:
    live_image("a_1h.jpeg", theme="spring,cloudy,day")
    live_image("b_1h.jpeg", theme="spring,cloudy,day,dog")
    live_image("c_1h.jpeg", theme="spring,cloudy,sunset")
    for search_key, expected in (("happy/spring,cloudy,day", ["a_1h.jpeg"]), ("happy/cloudy,spring,day", []),
                                 ("happy/spring,cloudy", []), ("happy/spring,cloudy,day,dog", ["b_1h.jpeg"])):
        body = post_json(compat_client, "/gardenfromDB", {"emotion": search_key}).json()
        assert [entry["url"].rsplit("/", 1)[1] for entry in body["landscape"]] == expected, search_key


def test_an_empty_gallery_is_an_empty_answer(compat_client: Client) -> None:
    assert post_json(compat_client, "/gallery", {"userId": "male/fear", "emotion": "fear",
                                                 "gender": "male"}).json() == []
    assert post_json(compat_client, "/galleryfromDB", {"emotion": "fear"}).json() == {"landscape": [],
                                                                                      "portrait": []}
