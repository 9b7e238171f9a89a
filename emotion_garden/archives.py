"""Zip archives that curators upload (images for the catalogue, photos of reference people): which members are worth
reading, judged from the central directory before a single byte is inflated, and a bounded read of each.

Nothing is ever written under a member's name, but a name that climbs out of the archive is an attack, and is refused.
"""

import zipfile
import zlib
from pathlib import PurePosixPath

# Photos and PNGs hardly compress; a member shrunk more than this is padding built to exhaust memory.
MAX_COMPRESSION_RATIO = 100


class ArchiveRefused(Exception):
    """The archive, or one of its members, cannot be used; `reason` says why, for the curator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def checked_members(archive: zipfile.ZipFile, *, max_members: int, max_bytes: int) -> list[zipfile.ZipInfo]:
    """The members worth reading. Raises ArchiveRefused when the archive holds too many files, or declares more
    than max_bytes once unpacked."""
    # Folder entries hold nothing (their files are members of their own), and __MACOSX/ and ._ files are Finder's
    # metadata that every zip made on a Mac carries: listing them as refused would only bury the real refusals.
    members = [
        member for member in archive.infolist()
        if not member.is_dir() and not _is_mac_metadata(member.filename)
    ]
    if len(members) > max_members:
        raise ArchiveRefused(f"The archive holds {len(members)} files; at most {max_members} are accepted per archive.")
    declared = sum(member.file_size for member in members)
    if declared > max_bytes:
        raise ArchiveRefused(f"The archive unpacks to {declared} bytes; at most {max_bytes} bytes are accepted.")
    return members


def _is_mac_metadata(filename: str) -> bool:
    path = PurePosixPath(filename)
    return path.parts[:1] == ("__MACOSX",) or path.name.startswith("._")


def _escapes(filename: str) -> bool:
    """Whether a member name is absolute (/etc/passwd, C:/Windows) or climbs up (../../settings.py)."""
    path = PurePosixPath(filename.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or ":" in "".join(path.parts[:1])


def read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, limit: int) -> bytes:
    """The member's bytes. Raises ArchiveRefused for an escaping name, an encrypted member, an archive inside the
    archive, a member over `limit` bytes or one that claims an implausible compression."""
    if _escapes(member.filename):
        raise ArchiveRefused("Its path leads outside the archive.")
    if member.flag_bits & 0x1:
        raise ArchiveRefused("It is encrypted.")
    if member.filename.lower().endswith(".zip"):
        raise ArchiveRefused("Archives inside an archive are not opened; upload it on its own.")
    if member.file_size > limit:
        raise ArchiveRefused(f"It is {member.file_size} bytes; the limit is {limit} bytes.")
    if member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
        raise ArchiveRefused(
            f"It claims to unpack {member.compress_size} bytes into {member.file_size}: a decompression bomb."
        )
    try:
        with archive.open(member) as stream:
            # A bounded read: however the header lies, no more than one byte past the limit is ever inflated, and
            # decode_image refuses that as too large.
            return stream.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
        raise ArchiveRefused(f"It could not be unpacked: {error}") from None
