"""Every page sends a Content-Security-Policy that allows no inline script or style, and no page of ours needs one:
the visitor page, the admin (curation pages included) and the API docs. (tests/browser checks that they still
work in Chromium under it, with no violation reported.)"""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from curation.services import create_generation_job
from tests.factories import ApprovedImageFactory, ImageFactory

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects what a strict policy would block: inline scripts (a data block is fine), <style>, style and on*=."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self._in_inline_script = True
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {name}=" for name in attributes if name == "style" or name.startswith("on")]

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def assert_strict_policy(response: object) -> None:
    policy = response["Content-Security-Policy"]  # type: ignore[index]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


@pytest.fixture
def superuser_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", password="pw"))
    return client


def test_the_visitor_page_and_the_api_docs_send_it_and_need_no_inline_code(client: Client) -> None:
    for path in ("/", "/api/docs", "/admin/login/"):
        response = client.get(path)
        assert response.status_code == 200
        assert_strict_policy(response)
        assert inline_code(response.content.decode()) == [], path


def test_every_admin_page_sends_it_and_needs_no_inline_code(superuser_client: Client) -> None:
    ApprovedImageFactory()
    pending = ImageFactory()
    job = create_generation_job(emotion="FEAR", count=3, width=64, height=64)  # queued: its progress bar shows
    pages = [
        reverse("admin:index"),
        reverse("admin:curation_image_changelist"),
        reverse("admin:curation_image_change", args=[pending.pk]),
        reverse("admin:curation_image_review"),
        reverse("admin:curation_image_grid"),
        reverse("admin:curation_image_upload"),
        reverse("admin:curation_generationjob_changelist"),
        reverse("admin:curation_generationjob_add"),
        reverse("admin:curation_generationjob_change", args=[job.pk]),
        reverse("admin:curation_prompttemplate_changelist"),
        reverse("admin:recommender_dashboard"),
        reverse("admin:gallery_faceuser_changelist"),
        reverse("admin:gallery_apikey_add"),
        reverse("admin:gallery_referenceperson_add"),
    ]
    for path in pages:
        response = superuser_client.get(path)
        assert response.status_code == 200, path
        assert_strict_policy(response)
        assert inline_code(response.content.decode()) == [], path


def test_answers_that_are_not_pages_carry_it_too(client: Client) -> None:
    for response in (client.get("/api/docs?script="), client.get("/healthz"), client.get("/no-such-page"),
                     client.post("/api/v1/garden", {"emotion": "HAPPY"}, content_type="application/json")):
        assert_strict_policy(response)
