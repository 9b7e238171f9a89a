import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from emotion_garden.imaging import InvalidImage, decode_image, thumbnail_jpeg
from tests.conftest import encode


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width x height pixels but carries almost no data: a decompression bomb's header."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(
        b"IEND", b""
    )


def test_decodes_png_and_jpeg_to_rgb(astronaut_png: bytes, astronaut_jpeg: bytes) -> None:
    for data, source_format in ((astronaut_png, "PNG"), (astronaut_jpeg, "JPEG")):
        decoded = decode_image(data)
        assert decoded.rgb.mode == "RGB"
        assert (decoded.width, decoded.height) == (512, 512)
        assert decoded.source_format == source_format


def test_applies_exif_orientation(astronaut: Image.Image) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    sideways = astronaut.crop((0, 0, 512, 300))
    decoded = decode_image(encode(sideways, "JPEG", exif=exif.tobytes()))
    assert (decoded.width, decoded.height) == (300, 512)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_image"),
        (b"definitely not an image", "not_an_image"),
        (b"GIF89a" + b"\x00" * 4, "not_an_image"),
    ],
)
def test_rejects_non_images(data: bytes, code: str) -> None:
    with pytest.raises(InvalidImage) as raised:
        decode_image(data)
    assert raised.value.code == code


def test_rejects_truncated_image(astronaut_jpeg: bytes) -> None:
    with pytest.raises(InvalidImage) as raised:
        decode_image(astronaut_jpeg[: len(astronaut_jpeg) // 2])
    assert raised.value.code == "corrupt_image"


def test_rejects_oversized_body() -> None:
    with pytest.raises(InvalidImage) as raised:
        decode_image(b"x" * 2048, max_bytes=1024)
    assert raised.value.code == "image_too_large"
    assert raised.value.too_large


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (100_000, 100_000)])
def test_rejects_decompression_bombs_before_decoding(width: int, height: int) -> None:
    with pytest.raises(InvalidImage) as raised:
        decode_image(png_header_only(width, height))
    assert raised.value.code == "too_many_pixels"


def test_a_png_whose_text_inflates_past_the_limit_says_so() -> None:
    """It was answered "not a JPEG, PNG, WebP or GIF image": 50 MB of zTXt in a small, valid PNG."""
    metadata = PngImagePlugin.PngInfo()
    metadata.add_text("comment", "a" * (PngImagePlugin.MAX_TEXT_CHUNK + 1), zip=True)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, format="PNG", pnginfo=metadata)
    assert len(buffer.getvalue()) < 10_000
    with pytest.raises(InvalidImage) as refused:
        decode_image(buffer.getvalue())
    assert (refused.value.code, refused.value.status) == ("metadata_too_large", 413)


def test_rejects_unsupported_format(astronaut: Image.Image) -> None:
    with pytest.raises(InvalidImage) as raised:
        decode_image(encode(astronaut, "TIFF"))
    assert raised.value.code == "unsupported_format"


def test_converts_cmyk_palette_alpha_and_16_bit(astronaut: Image.Image) -> None:
    grey16 = Image.fromarray(np.asarray(astronaut.convert("L"), dtype="<u2") * 257)
    assert grey16.mode == "I;16"
    variants = [
        encode(astronaut.convert("CMYK"), "JPEG"),
        encode(astronaut.convert("P"), "PNG"),
        encode(astronaut.convert("RGBA"), "PNG"),
        encode(grey16, "PNG"),
    ]
    for data in variants:
        decoded = decode_image(data)
        assert decoded.rgb.mode == "RGB"
        assert np.asarray(decoded.rgb).mean() > 20  # not blown out or blacked out


def test_uses_first_frame_of_animation(astronaut: Image.Image) -> None:
    frames = [astronaut, astronaut.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    assert decode_image(buffer.getvalue()).width == 512


def test_thumbnail_keeps_aspect_ratio(astronaut: Image.Image) -> None:
    thumbnail = Image.open(io.BytesIO(thumbnail_jpeg(astronaut.crop((0, 0, 512, 256)), longest_side=128)))
    assert thumbnail.size == (128, 64)
