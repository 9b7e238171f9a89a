"""Suggestion runs: ask a suggester for songs of an emotion and turn its answer into pending tracks for a curator.

Each song of the answer becomes an item of the run: added (a pending track with its cover), a duplicate (of the
catalogue or of an earlier song of the same answer), invalid (with the reason), or skipped (beyond the count asked
for). An answer with no list of songs fails the run and stores nothing. A track and its item are stored together.
"""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from curation.models import SongSuggestionItem, SongSuggestionRun, Track, TrackEmotion
from curation.songs.answers import check_song, read_songs, shown
from curation.songs.names import ARTIST_MAX, TITLE_MAX, InvalidName
from curation.songs.services import DuplicateTrack, add_track
from curation.songs.suggesters import (
    DEFAULT_SUGGESTER,
    SongSuggester,
    SuggestionFailed,
    SuggestionRequest,
    available_suggesters,
    song_suggester,
)
from emotion_garden.vocabulary import Emotion

logger = logging.getLogger(__name__)

MAX_RUN_SONGS = 50
# The songs of the emotion named in the request, newest first: enough to steer a model away from repeating the
# catalogue without making the prompt long.
MAX_KNOWN_IN_REQUEST = 100
# The answer is kept for the curator to read; its beginning says what went wrong with a garbled one.
ANSWER_KEPT_CHARS = 20_000


def create_suggestion_run(
    *, emotion: Emotion, count: int, backend: str = DEFAULT_SUGGESTER, created_by: AbstractBaseUser | None = None
) -> SongSuggestionRun:
    """A run asking `backend` for `count` songs of `emotion`; start it with queue_suggestion_run()."""
    if backend not in available_suggesters():
        raise ValueError(f"{backend!r} is not a configured song suggester.")
    if not 1 <= count <= MAX_RUN_SONGS:
        raise ValueError(f"A run asks for 1 to {MAX_RUN_SONGS} songs, not {count}.")
    return SongSuggestionRun.objects.create(
        emotion=Emotion(emotion), count=count, backend=backend,
        created_by=created_by if created_by and created_by.is_authenticated else None,
    )


def queue_suggestion_run(*, run: SongSuggestionRun) -> None:
    """Run it in a django-q2 worker once the current transaction has committed."""
    transaction.on_commit(
        lambda: async_task("curation.tasks.run_song_suggestions", run.pk, task_name=f"song-suggestions-{run.pk}")
    )


def run_suggestions(*, run: SongSuggestionRun) -> SongSuggestionRun:
    """Ask the run's suggester and store what it answered. A run already started elsewhere is left alone."""
    started = SongSuggestionRun.objects.filter(pk=run.pk, status=SongSuggestionRun.Status.QUEUED).update(
        status=SongSuggestionRun.Status.RUNNING, started_at=timezone.now()
    )
    run.refresh_from_db()
    if not started:
        return run
    try:
        suggester = song_suggester(run.backend)
        answer = suggester.suggest(_request(run))
        run.answer = answer[:ANSWER_KEPT_CHARS]
        songs = read_songs(answer)
    except SuggestionFailed as error:
        logger.warning("Song suggestion run %s failed: %s", run.pk, error)
        return _finish(run, SongSuggestionRun.Status.FAILED, error=str(error))
    except Exception as error:
        # Reported on the run (a curator sees it), then re-raised for the task's own log.
        _finish(run, SongSuggestionRun.Status.FAILED, error=f"Unexpected error: {type(error).__name__}: {error}")
        raise
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(songs, start=1):
        _store_item(run, suggester, index, item, seen)
    return _finish(run, SongSuggestionRun.Status.DONE)


def _request(run: SongSuggestionRun) -> SuggestionRequest:
    known = (Track.objects.filter(pk__in=TrackEmotion.objects.filter(emotion=run.emotion).values("track"))
             .order_by("-created_at").values_list("title", "artist")[:MAX_KNOWN_IN_REQUEST])
    return SuggestionRequest(emotion=Emotion(run.emotion), count=run.count, known=list(known))


def _store_item(
    run: SongSuggestionRun, suggester: SongSuggester, index: int, item: object, seen: dict[tuple[str, str], int]
) -> None:
    raw = item if isinstance(item, dict) else {}
    result = SongSuggestionItem(run=run, index=index, title=shown(raw.get("title"), TITLE_MAX),
                                artist=shown(raw.get("artist"), ARTIST_MAX))
    Outcome = SongSuggestionItem.Outcome
    try:
        song = check_song(item)
    except InvalidName as error:
        return _record(result, Outcome.INVALID, str(error))
    result.title, result.artist = song.title, song.artist
    if (first := seen.get(song.key)) is not None:
        return _record(result, Outcome.DUPLICATE, f"The same song as #{first} of this answer.")
    seen[song.key] = index
    if len(seen) > run.count:
        return _record(result, Outcome.SKIPPED, f"More songs than the {run.count} asked for.")
    try:
        with transaction.atomic():
            result.track = add_track(title=song.title, artist=song.artist, emotions=[run.emotion],
                                     source=Track.Source(suggester.source), suggestion_run=run)
            _record(result, Outcome.ADDED)
    except DuplicateTrack as duplicate:
        _record(result, Outcome.DUPLICATE, str(duplicate))
    except InvalidName as error:
        _record(result, Outcome.INVALID, str(error))


def _record(result: SongSuggestionItem, outcome: SongSuggestionItem.Outcome, message: str = "") -> None:
    result.outcome, result.message = outcome, message
    result.save()


def _finish(run: SongSuggestionRun, status: SongSuggestionRun.Status, *, error: str = "") -> SongSuggestionRun:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.save(update_fields=["status", "error", "answer", "finished_at"])
    return run
