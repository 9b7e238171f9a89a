import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from rest_framework.test import APIClient
from skimage import data as skimage_data


def encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def astronaut() -> Image.Image:
    """scikit-image's public-domain NASA portrait: a real, smiling face shipped inside a dependency."""
    return Image.fromarray(skimage_data.astronaut())


@pytest.fixture(scope="session")
def astronaut_png(astronaut: Image.Image) -> bytes:
    return encode(astronaut, "PNG")


@pytest.fixture(scope="session")
def astronaut_jpeg(astronaut: Image.Image) -> bytes:
    return encode(astronaut, "JPEG", quality=90)


@pytest.fixture(scope="session")
def faceless_jpeg() -> bytes:
    """A smooth gradient: a valid photo with nothing face-like in it."""
    gradient = np.tile(np.linspace(0, 255, 320, dtype=np.uint8), (240, 1))
    return encode(Image.fromarray(np.stack([gradient, gradient[::-1], gradient], axis=-1)), "JPEG")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials and no config files, so a mistake in an AWS backend test can never reach a real account."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
