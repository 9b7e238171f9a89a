"""With API_KEYS_REQUIRED, the site's own page still reads, shows and likes in Chromium, and nothing else gets in."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from curation.models import Image
from recommender.models import Interaction

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def keys_required(settings: Settings) -> None:
    settings.API_KEYS_REQUIRED = True


def test_the_page_works_without_a_key(page: Page, garden_images: list[Image], astronaut_file: Path) -> None:
    page.goto("/")
    page.locator("#photo-input").set_input_files(astronaut_file)
    page.get_by_role("dialog").get_by_role("button", name="Not now").click()
    expect(page.locator("#dominant-label")).to_have_text("Happy")
    cards = page.locator("#cards .card")
    expect(cards).to_have_count(3)
    with page.expect_response("**/api/v1/like") as liked:
        cards.first.locator("button.like").click()
    assert liked.value.status == 201
    assert Interaction.objects.filter(event=Interaction.Event.LIKE).exists()


def test_a_browser_that_never_loaded_the_page_gets_401(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(base_url=live_server.url)
    try:
        response = context.request.post("/api/v1/garden", data={"emotion": "HAPPY"})
        assert response.status == 401
        assert response.json()["error"]["code"] == "api_key_required"
    finally:
        context.close()
