"""Garden and songs cursors: an opaque, signed token of the item ids a visitor has been shown, so a client pages
through the garden or the songs (Next, Next, ...) without repeats and without keeping the list itself. Each answer
signs with a salt of its own: a garden's cursor (image ids) is refused by the songs (track ids), and the reverse."""

from django.core import signing

SALT = "emotion-garden.garden-cursor"
SONGS_SALT = "emotion-garden.songs-cursor"
MAX_REMEMBERED = 500


def encode_cursor(shown: list[int], *, salt: str = SALT) -> str:
    return signing.dumps(shown[-MAX_REMEMBERED:], salt=salt, compress=True)


def decode_cursor(token: str, *, salt: str = SALT) -> list[int]:
    """The ids in a cursor; ValueError for a token we did not sign (tampered, truncated, made up or another
    answer's)."""
    try:
        shown = signing.loads(token, salt=salt)
    except signing.BadSignature:
        raise ValueError("The cursor is not one this server issued.") from None
    if not isinstance(shown, list) or not all(isinstance(image_id, int) for image_id in shown):
        raise ValueError("The cursor is malformed.")
    return shown
