"""Tracks as the engine's second kind of item: their own events, counters and served answers, cold start per emotion
and segment, the mood response, personal picks from song likes, and the catalogue's signals."""

import io
from typing import Any

import pytest
from django.core.management import call_command

from curation.models import Track
from curation.songs.services import add_track, approve_track, retire_track
from gallery.models import FaceUser
from recommender import song_selectors
from recommender.engines import recommender_engine
from recommender.engines.base import Context
from recommender.engines.local import LocalRecommender
from recommender.history import visitor_events
from recommender.items import TRACKS, load_catalogue
from recommender.models import (
    Interaction,
    ItemContent,
    SegmentStat,
    ServedPage,
    TrackInteraction,
    TrackSegmentStat,
)
from recommender.services import InteractionRejected, record_interaction
from tests.factories import ApprovedImageFactory, ApprovedTrackFactory, FaceUserFactory, TrackFactory

pytestmark = pytest.mark.django_db


def track_engine(**options: Any) -> LocalRecommender:
    return LocalRecommender(kind="track", taste={"exploration": 0}, counters_cache_seconds=0, state_check_seconds=0,
                            **options)


def like_track(track_id: int, *, face_user: FaceUser | None = None, shown: list[int] | None = None,
               emotion: str = "") -> TrackInteraction:
    return record_interaction(event=Interaction.Event.LIKE, track_id=track_id,
                              visitor=face_user.as_visitor() if face_user else None,
                              impression_ids=shown or [], emotion=emotion).interaction


def test_a_track_like_is_a_track_event_with_track_counters_and_leaves_the_images_alone() -> None:
    shown = ApprovedTrackFactory.create_batch(3, emotions=["CALM"])
    person = FaceUserFactory(gender="Female", age_low=25, age_high=30)
    event = like_track(shown[0].id, face_user=person, shown=[track.id for track in shown], emotion="FEAR")
    assert isinstance(event, TrackInteraction) and event.impression_ids == sorted(track.id for track in shown)
    stats = {(stat.segment, stat.track_id): (stat.impressions, stat.likes) for stat in TrackSegmentStat.objects.all()}
    assert stats[("FEAR|Female|adult", shown[0].id)] == (1, 1)
    assert stats[("FEAR|Female|adult", shown[1].id)] == (1, 0)
    assert not Interaction.objects.exists() and not SegmentStat.objects.exists()


@pytest.mark.parametrize(("status", "code"), [(Track.Status.PENDING, "unknown_track"),  # never released
                                              (Track.Status.RETIRED, "track_not_live")])
def test_only_live_tracks_can_be_liked(status: Track.Status, code: str) -> None:
    track = TrackFactory(status=status)
    with pytest.raises(InteractionRejected) as rejected:
        like_track(track.id)
    assert rejected.value.code == code


def test_an_image_id_is_not_a_track() -> None:
    image = ApprovedImageFactory()
    with pytest.raises(InteractionRejected) as rejected:
        like_track(image.id + 1000)
    assert rejected.value.code == "unknown_track"
    with pytest.raises(ValueError, match="an image or a track"):
        record_interaction(event=Interaction.Event.LIKE, image_id=image.id, track_id=image.id)


def test_cold_start_mirrors_the_emotion_then_learns_what_a_mood_wants() -> None:
    fearful = ApprovedTrackFactory.create_batch(3, emotions=["FEAR"])
    calm = ApprovedTrackFactory.create_batch(3, emotions=["CALM"])
    engine = track_engine()
    first = engine.recommend(face_user_id=None, context=Context("FEAR"), n=3)
    assert {item.image_id for item in first} == {track.id for track in fearful}
    assert {item.reason_code for item in first} == {"new"}
    # Fearful visitors keep liking calm songs over the fearful ones shown beside them.
    for _ in range(8):
        for song in calm:
            like_track(song.id, shown=[song.id, *(track.id for track in fearful)], emotion="FEAR")
    learned = engine.recommend(face_user_id=None, context=Context("FEAR"), n=3)
    assert {item.image_id for item in learned} == {track.id for track in calm}
    assert learned[0].reason == "calm songs please fear visitors"


def test_personal_picks_follow_the_persons_song_likes() -> None:
    person = FaceUserFactory()
    # Created first, so that without the person's taste a tie would go to one of them.
    others = ApprovedTrackFactory.create_batch(4, artist="Morning Larks", emotions=["HAPPY"])
    theirs = ApprovedTrackFactory.create_batch(4, artist="Night Owls", emotions=["HAPPY"])
    for song in theirs[:3]:
        like_track(song.id, face_user=person, shown=[song.id, others[0].id], emotion="HAPPY")
    picks = track_engine().recommend(face_user_id=person.id, context=Context("HAPPY"), n=1,
                                     exclude=[song.id for song in theirs[:3]])
    assert [item.image_id for item in picks] == [theirs[3].id]
    anonymous = track_engine().recommend(face_user_id=None, context=Context("HAPPY"), n=1,
                                         exclude=[song.id for song in theirs[:3]])
    assert anonymous[0].image_id in {song.id for song in others}


def test_songs_answer_is_recorded_as_a_track_page_and_counts_impressions() -> None:
    ApprovedTrackFactory.create_batch(4, emotions=["SAD"])
    person = FaceUserFactory()
    answer = song_selectors.songs(emotion="SAD", visitor=person.as_visitor(), n=3)
    assert [item.rank for item in answer.items] == [1, 2, 3]
    page = ServedPage.objects.get(pk=answer.recommendation_id)
    assert (page.kind, page.item_ids) == ("track", [item.track.pk for item in answer.items])
    assert TrackSegmentStat.objects.filter(segment="SAD", impressions=1).count() == 3
    # The page counts as shown in the person's song history, never in their images'.
    assert set(visitor_events(person.id, kind=TRACKS).exposures) == {item.track.pk for item in answer.items}
    assert visitor_events(person.id).exposures == {}


def test_the_catalogues_signals_reach_the_songs_engine() -> None:
    track = add_track(title="Weightless", artist="Marconi Union", emotions=["CALM", "FEAR"],
                      source=Track.Source.CURATOR)
    engine = recommender_engine(TRACKS.name)
    assert engine.recommend(face_user_id=None, context=Context("CALM"), n=5) == []
    approve_track(track=track)
    content = ItemContent.objects.get(kind="track", item_id=track.pk)
    assert (content.emotion, content.prompt_words) == ("CALM", "weightless marconi union calm fear")
    assert [item.image_id for item in engine.recommend(face_user_id=None, context=Context("CALM"), n=5)] == [track.pk]
    retire_track(track=track)
    assert engine.recommend(face_user_id=None, context=Context("CALM"), n=5) == []


def test_the_track_catalogue_ranks_a_track_by_its_first_emotion_and_knows_all_its_words() -> None:
    tagged = ApprovedTrackFactory(title="Blue Monday", artist="New Order", emotions=["SAD", "HAPPY"])
    catalogue = load_catalogue(kind=TRACKS)
    assert catalogue.ids.tolist() == [tagged.pk]
    assert catalogue.emotions.tolist() == [0]  # HAPPY comes first in the vocabulary


def test_compute_item_content_backfills_tracks_approved_before_it_existed() -> None:
    older = ApprovedTrackFactory.create_batch(2, emotions=["SAD"])  # factories send no signal: no content yet
    out = io.StringIO()
    call_command("compute_item_content", "--kind", "track", stdout=out)
    assert out.getvalue().strip() == "Stored the content of 2 tracks."
    assert set(ItemContent.objects.filter(kind="track").values_list("item_id", flat=True)) == {
        track.pk for track in older}
