"""Curating the look-alike's reference people: photos one by one, or a zip of photos named by person, each enrolled
through the configured reference backend (gallery.faces.reference_faces).

A photo is stored whole or not at all: its face is enrolled first, then the row and the file are written together,
and whatever was written is undone when a later step fails.
"""

import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from curation.songs.names import InvalidName, clean_name, match_key
from emotion_garden.archives import ArchiveRefused, checked_members, read_member
from emotion_garden.imaging import DecodedImage, InvalidImage, decode_image, encode_jpeg
from gallery.faces import face_analyzer, reference_faces
from gallery.faces.base import ReferenceFace
from gallery.models import ReferencePerson, ReferencePhoto
from gallery.services import NoFaceFound

# An archive holds at most this many photos, and this many bytes once unpacked: an import holds its photos in memory
# (re-encoded) until it stores them all in one short transaction.
MAX_ARCHIVE_FILES = 500
MAX_ARCHIVE_BYTES = 200 * 1024 * 1024

# LFW's naming: George_W_Bush_0001.jpg is a photo of "George W Bush".
_NUMBERED_PHOTO = re.compile(r"^(?P<name>.*?)(?:[_ -]+\d+)?$")

NO_FACE = "No face was found in the photo (or it is too small or blurred to compare)."


class DuplicatePhoto(Exception):
    """The photo is already in the collection."""


@dataclass(frozen=True)
class _PreparedPhoto:
    """A photo whose face is enrolled, ready to be stored."""

    jpeg: bytes
    sha256: str
    face: ReferenceFace


def add_reference_photo(*, person: ReferencePerson, photo: bytes) -> ReferencePhoto:
    """Enrol the photo's largest face and store the photo (re-encoded) for the person.
    Raises InvalidImage, NoFaceFound, DuplicatePhoto or FaceServiceUnavailable."""
    sha256 = hashlib.sha256(photo).hexdigest()  # of the file as sent, so the same upload is recognised
    _refuse_stored_copy(sha256)
    prepared = _prepare(decode_image(photo), sha256=sha256)
    with _undone_on_failure([prepared.face]) as stored:
        return _store(person, prepared, stored)


def check_reference_photo(*, photo: bytes) -> None:
    """What add_reference_photo would refuse, found without enrolling anything: the analysis backend looks for a
    face. Raises InvalidImage, NoFaceFound, DuplicatePhoto or FaceServiceUnavailable."""
    _refuse_stored_copy(hashlib.sha256(photo).hexdigest())
    if not face_analyzer().detect_faces(decode_image(photo)):
        raise NoFaceFound(NO_FACE)


def _refuse_stored_copy(sha256: str) -> None:
    existing = ReferencePhoto.objects.select_related("person").filter(sha256=sha256).first()
    if existing is not None:
        raise DuplicatePhoto(f"Already in the collection, as a photo of {existing.person.name}.")


def _prepare(image: DecodedImage, *, sha256: str) -> _PreparedPhoto:
    face = reference_faces().enrol(image)
    if face is None:
        raise NoFaceFound(NO_FACE)
    return _PreparedPhoto(jpeg=encode_jpeg(image.rgb), sha256=sha256, face=face)


def _store(person: ReferencePerson, prepared: _PreparedPhoto, stored: list[ReferencePhoto]) -> ReferencePhoto:
    face = prepared.face
    reference = ReferencePhoto(person=person, model=face.index, vector=face.vector, face_id=face.face_id,
                               sha256=prepared.sha256)
    reference.photo.save(f"{uuid.uuid4().hex}.jpeg", ContentFile(prepared.jpeg), save=False)
    stored.append(reference)  # its file is written: deleted again if the transaction fails
    reference.save()
    return reference


@contextmanager
def _undone_on_failure(faces: list[ReferenceFace]) -> Iterator[list[ReferencePhoto]]:
    """Store in one transaction (the block appends each photo whose file it writes to the list it is given); if it
    fails, those files are deleted and the enrolled faces forgotten."""
    stored: list[ReferencePhoto] = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for reference in stored:
            reference.photo.delete(save=False)
        with transaction.atomic():
            reference_faces().forget(faces)
        raise


@dataclass
class ArchiveImport:
    """What an import did: per file of the archive, the person it was stored for or why it was not."""

    stored: list[tuple[str, str]] = field(default_factory=list)  # (file name, person)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    new_people: list[str] = field(default_factory=list)


def import_reference_archive(*, archive: bytes) -> ArchiveImport:
    """Add the photos of a zip archive, each to the person its file name names (`Name_0001.jpg`: "Name"; people
    are matched by name ignoring case, width and spacing, as their names are unique, and new ones created; the
    report names the person each photo went to, as stored). A file that cannot be used (an unsafe or repeated name, not
    an image, too large, no face, a photo already in the collection or twice in the archive) is refused with its
    reason, and the others are stored. Raises ArchiveRefused for the archive as a whole, or FaceServiceUnavailable,
    and then nothing is stored."""
    try:
        zipped = zipfile.ZipFile(io.BytesIO(archive))
    except zipfile.BadZipFile:
        raise ArchiveRefused("The file is not a readable zip archive.") from None
    report = ArchiveImport()
    prepared: list[tuple[str, str, _PreparedPhoto]] = []
    with zipped:
        members = checked_members(zipped, max_members=MAX_ARCHIVE_FILES, max_bytes=MAX_ARCHIVE_BYTES)
        try:
            _prepare_members(zipped, members, report, prepared)
        except BaseException:  # FaceServiceUnavailable, mostly: the faces enrolled so far are forgotten
            with transaction.atomic():
                reference_faces().forget([photo.face for _, _, photo in prepared])
            raise
    with _undone_on_failure([photo.face for _, _, photo in prepared]) as stored:
        people = {person.name_key: person for person in ReferencePerson.objects.filter(
            name_key__in={match_key(name) for _, name, _ in prepared})}
        for file_name, name, photo in prepared:
            key = match_key(name)
            person = people.get(key)
            if person is None:
                person = people[key] = ReferencePerson.objects.create(name=name)
                report.new_people.append(name)
            _store(person, photo, stored)
            report.stored.append((file_name, person.name))
    return report


def _prepare_members(zipped: zipfile.ZipFile, members: list[zipfile.ZipInfo], report: ArchiveImport,
                     prepared: list[tuple[str, str, _PreparedPhoto]]) -> None:
    seen_names: set[str] = set()
    seen_photos: dict[str, str] = {}  # sha256 -> file name
    for member in members:
        name = member.filename
        try:
            if name in seen_names:
                raise ArchiveRefused("This file name appears more than once in the archive.")
            seen_names.add(name)
            data = read_member(zipped, member, limit=settings.MAX_IMAGE_UPLOAD_BYTES)
            person = person_from_file_name(name)
            sha256 = hashlib.sha256(data).hexdigest()
            if sha256 in seen_photos:
                raise ArchiveRefused(f"The same photo as {seen_photos[sha256]} in this archive.")
            _refuse_stored_copy(sha256)
            photo = _prepare(decode_image(data), sha256=sha256)
        except ArchiveRefused as refusal:
            report.refused.append((name, refusal.reason))
        except InvalidImage as error:
            report.refused.append((name, f"Not a usable image: {error.message}"))
        except (NoFaceFound, DuplicatePhoto) as error:
            report.refused.append((name, str(error)))
        else:
            seen_photos[sha256] = name
            prepared.append((name, person, photo))


def person_from_file_name(path: str) -> str:
    """The person a photo is named after: "lfw/Grace_Hopper/Grace_Hopper_0002.jpg" -> "Grace Hopper". Raises
    ArchiveRefused when the name holds no name."""
    stem = PurePosixPath(path).stem
    name = " ".join(_NUMBERED_PHOTO.match(stem)["name"].replace("_", " ").split())
    if not any(character.isalpha() for character in name) or stem.startswith("."):
        raise ArchiveRefused("The file name does not name a person (expected Name_0001.jpg).")
    return person_name(name[: ReferencePerson._meta.get_field("name").max_length])


def person_named(*, name: str) -> ReferencePerson | None:
    """The reference person who has this name, ignoring case, width and spacing (names are unique that way)."""
    return ReferencePerson.objects.filter(name_key=match_key(name)).first()


def person_name(name: str) -> str:
    """A reference person's name as the look-alike shows it to the public: the rules of a song's names (no control
    characters; invisible and direction-changing ones dropped). Raises ArchiveRefused with the reason."""
    try:
        return clean_name(name, field="name", limit=ReferencePerson._meta.get_field("name").max_length)
    except InvalidName as error:
        raise ArchiveRefused(str(error)) from None


@dataclass
class Enrolment:
    enrolled: list[ReferencePhoto] = field(default_factory=list)
    refused: list[tuple[ReferencePhoto, str]] = field(default_factory=list)


def enrol_missing_photos() -> Enrolment:
    """Enrol, from their stored files, the photos the configured backend's index does not hold (they were enrolled
    under another backend). Raises FaceServiceUnavailable; what was enrolled before it is kept."""
    backend = reference_faces()
    report = Enrolment()
    for reference in ReferencePhoto.objects.exclude(model=backend.index).select_related("person").order_by("id"):
        try:
            with reference.photo.open("rb") as stored:
                face = backend.enrol(decode_image(stored.read()))
        except (OSError, InvalidImage) as error:
            report.refused.append((reference, getattr(error, "message", str(error))))
            continue
        if face is None:
            report.refused.append((reference, NO_FACE))
            continue
        reference.model, reference.vector, reference.face_id = face.index, face.vector, face.face_id
        reference.save(update_fields=["model", "vector", "face_id"])
        report.enrolled.append(reference)
    return report


def forget_deleted_photo(*, sender: type[ReferencePhoto], instance: ReferencePhoto, **kwargs: object) -> None:
    """However a photo goes (the admin, its person's deletion), its face leaves the index with the row, and its file
    leaves the storage once the deletion is committed (GalleryConfig connects it to post_delete)."""
    reference_faces().forget([ReferenceFace(index=instance.model, vector=bytes(instance.vector),
                                            face_id=instance.face_id)])
    transaction.on_commit(lambda: instance.photo.delete(save=False))
