"""The API docs and the admin work in Chromium under the Content-Security-Policy: the `page` fixture fails a test on
any violation Chromium reports."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_the_api_docs_render_every_operation(page: Page) -> None:
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui .opblock-summary-path", has_text="/api/v1/emotion")).to_be_visible()
    page.locator(".swagger-ui .opblock-summary", has_text="/api/v1/garden").click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()


def test_the_admin_logs_in_and_shows_its_pages(page: Page) -> None:
    User.objects.create_superuser("root", password="a long and unusual password")
    page.goto("/admin/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("a long and unusual password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    for page_name in ("admin:curation_image_review", "admin:curation_generationjob_add", "admin:recommender_dashboard"):
        page.goto(reverse(page_name))
        expect(page.locator("#content")).to_be_visible()
