"""Faults an outside tester found in the curators' admin: a correction that collides with another image's name, a
curator deleting the recommender's counters directly, and an action's selection that names no row."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from curation.models import Image, Track
from gallery.models import ReferencePerson
from recommender.models import SegmentStat
from tests.factories import ApprovedImageFactory, ImageFactory, TrackFactory

pytestmark = pytest.mark.django_db

IMAGES = reverse("admin:curation_image_changelist")
TRACKS = reverse("admin:curation_track_changelist")
NOT_IDS = ["abc", "1.5", "", "\x00", "99999999999999999999", "²"]


def messages_of(client: Client) -> list[str]:
    return [str(message) for message in client.get(IMAGES).context["messages"]]


# --- F1: a correction in the change form that collides with another image -------------------------------------------


@pytest.mark.parametrize("theme", ["", "Rainy,Spring"])
def test_a_correction_that_repeats_another_images_name_is_refused_on_the_form(
    curator_client: Client, theme: str
) -> None:
    ApprovedImageFactory(emotion="CALM", theme="spring,rainy" if theme else "", name="same.jpeg")
    live = ApprovedImageFactory(emotion="SAD", theme="", name="same.jpeg")
    page = curator_client.post(reverse("admin:curation_image_change", args=[live.pk]),
                               {"emotion": "CALM", "theme": theme})
    assert page.status_code == 200
    assert "already exists" in page.content.decode()
    assert page.context["adminform"].form.non_field_errors()
    live.refresh_from_db()
    assert (live.emotion, live.theme) == ("SAD", "")


def test_a_correction_that_collides_with_nothing_still_saves(curator_client: Client) -> None:
    ApprovedImageFactory(emotion="CALM", theme="", name="other.jpeg")
    live = ApprovedImageFactory(emotion="SAD", theme="", name="same.jpeg")
    response = curator_client.post(reverse("admin:curation_image_change", args=[live.pk]),
                                   {"emotion": "CALM", "theme": ""})
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.emotion == "CALM"


# --- F2: the recommender's counters go only with their image --------------------------------------------------------


def test_a_curator_cannot_delete_counters_by_themselves(curator_client: Client) -> None:
    stat = SegmentStat.objects.create(image=ApprovedImageFactory(), segment="*", impressions=3, likes=1)
    delete = reverse("admin:recommender_segmentstat_delete", args=[stat.pk])
    assert curator_client.get(delete).status_code == 403
    assert curator_client.post(delete, {"post": "yes"}).status_code == 403
    assert SegmentStat.objects.filter(pk=stat.pk).exists()


def test_a_curator_still_deletes_an_image_with_its_counters(curator_client: Client) -> None:
    image = ApprovedImageFactory()
    SegmentStat.objects.create(image=image, segment="*", impressions=3, likes=1)
    delete = reverse("admin:curation_image_delete", args=[image.pk])
    page = curator_client.get(delete)
    assert page.status_code == 200 and not page.context["perms_lacking"]
    assert curator_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Image.objects.filter(pk=image.pk).exists() and not SegmentStat.objects.exists()


def test_whoever_holds_the_counters_permission_may_still_delete_them(client: Client) -> None:
    client.force_login(get_user_model().objects.create_superuser("admin", password="pw"))
    stat = SegmentStat.objects.create(image=ApprovedImageFactory(), segment="*", impressions=3, likes=1)
    delete = reverse("admin:recommender_segmentstat_delete", args=[stat.pk])
    assert client.get(delete).status_code == 200
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not SegmentStat.objects.exists()


# --- F7: an action whose selection names something that is not a row ------------------------------------------------


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("action", ["approve", "retire", "delete_selected", "correct"])
def test_an_image_action_on_a_selection_that_is_not_ids_changes_nothing(
    curator_client: Client, action: str, value: str
) -> None:
    pending, live = ImageFactory(emotion="HAPPY"), ApprovedImageFactory(emotion="HAPPY")
    response = curator_client.post(f"{IMAGES}?status=all", {
        "action": action, "_selected_action": [pending.pk, live.pk, value], "index": 0, "post": "yes",
        "emotion": "SAD", "apply": "1",
    })
    assert response.status_code == 302
    assert any("No items have been changed" in message for message in messages_of(curator_client))
    assert sorted(Image.objects.values_list("status", "emotion")) == [("approved", "HAPPY"), ("pending", "HAPPY")]


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("action", ["approve", "retire", "delete_selected"])
def test_a_track_action_on_a_selection_that_is_not_ids_changes_nothing(
    curator_client: Client, action: str, value: str
) -> None:
    track = TrackFactory()
    response = curator_client.post(f"{TRACKS}?status=all", {
        "action": action, "_selected_action": [track.pk, value], "index": 0, "post": "yes",
    })
    assert response.status_code == 302
    assert list(Track.objects.values_list("status", flat=True)) == [Track.Status.PENDING]


def test_an_action_on_real_ids_still_works(curator_client: Client) -> None:
    pending = ImageFactory()
    response = curator_client.post(f"{IMAGES}?status=all", {
        "action": "approve", "_selected_action": [str(pending.pk)], "index": 0})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Image.Status.APPROVED


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_reference_people_action_on_a_selection_that_is_not_ids_changes_nothing(
    curator_client: Client, value: str
) -> None:
    person = ReferencePerson.objects.create(name="Grace Hopper")
    response = curator_client.post("/admin/gallery/referenceperson/", {
        "action": "delete_selected", "_selected_action": [person.pk, value], "index": 0, "post": "yes",
    })
    assert response.status_code == 302
    assert ReferencePerson.objects.filter(pk=person.pk).exists()
