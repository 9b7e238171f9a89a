"""The original celebrity look-alike page (Huch0/Cloud-Computing-Term-Project-17, src/server/static/index.html,
served at "/"), unchanged, in Chromium against this server and the demo people `serve` seeds: the visitor uploads
their photo and a reference photo, presses 결과 보기, and sees who they look like and how alike the two photos are.

The page has no camera; uploads are its only input. Its result image is the match's photo as a data URL, which this
server sends from its own collection, so nothing outside is fetched (the original scraped it from the web).
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import Page, expect
from skimage import data as skimage_data

from tests.browser.original_sites import OpenBrowser
from tests.browser.root_originals.conftest import LOOKALIKE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def demo_people(transactional_db: None) -> None:
    call_command("seed_reference_people")


@pytest.fixture(scope="session")
def cameraman_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scikit-image's CC0 "camera" photo: a man none of the demo people are."""
    path = tmp_path_factory.mktemp("photos") / "cameraman.jpeg"
    Image.fromarray(skimage_data.camera()).convert("RGB").save(path, quality=90)
    return path


def compare(page: Page, photo: Path, reference: Path) -> None:
    page.locator("#fileInput").set_input_files(photo)
    page.locator("#referenceInput").set_input_files(reference)
    page.get_by_role("button", name="결과 보기").click()


def test_the_original_lookalike_page_names_the_demo_person(
    original_site: OpenBrowser, demo_people: None, astronaut_file: Path, cameraman_file: Path
) -> None:
    visitor = original_site(LOOKALIKE)
    page = visitor.open("/")
    compare(page, astronaut_file, cameraman_file)
    expect(page.locator("#celebrityDescription")).to_have_text("유명인: Eileen Collins")
    similarity = page.locator("#similarityDescription").inner_text()
    assert similarity.startswith("유명인과의 유사도: ") and float(similarity.split(": ")[1].rstrip("%")) >= 90
    expect(page.locator("#urlDescription")).to_contain_text("URL 정보: ")
    expect(page.locator("#comparisonDescription")).to_contain_text("Ref image와의 비교 유사도: ")
    background = page.locator("#resultDisplay").evaluate("element => element.style.backgroundImage")
    assert background.startswith('url("data:image/')
    answer = visitor.wait_for_answers("upload", 1)[0].json()
    assert answer["found"] is True and answer["name"] == "Eileen Collins"


def test_the_original_lookalike_page_compares_the_two_photos_when_nobody_matches(
    original_site: OpenBrowser, demo_people: None, astronaut_file: Path, cameraman_file: Path
) -> None:
    visitor = original_site(LOOKALIKE)
    page = visitor.open("/")
    compare(page, cameraman_file, astronaut_file)
    expect(page.locator("#celebrityDescription")).to_contain_text("Nobody in our reference collection")
    expect(page.locator("#comparisonDescription")).to_contain_text("Ref-비교 유사도: ")
    same = page.locator("#comparisonDescription").inner_text()
    visitor.page.reload()
    compare(page, astronaut_file, astronaut_file)
    expect(page.locator("#comparisonDescription")).to_contain_text("Ref image와의 비교 유사도: ")
    # The same photo twice resembles itself far more than two different people do.
    assert float(page.locator("#comparisonDescription").inner_text().split(": ")[1].rstrip("%")) > float(
        same.split(": ")[1].rstrip("%"))


def test_the_original_lookalike_page_asks_for_both_photos(original_site: OpenBrowser, astronaut_file: Path) -> None:
    visitor = original_site(LOOKALIKE)
    page = visitor.open("/")
    page.locator("#fileInput").set_input_files(astronaut_file)
    page.get_by_role("button", name="결과 보기").click()
    visitor.wait_for_alert("모든 사진을 업로드해주세요.")
    assert not visitor.answers("upload")


def test_the_original_lookalike_page_says_nobody_for_a_photo_without_a_face(
    original_site: OpenBrowser, demo_people: None, faceless_file: Path, astronaut_file: Path
) -> None:
    visitor = original_site(LOOKALIKE)
    page = visitor.open("/")
    compare(page, faceless_file, astronaut_file)
    expect(page.locator("#comparisonDescription")).to_have_text("Ref-비교 유사도: 0%")
    expect(page.locator("#celebrityDescription")).not_to_be_empty()
    assert visitor.wait_for_answers("upload", 1)[0].json()["found"] is False
