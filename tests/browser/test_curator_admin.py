"""The curators' admin in Chromium: a decision's history and its undo, an upload that repeats an image refused with
the image it repeats, the grid review view worked from the keyboard, and the dashboard under a Korean admin;
screenshots at 360 and 1440 px."""

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from recommender.models import SegmentStat, ServedPage
from tests.browser.conftest import garden_picture, open_page
from tests.factories import ApprovedImageFactory, ImageFactory

Screenshot = Callable[[Page, str], None]  # the `screenshot` fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PASSWORD = "a long and unusual password"
WIDTHS = {"wide": (1440, 900), "phone": (360, 740)}


@pytest.fixture
def pool(transactional_db: None) -> list[Image]:
    return [ImageFactory(emotion=Emotion.CALM, theme="spring,meadow", width=480, height=320,
                         file=ContentFile(garden_picture(seed), name=f"pool_{seed}.jpeg")) for seed in range(6)]


@pytest.fixture(params=list(WIDTHS))
def admin_page(request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer,
               transactional_db: None) -> Iterator[Page]:
    """A curator logged in to the admin, at 1440 px and at 360 px."""
    get_user_model().objects.create_superuser("curator", password=PASSWORD)
    width, height = WIDTHS[request.param]
    for page in open_page(browser, live_server, width=width, height=height):
        page.goto("/admin/login/")
        page.get_by_label("Username").fill("curator")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
        yield page


def width_of(page: Page) -> str:
    return str(page.viewport_size["width"])


def fits_the_width(page: Page) -> None:
    """Nothing of the page sticks out sideways: the page scrolls no wider than the window."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than its {page.viewport_size['width']} px window"


def test_a_decision_is_in_the_history_and_can_be_undone(
    admin_page: Page, pool: list[Image], screenshot: Screenshot
) -> None:
    page, image = admin_page, pool[0]
    page.goto("/admin/curation/image/")
    page.locator(f"input[name='_selected_action'][value='{image.pk}']").check()
    page.locator("select[name='action']").select_option("approve")
    page.get_by_role("button", name="Go").click()
    message = page.locator(".messagelist .success")
    expect(message).to_contain_text("1 image approved.")
    screenshot(page, f"admin_decision_undo_{width_of(page)}")
    message.get_by_role("link", name="Undo").click()
    expect(page.locator("#content")).to_contain_text("Approved → Pending review")
    screenshot(page, f"admin_undo_confirm_{width_of(page)}")
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(".messagelist")).to_contain_text("1 image put back as it was.")
    image.refresh_from_db()
    assert image.status == Image.Status.PENDING and image.reviewed_at is None
    page.goto(f"/admin/curation/image/{image.pk}/history/")
    rows = page.locator("#change-history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Approved (was Pending review).")
    expect(rows.nth(1)).to_contain_text("Undone: Pending review again (was Approved).")
    fits_the_width(page)
    screenshot(page, f"admin_history_{width_of(page)}")


def test_an_upload_that_repeats_an_image_is_refused_naming_it(
    admin_page: Page, tmp_path: Path, screenshot: Screenshot
) -> None:
    page = admin_page
    photo = tmp_path / "meadow.jpeg"
    photo.write_bytes(garden_picture(11, size=(640, 420)))
    page.goto("/admin/curation/image/upload/")
    page.get_by_label("Emotion").select_option("HAPPY")
    page.get_by_label("Files").set_input_files(photo)
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".messagelist .success")).to_contain_text("1 image(s) added to the pool")
    [first] = Image.objects.all()
    page.goto("/admin/curation/image/upload/")
    page.get_by_label("Emotion").select_option("SAD")
    page.get_by_label("Files").set_input_files(photo)
    page.get_by_role("button", name="Upload").click()
    refusal = page.locator(".messagelist .error")
    expect(refusal).to_contain_text(f"meadow.jpeg: It is an exact copy of image #{first.pk} (Happy, pending review).")
    expect(refusal.get_by_role("link", name=f"See image #{first.pk}")).to_have_attribute(
        "href", f"/admin/curation/image/{first.pk}/change/")
    assert Image.objects.count() == 1
    fits_the_width(page)
    screenshot(page, f"admin_duplicate_refused_{width_of(page)}")


def test_the_grid_is_reviewed_from_the_keyboard(admin_page: Page, pool: list[Image], screenshot: Screenshot) -> None:
    page = admin_page
    page.goto("/admin/curation/image/grid/")
    cards = page.locator("[data-grid-card]")
    expect(cards).to_have_count(6)
    expect(cards.nth(0)).to_be_focused()
    fits_the_width(page)
    screenshot(page, f"admin_grid_{width_of(page)}")
    page.keyboard.press("ArrowRight")
    expect(cards.nth(1)).to_be_focused()
    page.keyboard.press("a")
    expect(page.locator(".messagelist .success")).to_contain_text("1 image approved.")
    expect(cards).to_have_count(5)
    # Focus lands on the card that took the approved one's place.
    expect(page.locator(f"#image-{pool[2].pk}")).to_be_focused()
    assert Image.objects.get(pk=pool[1].pk).status == Image.Status.APPROVED
    page.keyboard.press("x")
    page.keyboard.press("ArrowDown" if cards.nth(0).bounding_box()["y"] != cards.nth(1).bounding_box()["y"]
                        else "ArrowRight")
    page.keyboard.press("x")
    screenshot(page, f"admin_grid_selected_{width_of(page)}")
    page.get_by_role("button", name="Reject selected").click()
    expect(page.locator(".messagelist .success")).to_contain_text("2 images rejected.")
    assert Image.objects.filter(status=Image.Status.REJECTED).count() == 2
    expect(cards).to_have_count(3)


def test_the_dashboard_reads_in_korean(admin_page: Page, live_server: LiveServer, screenshot: Screenshot) -> None:
    page = admin_page
    live = [ApprovedImageFactory(emotion=emotion, file=ContentFile(garden_picture(seed), name=f"live_{seed}.jpeg"))
            for seed, emotion in enumerate([Emotion.HAPPY, Emotion.CALM, Emotion.SAD])]
    for image, (shown, liked) in zip(live, [(120, 80), (60, 20), (25, 1)], strict=True):
        SegmentStat.objects.create(image=image, segment="*", impressions=shown, likes=liked)
    now = timezone.now()
    for number in range(40):
        ServedPage.objects.create(id=f"page{number}", mode="emotion", items=",".join(str(image.pk) for image in live),
                                  emotion=[Emotion.HAPPY, Emotion.CALM, Emotion.SAD, Emotion.FEAR][number % 4],
                                  created_at=now - timedelta(days=number % 12))
    page.context.add_cookies([{"name": "django_language", "value": "ko", "url": live_server.url}])
    page.goto(reverse("admin:recommender_dashboard"))
    expect(page.locator("#content h1")).to_have_text("큐레이션 대시보드")
    expect(page.get_by_role("heading", name="추천 엔진 상태")).to_be_visible()
    expect(page.locator("#eg-emotions-heading")).to_contain_text("날짜별 방문자의 감정")
    expect(page.locator("section[aria-labelledby='eg-top-heading'] tbody tr")).to_have_count(3)
    fits_the_width(page)
    screenshot(page, f"admin_dashboard_ko_{width_of(page)}")
