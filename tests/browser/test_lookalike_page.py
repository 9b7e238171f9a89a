"""The look-alike page in Chromium, offline, against the demo people `serve` seeds: camera or upload -> the closest
reference people with their photo, similarity and band."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import Locator, Page, expect
from skimage import data as skimage_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

Screenshot = Callable[[Page, str], None]  # the `screenshot` fixture


@pytest.fixture
def demo_people(transactional_db: None) -> None:
    call_command("seed_reference_people")


@pytest.fixture(scope="session")
def cameraman_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scikit-image's CC0 "camera" photo: a man none of the demo people are."""
    path = tmp_path_factory.mktemp("photos") / "cameraman.jpeg"
    Image.fromarray(skimage_data.camera()).convert("RGB").save(path, quality=90)
    return path


def matches(page: Page) -> Locator:
    return page.locator("#matches .match")


def expect_eileen_collins_first(page: Page) -> None:
    first = matches(page).first
    expect(first.locator(".match-name")).to_have_text("Eileen Collins")
    expect(first.locator(".band")).to_have_text("Probably the same person")
    expect(first.locator(".similarity")).to_contain_text(re.compile(r"Similarity (9\d(\.\d)?|100) out of 100"))
    expect(matches(page)).to_have_count(2)  # the demo collection holds two people
    expect(page.locator("#fewer-people")).to_have_text("The collection holds only 2 people, so only 2 are shown.")
    # The reference photo itself, from this site.
    first.locator("img").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#matches .match img').naturalWidth > 0")
    expect(first.locator("img")).to_have_attribute("alt", "Photo of Eileen Collins")


def test_upload_finds_the_demo_person(page: Page, demo_people: None, astronaut_file: Path,
                                      screenshot: Screenshot) -> None:
    page.goto("/lookalike")
    expect(page.get_by_role("heading", name="Who do you look like?")).to_be_visible()
    expect(page.locator("#empty-collection")).to_have_count(0)
    page.locator("#photo-input").set_input_files(astronaut_file)
    expect_eileen_collins_first(page)
    expect(page.locator("#results-title")).to_be_focused()
    expect(matches(page).nth(1).locator(".band")).to_have_text(
        re.compile("^(A strong resemblance|A faint resemblance)$"))
    screenshot(page, "lookalike-same-person")


def test_a_different_face_gets_a_resemblance_band(page: Page, demo_people: None, cameraman_file: Path,
                                                  screenshot: Screenshot) -> None:
    page.goto("/lookalike")
    page.locator("#photo-input").set_input_files(cameraman_file)
    expect(matches(page)).to_have_count(2)
    for band in matches(page).locator(".band").all():
        expect(band).to_have_text(re.compile("^(A strong resemblance|A faint resemblance)$"))
    expect(page.locator("#matches")).not_to_contain_text("Probably the same person")
    screenshot(page, "lookalike-resemblance")


def test_the_camera_finds_the_demo_person(page: Page, demo_people: None) -> None:
    page.goto("/lookalike")
    page.get_by_role("button", name="Start camera").click()
    page.wait_for_function("() => document.getElementById('camera').videoWidth > 0")
    page.get_by_role("button", name="Take photo").click()
    expect_eileen_collins_first(page)


def test_keyboard_alone_takes_a_photo_and_uploads_one(page: Page, demo_people: None, cameraman_file: Path) -> None:
    page.goto("/lookalike")

    def tab_to(selector: str, presses: int = 30) -> None:
        for _ in range(presses):
            page.keyboard.press("Tab")
            if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#start-camera")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Take photo")).to_be_focused()
    page.wait_for_function("() => document.getElementById('camera').videoWidth > 0")
    page.keyboard.press("Enter")
    expect(matches(page).first.locator(".match-name")).to_have_text("Eileen Collins")
    tab_to("#matches .match-name a")  # the person's page, reachable from the results

    tab_to("#photo-input")
    # Pressed on the input itself (reached by Tab above): under load a bare key press once missed the chooser.
    with page.expect_file_chooser() as chooser:
        page.locator("#photo-input").press("Space")
    chooser.value.set_files(cameraman_file)
    expect(page.locator("#matches")).not_to_contain_text("Probably the same person")
    expect(matches(page)).to_have_count(2)


def test_korean(page: Page, demo_people: None, astronaut_file: Path, screenshot: Screenshot) -> None:
    page.goto("/lookalike")
    # The switch is a form post: wait for the new page's scripts, or the upload lands before they listen for it.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", name="누구를 닮았을까요?")).to_be_visible()
    expect(page.get_by_role("link", name="닮은꼴")).to_have_attribute("aria-current", "page")
    page.locator("#photo-input").set_input_files(astronaut_file)
    first = matches(page).first
    expect(first.locator(".band")).to_have_text("같은 사람일 가능성이 높아요")
    expect(first.locator(".similarity")).to_contain_text("유사도")
    screenshot(page, "lookalike-korean")


def test_no_face_says_so(page: Page, demo_people: None, faceless_file: Path, astronaut_file: Path) -> None:
    page.goto("/lookalike")
    page.locator("#photo-input").set_input_files(astronaut_file)
    expect(matches(page)).to_have_count(2)
    page.locator("#photo-input").set_input_files(faceless_file)
    problem = page.locator("#capture-state")
    expect(problem).to_contain_text("We could not find a face in this photo.")
    expect(problem.get_by_role("button", name="Choose another photo")).to_be_focused()
    expect(page.locator("#results")).to_be_hidden()


def test_the_camera_blocked_leaves_the_upload(camera_blocked_page: Page, demo_people: None,
                                              astronaut_file: Path) -> None:
    page = camera_blocked_page
    page.goto("/lookalike")
    page.get_by_role("button", name="Start camera").click()
    problem = page.locator("#capture-state")
    expect(problem).to_contain_text("The camera is blocked.")
    with page.expect_file_chooser() as chooser:
        problem.get_by_role("button", name="Upload a photo").click()
    chooser.value.set_files(astronaut_file)
    expect_eileen_collins_first(page)


def test_an_empty_collection_says_so(page: Page, transactional_db: None, astronaut_file: Path) -> None:
    page.goto("/lookalike")
    expect(page.locator("#empty-collection")).to_contain_text("The look-alike collection is empty for now.")
    page.locator("#photo-input").set_input_files(astronaut_file)
    expect(page.locator("#no-people")).to_be_visible()
    expect(matches(page)).to_have_count(0)


def test_phone_width_has_no_sideways_scroll(phone_page: Page, demo_people: None, astronaut_file: Path,
                                            screenshot: Screenshot) -> None:
    page = phone_page
    page.goto("/lookalike")
    page.locator("#photo-input").set_input_files(astronaut_file)
    expect(matches(page)).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "lookalike-phone")
