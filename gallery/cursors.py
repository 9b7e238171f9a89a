"""Garden and songs cursors: an opaque, signed token of the item ids a visitor has been shown, so a client pages
through the garden or the songs (Next, Next, ...) without repeats and without keeping the list itself. The songs sign
with a salt of their own: a garden's cursor (image ids) is refused by the songs (track ids), and the reverse.

The ids travel as a set, sorted, as varint gaps, deflated: a page of 3 new ids adds a few bytes, and a visitor who
has seen a whole run of ids costs almost nothing, where a JSON list of every id grew to 20,000 characters. Signed, so
a client cannot make the server trust a set it did not issue; stateless, so any process answers any page.
"""

import base64
import binascii
import zlib
from collections.abc import Iterable

from django.core import signing

SALT = "emotion-garden.garden-cursor.v2"
SONGS_SALT = "emotion-garden.songs-cursor"
# Cursors signed before the compact format (a JSON list of the last 500 ids): still read, so a page open across a
# deploy keeps paging.
_LIST_SALT = "emotion-garden.garden-cursor"
# A visitor who has seen this many images starts a fresh set (this page's ids only): beyond it the token would grow
# past a few kilobytes, and seeing an image again after ten thousand others is no harm.
MAX_REMEMBERED = 10_000
# The longest cursor the API takes back (its serializers' max_length), so never a longer one is issued: ids a client
# excluded that no item has (far apart, so they deflate badly) made cursors of 24,000 characters that the next
# request refused.
MAX_CURSOR_CHARS = 20_000


def encode_cursor(shown: Iterable[int], page: Iterable[int] = (), *, salt: str = SALT) -> str:
    """A cursor for the ids already shown plus this page's; only this page's once there are too many to carry."""
    page = set(page)
    ids = {*shown, *page}
    cursor = _signed(ids, salt=salt) if len(ids) <= MAX_REMEMBERED else ""
    if not cursor or len(cursor) > MAX_CURSOR_CHARS:
        cursor = _signed(page, salt=salt)
    return cursor


def _signed(ids: set[int], *, salt: str) -> str:
    packed = base64.urlsafe_b64encode(zlib.compress(_gaps(sorted(ids)), 9)).rstrip(b"=").decode()
    return signing.Signer(salt=salt).sign(packed)


def decode_cursor(token: str, *, salt: str = SALT) -> set[int]:
    """The ids in a cursor; ValueError for a token we did not sign (tampered, truncated, made up or another
    answer's)."""
    try:
        packed = signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        if salt != SALT:  # the songs never had list cursors
            raise ValueError("The cursor is not one this server issued.") from None
        return _decode_list_cursor(token)
    try:  # only after the signature: nothing but our own deflated bytes is ever inflated
        inflated = zlib.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)))
    except (binascii.Error, zlib.error):
        raise ValueError("The cursor is malformed.") from None
    return _ungap(inflated)


def _decode_list_cursor(token: str) -> set[int]:
    try:
        shown = signing.loads(token, salt=_LIST_SALT)
    except signing.BadSignature:
        raise ValueError("The cursor is not one this server issued.") from None
    if not isinstance(shown, list) or not all(isinstance(image_id, int) for image_id in shown):
        raise ValueError("The cursor is malformed.")
    return set(shown)


def _gaps(ids: list[int]) -> bytes:
    """Each id as its distance from the one before (the first from 0), in LEB128 varints."""
    out = bytearray()
    previous = 0
    for image_id in ids:
        gap, previous = image_id - previous, image_id
        while gap > 0x7F:
            out.append(0x80 | (gap & 0x7F))
            gap >>= 7
        out.append(gap)
    return bytes(out)


def _ungap(data: bytes) -> set[int]:
    ids: set[int] = set()
    current = gap = shift = 0
    for byte in data:
        gap |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            current += gap
            ids.add(current)
            gap = shift = 0
    if shift:
        raise ValueError("The cursor is malformed.")
    return ids
