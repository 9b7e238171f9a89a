"""The gallery page without a face, in Chromium: the sample it opens with, the mood picker (no camera, even no camera
API), a grid of mixed landscape and portrait images without holes, the full-size view, and the quiet age and gender.
Each state is photographed at 360 px and 1440 px (artifacts/screenshots)."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from tests.browser.conftest import garden_picture, open_page
from tests.factories import ApprovedImageFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

Screenshot = Callable[[Page, str], None]  # the `screenshot` fixture

WIDTHS = {360: 740, 1440: 900}  # a phone and a laptop: viewport width -> height
# Without these the page has no camera API at all, as in an old or locked-down browser (or an insecure page).
NO_CAMERA_API = "delete Navigator.prototype.mediaDevices;"
PORTRAIT, LANDSCAPE = (320, 480), (480, 320)


@pytest.fixture(params=sorted(WIDTHS), ids=lambda width: f"{width}px")
def width(request: pytest.FixtureRequest) -> int:
    return request.param


@pytest.fixture
def cameraless_page(browser: Browser, live_server: LiveServer, width: int) -> Iterator[Page]:
    for page in open_page(browser, live_server, width=width, height=WIDTHS[width]):
        page.add_init_script(NO_CAMERA_API)
        yield page


@pytest.fixture
def mixed_images(transactional_db: None) -> list[Image]:
    """SAD images, portrait and landscape in turn: every page of three mixes both."""
    images = []
    for seed in range(9):
        portrait = seed % 2 == 0
        width, height = PORTRAIT if portrait else LANDSCAPE
        images.append(ApprovedImageFactory(
            emotion=Emotion.SAD, width=width, height=height,
            orientation=Image.Orientation.PORTRAIT if portrait else Image.Orientation.LANDSCAPE,
            file=ContentFile(garden_picture(seed, (width, height)), name=f"mixed_{seed}.jpeg"),
        ))
    return images


def box(page: Page, selector: str) -> list[dict[str, float]]:
    return page.eval_on_selector_all(selector, """nodes => nodes.map(node => {
        const { top, bottom, left, right, height } = node.getBoundingClientRect();
        return { top, bottom, left, right, height };
    })""")


def choose_mood(page: Page, label: str) -> None:
    with page.expect_response("**/api/v1/garden") as garden:
        page.get_by_role("group", name="Choose a mood").get_by_role("button", name=label).click()
    assert garden.value.ok
    expect(page.locator("#cards .card")).to_have_count(3)


def test_a_mood_without_camera_or_face_grows_the_garden(
    cameraless_page: Page, mixed_images: list[Image], width: int, screenshot: Screenshot
) -> None:
    page = cameraless_page
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.url) if "/api/v1/emotion" in request.url else None)
    page.goto("/")
    # Before any reading the page shows some of the art, each image with its emotion.
    sample = page.locator("#sample li")
    expect(sample.first).to_be_visible()
    assert sample.count() == 6 and "Sad" in sample.first.inner_text()
    screenshot(page, f"mood-01-landing-{width}")

    # The camera API is missing: the button says so and points to the other ways in.
    page.get_by_role("button", name="Start camera").click()
    expect(page.locator("#capture-state")).to_contain_text("The camera is not available.")
    screenshot(page, f"mood-00-no-camera-api-{width}")

    # Keyboard alone: Tab to the picker, Enter on a mood.
    moods = page.locator("#mood-picker button")
    expect(moods).to_have_count(8)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('#mood-picker button')"):
            break
    while page.evaluate("document.activeElement.value") != "SAD":
        page.keyboard.press("Tab")
    with page.expect_request("**/api/v1/garden") as garden:
        page.keyboard.press("Enter")
    assert garden.value.post_data_json["emotion"] == "SAD"
    expect(page.locator("#cards .card")).to_have_count(3)
    expect(page.locator("#reading-chosen")).to_be_visible()
    expect(page.locator("#dominant-label")).to_have_text("Sad")
    expect(page.locator("#mood-picker button[value=SAD]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#reading-details")).to_be_hidden()  # no face was read: no chart, no age, no gender
    expect(page.locator("#sample")).to_be_hidden()
    assert not posted, "a chosen mood sends no photo"
    screenshot(page, f"mood-02-garden-{width}")

    # Another mood is another garden.
    choose_mood(page, "Calm")
    expect(page.locator("#dominant-label")).to_have_text("Calm")
    shown = [card.get_attribute("data-image") for card in page.locator("#cards .card").all()]
    # A reload (as after a language switch) keeps the chosen mood and its garden.
    page.reload()
    expect(page.locator("#reading-chosen")).to_be_visible()
    expect(page.locator("#dominant-label")).to_have_text("Calm")
    expect(page.locator("#cards .card")).to_have_count(3)
    assert [card.get_attribute("data-image") for card in page.locator("#cards .card").all()] == shown
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_mixed_orientations_make_rows_without_holes_and_a_compact_phone_page(
    cameraless_page: Page, mixed_images: list[Image], width: int, screenshot: Screenshot
) -> None:
    page = cameraless_page
    page.goto("/")
    choose_mood(page, "Sad")
    page.wait_for_function("() => [...document.querySelectorAll('#cards img')].every(image => image.complete)")
    cards = box(page, "#cards .card")
    images = box(page, "#cards .card-image")
    captions = box(page, "#cards figcaption")
    rows: dict[int, list[float]] = {}
    for card in cards:
        rows.setdefault(round(card["top"]), []).append(card["height"])
    assert all(max(heights) - min(heights) < 1 for heights in rows.values()), rows
    if width >= 640:  # three across: one row, every image cropped to the same shape
        assert len(rows) == 1
        assert max(image["height"] for image in images) - min(image["height"] for image in images) < 1
        # Each caption sits right under its image, inside its card.
        for image, caption, card in zip(images, captions, cards, strict=True):
            assert abs(caption["top"] - image["bottom"]) < 1 and caption["bottom"] <= card["bottom"] + 1
    else:  # a phone: one card a row, image beside its caption, and the page of three fits about one screen
        for image, caption in zip(images, captions, strict=True):
            assert abs(caption["top"] - image["top"]) < 1 and caption["left"] >= image["right"] - 1
        assert cards[-1]["bottom"] - cards[0]["top"] < WIDTHS[width]
    # The pager stays inside its card, and nothing scrolls sideways.
    [garden] = box(page, "#garden")
    pager = box(page, ".pager > *")
    for part in pager:
        assert garden["left"] <= part["left"] and part["right"] <= garden["right"]
    assert len({round(part["top"] + part["height"] / 2) for part in pager}) == 1  # on one line
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"mood-03-mixed-grid-{width}")


def test_full_size_view_saves_shares_and_closes_with_escape(
    cameraless_page: Page, mixed_images: list[Image], width: int, screenshot: Screenshot
) -> None:
    page = cameraless_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/")
    choose_mood(page, "Sad")
    opener = page.locator("#cards .card-image").first
    image_id = int(page.locator("#cards .card").first.get_attribute("data-image") or 0)
    image = Image.objects.get(pk=image_id)
    url = image.file.url
    opener.focus()
    page.keyboard.press("Enter")
    viewer = page.get_by_role("dialog", name="Full-size image")
    expect(viewer).to_be_visible()
    full = viewer.locator("img")
    expect(full).to_have_attribute("src", f"{page.url.rstrip('/')}{url}")
    page.wait_for_function("() => document.getElementById('viewer-image').naturalWidth > 0")
    # The whole image, not a crop: its shape on screen is the file's.
    shown = full.bounding_box()
    assert shown and abs(shown["width"] / shown["height"] - image.width / image.height) < 0.02
    screenshot(page, f"mood-04-full-size-{width}")

    with page.expect_download() as download:
        viewer.get_by_role("link", name="Save").click()
    assert download.value.suggested_filename == Path(url).name
    # Headless Chromium has no Web Share API: the button copies the link.
    viewer.get_by_role("button", name="Copy link").click()
    expect(viewer.get_by_role("status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()").endswith(url)

    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(opener).to_be_focused()


def test_share_uses_the_web_share_api_where_the_browser_has_it(
    browser: Browser, live_server: LiveServer, mixed_images: list[Image]
) -> None:
    for page in open_page(browser, live_server):
        # A stand-in for the phone's share sheet: it keeps what the page asked to share.
        page.add_init_script("navigator.share = async (data) => { window.shared = data; };")
        page.goto("/")
        choose_mood(page, "Sad")
        image = Image.objects.get(pk=int(page.locator("#cards .card").first.get_attribute("data-image") or 0))
        page.locator("#cards .card-image").first.click()
        page.get_by_role("dialog").get_by_role("button", name="Share").click()
        page.wait_for_function("() => window.shared !== undefined")
        assert page.evaluate("window.shared.url").endswith(image.file.url)
        assert page.evaluate("window.shared.text").startswith("An image that feels sad")


def test_a_mood_in_an_empty_garden_says_so(page: Page, transactional_db: None) -> None:
    page.goto("/")
    expect(page.locator("#sample")).to_have_count(0)  # nothing approved yet: no sample
    page.get_by_role("button", name="Happy").click()
    expect(page.locator("#garden-state")).to_contain_text("The garden has no images yet.")
    expect(page.locator("#next")).to_be_disabled()


def test_sample_image_opens_full_size(cameraless_page: Page, mixed_images: list[Image]) -> None:
    page = cameraless_page
    page.goto("/")
    page.locator("#sample .sample-image").first.click()
    viewer = page.get_by_role("dialog", name="Full-size image")
    expect(viewer).to_be_visible()
    expect(viewer.locator("#viewer-caption")).to_have_text("Sad")
    viewer.get_by_role("button", name="Close").click()
    expect(viewer).to_be_hidden()


def test_age_and_gender_are_quiet_ranges_behind_a_toggle(
    browser: Browser, live_server: LiveServer, garden_images: list[Image], astronaut_file: Path, width: int,
    screenshot: Screenshot,
) -> None:
    for page in open_page(browser, live_server, width=width, height=WIDTHS[width]):
        page.goto("/")
        page.locator("#photo-input").set_input_files(astronaut_file)
        page.get_by_role("dialog").get_by_role("button", name="Not now").click()
        expect(page.locator("#dominant-label")).to_have_text("Happy")
        expect(page.locator("#cards .card")).to_have_count(3)
        screenshot(page, f"reading-01-summary-{width}")
        age, gender = page.locator("#age"), page.locator("#gender")
        expect(age).to_be_hidden()
        expect(gender).to_be_hidden()
        # The eight emotions are open beside the photo on a wide screen, folded on a phone so the images come soon.
        chart = page.locator("#emotion-chart")
        if width >= 860:
            expect(chart).to_be_visible()
        else:
            expect(chart).to_be_hidden()
            # With the reading at the top of a phone's screen, the first image starts on that same screen.
            page.eval_on_selector("#reading", "node => node.scrollIntoView({ block: 'start' })")
            [first_card] = box(page, "#cards .card:first-child")
            assert first_card["top"] < WIDTHS[width] - 100
        page.get_by_text("Age and gender, as guessed").click()
        expect(age).to_be_visible()
        expect(age).to_have_text(re.compile(r"^\d+ to \d+ years$"))
        expect(page.locator("#gender-confidence")).to_contain_text("sure")
        screenshot(page, f"reading-02-details-{width}")
