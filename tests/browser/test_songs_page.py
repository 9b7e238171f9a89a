"""Songs for the mood on the gallery page, in Chromium: a photo -> songs with covers and links, liked from the
keyboard, more songs, and the same songs in Korean after the language switch."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from curation.models import Track
from curation.songs.services import add_track
from gallery.models import FaceUser
from recommender.models import ServedPage, TrackInteraction

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

Screenshot = Callable[[Page, str], None]  # the `screenshot` fixture

SONGS = [("Happy", "Pharrell Williams", "HAPPY"), ("Here Comes the Sun", "The Beatles", "HAPPY"),
         ("Dynamite", "BTS", "HAPPY"), ("좋은 날", "IU", "HAPPY"), ("Lovely Day", "Bill Withers", "HAPPY"),
         ("Weightless", "Marconi Union", "CALM")]


@pytest.fixture
def songs(transactional_db: None) -> list[Track]:
    """Approved songs with their generated covers, through the catalogue's own service (and so its signals)."""
    return [add_track(title=title, artist=artist, emotions=[emotion], source=Track.Source.SEEDED,
                      status=Track.Status.APPROVED) for title, artist, emotion in SONGS]


def shown_songs(page: Page) -> list[int]:
    items = page.locator("#song-list .song")
    expect(items).to_have_count(3)
    return [int(item.get_attribute("data-track") or 0) for item in items.all()]


def test_songs_for_the_mood_liked_from_the_keyboard_and_in_korean(
    page: Page, songs: list[Track], astronaut_file: Path, screenshot: Screenshot
) -> None:
    page.goto("/")
    expect(page.locator("#songs")).to_be_hidden()
    page.locator("#photo-input").set_input_files(astronaut_file)
    page.get_by_role("dialog").get_by_role("button", name="Remember me").click()
    expect(page.locator("#dominant-label")).to_have_text("Happy")

    expect(page.get_by_role("heading", name="Songs for your mood")).to_be_visible()
    first = shown_songs(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#song-list img')].every((img) => img.complete && img.naturalWidth > 0)")
    track = Track.objects.get(pk=first[0])
    item = page.locator(f'#song-list .song[data-track="{first[0]}"]')
    expect(item).to_contain_text(track.title)
    expect(item).to_contain_text(track.artist)
    expect(item.get_by_role("link", name=re.compile("^Listen on YouTube"))).to_have_attribute("href", track.link)
    expect(item.locator(".reason")).to_have_text("New song")

    # Keyboard only: Tab reaches the like button, Enter presses it.
    like = item.get_by_role("button", name=re.compile("^Like"))
    item.get_by_role("link", name=re.compile("^Listen on YouTube")).focus()
    page.keyboard.press("Tab")
    expect(like).to_be_focused()
    with page.expect_response("**/api/v1/like") as liked:
        page.keyboard.press("Enter")
    assert liked.value.status == 201
    expect(like).to_have_attribute("aria-pressed", "true")
    event = TrackInteraction.objects.get()
    assert (event.track_id, event.face_user_id, event.emotion) == (first[0], FaceUser.objects.get().pk, "HAPPY")
    assert sorted(event.impressions.values_list("pk", flat=True)) == sorted(first)
    assert ServedPage.objects.get(pk=event.recommendation_id).item_ids == first
    screenshot(page, "songs-for-your-mood")

    page.get_by_role("button", name="More songs").focus()
    page.keyboard.press("Space")
    expect(page.locator(f'#song-list .song[data-track="{first[0]}"]')).to_have_count(0)
    more = shown_songs(page)
    assert not set(more) & set(first)

    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="한국어").click()
    expect(page.get_by_role("heading", name="기분에 맞는 노래")).to_be_visible()
    assert shown_songs(page) == more  # the songs on screen stay through the switch
    expect(page.locator("#song-list .like").first).to_have_text(re.compile("^좋아요"))
    expect(page.get_by_role("button", name="노래 더 보기")).to_be_visible()
    screenshot(page, "songs-korean")
