"""Turning untrusted bytes into a safe RGB image, for face photos and curator uploads alike.

Every failure is an InvalidImage with a stable code, so the API can answer with a clear 4xx and nothing is stored.
"""

import functools
import io
import math
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF"})
# How Pillow's PNG reader refuses a compressed text or ICC chunk that inflates past PngImagePlugin.MAX_TEXT_CHUNK.
_METADATA_BOMB = "decompressed data too large"


# Photos of visitors are analysed at no more than this many pixels on their longest side: faces in a kiosk frame or a
# phone photo stay hundreds of pixels wide (the detector itself looks at 320), while a 12 MP JPEG decodes at a quarter
# of its pixels (draft mode) and a large PNG is shrunk before the face models copy it.
FACE_PHOTO_MAX_SIDE = 2048
# Decodes of more pixels than this (after draft mode) take one of a worker's few large-decode slots
# (IMAGE_LARGE_DECODES_PER_WORKER); a camera frame or a drafted JPEG is smaller and never waits.
LARGE_DECODE_PIXELS = 4_000_000


class InvalidImage(ValueError):
    def __init__(self, *, code: str, message: str, too_large: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.too_large = too_large
        # The HTTP status that says it: 413 for too large, 503 while the decoder is busy, 400 otherwise.
        self.status = status or (413 if too_large else 400)


@dataclass(frozen=True)
class DecodedImage:
    rgb: Image.Image
    source_format: str

    @property
    def width(self) -> int:
        return self.rgb.width

    @property
    def height(self) -> int:
        return self.rgb.height

    @functools.cached_property
    def rgb_pixels(self) -> np.ndarray:
        """The pixels as an array; made once, as several face models read them (copying them out costs ~1 ms)."""
        return np.asarray(self.rgb)

    @functools.cached_property
    def bgr(self) -> np.ndarray:
        """The pixels in the layout OpenCV expects; made once, as detection and embedding both need it."""
        import cv2  # only the local face backends read this: a Rekognition deployment never loads OpenCV

        return cv2.cvtColor(self.rgb_pixels, cv2.COLOR_RGB2BGR)  # 0.9 ms for 640x480, where numpy's copy takes 3.9


def decode_image(data: bytes, *, max_bytes: int | None = None, max_pixels: int | None = None,
                 max_side: int | None = None, wait: float = 0.0) -> DecodedImage:
    """Decode `data` into an upright 8-bit RGB image, or raise InvalidImage.

    EXIF orientation is applied first, so a phone photo taken sideways is upright. Animated images give their first
    frame; CMYK, palette, alpha and 16-bit images are converted to 8-bit RGB. With `max_side`, the image is reduced
    to fit it: JPEGs already while decoding. A decode of more than LARGE_DECODE_PIXELS waits up to `wait` seconds
    for a free large-decode slot of this process, else raises InvalidImage `decoder_busy` (status 503).
    """
    max_bytes = max_bytes or settings.MAX_IMAGE_UPLOAD_BYTES
    max_pixels = max_pixels or settings.MAX_IMAGE_PIXELS
    if not data:
        raise InvalidImage(code="empty_image", message="The request contained no image data.")
    if len(data) > max_bytes:
        raise InvalidImage(
            code="image_too_large",
            message=f"The image is {len(data)} bytes; the limit is {max_bytes} bytes.",
            too_large=True,
        )
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check only warns below twice its limit; ours below is stricter and explicit.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise InvalidImage(
            code="too_many_pixels", message="The image declares far too many pixels.", too_large=True
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        if _METADATA_BOMB in str(error).lower():  # a PNG whose text or colour profile inflates past Pillow's limit
            raise InvalidImage(code="metadata_too_large", message="The image's metadata inflates to far too much data.",
                               too_large=True) from None
        raise InvalidImage(
            code="not_an_image", message="The data is not a JPEG, PNG, WebP or GIF image."
        ) from None
    if image.format not in ACCEPTED_FORMATS:
        raise InvalidImage(
            code="unsupported_format",
            message=f"{image.format} images are not accepted; send JPEG, PNG, WebP or GIF.",
        )
    width, height = image.size
    if width * height > max_pixels:
        raise InvalidImage(
            code="too_many_pixels",
            message=f"The image is {width}x{height} pixels; the limit is {max_pixels} pixels.",
            too_large=True,
        )
    if width < 8 or height < 8:
        raise InvalidImage(code="image_too_small", message=f"The image is only {width}x{height} pixels.")
    try:
        if max_side and image.format in {"JPEG", "MPO"} and max(width, height) > max_side:
            # Scaled in the DCT (1/2, 1/4 or 1/8) to the smallest size that still covers max_side.
            scale = max_side / max(width, height)
            image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
        with _decode_slot(image.size[0] * image.size[1], wait=wait):
            image.seek(0)
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
            rgb = _to_rgb(image)
            if max_side and max(rgb.size) > max_side:
                # An integer box filter: a tenth of the time of a resampling resize of a 24 MP image.
                rgb = rgb.reduce(math.ceil(max(rgb.size) / max_side))
    except InvalidImage:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise InvalidImage(
            code="corrupt_image", message=f"The image could not be decoded (truncated or corrupt): {error}"
        ) from None
    return DecodedImage(rgb=rgb, source_format=image.format)


@functools.cache
def _large_decodes() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(settings.IMAGE_LARGE_DECODES_PER_WORKER)


@contextmanager
def _decode_slot(pixels: int, *, wait: float) -> Iterator[None]:
    """Bound the memory and CPU that large decodes take in this process: a decoded pixel costs 3-4 bytes, and a
    24 MP PNG about 1.5 s of a core, so 16 clients sending one each took a worker from 1.3 to 3.8 GB. Requests that
    find every slot taken are refused at once (by default) rather than queued: a queued one would hold a request
    thread that the rest of the site needs."""
    if pixels <= LARGE_DECODE_PIXELS:
        yield
        return
    slots = _large_decodes()
    if not (slots.acquire(timeout=wait) if wait > 0 else slots.acquire(blocking=False)):
        raise InvalidImage(code="decoder_busy", status=503,
                           message="The server is decoding other large images; send this one again shortly, or "
                                   "send a smaller one (a JPEG, or at most 4 megapixels).")
    try:
        yield
    finally:
        slots.release()


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in {"I;16", "I;16B", "I;16L", "I"}:
        # 16-bit greyscale: keep the top byte rather than clipping everything above 255 to white.
        array = np.asarray(image, dtype=np.uint32)
        shift = 8 if image.mode.startswith("I;16") or array.max() > 255 else 0
        image = Image.fromarray((array >> shift).clip(0, 255).astype(np.uint8))
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        # Transparent pixels become white, as a browser shows them on a white page.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")  # no copy of an RGB image's pixels


def check_proportions(*, width: int, height: int, min_side: int, max_aspect: float) -> None:
    """Raise InvalidImage unless the shorter side has `min_side` pixels or more and the longer side is at most
    `max_aspect` times the shorter: what a picture needs to be shown, thumbnailed and measured as a picture."""
    short_side, long_side = min(width, height), max(width, height)
    if short_side < min_side:
        raise InvalidImage(code="image_too_narrow", message=gettext(
            "The image is %(width)d×%(height)d pixels: its shorter side must be at least %(min_side)d pixels."
        ) % {"width": width, "height": height, "min_side": min_side})
    if long_side > max_aspect * short_side:
        raise InvalidImage(code="extreme_aspect_ratio", message=gettext(
            "The image is %(width)d×%(height)d pixels: its longer side may be at most %(max_aspect)g times its "
            "shorter one."
        ) % {"width": width, "height": height, "max_aspect": max_aspect})


def encode_jpeg(image: Image.Image, *, quality: int = 88) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def thumbnail_jpeg(image: Image.Image, *, longest_side: int = 384) -> bytes:
    thumbnail = image.copy()
    thumbnail.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    return encode_jpeg(thumbnail, quality=82)
