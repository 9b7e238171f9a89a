"""The original live-gallery viewers, html/viewer/ viewer.html and viewer2.html: list a search key's live images
(/gardenfromDB) and take the bad ones out of the gallery (viewer: /remove then /clearIndex; viewer2: /clearIndex
only). Here either retires the image: it leaves the gallery and the recommender, its history stays. A live image
whose file is gone answers 403, on which the page clears its entry.

The curator logs in to /admin/ in the same browser first; an anonymous browser sees the gallery (it is public) and
is refused the removal.
"""

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from curation.models import Image
from tests.browser.conftest import Screenshot, garden_picture
from tests.browser.original_sites import OpenBrowser, status_of
from tests.browser.originals.conftest import ORIGIN
from tests.factories import ApprovedImageFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FAVORITE = "spring,cloudy,day"
LIVE_URL = f"{ORIGIN}/emotions/happy/{FAVORITE}/"


def live_images(count: int) -> list[Image]:
    return [ApprovedImageFactory(emotion="HAPPY", theme=FAVORITE, name=f"img_live_{n}h.jpeg",
                                 file=ContentFile(garden_picture(n), name=f"live_{n}.jpeg"))
            for n in range(count)]


@pytest.mark.parametrize("page_name", ["viewer", "viewer2"])
def test_a_curator_retires_an_image_on_an_original_viewer_page(
    original_site: OpenBrowser, page_curator: AbstractBaseUser, screenshot: Screenshot, page_name: str
) -> None:
    stale, unwanted, kept = live_images(3)
    curator = original_site()
    curator.log_in(page_curator)
    page = curator.open(f"/html/viewer/{page_name}.html")
    if page_name == "viewer":
        page.locator("input[name=favorite]").fill(FAVORITE)
    page.locator("input[name=retrieve]").click()
    assert curator.wait_for_answers("gardenfromDB", 1)[0].request.post_data_json == {"emotion": f"happy/{FAVORITE}"}
    expect(page.locator("#status")).to_have_text("Total: 3")
    images = page.locator("#imagePanel img")
    expect(images).to_have_count(3)
    page.wait_for_function("[...document.querySelectorAll('#imagePanel img')].every(img => img.naturalWidth > 0)")
    screenshot(page, f"original-{page_name}-page")
    shown = [image.get_attribute("src") for image in images.all()]
    assert sorted(shown) == sorted(f"{LIVE_URL}{image.name}" for image in (stale, unwanted, kept))

    # A file gone from storage: clicking its entry finds the 403 and clears its index row (/clearIndex).
    stale.file.storage.delete(stale.file.name)
    position = shown.index(f"{LIVE_URL}{stale.name}")
    page.locator(f"#preview{position} img").click()
    # (once per state change of the page's GET: the repeats find nothing left to clear)
    assert curator.wait_for_answer_to("clearIndex", {"objName": f"emotions/happy/{FAVORITE}/{stale.name}"}).ok
    expect(page.locator(f"#preview{position}")).to_be_empty()
    stale.refresh_from_db()
    assert stale.status == Image.Status.RETIRED

    position = shown.index(f"{LIVE_URL}{unwanted.name}")
    page.locator(f"#preview{position} i").click()
    page.locator("input[name=remove]").click()
    unwanted_key = f"emotions/happy/{FAVORITE}/{unwanted.name}"
    assert curator.wait_for_answer_to("clearIndex", {"objName": unwanted_key}).status == 200
    if page_name == "viewer":
        assert curator.wait_for_answer_to("remove", {"objName": [unwanted_key]}).status == 200
    else:
        assert not curator.answers("remove")  # viewer2 only clears the index ("DynamoDB에서 삭제")
    assert unwanted.name in curator.alerts[-1]
    expect(page.locator(f"#preview{position}")).to_be_empty()
    assert set(Image.objects.filter(status=Image.Status.APPROVED).values_list("pk", flat=True)) == {kept.pk}
    assert Image.objects.filter(pk=unwanted.pk, status=Image.Status.RETIRED).exists()
    assert status_of(page, f"{LIVE_URL}{unwanted.name}") == 403


@pytest.mark.parametrize("page_name", ["viewer", "viewer2"])
def test_an_anonymous_viewer_page_retires_nothing(original_site: OpenBrowser, page_name: str) -> None:
    unwanted, _ = live_images(2)
    visitor = original_site()
    page = visitor.open(f"/html/viewer/{page_name}.html")
    if page_name == "viewer":
        page.locator("input[name=favorite]").fill(FAVORITE)
    page.locator("input[name=retrieve]").click()
    expect(page.locator("#status")).to_have_text("Total: 2")
    position = [image.get_attribute("src") for image in page.locator("#imagePanel img").all()].index(
        f"{LIVE_URL}{unwanted.name}")
    page.locator(f"#preview{position} i").click()
    page.locator("input[name=remove]").click()
    if page_name == "viewer":
        assert visitor.wait_for_answers("remove", 1)[0].status == 401
    assert visitor.wait_for_answers("clearIndex", 1)[0].status == 401
    assert Image.objects.filter(status=Image.Status.APPROVED).count() == 2
