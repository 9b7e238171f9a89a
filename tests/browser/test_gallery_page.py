"""What a visitor does on the gallery page, in Chromium: camera or upload -> emotion -> garden -> likes -> forget me."""

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, Route, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from curation.models import Image
from gallery.models import FaceEmbedding, FaceUser
from recommender.models import Interaction, ServedPage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FACE_USER_KEY = "emotion-garden:face-user"

Screenshot = Callable[[Page, str], None]  # the `screenshot` fixture


def shown_ids(page: Page) -> list[int]:
    cards = page.locator("#cards .card")
    expect(cards).to_have_count(3)
    return [int(card.get_attribute("data-image") or 0) for card in cards.all()]


def like_button(page: Page, image_id: int) -> Locator:
    return page.locator(f'#cards .card[data-image="{image_id}"] button.like')


def take_photo(page: Page, *, consent: str | None) -> None:
    page.get_by_role("button", name="Start camera").click()
    expect(page.locator("#camera")).to_be_visible()
    page.wait_for_function("() => document.getElementById('camera').videoWidth > 0")
    page.get_by_role("button", name="Take photo").click()
    if consent:
        page.get_by_role("dialog").get_by_role("button", name=consent).click()


def upload(page: Page, photo: Path, *, consent: str | None) -> None:
    page.locator("#photo-input").set_input_files(photo)
    if consent:
        page.get_by_role("dialog").get_by_role("button", name=consent).click()


def expect_happy_reading(page: Page) -> None:
    expect(page.locator("#dominant-label")).to_have_text("Happy")
    expect(page.locator("#emotion-chart li")).to_have_count(8)
    expect(page.locator("#age")).to_have_text(re.compile(r"^\d+ to \d+ years$"))
    expect(page.locator("#gender")).to_have_text(re.compile(r"^(Female|Male)$"))


def interaction(event: str, image_id: int) -> Interaction:
    return Interaction.objects.filter(event=event, image_id=image_id).latest("created_at")


def impression_ids(recorded: Interaction) -> set[int]:
    return set(recorded.impressions.values_list("id", flat=True))


def test_camera_reading_garden_likes_personal_picks_and_forget_me(
    page: Page, garden_images: list[Image], settings: Settings, screenshot: Screenshot
) -> None:
    settings.PERSONAL_PICKS_MIN_LIKES = 2
    page.goto("/")
    screenshot(page, "01-start")

    page.get_by_role("button", name="Start camera").click()
    page.wait_for_function("() => document.getElementById('camera').videoWidth > 0")
    screenshot(page, "02-camera")
    page.get_by_role("button", name="Take photo").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    screenshot(page, "03-consent-before-the-first-photo")
    page.get_by_role("dialog").get_by_role("button", name="Remember me").click()

    expect_happy_reading(page)
    expect(page.locator(".face-box.primary")).to_be_visible()
    first_page = shown_ids(page)
    face_user = FaceUser.objects.get()
    assert page.evaluate(f"localStorage.getItem('{FACE_USER_KEY}')") == str(face_user.pk)
    expect(page.get_by_role("button", name="Forget me")).to_be_visible()

    with page.expect_response("**/api/v1/like") as liked:
        like_button(page, first_page[0]).click()
    assert liked.value.status == 201
    expect(like_button(page, first_page[0])).to_have_attribute("aria-pressed", "true")
    like = interaction(Interaction.Event.LIKE, first_page[0])
    assert impression_ids(like) == set(first_page)
    assert like.face_user_id == face_user.pk and like.emotion == "HAPPY"
    assert ServedPage.objects.get(pk=like.recommendation_id).item_ids == first_page  # the answer that showed it
    screenshot(page, "04-reading-and-garden")

    with page.expect_response("**/api/v1/not-interested") as refused:
        page.locator(f'#cards .card[data-image="{first_page[2]}"] button.not-interested').click()
    assert refused.value.status == 201
    expect(page.locator(f'#cards .card[data-image="{first_page[2]}"]')).to_contain_text("Hidden")
    assert interaction(Interaction.Event.NOT_INTERESTED, first_page[2]).face_user_id == face_user.pk

    page.get_by_role("button", name="Next").click()
    expect(page.locator("#page-label")).to_have_text("Page 2")
    second_page = shown_ids(page)
    assert not set(second_page) & set(first_page)

    page.get_by_role("button", name="Previous").click()
    expect(page.locator("#page-label")).to_have_text("Page 1")
    cards = page.locator("#cards .card")
    expect(cards).to_have_count(2)  # the image the visitor is not interested in has left its page
    assert [int(card.get_attribute("data-image") or 0) for card in cards.all()] == first_page[:2]
    expect(like_button(page, first_page[0])).to_have_attribute("aria-pressed", "true")
    with page.expect_response("**/api/v1/unlike") as unliked:
        like_button(page, first_page[0]).click()
    assert unliked.value.status == 201
    expect(like_button(page, first_page[0])).to_have_attribute("aria-pressed", "false")
    assert impression_ids(interaction(Interaction.Event.UNLIKE, first_page[0])) == set(first_page[:2])  # on screen

    # Two likes reach PERSONAL_PICKS_MIN_LIKES: the page says so and offers the personal picks.
    page.get_by_role("button", name="Next").click()
    assert shown_ids(page) == second_page
    for image_id in second_page[:2]:
        with page.expect_response("**/api/v1/like"):
            like_button(page, image_id).click()
    notice = page.locator("#garden-notice")
    expect(notice).to_contain_text("personal picks")
    expect(page.locator("#likes-progress")).to_contain_text("You like 2 images")
    screenshot(page, "05-personal-picks-unlocked")
    with page.expect_response("**/api/v1/garden") as garden:
        notice.get_by_role("button", name="Show personal picks now").click()
    assert garden.value.json()["mode"] == "personal"
    expect(page.get_by_role("radio", name="Personal picks")).to_be_checked()
    expect(notice).to_contain_text("Personal picks: from now on")
    third_page = shown_ids(page)
    assert not set(third_page) & (set(first_page) | set(second_page))
    screenshot(page, "06-personal-picks")

    # A reload (as after a language switch) keeps the garden, and the server's likes mark the liked images.
    page.reload()
    expect(page.locator("#dominant-label")).to_have_text("Happy")
    assert shown_ids(page) == third_page
    page.get_by_role("button", name="Previous").click()
    expect(like_button(page, second_page[0])).to_have_attribute("aria-pressed", "true")

    # Everything kept about them, as a file of their own.
    face_user_id = page.evaluate(f"localStorage.getItem('{FACE_USER_KEY}')")
    export = page.get_by_role("link", name="Download my data")
    with page.expect_download() as download:
        export.click()
    assert download.value.suggested_filename == f"emotion-garden-{face_user_id}.json"
    assert json.loads(Path(download.value.path()).read_text())["profile"]["id"] == face_user_id

    page.get_by_role("button", name="Forget me").click()
    forget = page.get_by_role("dialog", name="Forget me?")
    expect(forget).to_be_visible()
    screenshot(page, "07-forget-me")
    with page.expect_response(lambda response: response.request.method == "DELETE") as deleted:
        forget.get_by_role("button", name="Forget me").click()
    assert deleted.value.status == 204
    expect(page.locator("#privacy-status")).to_contain_text("deleted")
    expect(page.get_by_role("button", name="Forget me")).to_be_hidden()
    expect(export).to_be_hidden()
    expect(page.get_by_role("radio", name="Personal picks")).to_be_disabled()
    assert not FaceUser.objects.exists() and not FaceEmbedding.objects.exists()
    assert page.evaluate(f"localStorage.getItem('{FACE_USER_KEY}')") is None
    screenshot(page, "08-forgotten")


def test_upload_without_consent_keeps_no_face_data(
    page: Page, garden_images: list[Image], astronaut_file: Path, screenshot: Screenshot
) -> None:
    page.goto("/")
    upload(page, astronaut_file, consent="Not now")
    expect_happy_reading(page)
    expect(page.locator(".face-box.primary")).to_be_visible()
    shown = shown_ids(page)
    expect(page.get_by_role("radio", name="Emotion picks")).to_be_checked()
    expect(page.get_by_role("radio", name="Personal picks")).to_be_disabled()
    expect(page.locator("#privacy-status")).to_contain_text("Nothing about your face is kept")

    with page.expect_response("**/api/v1/like"):
        like_button(page, shown[1]).click()
    like = interaction(Interaction.Event.LIKE, shown[1])
    assert like.face_user is None and impression_ids(like) == set(shown)
    assert not FaceUser.objects.exists() and not FaceEmbedding.objects.exists()
    assert page.evaluate(f"localStorage.getItem('{FACE_USER_KEY}')") is None
    screenshot(page, "upload-not-remembered")

    # The choice holds for the visit: the next photo is read without asking again.
    upload(page, astronaut_file, consent=None)
    expect(page.locator("#dominant-label")).to_have_text("Happy")
    expect(page.get_by_role("dialog")).to_be_hidden()


def test_waiting_shows_a_spinner_not_an_error(
    page: Page, garden_images: list[Image], astronaut_file: Path, screenshot: Screenshot
) -> None:
    held: list[Route] = []
    page.route("**/api/v1/emotion*", lambda route: held.append(route))
    page.goto("/")
    upload(page, astronaut_file, consent="Not now")
    state = page.locator("#capture-state")
    expect(state.locator(".spinner")).to_be_visible()
    expect(state).to_have_text("Reading your expression…")
    expect(page.locator("#stage")).to_have_attribute("aria-busy", "true")
    expect(page.locator(".state-box.problem")).to_have_count(0)
    screenshot(page, "waiting")
    held[0].continue_()
    expect(page.locator("#dominant-label")).to_have_text("Happy")
    expect(state).to_be_empty()


def test_korean_and_back_to_english(
    page: Page, garden_images: list[Image], astronaut_file: Path, screenshot: Screenshot
) -> None:
    page.goto("/")
    with page.expect_navigation(wait_until="load"):  # the switch is a form post; its page's scripts must listen first
        page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("button", name="카메라 켜기")).to_be_visible()
    upload(page, astronaut_file, consent="나중에")
    expect(page.locator("#dominant-label")).to_have_text("행복")
    expect(page.locator("#emotion-chart")).to_contain_text("평온")
    expect(page.locator("#gender")).to_have_text(re.compile("^(여성|남성)$"))
    expect(page.locator("#age")).to_have_text(re.compile(r"^\d+~\d+세$"))
    expect(page.locator(".face-tag")).to_have_text("행복")
    shown_ids(page)
    expect(page.locator("#cards .like").first).to_have_text(re.compile("^좋아요"))
    expect(page.locator("#cards .reason").first).not_to_have_text(re.compile("[a-z]{3}"))
    screenshot(page, "korean")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#dominant-label")).to_have_text("Happy")
    expect(page.locator("#cards .card")).to_have_count(3)


def test_no_face_in_the_camera_says_so_and_offers_a_way_on(
    faceless_page: Page, garden_images: list[Image], faceless_file: Path, screenshot: Screenshot
) -> None:
    page = faceless_page
    page.goto("/")
    take_photo(page, consent="Not now")
    problem = page.locator("#capture-state")
    expect(problem).to_contain_text("We could not find a face in this photo.")
    try_again = problem.get_by_role("button", name="Try again")
    expect(try_again).to_be_focused()
    expect(page.locator("#reading")).to_be_hidden()
    screenshot(page, "no-face")
    try_again.click()
    expect(page.locator("#camera")).to_be_visible()
    expect(problem).to_be_empty()

    upload(page, faceless_file, consent=None)
    expect(problem).to_contain_text("We could not find a face in this photo.")
    expect(problem.get_by_role("button", name="Choose another photo")).to_be_visible()


def test_camera_denied_points_to_the_upload(
    camera_blocked_page: Page, garden_images: list[Image], astronaut_file: Path, screenshot: Screenshot
) -> None:
    page = camera_blocked_page
    page.goto("/")
    page.get_by_role("button", name="Start camera").click()
    problem = page.locator("#capture-state")
    expect(problem).to_contain_text("The camera is blocked.")
    upload_instead = problem.get_by_role("button", name="Upload a photo")
    expect(upload_instead).to_be_focused()
    screenshot(page, "camera-denied")
    with page.expect_file_chooser() as chooser:
        upload_instead.click()
    chooser.value.set_files(astronaut_file)
    page.get_by_role("dialog").get_by_role("button", name="Not now").click()
    expect(page.locator("#dominant-label")).to_have_text("Happy")


def test_server_error_offers_to_try_again(
    page: Page, garden_images: list[Image], astronaut_file: Path, screenshot: Screenshot
) -> None:
    def unavailable(route: Route) -> None:
        route.fulfill(status=503, json={"error": {"code": "face_service_unavailable", "message": "down"}})

    page.route("**/api/v1/emotion*", unavailable)
    page.goto("/")
    upload(page, astronaut_file, consent="Not now")
    problem = page.locator("#capture-state")
    expect(problem).to_contain_text("The face reader is unavailable for a moment.")
    screenshot(page, "server-error")
    page.unroute("**/api/v1/emotion*", unavailable)
    problem.get_by_role("button", name="Try again").click()
    expect_happy_reading(page)


def test_keyboard_alone_reaches_and_presses_like(page: Page, garden_images: list[Image]) -> None:
    page.goto("/")

    def tab_to(selector: str, presses: int = 40) -> None:
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
    expect(page.get_by_role("dialog").get_by_role("button", name="Not now")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#cards .card")).to_have_count(3)
    tab_to("#cards button.like")
    page.keyboard.press("Enter")
    expect(page.locator("#cards button.like").first).to_have_attribute("aria-pressed", "true")


def test_phone_width_has_no_sideways_scroll(
    phone_page: Page, garden_images: list[Image], astronaut_file: Path, screenshot: Screenshot
) -> None:
    page = phone_page
    page.goto("/")
    upload(page, astronaut_file, consent=None)
    screenshot(page, "phone-consent")
    page.get_by_role("dialog").get_by_role("button", name="Not now").click()
    expect_happy_reading(page)
    shown_ids(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "phone")


def test_not_now_means_not_recognised_and_only_the_cookie_opens_the_persons_data(
    page: Page, garden_images: list[Image], astronaut_file: Path, live_server: LiveServer, screenshot: Screenshot
) -> None:
    page.goto("/")
    upload(page, astronaut_file, consent="Remember me")
    expect_happy_reading(page)
    face_user = FaceUser.objects.get()
    expect(page.get_by_role("button", name="Forget me")).to_be_visible()
    # The credential is in a cookie the page's scripts cannot read; the id in localStorage is only a hint.
    assert "eg_person" not in page.evaluate("document.cookie")
    [cookie] = [cookie for cookie in page.context.cookies() if cookie["name"] == "eg_person"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    # The next visit (a new tab) asks again; "Not now" is not recognised, and its likes are nobody's.
    visit = page.context.new_page()
    visit.goto("/")
    upload(visit, astronaut_file, consent="Not now")
    expect_happy_reading(visit)
    expect(visit.locator("#welcome")).to_be_hidden()
    expect(visit.get_by_role("radio", name="Personal picks")).to_be_disabled()
    shown = shown_ids(visit)
    with visit.expect_request("**/api/v1/garden") as garden:
        visit.get_by_role("button", name="Next").click()
    assert "face_user" not in garden.value.post_data_json
    # The next page's cards replace these once its answer is drawn: like one of them, not an outgoing card.
    expect(visit.locator("#cards .card").first).not_to_have_attribute("data-image", str(shown[0]))
    with visit.expect_response("**/api/v1/like"):
        like_button(visit, shown_ids(visit)[0]).click()
    assert Interaction.objects.get().face_user is None
    screenshot(visit, "not-now-on-a-remembering-browser")
    visit.close()

    # "Remember me" on a visit recognises them: welcome back.
    again = page.context.new_page()
    again.goto("/")
    upload(again, astronaut_file, consent="Remember me")
    expect(again.locator("#welcome")).to_be_visible()
    assert FaceUser.objects.get().pk == face_user.pk
    again.close()
    assert shown

    # Without the cookie, the id alone opens nothing, even from the site's own page.
    page.context.clear_cookies()
    response = page.request.get(f"{live_server.url}/api/v1/users/{face_user.pk}/export")
    assert response.status == 403 and response.json()["error"]["code"] == "person_credential_required"


def test_the_end_of_the_pool_is_said_and_next_stops(
    page: Page, garden_images: list[Image], astronaut_file: Path, screenshot: Screenshot
) -> None:
    page.goto("/")
    upload(page, astronaut_file, consent="Not now")
    expect_happy_reading(page)
    seen = shown_ids(page)
    for number in (2, 3):
        page.get_by_role("button", name="Next").click()
        expect(page.locator("#page-label")).to_have_text(f"Page {number}")
        seen += shown_ids(page)
    assert sorted(seen) == sorted(image.pk for image in garden_images)  # all nine, none twice
    expect(page.locator("#garden-notice")).to_contain_text("That is every image here for now")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    screenshot(page, "end-of-the-pool")
    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_role("button", name="Next")).to_be_enabled()  # back to the last page, not past it
