"""Curator uploads: single images and zip archives of images, validated, re-encoded and thumbnailed into the pool.

Every file is judged on its own: one bad image, or one that repeats an image of the catalogue (or of the same
upload), is refused with a reason and the others still go in. An image either
lands whole (row, file and thumbnail, which add_image_to_pool guarantees) or leaves nothing behind.
"""

import io
import logging
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from curation.models import Image
from curation.services import DuplicateImage, add_image_to_pool
from emotion_garden.archives import ArchiveRefused, checked_members, read_member
from emotion_garden.imaging import InvalidImage, decode_image
from emotion_garden.vocabulary import Emotion

logger = logging.getLogger(__name__)

MAX_ZIP_MEMBERS = 500
MAX_ZIP_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# The largest upload worth reading at all: a zip can hold no more than this once unpacked, and shrinks when packed.
MAX_UPLOAD_BYTES = MAX_ZIP_UNCOMPRESSED_BYTES


@dataclass
class UploadReport:
    accepted: list[Image] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    # For each refused file that repeats an image of the catalogue: that image.
    repeats: dict[str, Image] = field(default_factory=dict)


def import_uploads(
    *,
    files: Iterable[tuple[str, bytes]],
    emotion: Emotion,
    theme: str = "",
    uploaded_by: AbstractBaseUser | None = None,
    keep_near_copies: bool = False,
) -> UploadReport:
    """Add every image among `files` (name, content) to the pool; zip archives are opened and their images added.

    `files` may be a generator, so that a request's uploads are read one at a time rather than all at once. An exact
    copy of an image of the catalogue is always refused; a near copy too, unless `keep_near_copies` (then it is
    added, flagged with the image it resembles).
    """
    report = UploadReport()
    for name, data in files:
        if name.lower().endswith(".zip"):
            _import_zip(report, name, data, emotion, theme, keep_near_copies)
        else:
            _import_image(report, name, data, emotion, theme, keep_near_copies)
    logger.info(
        "%s uploaded %d image(s) to %s %r; %d refused",
        uploaded_by or "someone", len(report.accepted), emotion, theme, len(report.refused),
    )
    return report


def _import_image(
    report: UploadReport, name: str, data: bytes, emotion: Emotion, theme: str, keep_near_copies: bool
) -> None:
    try:
        # A curator's batch may wait for a large-decode slot: it is staff work, not a request that others queue behind.
        decoded = decode_image(data, wait=60)
    except InvalidImage as error:
        report.refused.append((name, error.message))
        return
    try:
        report.accepted.append(add_image_to_pool(
            picture=decoded.rgb, emotion=emotion, source=Image.Source.UPLOADED, theme=theme,
            refuse_exact_copies=True, refuse_near_copies=not keep_near_copies,
        ))
    except InvalidImage as error:  # too narrow or too elongated for the catalogue (check_picture_shape)
        report.refused.append((name, error.message))
    except DuplicateImage as refusal:
        report.refused.append((name, str(refusal)))
        report.repeats[name] = refusal.duplicate.image


def _import_zip(
    report: UploadReport, name: str, data: bytes, emotion: Emotion, theme: str, keep_near_copies: bool
) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        report.refused.append((name, "The file is not a readable zip archive."))
        return
    with archive:
        try:
            members = checked_members(archive, max_members=MAX_ZIP_MEMBERS, max_bytes=MAX_ZIP_UNCOMPRESSED_BYTES)
        except ArchiveRefused as refusal:
            report.refused.append((name, refusal.reason))
            return
        for member in members:
            member_name = f"{name}/{member.filename}"
            try:
                content = read_member(archive, member, limit=settings.MAX_IMAGE_UPLOAD_BYTES)
            except ArchiveRefused as refusal:
                report.refused.append((member_name, refusal.reason))
                continue
            _import_image(report, member_name, content, emotion, theme, keep_near_copies)
