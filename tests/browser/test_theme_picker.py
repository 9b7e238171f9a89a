"""The theme picker on the visitor page, in Chromium: chosen with the keyboard alone, in English and Korean, and an
empty theme that says so and offers a way back."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Browser, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from gallery.cursors import encode_cursor
from tests.browser.conftest import garden_picture, open_page
from tests.factories import ApprovedImageFactory

Screenshot = Callable[[Page, str], None]  # the `screenshot` fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

THEMES = {"winter,snowy,sunset": 3, "spring,cloudy,day": 3, "summer,sunny,day,dog": 3}


@pytest.fixture
def themed_garden(transactional_db: None) -> list[Image]:
    return [
        ApprovedImageFactory(emotion=Emotion.HAPPY, theme=theme, width=480, height=320,
                             file=ContentFile(garden_picture(seed), name=f"garden_{seed}.jpeg"))
        for seed, theme in enumerate(theme for theme, count in THEMES.items() for _ in range(count))
    ]


def read_astronaut(page: Page, photo: Path) -> None:
    page.goto("/")
    page.locator("#photo-input").set_input_files(photo)
    page.get_by_role("dialog").get_by_role("button", name="Not now").click()
    # Reading a face takes a few seconds on a busy machine.
    expect(page.locator("#cards .card")).to_have_count(3, timeout=30_000)


def press(page: Page, key: str) -> dict:
    """Press a key in the focused select, wait for the garden it brings to be shown, and return what it asked for.
    The cards stay busy for the whole load (a garden seen to the end is asked again from its start)."""
    with page.expect_request("**/api/v1/garden") as asked:
        page.keyboard.press(key)
    expect(page.locator("#cards")).not_to_have_attribute("aria-busy", "true")
    return asked.value.post_data_json


def shown_alts(page: Page) -> set[str]:
    return {image.get_attribute("alt") or "" for image in page.locator("#cards .card img").all()}


def test_a_visitor_picks_a_theme_with_the_keyboard(page: Page, themed_garden: list[Image], astronaut_file: Path,
                                                   screenshot: Screenshot) -> None:
    read_astronaut(page, astronaut_file)
    season = page.get_by_label("Season")
    season.focus()
    winter_alt = "An image that feels happy, on the theme “Winter, Snowy, Sunset”"
    winter = press(page, "End")  # Any, Spring, Summer, Autumn, Winter
    assert (winter["theme"], winter["theme_match"]) == ("winter", "any")
    assert shown_alts(page) == {winter_alt}
    screenshot(page, "07-theme-picker")

    page.keyboard.press("Tab")
    expect(page.get_by_label("Weather")).to_be_focused()
    assert press(page, "ArrowDown")["theme"] == "winter,cloudy"
    assert press(page, "ArrowDown")["theme"] == "winter,rainy"
    # No image is both, nor rainy: those of either word, the unseen first, then (all seen) the winter ones again.
    assert shown_alts(page) == {winter_alt}

    # Back to any weather and any season, then a dog: only the dog's images.
    press(page, "Home")
    season.focus()
    press(page, "Home")
    page.get_by_label("Animal").focus()
    assert press(page, "ArrowDown")["theme"] == "dog"
    assert shown_alts(page) == {"An image that feels happy, on the theme “Summer, Sunny, Day, Dog”"}

def test_a_theme_nobody_has_says_so_and_offers_any_theme(page: Page, themed_garden: list[Image],
                                                         astronaut_file: Path) -> None:
    read_astronaut(page, astronaut_file)
    page.get_by_label("Season").select_option("autumn")
    page.get_by_label("Animal").select_option("cat")
    expect(page.locator("#garden-state")).to_contain_text("No image has this theme yet.")
    expect(page.locator("#cards .card")).to_have_count(0)

    any_theme = page.locator("#garden-state").get_by_role("button", name="Any theme")
    any_theme.focus()
    with page.expect_request("**/api/v1/garden") as asked:
        page.keyboard.press("Enter")
    assert "theme" not in asked.value.post_data_json
    expect(page.locator("#cards .card")).to_have_count(3)
    expect(page.get_by_label("Season")).to_have_value("")
    expect(page.get_by_label("Animal")).to_have_value("")


def test_the_picker_speaks_korean(browser: Browser, live_server: LiveServer, themed_garden: list[Image]) -> None:
    for page in open_page(browser, live_server):
        page.goto("/")
        with page.expect_navigation(wait_until="load"):  # the switch is a form post; read its page once loaded
            page.get_by_role("button", name="한국어").click()
        expect(page.locator("html")).to_have_attribute("lang", "ko")
        picker = page.locator("#theme-picker")
        expect(picker.locator("legend")).to_have_text("테마")
        assert picker.get_by_label("계절").locator("option").all_text_contents() == [
            "상관없음", "봄", "여름", "가을", "겨울"]
        assert picker.get_by_label("시간대").locator("option").all_text_contents() == [
            "상관없음", "낮", "해질녘", "새벽", "한밤중"]
        assert picker.get_by_label("동물").locator("option").all_text_contents() == [
            "상관없음", "강아지", "고양이", "새", "토끼", "나비"]



def test_a_theme_whose_images_all_went_by_starts_over(page: Page, transactional_db: None,
                                                      astronaut_file: Path) -> None:
    """The page's cursor holds every image shown since the photo was read, across themes. A theme whose images all
    went by on earlier pages is a new question: the page asks it again from the start, never says the theme is
    empty. (Which images an any-theme page shows is the engine's choice, so the cursor is written here.)"""
    dogs = [ApprovedImageFactory(emotion=Emotion.HAPPY, theme="summer,sunny,day,dog", width=480, height=320,
                                 file=ContentFile(garden_picture(seed), name=f"dog_{seed}.jpeg")).pk
            for seed in range(3)]
    for seed in range(3, 6):
        ApprovedImageFactory(emotion=Emotion.HAPPY, theme="spring,cloudy,day", width=480, height=320,
                             file=ContentFile(garden_picture(seed), name=f"spring_{seed}.jpeg"))
    every_dog_seen = encode_cursor(dogs)
    asked: list[dict] = []

    def as_if_every_dog_was_seen(route: Route) -> None:
        body = route.request.post_data_json
        if body.get("theme") == "dog" and "cursor" in body:
            body["cursor"] = every_dog_seen
        asked.append(body)
        route.continue_(post_data=json.dumps(body))

    read_astronaut(page, astronaut_file)
    page.route("**/api/v1/garden", as_if_every_dog_was_seen)
    page.get_by_label("Animal").select_option("dog")
    dog_alt = "An image that feels happy, on the theme “Summer, Sunny, Day, Dog”"
    expect(page.get_by_role("img", name=dog_alt, exact=True)).to_have_count(3)
    assert shown_alts(page) == {dog_alt}
    expect(page.locator("#garden-state")).not_to_contain_text("No image has this theme yet.")
    assert [("cursor" in body, body["theme"]) for body in asked] == [(True, "dog"), (False, "dog")]
