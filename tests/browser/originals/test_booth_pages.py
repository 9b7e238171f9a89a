"""The original booth pages: html/dummygenerator.html (warm-up likes: every live image of an emotion from
/gardenfromDB, then one /like per sliding window of three, each from a random visitor) and the flower viewers
(html/flower-viewer/flower-viewer.html, its saved copy html/flower-viewer-test.html, and flower-viewer-v2.html: a
full-screen background image reloaded every few seconds).

flower-viewer.html's default image is on source.unsplash.com, which is not this server (offline here): a booth
types one of this server's image URLs instead. The page reloads it by appending "&time=<now>", so the URL must
already carry a query string (as unsplash's "?flower" did); without one the reload asks for a key that does not
exist, on S3 as here.
"""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from curation.models import Image
from recommender.models import Interaction
from tests.browser.conftest import garden_picture
from tests.browser.originals.conftest import ORIGIN, OpenBrowser
from tests.factories import ApprovedImageFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def live_image(name: str, *, emotion: str = "HAPPY", seed: int = 0, size: tuple[int, int] = (480, 320)) -> Image:
    return ApprovedImageFactory(emotion=emotion, name=name, width=size[0], height=size[1],
                                file=ContentFile(garden_picture(seed, size), name=name))


def background_width(page: Page) -> int:
    """The natural width of the picture the page shows as its background, loaded as the page loaded it."""
    return page.evaluate("""() => new Promise(resolve => {
        const url = getComputedStyle(document.body).backgroundImage.slice(5, -2);
        const picture = new window.Image();
        picture.onload = () => resolve(picture.naturalWidth);
        picture.onerror = () => resolve(0);
        picture.src = url;
    })""")


def test_the_original_dummy_generator_likes_every_window_of_three(original_site: OpenBrowser) -> None:
    images = [live_image(f"img_dummy_{n}h.jpeg", seed=n) for n in range(5)]
    visitor = original_site()
    page = visitor.open("/html/dummygenerator.html")
    page.locator("input[name=button]").click()
    asked = visitor.wait_for_answers("gardenfromDB", 1)[0]
    assert asked.request.post_data_json["emotion"] == "happy"
    likes = visitor.wait_for_answers("like", 3)
    assert {(like.status, like.text()) for like in likes} == {(200, "Success")}
    stored = Interaction.objects.filter(event=Interaction.Event.LIKE)
    assert stored.count() == 3
    # Each like is of the window's first image, with the window as its impressions, from nobody in particular.
    for like in stored:
        assert like.emotion == "HAPPY" and like.face_user_id is None
        assert like.impressions.count() == 3
    assert {like.image_id for like in stored} <= {image.pk for image in images}


def test_the_original_flower_viewer_shows_and_reloads_a_gallery_image(original_site: OpenBrowser) -> None:
    live_image("img_booth_1h.jpeg", size=(480, 320))
    booth = original_site()
    page = booth.open("/html/flower-viewer/flower-viewer.html")
    url = f"{ORIGIN}/emotions/happy/img_booth_1h.jpeg?booth=1"
    page.locator("#garden-image-url").fill(url)
    page.locator("#garden-time").fill("300")
    page.locator("#garden-start").click()
    expect(page.locator("#garden-form")).to_be_hidden()
    # Shown, then reloaded with "&time=<now>" at each period.
    page.wait_for_function("getComputedStyle(document.body).backgroundImage.includes('&time=')")
    assert background_width(page) == 480


def test_the_saved_flower_viewer_shows_the_image_it_names(original_site: OpenBrowser) -> None:
    """flower-viewer-test.html is a browser's saved copy of a running viewer: its background already names an
    image of the original gallery, which this server serves once a live image has that key."""
    live_image("img_20230324-214248_3h.jpeg", emotion="SURPRISED", size=(400, 250))
    booth = original_site()
    page = booth.open("/html/flower-viewer-test.html")
    assert background_width(page) == 400
