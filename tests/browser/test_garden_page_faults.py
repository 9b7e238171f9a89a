"""Faults a browser probe of the visitor page found, each in Chromium as a visitor meets it: a page whose images were
all hidden, the mode switch, reasons without words, a person forgotten on another device, "Forget me" and personal
picks, the theme picker on Previous, where the focus goes, and a notice said once per visit."""

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, Request, Route, expect
from pytest_django.fixtures import Settings

from curation.models import Image, Track
from curation.songs.services import add_track
from emotion_garden.vocabulary import Emotion
from gallery.models import FaceUser
from gallery.services import forget_face_user
from recommender.engines.base import ReasonCode
from recommender.models import Interaction
from tests.browser.conftest import garden_picture
from tests.factories import ApprovedImageFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FACE_USER_KEY = "emotion-garden:face-user"
SNOWY = "winter,snowy,sunset"


@pytest.fixture
def sad_garden(transactional_db: None) -> list[Image]:
    """Twelve SAD images, half of them snowy (enough for a snowy page whatever the first page showed), and three
    HAPPY ones that a sad visitor's strict emotion picks never show."""
    images = []
    for seed in range(15):
        emotion = Emotion.HAPPY if seed >= 12 else Emotion.SAD
        images.append(ApprovedImageFactory(
            emotion=emotion, theme=SNOWY if 6 <= seed < 12 else "", width=480, height=320,
            file=ContentFile(garden_picture(seed), name=f"fault_{seed}.jpeg")))
    return images


@pytest.fixture
def songs(transactional_db: None) -> list[Track]:
    return [add_track(title=title, artist="Garden Band", emotions=[emotion], source=Track.Source.SEEDED,
                      status=Track.Status.APPROVED)
            for title, emotion in [("Grey Morning", "SAD"), ("Slow Rain", "SAD"), ("Sunny Side", "HAPPY"),
                                   ("Good Day", "HAPPY"), ("Bright Road", "HAPPY")]]


def choose_mood(page: Page, label: str) -> dict:
    """Choose a mood by hand (no camera, no face) and return what the first garden asked for."""
    with page.expect_request("**/api/v1/garden") as asked:
        page.get_by_role("group", name="Choose a mood").get_by_role("button", name=label).click()
    expect(page.locator("#cards .card")).to_have_count(3)
    expect(page.locator("#cards")).not_to_have_attribute("aria-busy", "true")
    return asked.value.post_data_json


def read_remembered(page: Page, photo: Path) -> None:
    """The astronaut's photo with "Remember me": a face user whose credential is this browser's cookie."""
    page.goto("/")
    page.locator("#photo-input").set_input_files(photo)
    page.get_by_role("dialog").get_by_role("button", name="Remember me").click()
    expect(page.locator("#dominant-label")).to_have_text("Happy", timeout=30_000)
    expect(page.locator("#cards .card")).to_have_count(3)
    expect(page.locator("#cards")).not_to_have_attribute("aria-busy", "true")


def shown_ids(page: Page) -> list[int]:
    cards = page.locator("#cards .card")
    expect(cards).to_have_count(3)
    return [int(card.get_attribute("data-image") or 0) for card in cards.all()]


def garden_requests(page: Page) -> list[dict]:
    """Every garden request the page makes from now on, as it was sent."""
    asked: list[dict] = []
    page.on("request", lambda request: asked.append(request.post_data_json)
            if request.url.endswith("/api/v1/garden") else None)
    return asked


def checked_modes(page: Page) -> list[str]:
    return page.eval_on_selector_all("input[name=mode]:checked", "radios => radios.map((radio) => radio.value)")


def focused(page: Page) -> str:
    """The focused element, as tag#id.class (with its text), for assertions and their messages."""
    return page.evaluate("""() => {
        const node = document.activeElement;
        return `${node.tagName.toLowerCase()}#${node.id}.${[...node.classList].join('.')} ${node.textContent.trim()}`;
    }""")


# --- 1. A page whose images were all hidden ----------------------------------------------------------------------

def test_a_page_whose_images_were_all_hidden_still_leads_on(page: Page, sad_garden: list[Image]) -> None:
    page.goto("/")
    choose_mood(page, "Sad")
    for card in page.locator("#cards .card").all():
        with page.expect_response("**/api/v1/not-interested") as hidden:
            card.get_by_role("button", name=re.compile("^Not interested")).click()
        assert hidden.value.status == 201
    expect(page.locator("#cards .card .reason")).to_have_text(["Hidden: you will see fewer images like this."] * 3)
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#page-label")).to_have_text("Page 2")
    second = shown_ids(page)

    page.get_by_role("button", name="Previous").click()
    expect(page.locator("#page-label")).to_have_text("Page 1")
    state = page.locator("#garden-state")
    expect(state).to_contain_text("You hid the images on this page.")
    expect(state).to_contain_text("Choose Next for more images.")
    expect(state).not_to_contain_text("The garden has no images yet.")
    expect(page.get_by_role("button", name="Next")).to_be_enabled()

    # A reload keeps the way on.
    page.reload()
    expect(page.locator("#page-label")).to_have_text("Page 1")
    expect(page.locator("#garden-state")).to_contain_text("You hid the images on this page.")
    next_button = page.get_by_role("button", name="Next")
    expect(next_button).to_be_enabled()
    next_button.click()
    expect(page.locator("#page-label")).to_have_text("Page 2")
    assert shown_ids(page) == second


# --- 2. The mode switch ------------------------------------------------------------------------------------------

def test_a_visitor_we_do_not_remember_gets_strict_emotion_picks(page: Page, sad_garden: list[Image]) -> None:
    page.goto("/")
    asked = choose_mood(page, "Sad")
    assert asked["mode"] == "emotion" and "face_user" not in asked
    assert checked_modes(page) == ["emotion"]
    expect(page.locator("#mode-hint")).to_be_hidden()  # the checked choice says it
    alts = [image.get_attribute("alt") or "" for image in page.locator("#cards .card img").all()]
    assert all(alt.startswith("An image that feels sad") for alt in alts), alts


def test_emotion_picks_can_be_chosen_from_mixed_picks_by_mouse_and_keyboard(
    page: Page, garden_images: list[Image], astronaut_file: Path, settings: Settings
) -> None:
    settings.PERSONAL_PICKS_MIN_LIKES = 1
    asked = garden_requests(page)
    read_remembered(page, astronaut_file)
    # "auto" for a visitor we remember: mixed picks, which are neither of the switch's choices.
    assert asked[-1]["mode"] == "auto"
    assert checked_modes(page) == []
    expect(page.locator("#mode-hint")).to_have_text(
        "Mixed picks: mostly images that feel happy, and some that visitors who looked happy liked.")
    expect(page.get_by_role("radio", name="Personal picks")).to_be_disabled()  # none liked yet

    # The mouse: a click on "Emotion picks" asks for strict emotion picks.
    with page.expect_request("**/api/v1/garden") as garden:
        page.locator("label[for=mode-emotion]").click()
    assert garden.value.post_data_json["mode"] == "emotion"
    expect(page.get_by_role("radio", name="Emotion picks")).to_be_checked()
    expect(page.locator("#mode-hint")).to_be_hidden()

    # One like opens personal picks (PERSONAL_PICKS_MIN_LIKES): chosen with the keyboard, then emotion picks again.
    with page.expect_response("**/api/v1/like"):
        page.locator("#cards button.like").first.click()
    personal = page.get_by_role("radio", name="Personal picks")
    expect(personal).to_be_enabled()
    page.get_by_role("radio", name="Emotion picks").focus()
    with page.expect_request("**/api/v1/garden") as garden:
        page.keyboard.press("ArrowRight")
    assert garden.value.post_data_json["mode"] == "personal"
    expect(personal).to_be_checked()
    with page.expect_request("**/api/v1/garden") as garden:
        page.keyboard.press("ArrowLeft")
    assert garden.value.post_data_json["mode"] == "emotion"
    expect(page.get_by_role("radio", name="Emotion picks")).to_be_checked()


# --- 3. Every reason has words -----------------------------------------------------------------------------------

def one_item_per_reason(route: Route) -> None:
    """The real answer, its first item repeated with each reason code the API may send, and the API's English words
    marked so that the page showing them is seen."""
    answer = route.fetch().json()
    template = answer["items"][0]
    answer["items"] = [{**template, "id": template["id"] * 100 + number, "reason": f"API WORDS {code}",
                        "reason_code": code} for number, code in enumerate(ReasonCode)]
    route.fulfill(json=answer)


def test_every_reason_code_has_words_for_songs_and_images(
    page: Page, sad_garden: list[Image], songs: list[Track]
) -> None:
    page.route("**/api/v1/songs", one_item_per_reason)
    page.route("**/api/v1/garden", one_item_per_reason)
    page.goto("/")
    page.get_by_role("group", name="Choose a mood").get_by_role("button", name="Sad").click()
    song_reasons = page.locator("#song-list .song .reason")
    card_reasons = page.locator("#cards .card .reason")
    expect(song_reasons).to_have_count(len(ReasonCode))
    expect(card_reasons).to_have_count(len(ReasonCode))
    for reasons in (song_reasons, card_reasons):
        words = reasons.all_inner_texts()
        assert all(text.strip() and "API WORDS" not in text for text in words), words
    song = page.locator("#song-list .song").nth(list(ReasonCode).index(ReasonCode.IN_GALLERY))
    expect(song.locator(".reason")).to_have_text("From the song list")
    # Songs are not images: no reason speaks of the garden's images.
    assert not [text for text in song_reasons.all_inner_texts() if re.search("image|garden", text, re.I)]


# --- 4. A person forgotten on another device ---------------------------------------------------------------------

def test_a_person_forgotten_elsewhere_carries_on_anonymously(
    page: Page, garden_images: list[Image], songs: list[Track], astronaut_file: Path
) -> None:
    read_remembered(page, astronaut_file)
    expect(page.locator("#song-list .song")).to_have_count(3)
    forget_face_user(face_user=FaceUser.objects.get())  # "Forget me" on another device
    refused: list[str] = []
    page.on("response", lambda response: refused.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request) if request.method == "POST" else None)

    first = shown_ids(page)[0]
    like = page.locator(f'#cards .card[data-image="{first}"] button.like')
    # The like is stored by the page's anonymous retry, after the refusal in the forgotten person's name: read the
    # database once it has answered (under load the check below had run before it).
    with page.expect_response(lambda response: response.url.endswith("/api/v1/like") and response.status == 201):
        like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#garden-state")).not_to_contain_text("could not")
    privacy = page.locator("#privacy-status")
    expect(privacy).to_contain_text("We no longer remember you on this device")
    assert page.evaluate(f"localStorage.getItem('{FACE_USER_KEY}')") is None
    assert Interaction.objects.get(event=Interaction.Event.LIKE, image_id=first).face_user is None

    with page.expect_response("**/api/v1/garden") as garden:
        page.get_by_role("button", name="Next").click()
    assert garden.value.ok
    expect(page.locator("#page-label")).to_have_text("Page 2")
    shown_ids(page)
    with page.expect_response("**/api/v1/songs") as more:
        page.get_by_role("button", name="More songs").click()
    assert more.value.ok
    expect(page.locator("#songs-state")).to_be_empty()
    # Refused once (the like), then nothing more carries the forgotten id.
    assert len(refused) == 1, refused
    assert [request.url for request in sent[1:] if "face_user" in (request.post_data_json or {})] == []
    expect(privacy).to_contain_text("We no longer remember you on this device")
    expect(page.get_by_role("button", name="Forget me")).to_be_hidden()


# --- 5 and 8. Personal picks: said once per visit, and gone at once with "Forget me" ---------------------------

def reach_personal_picks(page: Page, astronaut_file: Path) -> None:
    read_remembered(page, astronaut_file)
    with page.expect_response("**/api/v1/like"):
        page.locator("#cards button.like").first.click()
    notice = page.locator("#garden-notice")
    with page.expect_response("**/api/v1/garden") as garden:
        notice.get_by_role("button", name="Show personal picks now").click()
    assert garden.value.json()["mode"] == "personal"
    expect(page.get_by_role("radio", name="Personal picks")).to_be_checked()


def test_forget_me_shows_emotion_picks_at_once(
    page: Page, garden_images: list[Image], astronaut_file: Path, settings: Settings
) -> None:
    settings.PERSONAL_PICKS_MIN_LIKES = 1
    reach_personal_picks(page, astronaut_file)
    page.get_by_role("button", name="Forget me").click()
    with page.expect_request("**/api/v1/garden") as garden:
        page.get_by_role("dialog", name="Forget me?").get_by_role("button", name="Forget me").click()
    assert garden.value.post_data_json["mode"] == "emotion" and "face_user" not in garden.value.post_data_json
    expect(page.locator("#cards")).not_to_have_attribute("aria-busy", "true")
    expect(page.get_by_role("radio", name="Personal picks")).not_to_be_checked()
    expect(page.get_by_role("radio", name="Personal picks")).to_be_disabled()
    expect(page.get_by_role("radio", name="Emotion picks")).to_be_checked()
    reasons = page.locator("#cards .card .reason").all_inner_texts()
    assert reasons and not [text for text in reasons if "you liked" in text], reasons
    expect(page.locator("#privacy-change")).to_be_focused()


def test_the_personal_picks_notice_is_said_once_per_visit(
    page: Page, garden_images: list[Image], astronaut_file: Path, settings: Settings
) -> None:
    settings.PERSONAL_PICKS_MIN_LIKES = 1
    reach_personal_picks(page, astronaut_file)
    notice = page.locator("#garden-notice")
    expect(notice).to_contain_text("Personal picks: from now on")

    # A new photo in the same visit: a new garden, personal from its first page, told no more.
    with page.expect_response("**/api/v1/garden") as garden:
        page.locator("#photo-input").set_input_files(astronaut_file)
    assert garden.value.json()["mode"] == "personal"
    expect(page.locator("#page-label")).to_have_text("Page 1")
    expect(page.get_by_role("radio", name="Personal picks")).to_be_checked()
    expect(notice).not_to_contain_text("Personal picks: from now on")


# --- 6. The theme picker follows the pages -----------------------------------------------------------------------

def test_previous_and_next_show_each_pages_theme(page: Page, sad_garden: list[Image]) -> None:
    page.goto("/")
    choose_mood(page, "Sad")
    weather = page.get_by_label("Weather")
    with page.expect_request("**/api/v1/garden") as asked:
        weather.select_option("snowy")
    assert asked.value.post_data_json["theme"] == "snowy"
    expect(page.locator("#page-label")).to_have_text("Page 2")
    expect(page.locator("#cards .card")).to_have_count(3)
    asked_after = garden_requests(page)

    page.get_by_role("button", name="Previous").click()
    expect(page.locator("#page-label")).to_have_text("Page 1")
    expect(weather).to_have_value("")
    expect(page.get_by_label("Season")).to_have_value("")
    expect(page.get_by_role("button", name="Any theme")).to_be_hidden()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#page-label")).to_have_text("Page 2")
    expect(weather).to_have_value("snowy")
    expect(page.get_by_role("button", name="Any theme")).to_be_visible()
    assert asked_after == []  # shown again, not asked again


# --- 7. Where the focus goes -------------------------------------------------------------------------------------

def test_focus_stays_in_the_garden_after_hiding_and_trying_again(page: Page, sad_garden: list[Image]) -> None:
    page.goto("/")
    choose_mood(page, "Sad")
    card = page.locator("#cards .card").first
    dismiss = card.get_by_role("button", name=re.compile("^Not interested"))
    dismiss.focus()
    with page.expect_response("**/api/v1/not-interested"):
        page.keyboard.press("Enter")
    expect(card).to_contain_text("Hidden")
    assert focused(page).startswith("p#.reason Hidden"), focused(page)
    expect(page.locator("#garden-state")).to_have_text("Hidden: you will see fewer images like this.")
    page.keyboard.press("Tab")  # on to the next card
    assert focused(page).startswith("button#.card-image"), focused(page)

    def unavailable(route: Route) -> None:
        route.fulfill(status=503, json={"error": {"code": "recommender_unavailable", "message": "down"}})

    page.route("**/api/v1/garden", unavailable)
    page.get_by_role("button", name="Next").click()
    retry = page.locator("#garden-state").get_by_role("button", name="Try again")
    expect(retry).to_be_focused()
    page.unroute("**/api/v1/garden", unavailable)
    with page.expect_response("**/api/v1/garden"):
        page.keyboard.press("Enter")
    expect(page.locator("#page-label")).to_have_text("Page 2")
    expect(page.locator("#cards .card").first.locator("button.card-image")).to_be_focused()
