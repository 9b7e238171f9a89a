"""The original pages that lived at their site's root, byte for byte unchanged, in Chromium against this server,
through the harness in tests/browser/original_sites.py: the image recommender's
(kyopark2014/image-recommender-based-on-emotion, html/*) and the celebrity look-alike's
(Huch0/Cloud-Computing-Term-Project-17, src/server/static/index.html at "/").

EMOTION_GARDEN_ORIGINALS_IRBE and EMOTION_GARDEN_ORIGINALS_LOOKALIKE name a checkout (or bare git directory) of each;
a test whose variable is unset skips.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser
from playwright.sync_api import Browser
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from gallery.compat.curators import GENERATE_IMAGES, REMOVE_IMAGES, SEED_RECOMMENDER
from tests.browser.original_sites import OpenBrowser, OriginalSite, original_browsers, page_curator_with, skip_unnamed

# The recommender's CloudFront domain, as its pages' own comments name it.
IRBE = OriginalSite(origin="https://d14j04tdmh4c1d.cloudfront.net", variable="EMOTION_GARDEN_ORIGINALS_IRBE",
                    repository="kyopark2014/image-recommender-based-on-emotion", folder="html")
# The look-alike page ran on whatever host its Flask app did, and calls it origin-relative ("/upload"): it is given
# the live server's own origin, where its upload reaches the server untouched (Chromium hands a route a multipart body
# without its files' bytes, so it could not be forwarded).
LOOKALIKE = OriginalSite(origin="", variable="EMOTION_GARDEN_ORIGINALS_LOOKALIKE",
                         repository="Huch0/Cloud-Computing-Term-Project-17", folder="src/server/static",
                         index="index.html")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_unnamed(items, Path(__file__).parent, [IRBE, LOOKALIKE])


@pytest.fixture
def original_site(browser: Browser, live_server: LiveServer, settings: Settings) -> Iterator[OpenBrowser]:
    """Opens browsers on the sites above: original_site(IRBE, camera=None)."""
    with original_browsers(browser, live_server, settings) as open_browser:
        yield open_browser


@pytest.fixture
def page_curator(transactional_db: None) -> AbstractBaseUser:
    return page_curator_with(*REMOVE_IMAGES, *GENERATE_IMAGES, *SEED_RECOMMENDER)
