"""The original html/emotion/ page: the camera -> /emotion -> the reading (emotion, age and gender, features) and a
Download link to the captured frame named after it."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.original_sites import OpenBrowser

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_the_original_emotion_page_reads_the_visitors_face(original_site: OpenBrowser) -> None:
    visitor = original_site()
    page = visitor.open("/html/emotion/emotion.html")
    reading = visitor.read_face("emotion")
    assert reading.status == 200
    assert reading.request.headers["content-type"] == "image/png"

    # The astronaut smiles at the camera; the page labels what /emotion said, in the original's words.
    expect(page.locator("#profile-emotion")).to_have_text("Emotion: 행복 (HAPPY)")
    expect(page.locator("#profile-age")).to_have_text(re.compile(r"^Age: \d+ ~ \d+ \((남자|여자)\)$"))
    expect(page.locator("#profile-features")).to_have_text(re.compile(r"^Features:.* 웃음"))
    # Download saves the frame under a name made of the reading: capture_<EMOTION>_<gender>_<mid-age>_<date>.jpeg.
    download = page.locator(".download-button")
    expect(download).to_have_attribute("href", re.compile(r"^blob:"))
    expect(download).to_have_attribute("download", re.compile(r"^capture_HAPPY_(Male|Female)_\d+(\.5)?_"))
    assert not visitor.alerts


def test_the_original_emotion_page_says_no_face_to_a_wall(
    original_site: OpenBrowser, faceless_browser: Browser
) -> None:
    visitor = original_site(camera=faceless_browser)
    page = visitor.open("/html/emotion/emotion.html")
    reading = visitor.read_face("emotion")
    assert (reading.status, reading.text()) == (404, "No Face")
    expect(page.locator("#profile-emotion")).to_have_text("No Face")
    expect(page.locator("#profile-age")).to_be_empty()
