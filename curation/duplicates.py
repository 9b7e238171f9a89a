"""Which image of the catalogue a new picture repeats: the same stored file (exact), or the same picture re-encoded,
resized or lightly edited (near), found by a perceptual hash.

The perceptual hash is imagehash's DCT hash (pHash, 64 bits), a maintained library rather than our own DCT. pHash
reads brightness only, so two pictures that differ only in colour (or two flat test cards) would match: a near
duplicate must also have the same orientation and nearly the same mean colour.
"""

import hashlib
from dataclasses import dataclass

import imagehash
import numpy as np
from PIL import Image as PillowImage

from curation.models import Image

# Bits of 64 that may differ: a re-encoded or resized copy differs by a few, different pictures by about 32
# (benchmarks/duplicates.py measures both).
NEAR_BITS = 8
# The largest difference of any channel's mean (0-255) between near copies.
NEAR_COLOUR = 24


@dataclass(frozen=True)
class Fingerprint:
    digest: str  # SHA-256 of the stored JPEG: equal for an exact re-upload, which re-encodes to the same bytes
    perceptual_hash: str  # 16 hex digits
    colour: str  # the mean colour, 6 hex digits


@dataclass(frozen=True)
class Duplicate:
    image: Image
    exact: bool
    distance: int  # bits of the perceptual hash that differ

    @property
    def reason(self) -> str:
        kind = "an exact copy" if self.exact else f"a near copy ({self.distance} of 64 hash bits differ)"
        theme = f" {self.image.theme}" if self.image.theme else ""
        return (f"It is {kind} of image #{self.image.pk} ({self.image.get_emotion_display()}{theme}, "
                f"{self.image.get_status_display().lower()}).")


def fingerprint(*, picture: PillowImage.Image, stored_jpeg: bytes) -> Fingerprint:
    rgb = picture.convert("RGB")
    mean = rgb.resize((1, 1), PillowImage.Resampling.BOX).getpixel((0, 0))
    return Fingerprint(
        digest=hashlib.sha256(stored_jpeg).hexdigest(),
        perceptual_hash=str(imagehash.phash(rgb)),
        colour="".join(f"{channel:02x}" for channel in mean),
    )


def nearest(print_: Fingerprint, hashes: np.ndarray, colours: np.ndarray) -> tuple[int, int] | None:
    """Among candidates (pHashes as uint64, mean colours as n x 3 uint8), the position and bit distance of the
    closest near copy of `print_`, or None."""
    if hashes.size == 0:
        return None
    distances = np.bitwise_count(hashes ^ np.uint64(int(print_.perceptual_hash, 16))).astype(int)
    own = np.frombuffer(bytes.fromhex(print_.colour), np.uint8).astype(int)
    colour_gap = np.abs(colours.astype(int) - own).max(axis=1)
    near = (distances <= NEAR_BITS) & (colour_gap <= NEAR_COLOUR)
    if not near.any():
        return None
    closest = int(np.flatnonzero(near)[np.argmin(distances[near])])
    return closest, int(distances[closest])


def candidates(rows: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """(pHash hex, colour hex) pairs as the arrays `nearest` compares."""
    hashes = np.array([int(phash, 16) for phash, _ in rows], dtype=np.uint64)
    colours = np.frombuffer(b"".join(bytes.fromhex(colour or "000000") for _, colour in rows), np.uint8)
    return hashes, colours.reshape(-1, 3)


def find_duplicate(*, print_: Fingerprint, orientation: str) -> Duplicate | None:
    """The catalogue's image that the fingerprinted picture repeats (the closest one), or None."""
    exact = Image.objects.filter(pixel_digest=print_.digest).order_by("id").first()
    if exact is not None:
        return Duplicate(image=exact, exact=True, distance=0)
    rows = list(Image.objects.filter(orientation=orientation).exclude(perceptual_hash="")
                .values_list("id", "perceptual_hash", "colour"))
    found = nearest(print_, *candidates([(phash, colour) for _, phash, colour in rows]))
    if found is None:
        return None
    position, distance = found
    return Duplicate(image=Image.objects.get(pk=rows[position][0]), exact=False, distance=distance)
