"""The original booth pages: html/dummygenerator.html (warm-up likes: every live image of an emotion from
/gardenfromDB, then one /like per sliding window of three, each from a random visitor) and the flower viewers
(html/flower-viewer/flower-viewer.html, its saved copy html/flower-viewer-test.html, and flower-viewer-v2.html: a
full-screen background image reloaded every few seconds; v2 shows one screen of a zone, display/<zone>/img<N><h|v>.jpeg,
which a curator fills with /updateDisplay).

flower-viewer.html's default image is on source.unsplash.com, which is not this server (offline here): a booth
types one of this server's image URLs instead. The page reloads it by appending "&time=<now>", so the URL must
already carry a query string (as unsplash's "?flower" did); without one the reload asks for a key that does not
exist, on S3 as here.
"""

from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from playwright.sync_api import Page, expect

from curation.models import Image
from recommender.models import Interaction
from tests.browser.conftest import garden_picture
from tests.browser.original_sites import OpenBrowser
from tests.browser.originals.conftest import ORIGIN
from tests.factories import ApiKeyFactory, ApprovedImageFactory

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


@pytest.fixture
def zone1_screens() -> Iterator[str]:
    """Zone 1's screens, emptied afterwards: they live in the test run's shared media folder."""
    yield "display/zone1"
    for name in default_storage.listdir("display/zone1")[1]:
        default_storage.delete(f"display/zone1/{name}")


def test_the_original_flower_viewer_v2_shows_what_a_curator_put_on_its_screen(
    original_site: OpenBrowser, zone1_screens: str
) -> None:
    first, second = live_image("img_first_1h.jpeg", size=(480, 320)), live_image("img_second_1h.jpeg", size=(400, 250))
    # A curator's program (updateDisplay.md's curl), with an API key of the `curation` scope.
    curator = Client(headers={"X-Api-Key": ApiKeyFactory(scopes=["curation"]).raw_key})
    publish = {"zone": "zone1", "landscape": [f"emotions/happy/{first.name}"]}
    assert curator.post("/updateDisplay", publish, content_type="application/json").status_code == 200

    booth = original_site()
    page = booth.open("/html/flower-viewer/flower-viewer-v2.html")
    page.locator("#zone-select").select_option("zone1")
    page.locator("#image-select").select_option("img1")
    page.locator("#orient-select").select_option("h")
    expect(page.locator("#garden-image-url")).to_have_value(f"{ORIGIN}/{zone1_screens}/img1h.jpeg")
    page.locator("#garden-time").fill("300")
    page.locator("#garden-start").click()
    page.wait_for_function("getComputedStyle(document.body).backgroundImage.includes('img1h.jpeg?')")
    assert background_width(page) == 480

    # The next update shows on the screen at its next reload, the page unchanged.
    publish["landscape"] = [f"emotions/happy/{second.name}"]
    assert curator.post("/updateDisplay", publish, content_type="application/json").status_code == 200
    page.wait_for_function("""() => new Promise(resolve => {
        const picture = new window.Image();
        picture.onload = () => resolve(picture.naturalWidth === 400);
        picture.src = getComputedStyle(document.body).backgroundImage.slice(5, -2);
    })""")
