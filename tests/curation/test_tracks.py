"""Tracks: adding one with its cover, one song once whatever its spelling, editing while pending, the review
lifecycle and the signals the recommender will listen to, and deleting with the cover."""

from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError
from PIL import Image as PillowImage

from curation.models import Track
from curation.signals import track_published, track_withdrawn
from curation.songs import services
from curation.songs.covers import SIZE
from curation.songs.names import InvalidName
from curation.songs.services import DuplicateTrack, add_track, update_track
from tests.factories import ApprovedTrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals() -> Iterator[list[tuple[str, int]]]:
    sent: list[tuple[str, int]] = []

    def published(sender: type, track: Track, **kwargs: object) -> None:
        sent.append(("published", track.pk))

    def withdrawn(sender: type, track: Track, **kwargs: object) -> None:
        sent.append(("withdrawn", track.pk))

    track_published.connect(published)
    track_withdrawn.connect(withdrawn)
    yield sent
    track_published.disconnect(published)
    track_withdrawn.disconnect(withdrawn)


def test_a_new_track_has_its_cover_emotions_and_link() -> None:
    track = add_track(title="  밤편지 ", artist="IU", emotions=["SAD", "CALM", "CALM"], source=Track.Source.CURATOR)
    track.refresh_from_db()
    assert (track.title, track.artist, track.status) == ("밤편지", "IU", Track.Status.PENDING)
    assert track.emotions == ["SAD", "CALM"]
    assert track.link == "https://www.youtube.com/results?search_query=IU+%EB%B0%A4%ED%8E%B8%EC%A7%80"
    with track.cover.open() as cover:
        assert PillowImage.open(cover).size == (SIZE, SIZE)


def test_one_song_is_one_track_whatever_its_case_or_spacing() -> None:
    first = add_track(title="Fix You", artist="Coldplay", emotions=["SAD"], source=Track.Source.SEEDED)
    with pytest.raises(DuplicateTrack, match=f"#{first.pk} \\(pending review\\)"):
        add_track(title="FIX  you", artist="coldplay ", emotions=["CALM"], source=Track.Source.CURATOR)
    assert Track.objects.count() == 1


def test_the_database_refuses_a_duplicate_that_skips_the_services() -> None:
    TrackFactory(title="Fix You", artist="Coldplay")
    with pytest.raises(IntegrityError):
        TrackFactory(title="fix you", artist="COLDPLAY")


def test_a_refused_track_leaves_no_row_and_no_cover_file(settings) -> None:  # noqa: ANN001
    covers_before = _cover_files()
    with pytest.raises(InvalidName, match="at least one emotion"):
        add_track(title="Fix You", artist="Coldplay", emotions=[], source=Track.Source.CURATOR)
    with pytest.raises(InvalidName, match="The title is empty"):
        add_track(title=" ", artist="Coldplay", emotions=["SAD"], source=Track.Source.CURATOR)
    with mock.patch.object(Track, "save", side_effect=RuntimeError("database went away")), \
            pytest.raises(RuntimeError):
        add_track(title="Fix You", artist="Coldplay", emotions=["SAD"], source=Track.Source.CURATOR)
    assert not Track.objects.exists()
    assert _cover_files() == covers_before


def test_a_duplicate_added_by_a_concurrent_writer_is_reported_and_leaves_no_file() -> None:
    covers_before = _cover_files()
    with mock.patch.object(services, "find_track", return_value=None), pytest.raises(DuplicateTrack):
        TrackFactory(title="Fix You", artist="Coldplay")
        add_track(title="Fix You", artist="Coldplay", emotions=["SAD"], source=Track.Source.CURATOR)
    assert Track.objects.count() == 1
    assert len(_cover_files()) == len(covers_before) + 1  # the factory's own


def test_a_pending_track_is_edited_with_a_new_cover_and_the_old_one_goes(
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    track = add_track(title="Fix Yuo", artist="Coldplay", emotions=["SAD"], source=Track.Source.OPENAI_COMPATIBLE)
    old_cover = track.cover.name
    with django_capture_on_commit_callbacks(execute=True):
        update_track(track=track, title="Fix You", artist="Coldplay", emotions=["CALM", "SAD"])
    track.refresh_from_db()
    assert (track.title, track.emotions, track.title_key) == ("Fix You", ["SAD", "CALM"], "fix you")
    assert track.cover.name != old_cover
    assert not default_storage.exists(old_cover) and default_storage.exists(track.cover.name)


def test_an_edit_into_another_song_or_of_a_reviewed_track_is_refused() -> None:
    TrackFactory(title="Yellow", artist="Coldplay")
    pending = TrackFactory(title="Fix You", artist="Coldplay")
    with pytest.raises(DuplicateTrack):
        update_track(track=pending, title="yellow", artist="Coldplay", emotions=["SAD"])
    with pytest.raises(InvalidName, match="Only a track waiting for review"):
        update_track(track=ApprovedTrackFactory(), title="Other", artist="Someone", emotions=["SAD"])
    pending.refresh_from_db()
    assert pending.title == "Fix You"


def test_the_review_lifecycle_announces_what_becomes_live_and_what_leaves(
    signals: list[tuple[str, int]], curator,  # noqa: ANN001
) -> None:
    track = TrackFactory()
    services.approve_track(track=track, reviewer=curator)
    track.refresh_from_db()
    assert (track.status, track.reviewed_by, track.approved_at is not None) == ("approved", curator, True)
    services.retire_track(track=track, reviewer=curator)
    services.retire_track(track=track, reviewer=curator)  # retiring a retired track announces nothing again
    rejected = services.reject_track(track=TrackFactory(), reviewer=curator)
    assert rejected.status == Track.Status.REJECTED
    assert signals == [("published", track.pk), ("withdrawn", track.pk)]


def test_rejecting_a_live_track_and_deleting_one_withdraw_it(
    signals: list[tuple[str, int]], django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    live, other = ApprovedTrackFactory(), ApprovedTrackFactory()
    services.reject_track(track=live)
    cover, other_id = other.cover.name, other.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_track(track=other)
    assert signals == [("withdrawn", live.pk), ("withdrawn", other_id)]
    assert not Track.objects.filter(pk=other_id).exists() and not default_storage.exists(cover)


def _cover_files() -> set[str]:
    return set(default_storage.listdir("covers")[1]) if default_storage.exists("covers") else set()
