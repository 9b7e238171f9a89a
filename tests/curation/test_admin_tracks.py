"""Tracks and song-suggestion runs in the admin: the review list, bulk decisions for curators only, adding and
correcting songs through the services, and starting a run and reading its per-song results."""

import pytest
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from curation.models import SongSuggestionRun, Track
from curation.songs.suggestions import create_suggestion_run, run_suggestions
from tests.curation.curation_helpers import SCRIPTED_SONGS, ScriptedSuggester
from tests.factories import ApprovedTrackFactory, TrackFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:curation_track_changelist")
ADD = reverse("admin:curation_track_add")
RUNS = reverse("admin:curation_songsuggestionrun_changelist")
ADD_RUN = reverse("admin:curation_songsuggestionrun_add")


def listed(client: Client, query: str = "") -> set[int]:
    response = client.get(f"{CHANGELIST}{query}")
    assert response.status_code == 200
    return {track.pk for track in response.context["cl"].result_list}


def run_action(client: Client, action: str, tracks: list[Track]) -> int:
    return client.post(f"{CHANGELIST}?status=all", {
        "action": action, "_selected_action": [track.pk for track in tracks]
    }).status_code


@pytest.mark.parametrize("page", [CHANGELIST, ADD, RUNS, ADD_RUN])
def test_curators_reach_every_song_page(curator_client: Client, page: str) -> None:
    assert curator_client.get(page).status_code == 200


def test_the_list_shows_pending_tracks_with_covers_and_a_search_link_to_check_them(curator_client: Client) -> None:
    pending, approved = TrackFactory(title="Fix You", artist="Coldplay"), ApprovedTrackFactory()
    assert listed(curator_client) == {pending.pk}
    assert listed(curator_client, "?status=all") == {pending.pk, approved.pk}
    page = curator_client.get(CHANGELIST).content.decode()
    assert pending.cover.url in page
    assert 'href="https://www.youtube.com/results?search_query=Coldplay+Fix+You"' in page
    assert ADD_RUN in page  # "Suggest songs"


def test_filters_and_search(curator_client: Client) -> None:
    run = create_suggestion_run(emotion="SAD", count=1)
    sad = TrackFactory(title="Fix You", artist="Coldplay", emotions=["SAD", "CALM"], suggestion_run=run)
    fear = TrackFactory(title="Thriller", artist="Michael Jackson", emotions=["FEAR"], source=Track.Source.SEEDED)
    assert listed(curator_client, "?emotion=CALM") == {sad.pk}
    assert listed(curator_client, "?emotion=FEAR") == {fear.pk}
    assert listed(curator_client, "?source__exact=seeded") == {fear.pk}
    assert listed(curator_client, f"?suggestion_run__id__exact={run.pk}") == {sad.pk}
    assert listed(curator_client, "?q=coldplay") == {sad.pk}
    assert listed(curator_client, "?q=thrill") == {fear.pk}


def test_curators_approve_reject_and_retire_in_bulk(curator_client: Client, curator: AbstractBaseUser) -> None:
    first, second, third = TrackFactory(), TrackFactory(), TrackFactory()
    assert run_action(curator_client, "approve", [first, second]) == 302
    assert run_action(curator_client, "reject", [third]) == 302
    assert run_action(curator_client, "retire", [second]) == 302
    statuses = {track.pk: (track.status, track.reviewed_by) for track in Track.objects.all()}
    assert statuses == {first.pk: ("approved", curator), second.pk: ("retired", curator),
                        third.pk: ("rejected", curator)}


def test_staff_without_the_review_permission_cannot_decide(client: Client, staff: AbstractBaseUser) -> None:
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_track", "change_track"]))
    client.force_login(staff)
    track = TrackFactory()
    assert client.get(CHANGELIST).context["action_form"] is None  # no decisions to offer
    run_action(client, "approve", [track])
    track.refresh_from_db()
    assert track.status == Track.Status.PENDING


def test_a_curator_adds_a_song_as_a_pending_track_with_its_cover(curator_client: Client) -> None:
    response = curator_client.post(ADD, {"title": " 여수 밤바다 ", "artist": "버스커 버스커",
                                         "emotions": ["CALM", "SAD"]})
    assert response.status_code == 302
    track = Track.objects.get()
    assert (track.title, track.source, track.status, track.emotions) == (
        "여수 밤바다", "curator", "pending", ["SAD", "CALM"])
    assert default_storage.exists(track.cover.name)


@pytest.mark.parametrize(("form", "error"), [
    ({"title": "fix  YOU", "artist": "coldplay", "emotions": ["SAD"]}, "already has this song"),
    ({"title": "   ", "artist": "Coldplay", "emotions": ["SAD"]}, "This field is required"),
    ({"title": "Bad\u0007Title", "artist": "Coldplay", "emotions": ["SAD"]}, "control character"),
    ({"title": "Yellow", "artist": "Coldplay", "emotions": []}, "This field is required"),
])
def test_a_bad_song_is_refused_on_the_form(curator_client: Client, form: dict, error: str) -> None:
    TrackFactory(title="Fix You", artist="Coldplay")
    response = curator_client.post(ADD, form)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Track.objects.count() == 1


def test_a_pending_track_is_corrected_and_a_reviewed_one_is_read_only(curator_client: Client) -> None:
    pending, approved = TrackFactory(title="Fix Yuo", artist="Coldplay"), ApprovedTrackFactory(title="Yellow")
    change = reverse("admin:curation_track_change", args=[pending.pk])
    response = curator_client.post(change, {"title": "Fix You", "artist": "Coldplay", "emotions": ["SAD"]})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.title, pending.emotions) == ("Fix You", ["SAD"])
    reviewed = reverse("admin:curation_track_change", args=[approved.pk])
    page = curator_client.get(reviewed).content.decode()
    assert 'name="title"' not in page and "Happy" in page  # its emotions, read-only
    assert curator_client.post(reviewed, {"title": "Changed", "artist": "Someone", "emotions": ["SAD"]}
                               ).status_code == 403
    approved.refresh_from_db()
    assert approved.title == "Yellow"


def test_deleting_a_track_removes_its_cover(curator_client: Client, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    track = TrackFactory()
    cover = track.cover.name
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(reverse("admin:curation_track_delete", args=[track.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Track.objects.exists() and not default_storage.exists(cover)


def test_a_curator_starts_a_run_and_reads_what_became_of_each_song(
    curator_client: Client, scripted_suggester: type[ScriptedSuggester],
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    scripted_suggester.answer = '{"songs": [{"title": "Fix You", "artist": "Coldplay"}, {"title": "Hurt"}]}'
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(ADD_RUN, {"emotion": "SAD", "count": 5, "backend": SCRIPTED_SONGS})
    run = SongSuggestionRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:curation_songsuggestionrun_change",
                                                                   args=[run.pk])
    assert run.status == "done" and run.created_by is not None
    page = curator_client.get(response.url).content.decode()
    assert "Added for review" in page and "The artist is missing." in page
    assert 'http-equiv="refresh"' not in page  # finished: no more reloading
    assert "Review the tracks it added" in page and '{&quot;songs&quot;' in page
    listing = curator_client.get(RUNS)
    assert [(row.added_count, row.refused_count) for row in listing.context["cl"].result_list] == [(1, 1)]


def test_a_run_page_reloads_while_the_run_is_queued(curator_client: Client) -> None:
    run = create_suggestion_run(emotion="SAD", count=5)
    page = curator_client.get(reverse("admin:curation_songsuggestionrun_change", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' in page
    run_suggestions(run=run)


def test_a_run_form_refuses_what_the_service_refuses(curator_client: Client) -> None:
    response = curator_client.post(ADD_RUN, {"emotion": "SAD", "count": 500, "backend": "song_suggestion"})
    assert response.status_code == 200 and not SongSuggestionRun.objects.exists()
    response = curator_client.post(ADD_RUN, {"emotion": "SAD", "count": 5, "backend": "song_suggestion.nowhere"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_curators_have_the_track_permissions_and_plain_staff_does_not(
    curator: AbstractBaseUser, staff: AbstractBaseUser
) -> None:
    assert curator.has_perm("curation.review_track") and curator.has_perm("curation.add_songsuggestionrun")
    assert not staff.has_perm("curation.review_track")
