import pytest
from django.test import Client
from PIL import Image

from tests.compat.pages import canvas_png
from tests.factories import ApiKeyFactory


@pytest.fixture
def compat_client() -> Client:
    """CSRF checks stay on: the original pages send no token, so a view that wanted one would fail here."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def curation_client(db: None) -> Client:
    """A curator's program: an API key with the `curation` scope, which the original writes answer to (reads ignore
    it). CSRF checks stay on, as for the pages."""
    return Client(enforce_csrf_checks=True, headers={"X-Api-Key": ApiKeyFactory(scopes=["curation"]).raw_key})


@pytest.fixture
def no_exploration(settings) -> None:  # noqa: ANN001 (pytest-django fixture)
    """Without exploration slots the local engine's ranking is deterministic, so a like's effect can be asserted."""
    settings.EMOTION_GARDEN_BACKENDS = {**settings.EMOTION_GARDEN_BACKENDS, "recommender": {
        "BACKEND": "recommender.engines.local.LocalRecommender",
        "OPTIONS": {**settings.EMOTION_GARDEN_BACKENDS["recommender"]["OPTIONS"], "exploration_share": 0}}}


@pytest.fixture(scope="session")
def gallery_canvas_png(astronaut: Image.Image) -> bytes:
    """The frame IRBE's gallery.html (and EG's garden pages) send: a 335x250 <canvas> as PNG."""
    return canvas_png(astronaut, width=335, height=250)


@pytest.fixture(scope="session")
def emotion_canvas_png(astronaut: Image.Image) -> bytes:
    """The frame EG's emotion.html sends: a 500x376 <canvas> as PNG."""
    return canvas_png(astronaut, width=500, height=376)
