"""The original S3 key layout, mapped onto the catalogue in one place.

An approved image lives at `emotions/<emotion>[/<theme>]/<name>` and a pending one at `imgPool/<emotion>[/<theme>]/
<name>`, emotion and theme lower-cased; `<emotion>[/<theme>]` is the original's "searchKey". Clients send keys back
as they got them, relative or inside absolute URLs, so every incoming key goes through parse_key.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.db.models import QuerySet

from curation.models import Image
from emotion_garden.vocabulary import Emotion

LIVE = "emotions"
POOL = "imgPool"
DISPLAY = "display"  # EG's booth screens: display/<zone>/img<N><h|v>.jpeg, copies of live images
_ZONE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SCREEN = re.compile(r"img[1-9][0-9]?[hv]\.jpeg")


@dataclass(frozen=True)
class ImageKey:
    prefix: str  # LIVE or POOL
    emotion: Emotion
    theme: str
    name: str

    @property
    def status(self) -> Image.Status:
        """The status an image must have to be found at this key: the gallery is the approved images only."""
        return Image.Status.APPROVED if self.prefix == LIVE else Image.Status.PENDING


def search_key(image: Image) -> str:
    return f"{image.emotion.lower()}/{image.theme.lower()}" if image.theme else image.emotion.lower()


def live_key(image: Image) -> str:
    return f"{LIVE}/{search_key(image)}/{image.name}"


def pool_key(image: Image) -> str:
    return f"{POOL}/{search_key(image)}/{image.name}"


def is_zone(zone: str) -> bool:
    return _ZONE.fullmatch(zone) is not None


def display_key(zone: str, screen: str) -> str | None:
    """The storage name of a zone's screen (`img<N><h|v>.jpeg`), or None when either is no such name."""
    if not (is_zone(zone) and _SCREEN.fullmatch(screen)):
        return None
    return f"{DISPLAY}/{zone}/{screen}"


def parse_key(value: str) -> ImageKey | None:
    """The key inside `value` (a key, a root-relative path or an absolute URL), or None when it names no key.

    Like the original pages' `url.substring(url.lastIndexOf('emotions'))`, anything before the key is ignored; the
    key itself follows the original S3 handlers' rule: 3 parts without a theme, 4 with one, anything else is no key.
    """
    try:
        path = unquote(urlsplit(value).path)
    except ValueError:  # e.g. a broken IPv6 host: still no URL we could have handed out
        return None
    if "\x00" in path:
        return None  # no name holds one, and PostgreSQL refuses it in a query
    parts = path.split("/")
    # The longer reading first, so that a theme folder is never mistaken for part of a site prefix.
    for length in (4, 3):
        tail = parts[-length:]
        if len(tail) == length and tail[0] in (LIVE, POOL):
            key = _key_from_parts(tail)
            if key is not None:
                return key
    return None


def _key_from_parts(parts: list[str]) -> ImageKey | None:
    prefix, emotion, *theme, name = parts
    try:
        parsed_emotion = Emotion.parse(emotion)
    except ValueError:
        return None
    if not name or (theme and not theme[0]):
        return None
    return ImageKey(prefix=prefix, emotion=parsed_emotion, theme=theme[0].lower() if theme else "", name=name)


def find_image(value: str) -> Image | None:
    """The image at the key right now: approved under emotions/, pending under imgPool/ (as S3 held it there)."""
    key = parse_key(value)
    if key is None:
        return None
    return _named(key).filter(status=key.status).first()


def find_named_image(value: str) -> Image | None:
    """The image the key names, whatever has happened to it since (approved, retired...)."""
    key = parse_key(value)
    if key is None:
        return None
    return _named(key).first()


def _named(key: ImageKey) -> QuerySet[Image]:
    # Themes typed in the admin may have capitals; keys always carry them lower-cased.
    return Image.objects.filter(emotion=key.emotion, theme__iexact=key.theme, name=key.name).order_by("-id")
