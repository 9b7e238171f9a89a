"""The original Emotion Garden pages (kyopark2014/emotion-garden, html/), byte for byte unchanged, in Chromium against
this server, through the harness in tests/browser/original_sites.py.

EMOTION_GARDEN_ORIGINALS names a checkout of that repository (or its bare git directory); without it these tests
skip. The pages hard-code their CloudFront domain (ORIGIN) and live under /html/ there.
"""

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser
from playwright.sync_api import Browser
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from gallery.compat.curators import GENERATE_IMAGES, REMOVE_IMAGES
from tests.browser.original_sites import OpenBrowser, OriginalSite, original_browsers, page_curator_with, skip_unnamed

EMOTION_GARDEN = OriginalSite(origin="https://d3ic6ryvcaoqdy.cloudfront.net", variable="EMOTION_GARDEN_ORIGINALS",
                              repository="kyopark2014/emotion-garden", folder="html", mount="/html/")
ORIGIN = EMOTION_GARDEN.origin


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_unnamed(items, Path(__file__).parent, [EMOTION_GARDEN])


@pytest.fixture
def original_site(browser: Browser, live_server: LiveServer, settings: Settings) -> Iterator[OpenBrowser]:
    """Opens browsers on the EG site: original_site(camera=None)."""
    with original_browsers(browser, live_server, settings) as open_browser:
        yield functools.partial(open_browser, EMOTION_GARDEN)


@pytest.fixture
def page_curator(transactional_db: None) -> AbstractBaseUser:
    return page_curator_with(*REMOVE_IMAGES, *GENERATE_IMAGES)
