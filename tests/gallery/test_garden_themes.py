"""POST /api/v1/garden with a theme: exact, all or any of its words, and an empty page with a reason otherwise."""

import pytest
from rest_framework.test import APIClient

from curation.models import Image
from tests.factories import ApprovedImageFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/garden"


def garden(client: APIClient, **body: object) -> dict:
    response = client.post(URL, {"emotion": "HAPPY", "n": 10, **body}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def themes(answer: dict) -> list[str]:
    return [item["theme"] for item in answer["items"]]


@pytest.fixture
def themed_gallery() -> None:
    for theme in ("spring,cloudy,day", "spring,cloudy,day", "spring,rainy,sunset", "winter,snowy,sunset",
                  "winter,snowy,sunset,cat", "summer,sunny,day", ""):
        ApprovedImageFactory(emotion="HAPPY", theme=theme)
    ApprovedImageFactory(emotion="SAD", theme="spring,cloudy,day")


def test_exact_finds_only_that_theme_in_any_spelling(api_client: APIClient, themed_gallery: None) -> None:
    # mode=emotion: only HAPPY images (elsewhere the emotion is a prior, and the SAD one would fill the page).
    answer = garden(api_client, theme="Day, 흐림, spring", theme_match="exact", mode="emotion")

    assert themes(answer) == ["spring,cloudy,day"] * 2
    assert answer["theme"] == {"words": ["spring", "cloudy", "day"], "unknown_words": [], "match": "exact"}
    assert "empty_reason" not in answer


def test_all_finds_the_images_with_every_word(api_client: APIClient, themed_gallery: None) -> None:
    answer = garden(api_client, theme="winter", theme_match="all")

    assert sorted(themes(answer)) == ["winter,snowy,sunset", "winter,snowy,sunset,cat"]


def test_any_finds_images_with_one_of_the_words_the_fullest_matches_first(
    api_client: APIClient, themed_gallery: None
) -> None:
    answer = garden(api_client, theme="winter,sunset")  # "any" is the default

    found = themes(answer)
    assert sorted(found[:2]) == ["winter,snowy,sunset", "winter,snowy,sunset,cat"]
    assert found[2:] == ["spring,rainy,sunset"]


def test_without_a_theme_every_image_of_the_emotion(api_client: APIClient, themed_gallery: None) -> None:
    answer = garden(api_client, mode="emotion")

    assert len(answer["items"]) == 7
    assert len(garden(api_client)["items"]) == 8  # the emotion a prior: the other emotion's image fills the page
    assert answer["theme"] is None


def test_pages_through_a_theme_without_repeats(api_client: APIClient, themed_gallery: None) -> None:
    # mode=emotion: the theme holds exactly three HAPPY images, so two pages of 1 and 2 must be those three. Elsewhere
    # the SAD spring image may take a slot too: an anonymous page is sampled, not a fixed order.
    spring = set(Image.objects.filter(emotion="HAPPY", theme__contains="spring").values_list("id", flat=True))
    first = garden(api_client, n=1, theme="spring", mode="emotion")
    second = garden(api_client, n=2, theme="spring", mode="emotion", cursor=first["cursor"])

    ids = [item["id"] for item in first["items"] + second["items"]]
    assert sorted(ids) == sorted(spring)


def test_pages_of_a_theme_hold_only_that_theme_when_the_emotion_is_a_prior(
    api_client: APIClient, themed_gallery: None
) -> None:
    first = garden(api_client, n=2, theme="spring")
    second = garden(api_client, n=2, theme="spring", cursor=first["cursor"])

    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 4  # three HAPPY spring images and the SAD one, each once
    assert all("spring" in theme.split(",") for theme in themes(first) + themes(second))


def test_an_emotion_without_images_in_the_theme_gets_the_theme_of_other_emotions(
    api_client: APIClient, themed_gallery: None
) -> None:
    answer = garden(api_client, emotion="FEAR", theme="summer,sunny,day", theme_match="exact")

    assert themes(answer) == ["summer,sunny,day"]


def test_unknown_words_give_an_empty_page_with_a_reason(api_client: APIClient, themed_gallery: None) -> None:
    answer = garden(api_client, theme="purple,elephants")

    assert answer["items"] == []
    assert answer["theme"]["unknown_words"] == ["purple", "elephants"]
    assert answer["empty_reason"]["code"] == "unknown_theme_words"
    assert "purple, elephants" in answer["empty_reason"]["message"]
    assert "the-middle-of-the-night" in answer["empty_reason"]["message"]


def test_a_known_theme_nobody_has_yet_gives_an_empty_page_with_a_reason(
    api_client: APIClient, themed_gallery: None
) -> None:
    answer = garden(api_client, theme="autumn,dog", theme_match="all")

    assert answer["items"] == []
    assert answer["empty_reason"]["code"] == "no_images_in_theme"


def test_a_curators_own_theme_word_is_matched_and_still_reported(api_client: APIClient) -> None:
    beach = ApprovedImageFactory(emotion="CALM", theme="summer,beach")

    answer = garden(api_client, emotion="CALM", theme="beach")

    assert [item["id"] for item in answer["items"]] == [beach.pk]
    assert answer["theme"]["unknown_words"] == ["beach"]


def test_an_empty_gallery_says_so(api_client: APIClient) -> None:
    answer = garden(api_client)

    assert answer["empty_reason"]["code"] == "empty_gallery"


@pytest.mark.parametrize("body", [
    {"theme": {"season": "spring"}},
    {"theme": ["spring"]},
    {"theme": "x" * 201},
    {"theme": ",".join(f"w{i}" for i in range(13))},
    {"theme": "spring\x00"},
    {"theme": "spring", "theme_match": "some"},
])
def test_bad_themes_are_a_400_with_the_field(api_client: APIClient, body: dict) -> None:
    response = api_client.post(URL, {"emotion": "HAPPY", **body}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error["fields"]) <= {"theme", "theme_match"} and error["fields"]
