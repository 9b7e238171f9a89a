"""What one photo may cost: pixels refused from the header, JPEGs decoded small, large decodes bounded per process."""

import io

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from emotion_garden import imaging
from emotion_garden.imaging import FACE_PHOTO_MAX_SIDE, LARGE_DECODE_PIXELS, InvalidImage, decode_image


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 160)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """The issue's PNG: a few dozen KB that declare 6000x6600 pixels."""
    return png(6000, 6600)


def test_the_default_limit_fits_a_phone_photo_but_not_the_bomb(bomb: bytes) -> None:
    assert settings.MAX_IMAGE_PIXELS == 24_000_000
    assert len(bomb) < 200_000
    with pytest.raises(InvalidImage) as refused:
        decode_image(bomb)
    assert (refused.value.code, refused.value.status) == ("too_many_pixels", 413)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/emotion", "/emotion"])
def test_the_bomb_is_refused_before_it_is_decoded(client: Client, bomb: bytes, path: str) -> None:
    answer = client.post(path, bomb, content_type="image/png")
    assert answer.status_code == 413


def test_a_large_jpeg_is_decoded_at_a_fraction_of_its_size_for_faces() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4032, 3024), (90, 120, 150)).save(buffer, "JPEG")
    decoded = decode_image(buffer.getvalue(), max_side=FACE_PHOTO_MAX_SIDE)
    assert (decoded.width, decoded.height) == (2016, 1512)  # draft mode's 1/2 scale, no resampling after it
    assert decode_image(buffer.getvalue()).width == 4032  # curators' uploads keep every pixel


def test_a_large_png_is_shrunk_to_fit_the_side_given() -> None:
    decoded = decode_image(png(4100, 1000), max_side=FACE_PHOTO_MAX_SIDE)
    assert max(decoded.width, decoded.height) <= FACE_PHOTO_MAX_SIDE
    assert decoded.rgb.mode == "RGB"


def test_large_decodes_beyond_the_slots_are_refused_at_once_and_small_ones_never_wait() -> None:
    large = png(2500, 2000)
    assert LARGE_DECODE_PIXELS < 2500 * 2000
    slots = imaging._large_decodes()
    taken = [slots.acquire(blocking=False) for _ in range(settings.IMAGE_LARGE_DECODES_PER_WORKER)]
    try:
        assert all(taken)
        with pytest.raises(InvalidImage) as refused:
            decode_image(large)
        assert (refused.value.code, refused.value.status) == ("decoder_busy", 503)
        assert decode_image(png(1000, 800)).width == 1000
    finally:
        for _ in taken:
            slots.release()
    assert decode_image(large).width == 2500  # and a slot is free again afterwards


@pytest.mark.django_db
def test_the_api_answers_503_with_retry_after_while_the_decoder_is_busy(client: Client,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imaging, "LARGE_DECODE_PIXELS", 0)
    slots = imaging._large_decodes()
    taken = [slots.acquire(blocking=False) for _ in range(settings.IMAGE_LARGE_DECODES_PER_WORKER)]
    try:
        answer = client.post("/api/v1/emotion", png(64, 64), content_type="image/png")
    finally:
        for _ in taken:
            slots.release()
    assert answer.status_code == 503, answer.content
    assert answer.json()["error"]["code"] == "decoder_busy"
    assert answer["Retry-After"] == "1"
