"""The original garden pages (html/garden/ and html/emotion-garden/) with this server's demo gallery: the camera ->
/emotion -> /gardenfromDB (or /garden) with the page's default favorite "spring,cloudy,day" -> three images of that
favorite -> a like."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from recommender.models import Interaction
from tests.browser.conftest import Screenshot
from tests.browser.original_sites import OpenBrowser
from tests.browser.originals.conftest import ORIGIN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Each page's path and the endpoint it asks for images.
PAGES = {"garden": ("/html/garden/garden.html", "gardenfromDB"),
         "emotion-garden": ("/html/emotion-garden/emotion-garden.html", "garden")}


@pytest.mark.parametrize("page_name", PAGES)
def test_an_original_garden_page_shows_its_default_favorite_out_of_the_box(
    original_site: OpenBrowser, screenshot: Screenshot, page_name: str
) -> None:
    call_command("seed_demo_gallery", per_emotion=3, stdout=StringIO())  # as `serve` does on a fresh install
    path, endpoint = PAGES[page_name]
    visitor = original_site()
    page = visitor.open(path)
    expect(page.locator("#favoriteStr")).to_have_value("spring,cloudy,day")

    garden = visitor.read_face(endpoint)
    assert garden.status == 200
    assert garden.request.post_data_json["emotion"] == "happy/spring,cloudy,day"

    expect(page.locator("#profile-emotion")).to_have_text("Emotion: 행복 (HAPPY)")
    images = page.locator("#preview0 img")
    expect(images).to_have_count(3)
    for image in images.all():
        assert (image.get_attribute("src") or "").startswith(f"{ORIGIN}/emotions/happy/spring,cloudy,day/")
    page.wait_for_function("[...document.querySelectorAll('#preview0 img')].every(img => img.naturalWidth > 0)")
    screenshot(page, f"original-{page_name}-page")

    with page.expect_response(f"{ORIGIN}/like") as liked:
        page.locator("#preview0 i").first.click()
    assert (liked.value.status, liked.value.text()) == (200, "Success")
    like = Interaction.objects.get(event=Interaction.Event.LIKE)
    assert like.image.theme == "spring,cloudy,day" and like.emotion == "HAPPY"
    assert like.impressions.count() == 3
    assert not visitor.alerts
