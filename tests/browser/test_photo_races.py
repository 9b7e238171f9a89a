"""The photo pages when the visitor is quicker than the server, or the photo is odd, in Chromium: the last photo or
mood wins over a slower reading, one camera at a time (and one photo per double-click), a photo with too many pixels
said as such, a close-up's face box and tag kept in the photo, and the look-alike's intro and results (kept across a
language switch)."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from PIL import Image as PillowImage
from playwright.sync_api import Page, Request, Route, expect

from curation.models import Image

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# "Not now" already chosen on this visit: the photo goes straight to the API, with no consent dialog in between.
NOT_NOW = "sessionStorage.setItem('emotion-garden:consent', 'not-now');"
# Every camera stream the page opens, so the test can tell how many are still live (the camera light).
COUNT_STREAMS = """
window.cameraStreams = [];
const openCamera = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = async (constraints) => {
  const stream = await openCamera(constraints);
  await new Promise((resolve) => setTimeout(resolve, window.cameraDelay ?? 0)); // a slow camera, where a test says
  window.cameraStreams.push(stream);
  return stream;
};
"""
LIVE_STREAMS = "() => cameraStreams.filter((stream) => stream.getTracks().some((t) => t.readyState === 'live')).length"
SETTLE_MS = 600  # time enough for an answer the page should drop to reach the screen, if it were not dropped


def reading(emotion: str, box: dict[str, float]) -> dict[str, Any]:
    """An emotion API answer for one face: `emotion` at 90 %, the face at `box`."""
    emotions = [{"Type": emotion, "Confidence": 90.0}, {"Type": "CALM", "Confidence": 10.0}]
    return {
        "emotion": emotion, "emotions": emotions,
        "faces": [{"BoundingBox": box, "Confidence": 99.0, "Emotions": emotions,
                   "AgeRange": {"Low": 40, "High": 50}, "Gender": {"Value": "Male", "Confidence": 90.0}}],
        "face_user": None, "recognised": False, "person_token": None,
    }


ANGRY_IN_A_CORNER = reading("ANGRY", {"Left": 0.02, "Top": 0.02, "Width": 0.2, "Height": 0.2})


@pytest.fixture
def demo_people(transactional_db: None) -> None:
    call_command("seed_reference_people")  # two people


@pytest.fixture(scope="session")
def huge_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """7000 x 7000 pixels (49 megapixels, over the 24 allowed) in a few kilobytes: size in bytes is no guide."""
    path = tmp_path_factory.mktemp("photos") / "huge.png"
    PillowImage.new("1", (7000, 7000), 1).save(path)
    assert path.stat().st_size < 10 * 1024 * 1024
    return path


def hold_the_first(page: Page, pattern: str) -> list[Route]:
    """Holds the first request to `pattern` until the test answers it; later ones go to the server."""
    held: list[Route] = []

    def route(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(pattern, route)
    return held


def garden_emotions(page: Page) -> list[str]:
    """The emotion of every garden asked for, as the page asks."""
    asked: list[str] = []

    def note(request: Request) -> None:
        if request.url.endswith("/api/v1/garden"):
            asked.append(request.post_data_json["emotion"])

    page.on("request", note)
    return asked


def rect(page: Page, selector: str) -> dict[str, float]:
    return page.eval_on_selector(selector, """node => {
        const { top, bottom, left, right } = node.getBoundingClientRect();
        return { top, bottom, left, right };
    }""")


def expect_inside(inner: dict[str, float], outer: dict[str, float], what: str) -> None:
    slack = 0.5  # sub-pixel rounding
    assert inner["top"] >= outer["top"] - slack and inner["bottom"] <= outer["bottom"] + slack, (what, inner, outer)
    assert inner["left"] >= outer["left"] - slack and inner["right"] <= outer["right"] + slack, (what, inner, outer)


# --- 1. The visitor's last photo or mood wins ------------------------------------------------------------------------

def a_photo_being_read(page: Page, photo: Path) -> tuple[list[Route], list[str]]:
    """The garden page with a photo chosen (and no consent asked) whose reading is held back, and the emotions the
    garden is asked for from then on."""
    page.add_init_script(NOT_NOW)
    held = hold_the_first(page, "**/api/v1/emotion*")
    asked = garden_emotions(page)
    page.goto("/")
    with page.expect_request("**/api/v1/emotion*"):
        page.locator("#photo-input").set_input_files(photo)
    return held, asked


def test_a_slower_first_reading_does_not_replace_a_newer_photo(
    page: Page, garden_images: list[Image], astronaut_file: Path
) -> None:
    held, asked = a_photo_being_read(page, astronaut_file)  # photo A, whose reading is held
    page.locator("#photo-input").set_input_files(astronaut_file)  # photo B, read at once
    expect(page.locator("#dominant-label")).to_have_text("Happy")
    expect(page.locator("#cards .card")).to_have_count(3)
    box = page.locator(".face-box.primary").get_attribute("style")

    held[0].fulfill(json=ANGRY_IN_A_CORNER)  # A's answer comes last
    page.wait_for_timeout(SETTLE_MS)
    expect(page.locator("#dominant-label")).to_have_text("Happy")
    expect(page.locator(".face-tag")).to_have_text("Happy")
    assert page.locator(".face-box.primary").get_attribute("style") == box
    expect(page.locator("#capture-state")).to_be_empty()
    assert "ANGRY" not in asked, asked


def test_a_mood_chosen_while_a_photo_is_read_wins(
    page: Page, garden_images: list[Image], astronaut_file: Path
) -> None:
    held, asked = a_photo_being_read(page, astronaut_file)
    page.get_by_role("group", name="Choose a mood").get_by_role("button", name="Sad").click()
    expect(page.locator("#dominant-label")).to_have_text("Sad")
    expect(page.locator("#capture-state")).to_be_empty()  # no reading spinner left behind
    expect(page.locator("#stage")).not_to_have_attribute("aria-busy", "true")

    held[0].fulfill(json=ANGRY_IN_A_CORNER)
    page.wait_for_timeout(SETTLE_MS)
    expect(page.locator("#dominant-label")).to_have_text("Sad")
    expect(page.locator("#reading-chosen")).to_be_visible()
    expect(page.locator("#photo-frame")).to_be_hidden()
    expect(page.locator(".face-box")).to_have_count(0)
    assert asked == ["SAD"], asked


def test_a_slower_first_lookalike_does_not_replace_a_newer_photo(
    page: Page, demo_people: None, astronaut_file: Path, faceless_file: Path
) -> None:
    held = hold_the_first(page, "**/api/v1/lookalike*")
    page.goto("/lookalike")
    with page.expect_request("**/api/v1/lookalike*"):
        page.locator("#photo-input").set_input_files(astronaut_file)  # photo A: Eileen Collins, held
    page.locator("#photo-input").set_input_files(faceless_file)  # photo B: no face
    problem = page.locator("#capture-state")
    expect(problem).to_contain_text("We could not find a face in this photo.")

    held[0].continue_()
    page.wait_for_timeout(SETTLE_MS)
    expect(problem).to_contain_text("We could not find a face in this photo.")
    expect(page.locator("#results")).to_be_hidden()


# --- 2. One camera at a time, one photo per press --------------------------------------------------------------------

@pytest.mark.parametrize("path, api", [("/", "/api/v1/emotion"), ("/lookalike", "/api/v1/lookalike")])
def test_double_clicks_open_one_camera_and_take_one_photo(
    page: Page, demo_people: None, path: str, api: str
) -> None:
    page.add_init_script(NOT_NOW)
    page.add_init_script(COUNT_STREAMS)
    page.goto(path)
    page.get_by_role("button", name="Start camera").dblclick()
    expect(page.get_by_role("button", name="Take photo")).to_be_visible()
    page.wait_for_function("() => document.getElementById('camera').videoWidth > 0")
    page.wait_for_timeout(SETTLE_MS)  # a second camera, if one was asked for, opens meanwhile
    assert page.evaluate(LIVE_STREAMS) == 1

    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.url) if api in request.url else None)
    page.get_by_role("button", name="Take photo").dblclick()
    if path == "/":
        expect(page.locator("#dominant-label")).to_have_text("Happy", timeout=20_000)
    else:
        expect(page.locator("#matches .match-name").first).to_have_text("Eileen Collins", timeout=20_000)
    page.wait_for_timeout(SETTLE_MS)
    assert len(posted) == 1, posted
    assert page.evaluate(LIVE_STREAMS) == 0  # the camera light is off
    expect(page.locator("#camera")).to_be_hidden()
    expect(page.get_by_role("button", name="Start camera")).to_be_visible()


def test_a_photo_chosen_while_the_camera_opens_closes_it(page: Page, astronaut_file: Path) -> None:
    page.add_init_script(NOT_NOW)
    page.add_init_script(COUNT_STREAMS)
    page.add_init_script("window.cameraDelay = 1000;")
    page.goto("/")
    page.get_by_role("button", name="Start camera").click()
    page.locator("#photo-input").set_input_files(astronaut_file)  # before the camera has opened
    expect(page.locator("#dominant-label")).to_have_text("Happy")
    page.wait_for_function("() => cameraStreams.length === 1")  # it opened, late
    page.wait_for_timeout(SETTLE_MS)
    assert page.evaluate(LIVE_STREAMS) == 0
    expect(page.locator("#camera")).to_be_hidden()
    expect(page.locator("#photo-frame")).to_be_visible()


# --- 3. Too many pixels ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/lookalike"])
def test_a_photo_with_too_many_pixels_says_so(page: Page, demo_people: None, huge_png: Path, path: str) -> None:
    page.add_init_script(NOT_NOW)
    page.goto(path)
    with page.expect_response(re.compile(r"/api/v1/(emotion|lookalike)")) as answer:
        page.locator("#photo-input").set_input_files(huge_png)
    assert answer.value.status == 413  # {"error": {"code": "too_many_pixels", …}}
    problem = page.locator("#capture-state")
    expect(problem).to_contain_text("This photo has too many pixels.")
    expect(problem).to_contain_text("Use a photo of at most 24 megapixels, or make this one smaller.")
    expect(problem).not_to_contain_text("10 MB")
    expect(problem.get_by_role("button", name="Choose another photo")).to_be_focused()


# --- 4. A close-up's box and tag -------------------------------------------------------------------------------------

@pytest.mark.parametrize("box", [
    {"Left": 0.18, "Top": -0.068, "Width": 0.66, "Height": 1.085},  # as Doug_Collins_0002.jpg: taller than the photo
    {"Left": -0.05, "Top": 0.3, "Width": 0.3, "Height": 0.69},  # past the left edge, its foot at the photo's
    {"Left": 0.8, "Top": 0.02, "Width": 0.25, "Height": 0.3},  # past the right edge: the tag stays in, too
], ids=["taller-than-the-photo", "at-the-foot", "past-the-right-edge"])
def test_a_close_up_keeps_its_box_and_tag_in_the_photo(
    page: Page, astronaut_file: Path, box: dict[str, float]
) -> None:
    page.add_init_script(NOT_NOW)
    page.route("**/api/v1/emotion*", lambda route: route.fulfill(json=reading("SURPRISED", box)))
    page.goto("/")
    page.locator("#photo-input").set_input_files(astronaut_file)
    expect(page.locator(".face-tag")).to_have_text("Surprised")
    page.wait_for_function("() => document.getElementById('photo').complete")
    photo = rect(page, "#photo")
    expect_inside(rect(page, ".face-box.primary"), photo, "face box")
    expect_inside(rect(page, ".face-tag"), photo, "face tag")


# --- 5. The look-alike's intro and results ---------------------------------------------------------------------------

def test_the_intro_counts_the_people_there_are(page: Page, demo_people: None) -> None:
    page.goto("/lookalike")
    intro = page.locator(".intro p")
    expect(intro).to_contain_text("We compare the face with both people of our look-alike collection")
    expect(intro).not_to_contain_text("three")


def test_the_results_stay_across_a_language_switch(page: Page, demo_people: None, astronaut_file: Path) -> None:
    page.goto("/lookalike")
    page.locator("#photo-input").set_input_files(astronaut_file)
    matches = page.locator("#matches .match")
    expect(matches).to_have_count(2)
    expect(matches.first.locator(".match-name")).to_have_text("Eileen Collins")
    page.wait_for_function("() => sessionStorage.getItem('emotion-garden:lookalike') !== null")

    with page.expect_navigation(wait_until="load"):  # the switch is a form post that loads the page again
        page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(matches).to_have_count(2)
    expect(matches.first.locator(".match-name")).to_have_text("Eileen Collins")
    expect(matches.first.locator(".band")).to_have_text("같은 사람일 가능성이 높아요")
    expect(page.locator("#photo-frame")).to_be_visible()  # a small photo is kept with the results
    page.wait_for_function("() => document.getElementById('photo').naturalWidth > 0")

    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="English").click()
    expect(matches.first.locator(".band")).to_have_text("Probably the same person")

