"""Suggestion runs: a suggester's answer becomes pending tracks, each song reported on its own; an answer that holds no
list of songs fails the run and stores nothing. Runs start as django-q2 tasks and from the command line."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from curation.models import SongSuggestionItem, SongSuggestionRun, Track
from curation.songs.services import seed_catalogue
from curation.songs.suggesters import SuggestionFailed
from curation.songs.suggestions import create_suggestion_run, queue_suggestion_run, run_suggestions
from tests.curation.curation_helpers import SCRIPTED_SONGS, ScriptedSuggester
from tests.factories import ApprovedTrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


def songs(*pairs: tuple[object, object]) -> str:
    return json.dumps({"songs": [{"title": title, "artist": artist} for title, artist in pairs]}, ensure_ascii=False)


def run(count: int = 10, emotion: str = "SAD") -> SongSuggestionRun:
    return run_suggestions(run=create_suggestion_run(emotion=emotion, count=count, backend=SCRIPTED_SONGS))


def outcomes(run: SongSuggestionRun) -> list[tuple[int, str, str]]:
    return [(item.index, item.outcome, item.message) for item in run.items.order_by("index")]


def test_good_songs_land_as_pending_tracks_of_the_runs_emotion(scripted_suggester: type[ScriptedSuggester]) -> None:
    scripted_suggester.answer = songs(("Fix You", "Coldplay"), ("눈의 꽃", "박효신"))
    finished = run()
    assert (finished.status, finished.error) == (SongSuggestionRun.Status.DONE, "")
    assert [outcome for _, outcome, _ in outcomes(finished)] == ["added", "added"]
    tracks = Track.objects.filter(suggestion_run=finished).order_by("id")
    assert [(t.title, t.artist, t.status, t.source, t.emotions) for t in tracks] == [
        ("Fix You", "Coldplay", "pending", "openai-compatible", ["SAD"]),
        ("눈의 꽃", "박효신", "pending", "openai-compatible", ["SAD"]),
    ]
    assert all(track.cover for track in tracks)
    assert finished.items.get(index=2).track == tracks[1]


def test_garbage_songs_are_reported_one_by_one_and_the_good_ones_still_land(
    scripted_suggester: type[ScriptedSuggester],
) -> None:
    existing = ApprovedTrackFactory(title="Someone Like You", artist="Adele")
    scripted_suggester.answer = json.dumps({"songs": [
        {"title": "Fix You", "artist": "Coldplay"},
        {"title": "", "artist": "Coldplay"},
        {"title": "Hurt"},
        "Yesterday by The Beatles",
        {"title": "x" * 500, "artist": "Nobody"},
        {"title": "fix  YOU", "artist": "coldplay"},
        {"title": "someone like you", "artist": "ADELE"},
        {"title": "Bad\u0000Title", "artist": "Someone"},
        {"title": ["Mad World"], "artist": "Gary Jules"},
    ]})
    finished = run()
    assert finished.status == SongSuggestionRun.Status.DONE
    assert outcomes(finished) == [
        (1, "added", ""),
        (2, "invalid", "The title is empty."),
        (3, "invalid", "The artist is missing."),
        (4, "invalid", "The item is a string, not an object with a title and an artist."),
        (5, "invalid", "The title is 500 characters long; at most 200 are allowed."),
        (6, "duplicate", "The same song as #1 of this answer."),
        (7, "duplicate", f"The catalogue already has this song as #{existing.pk} (approved)."),
        (8, "invalid", "The title contains a control character (U+0000)."),
        (9, "invalid", "The title is a list, not text."),
    ]
    assert Track.objects.count() == 2
    # What each refused item looked like is kept, cut to a length the list can show.
    assert finished.items.get(index=5).title == "x" * 199 + "…"
    assert finished.items.get(index=8).title == "Bad\\x00Title"
    assert finished.items.get(index=9).title == '["Mad World"]'


@pytest.mark.parametrize("answer", [
    "I'm sorry, I can't help with that.",
    '{"title": "Fix You", "artist": "Coldplay"}',
    '"Fix You by Coldplay"',
    "[" * 50_000,
])
def test_an_answer_that_is_not_a_list_of_songs_fails_the_run_and_stores_nothing(
    scripted_suggester: type[ScriptedSuggester], answer: str
) -> None:
    scripted_suggester.answer = answer
    finished = run()
    assert finished.status == SongSuggestionRun.Status.FAILED
    assert "not" in finished.error or "nested" in finished.error
    assert finished.answer == answer[:20_000]
    assert not finished.items.exists() and not Track.objects.exists()


def test_a_backend_failure_fails_the_run(scripted_suggester: type[ScriptedSuggester]) -> None:
    scripted_suggester.answer = SuggestionFailed("Bedrock model x failed: ThrottlingException: slow down")
    finished = run()
    assert (finished.status, finished.error) == ("failed", "Bedrock model x failed: ThrottlingException: slow down")
    assert finished.finished_at is not None


def test_songs_beyond_the_count_asked_for_are_skipped(scripted_suggester: type[ScriptedSuggester]) -> None:
    scripted_suggester.answer = songs(("A", "X"), ("A", "X"), ("B", "X"), ("C", "X"))
    finished = run(count=2)
    assert [outcome for _, outcome, _ in outcomes(finished)] == ["added", "duplicate", "added", "skipped"]
    assert Track.objects.count() == 2


def test_the_request_names_the_songs_already_known_for_the_emotion(
    scripted_suggester: type[ScriptedSuggester],
) -> None:
    TrackFactory(title="Fix You", artist="Coldplay", emotions=["SAD"])
    TrackFactory(title="Happy", artist="Pharrell Williams", emotions=["HAPPY"])
    run(count=5)
    request = scripted_suggester.requests[0]
    assert (request.emotion, request.count, list(request.known)) == ("SAD", 5, [("Fix You", "Coldplay")])


def test_a_run_is_not_run_twice(scripted_suggester: type[ScriptedSuggester]) -> None:
    scripted_suggester.answer = songs(("Fix You", "Coldplay"))
    finished = run()
    again = run_suggestions(run=finished)
    assert again.status == "done" and len(scripted_suggester.requests) == 1 and again.items.count() == 1


@pytest.mark.parametrize(("options", "reason"), [
    ({"backend": "song_suggestion.nowhere"}, "not a configured song suggester"),
    ({"backend": "image_generation"}, "not a configured song suggester"),
    ({"count": 0}, "1 to 50 songs"),
    ({"count": 51}, "1 to 50 songs"),
])
def test_a_run_must_ask_a_configured_suggester_for_a_sensible_count(options: dict, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        create_suggestion_run(**{"emotion": "SAD", "count": 5, **options})


def test_a_queued_run_is_a_task_started_once_the_transaction_commits(
    scripted_suggester: type[ScriptedSuggester], django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    scripted_suggester.answer = songs(("Fix You", "Coldplay"))
    suggestion_run = create_suggestion_run(emotion="SAD", count=3, backend=SCRIPTED_SONGS)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue_suggestion_run(run=suggestion_run)
        assert Track.objects.count() == 0  # nothing runs before the commit
    assert len(callbacks) == 1
    suggestion_run.refresh_from_db()
    assert suggestion_run.status == "done" and Track.objects.get().title == "Fix You"


def test_the_offline_catalogue_suggests_its_songs_that_are_not_in_the_database() -> None:
    ApprovedTrackFactory(title="Weightless", artist="Marconi Union", emotions=["CALM"])
    finished = run_suggestions(run=create_suggestion_run(emotion="CALM", count=3))
    added = Track.objects.filter(suggestion_run=finished).order_by("id")
    assert finished.status == "done"
    # In the file's order: "Here Comes the Sun" is listed under HAPPY before the CALM list starts.
    assert [(track.title, track.source, track.status) for track in added] == [
        ("Here Comes the Sun", "seeded", "pending"), ("Clair de lune", "seeded", "pending"),
        ("Gymnopédie No. 1", "seeded", "pending"),
    ]


def test_the_command_runs_a_suggestion_and_prints_each_song(scripted_suggester: type[ScriptedSuggester]) -> None:
    scripted_suggester.answer = songs(("Fix You", "Coldplay"), ("", "Nobody"))
    output = StringIO()
    call_command("suggest_songs", emotion="sad", count=5, backend=SCRIPTED_SONGS, stdout=output)
    printed = output.getvalue()
    assert "1 Added for review" in printed and "Fix You — Coldplay" in printed
    assert "2 Invalid" in printed and "(The title is empty.)" in printed
    assert "1 track(s) added for review" in printed


def test_the_command_fails_loudly_on_a_failed_run(scripted_suggester: type[ScriptedSuggester]) -> None:
    scripted_suggester.answer = "not json"
    with pytest.raises(CommandError, match="failed: The answer is not JSON"):
        call_command("suggest_songs", emotion="SAD", backend=SCRIPTED_SONGS, stdout=StringIO())
    with pytest.raises(CommandError, match="not a configured song suggester"):
        call_command("suggest_songs", emotion="SAD", backend="song_suggestion.nowhere", stdout=StringIO())


def test_the_command_can_hand_the_run_to_the_workers(
    scripted_suggester: type[ScriptedSuggester], django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    output = StringIO()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("suggest_songs", emotion="SAD", backend=SCRIPTED_SONGS, queue=True, stdout=output)
    assert "queued" in output.getvalue() and len(callbacks) == 1
    assert SongSuggestionRun.objects.get().status == "queued"
    assert not SongSuggestionItem.objects.exists()


def test_the_offline_catalogue_says_so_when_it_has_nothing_left_to_suggest() -> None:
    seed_catalogue()
    finished = run_suggestions(run=create_suggestion_run(emotion="FEAR", count=3))
    assert finished.status == "failed" and "no song of this emotion left" in finished.error
