import pytest
from django.test import Client

from curation.models import Image
from gallery.credentials import issue_person_credential
from gallery.person_access import PERSON_COOKIE
from recommender.models import Interaction, SegmentStat
from recommender.selectors import garden
from tests.compat.pages import live_image, pool_image, post_json
from tests.factories import FaceUserFactory, ImageFactory

pytestmark = pytest.mark.django_db

FACE_ID = "10139039-5d61-4cae-9bae-b8fe3edc935a"
SHOWN = [
    "emotions/happy/img_20230423-101930_0h.jpeg",
    "emotions/happy/img_20230423-101931_1h.jpeg",
    "emotions/happy/img_20230423-101932_2h.jpeg",
]


@pytest.fixture
def shown() -> list[Image]:
    return [live_image(key.rsplit("/", 1)[1]) for key in SHOWN]


def test_a_gallery_page_like_is_recorded_with_its_impressions(compat_client: Client, shown: list[Image]) -> None:
    response = post_json(compat_client, "/like", {"id": f"{FACE_ID}/happy", "itemId": SHOWN[0], "impression": SHOWN})
    assert response.status_code == 200
    assert response.content == b"Success"
    interaction = Interaction.objects.get()
    assert (interaction.event, interaction.image, interaction.emotion) == ("like", shown[0], "HAPPY")
    assert interaction.face_user is None  # that FaceId names no one who consented
    assert set(interaction.impressions.all()) == set(shown)


def test_a_face_users_like_is_theirs_with_their_cookie(compat_client: Client, shown: list[Image]) -> None:
    person = FaceUserFactory()
    compat_client.cookies[PERSON_COOKIE] = issue_person_credential(face_user=person)
    post_json(compat_client, "/like", {"id": f"{person.pk}/happy", "itemId": SHOWN[1], "impression": SHOWN})
    interaction = Interaction.objects.get()
    assert interaction.face_user == person
    assert (interaction.gender, interaction.age_band) == ("Female", "adult")


def test_an_original_pages_like_counts_its_impressions_after_a_garden_showed_the_image(
        compat_client: Client, shown: list[Image]) -> None:
    """The original pages are served unrecorded: their like is never credited to an earlier garden answer."""
    person = FaceUserFactory()
    compat_client.cookies[PERSON_COOKIE] = issue_person_credential(face_user=person)
    garden(emotion="HAPPY", visitor=person.as_visitor(), n=3)  # the REST garden showed all three, in HAPPY
    post_json(compat_client, "/like", {"id": f"{person.pk}/happy", "itemId": SHOWN[1], "impression": SHOWN})
    assert Interaction.objects.get().recommendation_id == ""
    assert set(SegmentStat.objects.filter(segment="HAPPY").values_list("impressions", flat=True)) == {2}


def test_a_face_users_id_alone_records_an_anonymous_like(compat_client: Client, shown: list[Image]) -> None:
    person, other = FaceUserFactory.create_batch(2)
    compat_client.cookies[PERSON_COOKIE] = issue_person_credential(face_user=other)  # someone else's cookie
    for visitor in (f"{person.pk}/happy", str(person.pk)):
        response = post_json(compat_client, "/like", {"id": visitor, "itemId": SHOWN[1], "impression": SHOWN})
        assert (response.status_code, response.content) == (200, b"Success")
    assert not Interaction.objects.filter(face_user__isnull=False).exists()
    assert Interaction.objects.count() == 2


def test_raw_ids_and_absolute_urls_from_eg_pages_are_accepted(compat_client: Client, shown: list[Image]) -> None:
    sad = live_image("x_1v.jpeg", emotion="SAD", theme="winter,snowy,sunset")
    url = "https://d3ic6ryvcaoqdy.cloudfront.net/emotions/sad/winter,snowy,sunset/x_1v.jpeg"
    response = post_json(compat_client, "/like", {"id": "5b3bc4ad-0f0d-4a4b-9a35-2cbd6d0fbd8f", "itemId": url,
                                                  "impression": [url]})
    assert response.status_code == 200
    interaction = Interaction.objects.get()
    assert (interaction.image, interaction.emotion) == (sad, "SAD")  # the shown images' emotion is the visitor's


def test_a_one_image_page_resending_old_impressions_still_counts_once(compat_client: Client,
                                                                      shown: list[Image]) -> None:
    response = post_json(compat_client, "/like", {"id": f"{FACE_ID}/happy", "itemId": SHOWN[2],
                                                  "impression": [*SHOWN, SHOWN[2]]})
    assert response.status_code == 200
    assert SegmentStat.objects.get(segment="HAPPY", image=shown[2]).impressions == 1


@pytest.mark.parametrize(
    ("item", "impression"),
    [
        ("emotions/happy/img_missing_0h.jpeg", SHOWN),  # nothing there
        ("emotions/happy/retired_0h.jpeg", SHOWN),  # removed from the gallery
        ("imgPool/happy/pending_0h.jpeg", SHOWN),  # still under review
        ("not a key", SHOWN),
        (SHOWN[0], [*SHOWN, "emotions/happy/img_missing_1h.jpeg"]),  # an impression of nothing
        (SHOWN[0], [f"emotions/happy/many_{index}h.jpeg" for index in range(60)]),
    ],
)
def test_bad_likes_are_refused_and_store_nothing(compat_client: Client, shown: list[Image], item: str,
                                                 impression: list[str]) -> None:
    ImageFactory(name="retired_0h.jpeg", status=Image.Status.RETIRED)
    pool_image("pending_0h.jpeg")
    response = post_json(compat_client, "/like", {"id": f"{FACE_ID}/happy", "itemId": item, "impression": impression})
    assert response.status_code == 400
    assert not Interaction.objects.exists()
    assert not SegmentStat.objects.exists()


def test_a_refused_like_names_no_internal_id_of_an_unpublished_image(compat_client: Client,
                                                                     shown: list[Image]) -> None:
    """The recommender answered "There is no image 162." for a pool key: the id of an image under review."""
    pending = pool_image("pending_0h.jpeg")
    key = "imgPool/happy/pending_0h.jpeg"
    for item, impression in ((key, SHOWN), (SHOWN[0], [*SHOWN, key])):
        response = post_json(compat_client, "/like", {"id": f"{FACE_ID}/happy", "itemId": item,
                                                      "impression": impression})
        assert response.status_code == 400
        assert str(pending.pk) not in response.content.decode(), response.content
    assert post_json(compat_client, "/like", {"id": FACE_ID, "itemId": key}).content.decode() == (
        f"There is no live image with the key {key!r}.")


EMOTIONS = ["happy", "angry", "calm", "confused", "disgusted", "fear", "sad", "surprised", "any"]


def _dataset(genders: list[str]) -> list[dict[str, str]]:
    return [{"userId": f"{gender}/{emotion}", "gender": gender, "emotion": emotion}
            for gender in genders for emotion in EMOTIONS]


def test_generate_dataset_seeds_the_context_counters(curation_client: Client) -> None:
    compat_client = curation_client
    happy = [live_image(f"h_{index}h.jpeg") for index in range(2)]
    sad = live_image("s_0h.jpeg", emotion="SAD")
    pool_image("p_0h.jpeg")
    response = post_json(compat_client, "/generateDataset", _dataset(["male", "female", "any"]))
    assert (response.status_code, response.content) == (200, b"Success")
    # Each (emotion, gender) entry is one pseudo-user's like: male, female and "any" gender for every emotion.
    for image in happy:
        assert SegmentStat.objects.get(segment="HAPPY", image=image).likes == 3
        assert SegmentStat.objects.get(segment="HAPPY|Male", image=image).likes == 1
        assert SegmentStat.objects.get(segment="HAPPY|Female", image=image).likes == 1
    assert SegmentStat.objects.get(segment="SAD", image=sad).likes == 3
    # "any" emotion is every live image, in no emotion's context: 3 likes for SAD, 3 more for "any".
    assert SegmentStat.objects.get(segment="*", image=sad).likes == 6
    assert not Interaction.objects.filter(face_user__isnull=False).exists()
    assert Interaction.objects.count() == 3 * 2 + 3 * 1 + 3 * 3
    assert post_json(compat_client, "/generateDataset", _dataset(["others"])).status_code == 200
    assert SegmentStat.objects.get(segment="SAD", image=sad).likes == 4


def test_generate_dataset_on_an_empty_gallery_succeeds(curation_client: Client) -> None:
    compat_client = curation_client
    response = post_json(compat_client, "/generateDataset", _dataset(["male", "female", "any"]))
    assert (response.status_code, response.content) == (200, b"Success")
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"userId": "male/happy", "gender": "male", "emotion": "happy"},
        [{"userId": "male/happy", "gender": "male", "emotion": "happy"}, "male/sad"],
        [{"userId": "male/joy", "gender": "male", "emotion": "joy"}],
        [{"userId": "male/happy", "gender": "male"}],
        _dataset(["male", "female", "any", "others"]) * 3,
    ],
)
def test_a_malformed_dataset_is_refused_whole(curation_client: Client, body: object) -> None:
    compat_client = curation_client
    live_image("h_0h.jpeg")
    assert post_json(compat_client, "/generateDataset", body).status_code == 400
    assert not Interaction.objects.exists()
