"""Writes to the track catalogue: adding a track (with its cover), editing it while it waits for review, the review
decisions, and seeding the offline catalogue."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from curation.models import SongSuggestionRun, Track, TrackEmotion
from curation.services import record_review
from curation.signals import track_published, track_withdrawn
from curation.songs.catalogue import catalogue_songs
from curation.songs.covers import draw_cover
from curation.songs.names import ARTIST_MAX, TITLE_MAX, InvalidName, clean_name, match_key
from emotion_garden.imaging import encode_jpeg
from emotion_garden.locks import hold_transaction_lock
from emotion_garden.vocabulary import Emotion


class DuplicateTrack(InvalidName):
    """The catalogue already has this song (whatever its case or spacing)."""

    def __init__(self, existing: Track | None) -> None:
        where = f" as #{existing.pk} ({existing.get_status_display().lower()})" if existing else ""
        super().__init__(f"The catalogue already has this song{where}.")
        self.existing = existing


def hold_song(*, title: str, artist: str) -> None:
    """Until the transaction ends, no other writer that holds the same song gets on (they wait): a check that the
    catalogue lacks it and the write after it then see the same catalogue. Eight curators adding one song at once had
    six 500s: each form found no duplicate, and the writes after the first failed."""
    hold_transaction_lock(f"curation.song:{match_key(artist)}\n{match_key(title)}")


def find_track(*, title: str, artist: str) -> Track | None:
    return Track.objects.filter(title_key=match_key(title), artist_key=match_key(artist)).first()


def add_track(
    *,
    title: str,
    artist: str,
    emotions: Iterable[str],
    source: Track.Source,
    status: Track.Status = Track.Status.PENDING,
    suggestion_run: SongSuggestionRun | None = None,
) -> Track:
    """A new track with its cover; InvalidName (DuplicateTrack for a song already there) when it cannot be one.

    The row, its emotions and its cover file exist together or not at all.
    """
    title = clean_name(title, field="title", limit=TITLE_MAX)
    artist = clean_name(artist, field="artist", limit=ARTIST_MAX)
    chosen = _emotions(emotions)
    if existing := find_track(title=title, artist=artist):
        raise DuplicateTrack(existing)
    track = Track(title=title, artist=artist, source=source, status=status, suggestion_run=suggestion_run)
    if status == Track.Status.APPROVED:
        track.approved_at = timezone.now()
    track.cover.save("cover.jpeg", ContentFile(_cover_jpeg(title, artist, chosen)), save=False)
    try:
        with transaction.atomic():  # a savepoint: a refused row leaves the caller's transaction usable
            track.save()
            TrackEmotion.objects.bulk_create(TrackEmotion(track=track, emotion=emotion) for emotion in chosen)
            if status == Track.Status.APPROVED:
                track_published.send(sender=Track, track=track)
    except IntegrityError:
        track.cover.delete(save=False)
        # Another writer added the same song since the check above.
        raise DuplicateTrack(find_track(title=title, artist=artist)) from None
    except BaseException:
        track.cover.delete(save=False)
        raise
    return track


def update_track(*, track: Track, title: str, artist: str, emotions: Iterable[str]) -> Track:
    """Correct a pending track; its cover is drawn again. A reviewed track was published as it is."""
    if track.status != Track.Status.PENDING:
        raise InvalidName("Only a track waiting for review can be edited; retire it and add it again instead.")
    title = clean_name(title, field="title", limit=TITLE_MAX)
    artist = clean_name(artist, field="artist", limit=ARTIST_MAX)
    chosen = _emotions(emotions)
    existing = find_track(title=title, artist=artist)
    if existing is not None and existing.pk != track.pk:
        raise DuplicateTrack(existing)
    storage, old_cover = track.cover.storage, track.cover.name
    track.title, track.artist = title, artist
    track.cover.save("cover.jpeg", ContentFile(_cover_jpeg(title, artist, chosen)), save=False)
    try:
        with transaction.atomic():
            track.save(update_fields=["title", "artist", "cover"])
            track.emotion_tags.exclude(emotion__in=chosen).delete()
            TrackEmotion.objects.bulk_create(
                [TrackEmotion(track=track, emotion=emotion) for emotion in chosen], ignore_conflicts=True
            )
    except BaseException as error:
        storage.delete(track.cover.name)
        track.cover.name = old_cover
        if isinstance(error, IntegrityError):
            raise DuplicateTrack(find_track(title=title, artist=artist)) from None
        raise
    # The old cover goes only once the new one is committed; until then the row still points to it.
    transaction.on_commit(lambda: storage.delete(old_cover))
    return track


@transaction.atomic
def approve_track(*, track: Track, reviewer: AbstractBaseUser | None = None) -> Track:
    """Make a track recommendable."""
    now = timezone.now()
    track.status = Track.Status.APPROVED
    track.approved_at = now
    record_review(track, reviewer, now)
    track_published.send(sender=Track, track=track)
    return track


@transaction.atomic
def reject_track(*, track: Track, reviewer: AbstractBaseUser | None = None) -> Track:
    return _withdraw(track, Track.Status.REJECTED, reviewer)


@transaction.atomic
def retire_track(*, track: Track, reviewer: AbstractBaseUser | None = None) -> Track:
    """Take a track out of the recommendations for good, keeping its history."""
    return _withdraw(track, Track.Status.RETIRED, reviewer)


def _withdraw(track: Track, status: str, reviewer: AbstractBaseUser | None) -> Track:
    was_live = track.status == Track.Status.APPROVED
    track.status = status
    record_review(track, reviewer, timezone.now())
    if was_live:
        track_withdrawn.send(sender=Track, track=track)
    return track


@transaction.atomic
def delete_track(*, track: Track) -> None:
    """Remove a track for good; its cover goes once the deletion has committed."""
    if track.status == Track.Status.APPROVED:
        track_withdrawn.send(sender=Track, track=track)
    cover, storage = track.cover.name, track.cover.storage
    track.delete()
    if cover:
        transaction.on_commit(lambda: storage.delete(cover))


def seed_catalogue(*, only_if_empty: bool = True) -> int:
    """Add the offline catalogue's songs as approved tracks; returns how many were added.

    Idempotent: a song already there (in any status) is left as it is. With only_if_empty, nothing is added once the
    catalogue has any track, so a seeded song that a curator deleted stays deleted.
    """
    if only_if_empty and Track.objects.exists():
        return 0
    present = set(Track.objects.values_list("title_key", "artist_key"))
    added = 0
    for song in catalogue_songs():
        if song.key in present:
            continue
        try:
            add_track(title=song.title, artist=song.artist, emotions=song.emotions, source=Track.Source.SEEDED,
                      status=Track.Status.APPROVED)
        except DuplicateTrack:
            continue  # another process seeded it meanwhile
        added += 1
    return added


def _emotions(emotions: Iterable[str]) -> list[str]:
    chosen = {Emotion(emotion).value for emotion in emotions}
    if not chosen:
        raise InvalidName("A track needs at least one emotion.")
    return [emotion for emotion in Emotion.values if emotion in chosen]


def _cover_jpeg(title: str, artist: str, emotions: list[str]) -> bytes:
    return encode_jpeg(draw_cover(title=title, artist=artist, emotions=emotions), quality=85)
