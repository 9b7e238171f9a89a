"""Curator uploads: single images and zip archives of images, validated, re-encoded and thumbnailed into the pool.

Every file is judged on its own: one bad image is refused with a reason and the others still go in. An image either
lands whole (row, file and thumbnail, which add_image_to_pool guarantees) or leaves nothing behind.
"""

import io
import logging
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from curation.models import Image
from curation.services import add_image_to_pool
from emotion_garden.imaging import InvalidImage, decode_image
from emotion_garden.vocabulary import Emotion

logger = logging.getLogger(__name__)

MAX_ZIP_MEMBERS = 500
MAX_ZIP_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# Photos and PNGs hardly compress; a member shrunk more than this is padding built to exhaust memory.
MAX_COMPRESSION_RATIO = 100
# The largest upload worth reading at all: a zip can hold no more than this once unpacked, and shrinks when packed.
MAX_UPLOAD_BYTES = MAX_ZIP_UNCOMPRESSED_BYTES


@dataclass
class UploadReport:
    accepted: list[Image] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def import_uploads(
    *,
    files: Iterable[tuple[str, bytes]],
    emotion: Emotion,
    theme: str = "",
    uploaded_by: AbstractBaseUser | None = None,
) -> UploadReport:
    """Add every image among `files` (name, content) to the pool; zip archives are opened and their images added.

    `files` may be a generator, so that a request's uploads are read one at a time rather than all at once.
    """
    report = UploadReport()
    for name, data in files:
        if name.lower().endswith(".zip"):
            _import_zip(report, name, data, emotion, theme)
        else:
            _import_image(report, name, data, emotion, theme)
    logger.info(
        "%s uploaded %d image(s) to %s %r; %d refused",
        uploaded_by or "someone", len(report.accepted), emotion, theme, len(report.refused),
    )
    return report


def _import_image(report: UploadReport, name: str, data: bytes, emotion: Emotion, theme: str) -> None:
    try:
        decoded = decode_image(data)
    except InvalidImage as error:
        report.refused.append((name, error.message))
        return
    report.accepted.append(
        add_image_to_pool(picture=decoded.rgb, emotion=emotion, source=Image.Source.UPLOADED, theme=theme)
    )


def _import_zip(report: UploadReport, name: str, data: bytes, emotion: Emotion, theme: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        report.refused.append((name, "The file is not a readable zip archive."))
        return
    with archive:
        try:
            members = _checked_members(archive)
        except _Refused as refusal:
            report.refused.append((name, refusal.reason))
            return
        for member in members:
            member_name = f"{name}/{member.filename}"
            try:
                content = _read_member(archive, member)
            except _Refused as refusal:
                report.refused.append((member_name, refusal.reason))
                continue
            _import_image(report, member_name, content, emotion, theme)


def _checked_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members worth reading, judged from the central directory alone, before a single byte is inflated."""
    # Folder entries hold nothing (their files are members of their own), and __MACOSX/ and ._ files are Finder's
    # metadata that every zip made on a Mac carries: listing them as refused would only bury the real refusals.
    members = [
        member for member in archive.infolist()
        if not member.is_dir() and not _is_mac_metadata(member.filename)
    ]
    if len(members) > MAX_ZIP_MEMBERS:
        raise _Refused(f"The archive holds {len(members)} files; at most {MAX_ZIP_MEMBERS} are accepted per archive.")
    declared = sum(member.file_size for member in members)
    if declared > MAX_ZIP_UNCOMPRESSED_BYTES:
        raise _Refused(
            f"The archive unpacks to {declared} bytes; at most {MAX_ZIP_UNCOMPRESSED_BYTES} bytes are accepted."
        )
    return members


def _is_mac_metadata(filename: str) -> bool:
    path = PurePosixPath(filename)
    return path.parts[:1] == ("__MACOSX",) or path.name.startswith("._")


def _escapes(filename: str) -> bool:
    """Whether a member name is absolute (/etc/passwd, C:/Windows) or climbs up (../../settings.py)."""
    path = PurePosixPath(filename.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or ":" in "".join(path.parts[:1])


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    # Nothing is ever written under a member's name, but a name that climbs out of the archive is an attack.
    if _escapes(member.filename):
        raise _Refused("Its path leads outside the archive.")
    if member.flag_bits & 0x1:
        raise _Refused("It is encrypted.")
    if member.filename.lower().endswith(".zip"):
        raise _Refused("Archives inside an archive are not opened; upload it on its own.")
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    if member.file_size > limit:
        raise _Refused(f"It is {member.file_size} bytes; the limit is {limit} bytes.")
    if member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
        raise _Refused(
            f"It claims to unpack {member.compress_size} bytes into {member.file_size}: a decompression bomb."
        )
    try:
        with archive.open(member) as stream:
            # A bounded read: however the header lies, no more than one byte past the limit is ever inflated, and
            # decode_image refuses that as too large.
            return stream.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
        raise _Refused(f"It could not be unpacked: {error}") from None
