import pytest

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from gallery.compat.keys import ImageKey, find_image, find_named_image, live_key, parse_key, pool_key
from tests.compat.pages import live_image, pool_image
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def test_keys_follow_the_original_layout() -> None:
    plain = live_image("img_20230423-101932_1h.jpeg")
    themed = pool_image("img_20230423-101932_0v.jpeg", emotion="CALM", theme="Winter,Snowy,Sunset")
    assert live_key(plain) == "emotions/happy/img_20230423-101932_1h.jpeg"
    assert pool_key(plain) == "imgPool/happy/img_20230423-101932_1h.jpeg"
    assert live_key(themed) == "emotions/calm/winter,snowy,sunset/img_20230423-101932_0v.jpeg"
    assert pool_key(themed) == "imgPool/calm/winter,snowy,sunset/img_20230423-101932_0v.jpeg"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("emotions/happy/x_1h.jpeg", ImageKey("emotions", Emotion.HAPPY, "", "x_1h.jpeg")),
        ("imgPool/calm/winter,snowy,sunset/x_0v.jpeg", ImageKey("imgPool", Emotion.CALM, "winter,snowy,sunset",
                                                                "x_0v.jpeg")),
        ("https://d3ic6ryvcaoqdy.cloudfront.net/emotions/happy/x_1h.jpeg",
         ImageKey("emotions", Emotion.HAPPY, "", "x_1h.jpeg")),
        ("/html/viewer/emotions/SAD/Spring,Rainy,Day/x_1h.jpeg?1700000000",
         ImageKey("emotions", Emotion.SAD, "spring,rainy,day", "x_1h.jpeg")),
        ("http://testserver/imgPool/happy/spring%20rain/x_1h.jpeg",
         ImageKey("imgPool", Emotion.HAPPY, "spring rain", "x_1h.jpeg")),
        # A site folder that happens to be called "emotions" is not mistaken for the key.
        ("/emotions/emotions/happy/x_1h.jpeg", ImageKey("emotions", Emotion.HAPPY, "", "x_1h.jpeg")),
    ],
)
def test_keys_are_found_inside_urls(value: str, expected: ImageKey) -> None:
    assert parse_key(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "happy/x_1h.jpeg",
        "emotions/x_1h.jpeg",
        "emotions/joyful/x_1h.jpeg",
        "profile/happy/x.jpeg",
        "emotions/happy/",
        "emotions/happy//x_1h.jpeg",
        "emotions/happy/a/b/x_1h.jpeg",
        "emotions/happy/x\x00.jpeg",
        "emotions/happy/x%00.jpeg",
        "http://[broken/emotions/happy/x_1h.jpeg",
    ],
)
def test_anything_else_names_no_key(value: str) -> None:
    assert parse_key(value) is None


def test_a_key_finds_the_image_only_where_it_lives_now() -> None:
    live = live_image("a_1h.jpeg")
    pending = pool_image("b_1h.jpeg", theme="spring,cloudy,day")
    retired = ImageFactory(name="c_1h.jpeg", status=Image.Status.RETIRED)
    assert find_image("emotions/happy/a_1h.jpeg") == live
    assert find_image("imgPool/happy/a_1h.jpeg") is None  # approved images have left the pool
    assert find_image("imgPool/happy/spring,cloudy,day/b_1h.jpeg") == pending
    assert find_image("emotions/happy/spring,cloudy,day/b_1h.jpeg") is None
    assert find_image("emotions/happy/c_1h.jpeg") is None
    assert find_named_image("emotions/happy/c_1h.jpeg") == retired
    assert find_image("emotions/sad/a_1h.jpeg") is None
    assert find_image("not a key") is None and find_named_image("not a key") is None
