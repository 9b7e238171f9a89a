"""The original Emotion Garden garden pages (kyopark2014/emotion-garden, html/garden/ and html/emotion-garden/), byte
for byte unchanged, in Chromium against this server with its demo gallery: the camera -> /emotion -> /gardenfromDB
(or /garden) with the page's default favorite "spring,cloudy,day" -> three images of that favorite -> a like.

The original pages have no licence, so they are not in this repository: point EMOTION_GARDEN_ORIGINALS at a checkout
of that repository (or its bare git directory) to run this test. The page hard-codes its CloudFront domain; the
browser is given the page there, and every other request to that domain is answered by the live server, so neither
the page nor the server is changed for the test.
"""

import os
import subprocess
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, Route, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from recommender.models import Interaction

Screenshot = Callable[[Page, str], None]  # the `screenshot` fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ORIGIN = "https://d3ic6ryvcaoqdy.cloudfront.net"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css"}
# Each page's folder, its files' name and the endpoint it asks for images.
PAGES = {"garden": ("html/garden", "garden", "gardenfromDB"),
         "emotion-garden": ("html/emotion-garden", "emotion-garden", "garden")}


def original_file(path: str) -> bytes:
    """A file of the original repository, from a checkout or from its git directory."""
    root = Path(os.environ.get("EMOTION_GARDEN_ORIGINALS", ""))
    if not os.environ.get("EMOTION_GARDEN_ORIGINALS") or not root.exists():
        pytest.skip("EMOTION_GARDEN_ORIGINALS does not name a copy of kyopark2014/emotion-garden (the original pages "
                    "have no licence and cannot ship here)")
    checkout = root / path
    if checkout.exists():
        return checkout.read_bytes()
    return subprocess.run(["git", f"--git-dir={root}", "show", f"HEAD:{path}"], check=True,
                          capture_output=True).stdout


@pytest.fixture
def original_page(browser: Browser, live_server: LiveServer, settings: Settings) -> Iterator[Page]:
    files = {f"/{folder}/{name}{suffix}": original_file(f"{folder}/{name}{suffix}")
             for folder, name, _ in PAGES.values() for suffix in TYPES}
    # The server sits behind the page's domain as behind CloudFront, and writes its image URLs on that domain.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, urlsplit(ORIGIN).hostname]
    settings.USE_X_FORWARDED_HOST = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy_headers = {"X-Forwarded-Host": urlsplit(ORIGIN).hostname, "X-Forwarded-Proto": "https"}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []

    def answer(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path in files:
            route.fulfill(status=200, body=files[path], headers={"Content-Type": TYPES[Path(path).suffix]})
        else:
            headers = {**route.request.headers, **proxy_headers}
            route.fulfill(response=route.fetch(url=f"{live_server.url}{path}", headers=headers))

    # Anything else (the page's Font Awesome stylesheet on cdnjs) stays offline.
    context.route("**/*", lambda route: route.abort())
    context.route(f"{ORIGIN}/**", answer)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"alert: {dialog.message}"), dialog.dismiss()))
    yield page
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("page_name", PAGES)
def test_an_original_garden_page_shows_its_default_favorite_out_of_the_box(
    original_page: Page, screenshot: Screenshot, page_name: str
) -> None:
    call_command("seed_demo_gallery", per_emotion=3, stdout=StringIO())  # as `serve` does on a fresh install
    folder, name, endpoint = PAGES[page_name]
    page = original_page
    page.goto(f"{ORIGIN}/{folder}/{name}.html")
    expect(page.locator("#favoriteStr")).to_have_value("spring,cloudy,day")

    page.locator(".start-button").click()
    page.wait_for_function("document.getElementById('preview').videoWidth > 0")
    with page.expect_response(f"{ORIGIN}/{endpoint}") as garden:
        page.locator(".emotion-button").click()
    assert garden.value.status == 200
    assert garden.value.request.post_data_json["emotion"] == "happy/spring,cloudy,day"

    expect(page.locator("#profile-emotion")).to_have_text("Emotion: 행복 (HAPPY)")
    images = page.locator("#preview0 img")
    expect(images).to_have_count(3)
    for image in images.all():
        assert (image.get_attribute("src") or "").startswith(f"{ORIGIN}/emotions/happy/spring,cloudy,day/")
    page.wait_for_function("[...document.querySelectorAll('#preview0 img')].every(img => img.naturalWidth > 0)")
    screenshot(page, f"original-{page_name}-page")

    # The thumbs are Font Awesome icons (offline: zero-sized), so the like is clicked as a script would.
    with page.expect_response(f"{ORIGIN}/like") as liked:
        page.locator("#preview0 i").first.dispatch_event("click")
    assert (liked.value.status, liked.value.text()) == (200, "Success")
    like = Interaction.objects.get(event=Interaction.Event.LIKE)
    assert like.image.theme == "spring,cloudy,day" and like.emotion == "HAPPY"
    assert like.impressions.count() == 3
