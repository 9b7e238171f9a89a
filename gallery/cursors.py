"""Garden cursors: an opaque, signed token of the image ids a visitor has been shown, so a client pages through
the garden (Next, Next, ...) without repeats and without keeping the list itself."""

from django.core import signing

SALT = "emotion-garden.garden-cursor"
MAX_REMEMBERED = 500


def encode_cursor(shown: list[int]) -> str:
    return signing.dumps(shown[-MAX_REMEMBERED:], salt=SALT, compress=True)


def decode_cursor(token: str) -> list[int]:
    """The ids in a cursor; ValueError for a token we did not sign (tampered, truncated or made up)."""
    try:
        shown = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise ValueError("The cursor is not one this server issued.") from None
    if not isinstance(shown, list) or not all(isinstance(image_id, int) for image_id in shown):
        raise ValueError("The cursor is malformed.")
    return shown
