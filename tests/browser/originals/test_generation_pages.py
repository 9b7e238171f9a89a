"""The original generation pages: html/text2image.html and html/text2image/text2image.html (a prompt and a size ->
/text2image -> the picture), and html/prompt-generator/ prompt-generator.html and prompt-generator-v2.html (prompt
templates x checked words -> a table of prompts -> "Bulk Generate": 16 /bulk per prompt).

The prompt generators draw their table with Tabulator from unpkg.com, which no offline server can provide: the table
stays empty and "시작" raises "Tabulator is not defined" (v1 also never reaches its /text2image previews, which the
table was to show). The page has filled its list of prompts before that line, though, so "Bulk Generate" still
works, and that is what these tests drive. Generation here queues one django-q2 task per image, as in production
(the tests' inline worker is turned off for them: 32 pictures would only slow the test down).

These start work: the curator logs in to /admin/ in the same browser first; an anonymous browser is refused.
"""

import json
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django_q.brokers import Broker, get_broker
from django_q.conf import Conf
from playwright.sync_api import expect

from curation.models import GenerationJob
from tests.browser.original_sites import OpenBrowser
from tests.browser.originals.conftest import ORIGIN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TEXT2IMAGE_PAGES = {"text2image": ("/html/text2image.html", "button"),
                    "text2image-folder": ("/html/text2image/text2image.html", "send")}
PROMPT_GENERATORS = ["prompt-generator", "prompt-generator-v2"]
TABULATOR_OFFLINE = "Tabulator is not defined"


@pytest.mark.parametrize("page_name", TEXT2IMAGE_PAGES)
def test_a_curator_draws_a_prompt_on_an_original_text2image_page(
    original_site: OpenBrowser, page_curator: AbstractBaseUser, page_name: str
) -> None:
    path, send = TEXT2IMAGE_PAGES[page_name]
    curator = original_site()
    curator.log_in(page_curator)
    page = curator.open(path)
    page.locator("#resolutionId").select_option("WSVGA")
    page.locator(f"input[name={send}]").click()

    drawn = curator.wait_for_answers("text2image", 1)[0]
    assert drawn.status == 200
    assert drawn.request.post_data_json["width"] == 1024 and drawn.request.post_data_json["height"] == 600
    picture = page.locator("#preview0 img")
    (url,) = json.loads(drawn.json()["body"])  # the Lambda's own return value, its body a JSON string
    assert url.startswith(f"{ORIGIN}/media/text2image/img_")
    expect(picture).to_have_attribute("src", url)
    page.wait_for_function("document.querySelector('#preview0 img').naturalWidth === 1024")
    assert page.evaluate("document.querySelector('#preview0 img').naturalHeight") == 600


@pytest.mark.parametrize("page_name", TEXT2IMAGE_PAGES)
def test_an_anonymous_text2image_page_draws_nothing(original_site: OpenBrowser, page_name: str) -> None:
    path, send = TEXT2IMAGE_PAGES[page_name]
    visitor = original_site()
    page = visitor.open(path)
    page.locator(f"input[name={send}]").click()
    refused = visitor.wait_for_answers("text2image", 1)[0]
    assert refused.status == 401
    expect(page.locator("#preview0")).to_be_empty()
    if page_name == "text2image-folder":  # this one alerts whatever is not a 200, the refusal's reason included
        visitor.wait_for_alert("log in to /admin/")


@pytest.fixture
def queued_for_a_worker() -> Iterator[Broker]:
    """django-q2 hands tasks to its broker (the database, or Redis), as in production, instead of running them
    inline; the queue is emptied before and after, so that no later worker runs them."""
    previous = Conf.SYNC
    Conf.SYNC = False
    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()
    Conf.SYNC = previous


@pytest.mark.parametrize("page_name", PROMPT_GENERATORS)
def test_a_curator_bulk_generates_from_an_original_prompt_generator(
    original_site: OpenBrowser, page_curator: AbstractBaseUser, queued_for_a_worker: Broker, page_name: str
) -> None:
    curator = original_site()
    curator.log_in(page_curator)
    curator.expected_errors.append(TABULATOR_OFFLINE)
    page = curator.open(f"/html/prompt-generator/{page_name}.html")
    if page_name == "prompt-generator-v2":
        page.locator("input[name=c-emotion][value=happy]").check()  # fills the emotion's templates
        for template in ("#garden-prompt-selected2", "#garden-prompt-selected3"):
            page.locator(template).fill("")  # one template: one prompt
    # The defaults: one emotion (v1: happy), dog, sunny, spring, day.
    page.locator("#garden-start").click()
    expect(page.locator("#garden-bulk-request")).to_be_visible()
    assert any(TABULATOR_OFFLINE in error for error in curator.errors)

    page.locator("#garden-bulk-request").click()
    queued = curator.wait_for_answers("bulk", 16)
    assert {answer.status for answer in queued} == {200}
    jobs = GenerationJob.objects.all()
    assert jobs.count() == 32  # 16 images in EG's two sizes
    assert {(job.emotion, job.theme, job.status) for job in jobs} == {("HAPPY", "spring,sunny,day", "queued")}
    assert all("dog" in job.prompt for job in jobs)
    assert {(job.width, job.height) for job in jobs} == {(1280, 800), (800, 1280)}
    assert queued_for_a_worker.queue_size() == 32  # one task per job, waiting for a worker


def test_an_anonymous_prompt_generator_queues_nothing(original_site: OpenBrowser) -> None:
    visitor = original_site()
    visitor.expected_errors.append(TABULATOR_OFFLINE)
    page = visitor.open("/html/prompt-generator/prompt-generator.html")
    page.locator("#garden-start").click()
    page.locator("#garden-bulk-request").click()
    refused = visitor.wait_for_answers("bulk", 16)
    assert {answer.status for answer in refused} == {401}
    assert not GenerationJob.objects.exists()
