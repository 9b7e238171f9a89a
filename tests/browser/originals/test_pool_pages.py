"""The original image-pool pages: html/pool/bulk/ (generate a batch, look at it, drop the bad ones) and
html/pool/preview/ preview.html and preview2.html (list a search key's pool images, drop the bad ones; a missing file
answers 403, on which the page drops its stale entry).

These change the catalogue: the curator logs in to /admin/ in the same browser first. An anonymous browser is refused
by the server, while the page itself goes on as the original did (its alerts do not look at the answer).
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from curation.models import GenerationJob, Image
from tests.browser.conftest import Screenshot, garden_picture
from tests.browser.original_sites import OpenBrowser, status_of
from tests.browser.originals.conftest import ORIGIN
from tests.factories import ImageFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FAVORITE = "spring,cloudy,day"
POOL_URL = f"{ORIGIN}/imgPool/happy/{FAVORITE}/"


def pool_images(count: int) -> list[Image]:
    """Pending HAPPY images of the favorite, the first one a portrait."""
    return [
        ImageFactory(emotion="HAPPY", theme=FAVORITE, name=f"img_pool_{n}{'v' if n == 0 else 'h'}.jpeg",
                     orientation=Image.Orientation.PORTRAIT if n == 0 else Image.Orientation.LANDSCAPE,
                     file=ContentFile(garden_picture(n), name=f"pool_{n}.jpeg"))
        for n in range(count)
    ]


def all_loaded(page: Page, selector: str) -> None:
    page.wait_for_function(f"[...document.querySelectorAll({selector!r})].every(img => img.naturalWidth > 0)")


def test_a_curator_generates_a_batch_on_the_original_bulk_page_and_drops_one(
    original_site: OpenBrowser, page_curator: AbstractBaseUser, screenshot: Screenshot
) -> None:
    curator = original_site()
    curator.log_in(page_curator)
    page = curator.open("/html/pool/bulk/bulk.html")
    # The emotion list calls a SelectChanged() that bulk.js never defines (an original bug); the choice applies.
    curator.expected_errors.append("SelectChanged is not defined")
    page.locator("#emoitonId").select_option("sad")
    page.locator("#emtoionText").fill("sad")
    page.locator("input[name=repeatCount]").fill("2")
    page.locator("input[name=favorite]").fill("Spring,Cloudy,Day")  # the page lower-cases it into the folder
    page.locator("input[name=send]").click()

    queued = curator.wait_for_answers("bulk", 2)
    assert [answer.status for answer in queued] == [200, 200]
    assert queued[0].json() == queued[0].request.post_data_json  # the request echoed, as the original did
    assert "22초" in curator.alerts[-1]
    # Each /bulk is one image in EG's two sizes, generated here at once (django-q2 runs inline in tests).
    assert GenerationJob.objects.count() == 4
    # EG's consumer drew "<emotionText>, <others>"; the favorite only names the folder.
    assert {job.prompt for job in GenerationJob.objects.all()} == {
        "sad, flowers, fantasy, concept art, trending on artstation, highly detailed, intricate, sharp focus, "
        "digital art"}
    generated = Image.objects.filter(status=Image.Status.PENDING, emotion="SAD", theme=FAVORITE)
    assert sorted(image.name[-8:] for image in generated) == ["_0h.jpeg", "_0v.jpeg", "_1h.jpeg", "_1v.jpeg"]

    page.locator("input[name=update]").click()
    images = page.locator("#chatPanel img")
    expect(images).to_have_count(4)
    batch_url = f"{ORIGIN}/imgPool/sad/{FAVORITE}/"
    assert all((image.get_attribute("src") or "").startswith(batch_url) for image in images.all())
    all_loaded(page, "#chatPanel img")
    screenshot(page, "original-bulk-page")

    # The thumb marks the image the curator does not want; Remove drops it (/remove, then /clearIndex).
    dropped = page.locator("#preview1h img").get_attribute("src") or ""
    page.locator("#preview1h i").click()
    page.locator("input[name=remove]").click()
    assert curator.wait_for_answers("remove", 1)[0].status == 200
    assert curator.wait_for_answers("clearIndex", 1)[0].status == 200
    expect(page.locator("#preview1h")).to_be_empty()
    assert not Image.objects.filter(name=Path(dropped).name).exists()
    assert generated.all().count() == 3  # a fresh query: the one above is cached
    assert status_of(page, dropped) == 403


def test_an_anonymous_bulk_page_queues_nothing(original_site: OpenBrowser) -> None:
    visitor = original_site()
    page = visitor.open("/html/pool/bulk/bulk.html")
    page.locator("input[name=repeatCount]").fill("1")
    page.locator("input[name=send]").click()
    refused = visitor.wait_for_answers("bulk", 1)[0]
    assert refused.status == 401 and "log in to /admin/" in refused.text()
    assert not GenerationJob.objects.exists()
    expect(page.locator("#status")).to_have_text("1/1")  # the page itself carries on as the original did


@pytest.mark.parametrize("page_name", ["preview", "preview2"])
def test_a_curator_reviews_the_pool_on_an_original_preview_page(
    original_site: OpenBrowser, page_curator: AbstractBaseUser, screenshot: Screenshot, page_name: str
) -> None:
    portrait, stale, unwanted, kept = pool_images(4)
    curator = original_site()
    curator.log_in(page_curator)
    page = curator.open(f"/html/pool/preview/{page_name}.html")
    if page_name == "preview":
        page.locator("input[name=favorite]").fill(FAVORITE)
    else:
        expect(page.locator("#favoriteStr")).to_have_value(FAVORITE)  # preview2 picks it from a list
    page.locator("input[name=retrieve]").click()
    assert curator.wait_for_answers("retrieve", 1)[0].request.post_data_json == {"emotion": f"happy/{FAVORITE}"}
    expect(page.locator("#status")).to_have_text("Total: 4")
    images = page.locator("#imagePanel img")
    expect(images).to_have_count(4)
    all_loaded(page, "#imagePanel img")
    screenshot(page, f"original-{page_name}-page")
    # Landscape first, then portrait, as the page concatenates them.
    assert (images.last.get_attribute("src") or "") == f"{POOL_URL}{portrait.name}"
    assert images.last.get_attribute("height") == "800"

    # A file gone from storage: clicking its entry finds the 403 and drops the stale row (/removePool).
    position = [image.get_attribute("src") for image in images.all()].index(f"{POOL_URL}{stale.name}")
    stale.file.storage.delete(stale.file.name)
    page.locator(f"#preview{position} img").click()
    # (once per state change of the page's GET: the repeats find nothing left to remove)
    assert curator.wait_for_answer_to("removePool", {"objName": [f"imgPool/happy/{FAVORITE}/{stale.name}"]}).ok
    expect(page.locator(f"#preview{position}")).to_be_empty()
    assert not Image.objects.filter(pk=stale.pk).exists()

    position = [image.get_attribute("src") for image in images.all()].index(f"{POOL_URL}{unwanted.name}")
    if page_name == "preview":
        page.locator(f"#preview{position} i").click()
    else:  # preview2's keyboard: arrows move between the images, "z" flips the current one's thumb
        for _ in range(position):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("z")
        expect(page.locator(f"#preview{position} i")).to_have_class("fa fa-thumbs-up fa-thumbs-down")
    page.locator("input[name=remove]").click()
    removed = {"objName": [f"imgPool/happy/{FAVORITE}/{unwanted.name}"]}
    assert curator.wait_for_answer_to("removePool", removed).status == 200
    assert unwanted.name in curator.alerts[-1]
    assert set(Image.objects.values_list("pk", flat=True)) == {portrait.pk, kept.pk}


@pytest.mark.parametrize("page_name", ["preview", "preview2"])
def test_an_anonymous_preview_page_shows_the_pool_but_removes_nothing(original_site: OpenBrowser,
                                                                      page_name: str) -> None:
    pool_images(2)
    visitor = original_site()
    page = visitor.open(f"/html/pool/preview/{page_name}.html")
    if page_name == "preview":
        page.locator("input[name=favorite]").fill(FAVORITE)
    page.locator("input[name=retrieve]").click()
    expect(page.locator("#status")).to_have_text("Total: 2")  # the pool is no secret: /retrieve stays open
    page.locator("#preview1 i").click()
    page.locator("input[name=remove]").click()
    refused = visitor.wait_for_answers("removePool", 1)[0]
    assert refused.status == 401
    assert Image.objects.filter(status=Image.Status.PENDING).count() == 2
