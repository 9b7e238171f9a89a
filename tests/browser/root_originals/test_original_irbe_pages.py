"""The original image recommender's pages (kyopark2014/image-recommender-based-on-emotion, html/), unchanged, in
Chromium against this server, as their users used them: the visitor pages (gallery, enabler, imageRecommender) by
the camera, the curator pages (imgGenerator, preview, datasetGenerator) after logging in to /admin/ in the same
browser. Each asserts what the server did: the emotion and images shown, the like stored, the jobs queued, the images
generated and dropped, the recommender seeded.
"""

from io import StringIO

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings

from curation.models import GenerationJob, Image
from gallery.compat.keys import live_key, pool_key
from gallery.models import FaceUser
from recommender.models import Interaction
from tests.browser.conftest import Screenshot, garden_picture
from tests.browser.original_sites import OpenBrowser, status_of
from tests.browser.root_originals.conftest import IRBE
from tests.factories import ImageFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def all_loaded(page: Page, selector: str) -> None:
    page.wait_for_function(f"[...document.querySelectorAll({selector!r})].every(img => img.naturalWidth > 0)")


def start_camera(page: Page) -> None:
    page.locator(".start-button").click()
    page.wait_for_function("document.getElementById('preview').videoWidth > 0")


def shown_keys(page: Page) -> list[str]:
    """The gallery images' sources, as keys (the pages use the server's relative urls as they are)."""
    return [(image.get_attribute("src") or "") for image in page.locator("#preview0 img").all()]


def test_the_original_gallery_page_recommends_by_emotion_pages_through_and_records_a_like(
    original_site: OpenBrowser, garden_images: list[Image], screenshot: Screenshot
) -> None:
    visitor = original_site(IRBE)
    page = visitor.open("/gallery.html")
    start_camera(page)
    page.locator(".emotion-button").click()  # 감성 추천

    expect(page.locator("#profile-emotion")).to_have_text("Emotion: 행복 (HAPPY)")
    visitor_id = page.locator("#profile-userId").inner_text()
    assert visitor_id
    gallery = visitor.wait_for_answers("gallery", 1)[0]
    assert gallery.request.post_data_json == {"userId": "Female/happy", "emotion": "happy", "gender": "Female"}
    created = visitor.wait_for_answers("createUser", 1)[0]
    assert (created.status, created.json()["userId"]) == (200, f"{visitor_id}/happy")
    expect(page.locator("#preview0 img")).to_have_count(3)
    first_page = shown_keys(page)
    assert all(key.startswith("emotions/happy/") for key in first_page)
    all_loaded(page, "#preview0 img")
    screenshot(page, "original-irbe-gallery-page")

    # The thumb is Font Awesome's (served locally): the visitor clicks the second image's.
    page.locator("#preview0 i").nth(1).click()
    liked = visitor.wait_for_answers("like", 1)[0]
    assert (liked.status, liked.text()) == (200, "Success")
    assert liked.request.post_data_json["id"] == f"{visitor_id}/happy"
    like = Interaction.objects.get(event=Interaction.Event.LIKE)
    assert live_key(like.image) == first_page[1]
    assert like.emotion == "HAPPY" and like.impressions.count() == 3
    expect(page.locator("#preview0 i").nth(1)).to_have_class("fa a-thumbs-up fa-thumbs-up")

    page.locator(".next-button").click()
    expect(page.locator("#preview0 img")).to_have_count(3)
    second_page = shown_keys(page)
    assert not set(second_page) & set(first_page)
    all_loaded(page, "#preview0 img")


def test_the_original_gallery_page_recommends_personally_and_remembers_a_consenting_kiosks_visitor(
    original_site: OpenBrowser, garden_images: list[Image], settings: Settings
) -> None:
    """On a kiosk whose visitors agreed to be remembered (COMPAT_REMEMBER_FACES), 개인화 추천 names the same person
    each time, as the original's face collection did, and their like is theirs."""
    settings.COMPAT_REMEMBER_FACES = True
    visitor = original_site(IRBE)
    page = visitor.open("/gallery.html")
    start_camera(page)
    page.locator(".personal-button").click()  # 개인화 추천
    expect(page.locator("#profile-emotion")).to_have_text("Emotion: 행복 (HAPPY)")
    visitor_id = page.locator("#profile-userId").inner_text()
    person = FaceUser.objects.get()
    assert visitor_id == str(person.pk)
    gallery = visitor.wait_for_answers("gallery", 1)[0]
    assert gallery.request.post_data_json["userId"] == f"{visitor_id}/happy"
    expect(page.locator("#preview0 img")).to_have_count(3)
    assert all(key.startswith("emotions/happy/") for key in shown_keys(page))
    all_loaded(page, "#preview0 img")

    page.locator("#preview0 i").first.click()
    assert visitor.wait_for_answers("like", 1)[0].status == 200
    like = Interaction.objects.get(event=Interaction.Event.LIKE)
    assert like.face_user == person and live_key(like.image) == shown_keys(page)[0]

    page.locator(".personal-button").click()  # the same face again: the same person
    visitor.wait_for_answers("gallery", 2)
    expect(page.locator("#profile-userId")).to_have_text(visitor_id)
    assert FaceUser.objects.count() == 1


def test_the_original_gallery_page_says_no_face_to_a_wall(
    original_site: OpenBrowser, garden_images: list[Image], faceless_browser: Browser
) -> None:
    visitor = original_site(IRBE, camera=faceless_browser)
    page = visitor.open("/gallery.html")
    start_camera(page)
    page.locator(".emotion-button").click()
    assert visitor.wait_for_answers("emotion", 1)[0].status == 404
    expect(page.locator("#profile-emotion")).to_have_text("No Face")
    assert not visitor.answers("gallery")


def test_the_original_gallery_page_alerts_when_the_gallery_is_empty(original_site: OpenBrowser) -> None:
    visitor = original_site(IRBE)
    page = visitor.open("/gallery.html")
    start_camera(page)
    page.locator(".emotion-button").click()
    visitor.wait_for_alert("이미지가 조회되지 않습니다.")
    expect(page.locator("#profile-emotion")).to_have_text("No Image")


def test_the_original_enabler_page_shows_the_emotions_images_out_of_the_box_and_records_a_like(
    original_site: OpenBrowser, screenshot: Screenshot
) -> None:
    call_command("seed_demo_gallery", per_emotion=3, stdout=StringIO())  # as `serve` does on a fresh install
    visitor = original_site(IRBE)
    page = visitor.open("/enabler.html")
    start_camera(page)
    page.locator(".emotion-button").click()
    expect(page.locator("#profile-emotion")).to_have_text("Emotion: 행복 (HAPPY)")
    expect(page.locator("#profile-age")).to_contain_text("Age: ")
    listed = visitor.wait_for_answers("galleryfromDB", 1)[0].json()
    # IRBE had no favorites: "happy" is every happy image, whatever its theme (the demo gallery's are all themed).
    happy = Image.objects.filter(status=Image.Status.APPROVED, emotion="HAPPY")
    assert sorted(entry["url"] for entry in listed["landscape"] + listed["portrait"]) == sorted(
        live_key(image) for image in happy)
    expect(page.locator("#preview0 img")).to_have_count(3)
    all_loaded(page, "#preview0 img")
    screenshot(page, "original-irbe-enabler-page")

    emotion_id = visitor.wait_for_answers("emotion", 1)[0].json()["id"]
    page.locator("#preview0 i").first.click()
    liked = visitor.wait_for_answers("like", 1)[0]
    assert (liked.status, liked.request.post_data_json["id"]) == (200, emotion_id)  # the raw id, as the original
    like = Interaction.objects.get(event=Interaction.Event.LIKE)
    assert live_key(like.image) == shown_keys(page)[0]


def test_the_original_image_recommender_page_is_broken_by_itself(
    original_site: OpenBrowser, garden_images: list[Image]
) -> None:
    """imageRecommender.html loads gallery.js, whose personal button it lacks: the script stops there (an original
    bug, before it defines the video element it later reads), so no button does anything and the server is never
    asked. The page is kept as a record that this is the original's fault, not ours."""
    visitor = original_site(IRBE)
    visitor.expected_errors += ["Cannot read properties of null (reading 'addEventListener')",
                                "before initialization"]  # each button's handler then reads an undefined const
    page = visitor.open("/imageRecommender.html")
    assert [answer.status for answer in visitor.answers("gallery.js")] == [200]
    page.locator(".start-button").click()
    page.locator(".emotion-button").click()
    page.wait_for_timeout(500)
    assert visitor.errors[0] == "Cannot read properties of null (reading 'addEventListener')"
    assert not visitor.answers("emotion")


def test_a_curator_generates_a_batch_on_the_original_image_generator_and_drops_one(
    original_site: OpenBrowser, page_curator: AbstractBaseUser, screenshot: Screenshot
) -> None:
    curator = original_site(IRBE)
    curator.log_in(page_curator)
    page = curator.open("/imgGenerator.html")
    # The emotion list calls a SelectChanged() that imgGenerator.js never defines (an original bug); the choice applies.
    curator.expected_errors.append("SelectChanged is not defined")
    page.locator("#emoitonId").select_option("sad")
    page.locator("input[name=repeatCount]").fill("2")
    page.locator("#promptText").fill("botanic garden with flowers, very strong (sad: 2.5) nature")
    page.locator("input[name=send]").click()

    queued = curator.wait_for_answers("bulk", 2)
    assert [answer.status for answer in queued] == [200, 200]
    assert queued[0].json() == queued[0].request.post_data_json  # the request echoed, as the original did
    curator.wait_for_alert("이미지 생성이 요청되었습니다.")
    # Each /bulk is one landscape image, generated here at once (django-q2 runs inline in tests).
    assert {job.prompt for job in GenerationJob.objects.all()} == {
        "botanic garden with flowers, very strong (sad: 2.5) nature"}
    generated = Image.objects.filter(status=Image.Status.PENDING, emotion="SAD")
    assert sorted(image.name[-8:] for image in generated) == ["_0h.jpeg", "_1h.jpeg"]

    page.locator("input[name=update]").click()
    expect(page.locator("#chatPanel img")).to_have_count(2)
    all_loaded(page, "#chatPanel img")
    screenshot(page, "original-irbe-image-generator-page")

    # The thumb marks the image the curator does not want; Remove drops it (/remove, then /clearIndex).
    dropped = page.locator("#preview1h img").get_attribute("src") or ""
    page.locator("#preview1h i").click()
    page.locator("input[name=remove]").click()
    curator.wait_for_alert("dislike로 설정한 이미지가 삭제되었습니다.")
    assert curator.wait_for_answers("remove", 1)[0].status == 200
    assert curator.wait_for_answers("clearIndex", 1)[0].status == 200
    assert sorted(image.name[-8:] for image in generated.all()) == ["_0h.jpeg"]
    assert status_of(page, dropped) == 403


def pool_images(count: int) -> list[Image]:
    """Pending HAPPY images of no theme, the first one a portrait."""
    return [
        ImageFactory(emotion="HAPPY", theme="", name=f"img_pool_{n}{'v' if n == 0 else 'h'}.jpeg",
                     orientation=Image.Orientation.PORTRAIT if n == 0 else Image.Orientation.LANDSCAPE,
                     file=ContentFile(garden_picture(n), name=f"pool_{n}.jpeg"))
        for n in range(count)
    ]


def test_a_curator_reviews_the_pool_on_the_original_preview_page(
    original_site: OpenBrowser, page_curator: AbstractBaseUser, screenshot: Screenshot
) -> None:
    pool = pool_images(3)
    curator = original_site(IRBE)
    curator.log_in(page_curator)
    page = curator.open("/preview.html")
    page.locator("input[name=retrieve]").click()
    curator.wait_for_alert("이미지 조회를 요청되었습니다.")
    expect(page.locator("#status")).to_have_text("Total: 3")
    expect(page.locator("img[id]")).to_have_count(3)
    all_loaded(page, "img[id]")
    screenshot(page, "original-irbe-preview-page")

    # By keyboard, as the page offers: ↓ to the second image (framed green), z for a thumb down (framed red).
    dropped = page.locator("#preview1 img").get_attribute("src") or ""
    page.keyboard.press("ArrowDown")
    expect(page.locator("#preview1 img")).to_have_css("border-top-color", "rgb(0, 128, 0)")
    page.keyboard.press("z")
    expect(page.locator("#preview1 img")).to_have_css("border-top-color", "rgb(255, 0, 0)")
    expect(page.locator("#preview1 i")).to_have_class("fa fa-thumbs-up fa-thumbs-down")
    page.locator("input[name=remove]").click()
    curator.wait_for_alert("dislike로 설정한 이미지가 삭제되었습니다.")
    removed = curator.wait_for_answers("removePool", 1)[0]
    assert removed.status == 200
    assert Image.objects.filter(status=Image.Status.PENDING).count() == 2
    assert status_of(page, dropped) == 403
    expect(page.locator("img[id]")).to_have_count(2)
    assert {image.name for image in pool} - {image.name for image in Image.objects.all()} == {dropped.rsplit("/")[-1]}


def test_the_original_preview_page_drops_a_pool_entry_whose_file_is_gone(
    original_site: OpenBrowser, page_curator: AbstractBaseUser
) -> None:
    stale, kept = pool_images(2)
    curator = original_site(IRBE)
    curator.log_in(page_curator)
    page = curator.open("/preview.html")
    page.locator("input[name=retrieve]").click()
    expect(page.locator("#status")).to_have_text("Total: 2")
    stale.file.delete(save=False)  # the file goes, its row stays: S3 answered such a key 403
    item = page.locator("div[id^=preview]", has=page.locator(f"img[src$='{stale.name}']"))
    item.click()  # the page checks the file of the item clicked
    assert curator.wait_for_answers("removePool", 1)[0].request.post_data_json == {"objName": [pool_key(stale)]}
    expect(item).to_have_count(0)  # emptied
    assert list(Image.objects.filter(status=Image.Status.PENDING)) == [kept]


def test_a_curator_seeds_the_recommender_on_the_original_dataset_generator(
    original_site: OpenBrowser, page_curator: AbstractBaseUser, garden_images: list[Image]
) -> None:
    curator = original_site(IRBE)
    curator.log_in(page_curator)
    page = curator.open("/datasetGenerator.html")
    page.locator("input[name=repeatCount]").fill("1")
    page.locator("input[name=send]").click()
    curator.wait_for_alert("Dataset 생성 요청이 완료되었습니다.")
    answers = curator.wait_for_answers("generateDataset", 2)  # one batch, then the "others" batch
    assert [(answer.status, answer.text()) for answer in answers] == [(200, "Success"), (200, "Success")]
    # Every gallery image is HAPPY, so each is liked once by each segment that takes it in: happy and "any" emotion,
    # each with male, female and no gender (any) from the first batch, then happy and any with no gender ("others").
    seeded = Interaction.objects.filter(event=Interaction.Event.LIKE)
    liked = sorted(seeded.values_list("image", flat=True))
    assert liked == sorted(image.id for image in garden_images for _ in range(8))
    assert set(seeded.values_list("emotion", "gender").distinct()) == {
        ("HAPPY", "Male"), ("HAPPY", "Female"), ("HAPPY", ""), ("", "Male"), ("", "Female"), ("", "")}


def test_the_original_curator_pages_change_nothing_for_an_anonymous_visitor(
    original_site: OpenBrowser, garden_images: list[Image]
) -> None:
    stranger = original_site(IRBE)
    page = stranger.open("/imgGenerator.html")
    stranger.expected_errors.append("SelectChanged is not defined")
    page.locator("input[name=repeatCount]").fill("1")
    page.locator("input[name=send]").click()
    assert stranger.wait_for_answers("bulk", 1)[0].status in (401, 403)
    assert not GenerationJob.objects.exists()

    page = stranger.open("/datasetGenerator.html")
    page.locator("input[name=repeatCount]").fill("1")
    page.locator("input[name=send]").click()
    assert {answer.status for answer in stranger.wait_for_answers("generateDataset", 2)} <= {401, 403}
    assert not Interaction.objects.exists()
