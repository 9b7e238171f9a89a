"""The original response bodies, field for field (docs/original-protocol.md)."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest
from django.utils.encoding import iri_to_uri

from curation.models import Image
from emotion_garden.vocabulary import AgeBand
from gallery.compat.services import VisitorReading
from gallery.faces.base import BooleanAttribute

UrlEntry = dict[str, str]


def emotion_info(*, visitor: VisitorReading) -> dict[str, object]:
    """The flat emotionInfo of /emotion, in the original's key order.

    `key` names the temporary capture the original stored and deleted; this server never stores it. A boolean the
    face backend does not estimate is left out rather than sent as false: false says the backend saw it to be false
    (the pages read a missing one as false all the same). `ageRange` and `generation` are left out when no age was
    estimated (Rekognition always estimates one).
    """
    face = visitor.reading.primary_face
    info: dict[str, object] = {
        "id": visitor.visitor_id,
        "bucket": settings.AWS_STORAGE_BUCKET_NAME,
        "key": f"profile/{visitor.visitor_id}.jpeg",
    }
    if "AgeRange" in face:
        info["ageRange"] = {"Low": face["AgeRange"]["Low"], "High": face["AgeRange"]["High"]}
    info |= {
        "smile": _flag(face.get("Smile")),
        "eyeglasses": _flag(face.get("Eyeglasses")),
        "sunglasses": _flag(face.get("Sunglasses")),
        # Rekognition's "Male"/"Female", which every page labels correctly (IRBE's lower-casing broke its label).
        "gender": face["Gender"]["Value"] if "Gender" in face else "",
        "beard": _flag(face.get("Beard")),
        "mustache": _flag(face.get("Mustache")),
        "eyesOpen": _flag(face.get("EyesOpen")),
        "mouthOpen": _flag(face.get("MouthOpen")),
        "emotions": visitor.reading.emotion.value,
    }
    info = {key: value for key, value in info.items() if value is not None}
    if "AgeRange" in face:
        info["generation"] = AgeBand.for_age_range(face["AgeRange"]["Low"], face["AgeRange"]["High"]).value
    return info


def _flag(attribute: BooleanAttribute | None) -> bool | None:
    """The attribute's value, or None (left out) when the backend does not estimate it."""
    return None if attribute is None else bool(attribute["Value"])


def relative_url(key: str) -> str:
    """IRBE's urls: the key itself, which its pages (served from the site root) use as a relative <img src>."""
    return iri_to_uri(key)


def absolute_url(request: HttpRequest, key: str) -> str:
    """EG's urls: absolute, because its pages live under /html/ and once pointed at a CloudFront domain."""
    return request.build_absolute_uri(f"/{key}")


def by_orientation(images: Iterable[Image], entry: Callable[[Image], UrlEntry]) -> dict[str, list[UrlEntry]]:
    """{"landscape": [...], "portrait": [...]}, the split the original made on the letter before ".jpeg"."""
    split: dict[str, list[UrlEntry]] = {"landscape": [], "portrait": []}
    for image in images:
        split["portrait" if image.orientation == Image.Orientation.PORTRAIT else "landscape"].append(entry(image))
    return split
