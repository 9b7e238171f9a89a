"""The original image recommender's pages (kyopark2014/image-recommender-based-on-emotion, html/), unchanged, in
Chromium against this server: the visitor pages (gallery, enabler) by the camera, the curator pages (imgGenerator,
preview, datasetGenerator) after logging in to /admin/ in the same browser.
"""

import pytest
from playwright.sync_api import expect

from curation.models import Image
from recommender.models import Interaction
from tests.browser.conftest import Screenshot
from tests.browser.root_originals.conftest import IRBE, OpenBrowser

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_the_original_gallery_page_recommends_and_records_a_like(
    original_site: OpenBrowser, garden_images: list[Image], screenshot: Screenshot
) -> None:
    visitor = original_site(IRBE)
    page = visitor.open("/gallery.html")
    page.locator(".start-button").click()
    page.wait_for_function("document.getElementById('preview').videoWidth > 0")
    page.locator(".emotion-button").click()
    expect(page.locator("#profile-emotion")).to_have_text("Emotion: 행복 (HAPPY)")
    images = page.locator("#preview0 img")
    expect(images).to_have_count(3)
    page.wait_for_function("[...document.querySelectorAll('#preview0 img')].every(img => img.naturalWidth > 0)")
    screenshot(page, "original-irbe-gallery-page")
    page.locator("#preview0 i").first.click()
    liked = visitor.wait_for_answers("like", 1)[0]
    assert (liked.status, liked.text()) == (200, "Success")
    assert Interaction.objects.filter(event=Interaction.Event.LIKE).count() == 1
