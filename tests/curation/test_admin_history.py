"""Decisions are written to the admin's history and can be undone; reviewed images can be corrected, alone or in
bulk, and a live image's correction reaches the recommender."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from curation import services
from curation.models import Image
from gallery.compat.keys import pool_key
from gallery.compat.services import remove_images
from recommender.models import ItemContent
from tests.curation.curation_helpers import garden_ids
from tests.factories import ApprovedImageFactory, ImageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:curation_image_changelist")
REVIEW = reverse("admin:curation_image_review")


def history(image: Image) -> list[str]:
    return [entry.get_change_message() for entry in LogEntry.objects.filter(object_id=str(image.pk)).order_by("id")]


def undo_link(client: Client, response_url: str) -> str:
    """The Undo link of the message the decision left."""
    messages = [str(message) for message in client.get(response_url).context["messages"]]
    [message] = [message for message in messages if "Undo" in message]
    return message.split('href="')[1].split('"')[0].replace("&amp;", "&")


def test_bulk_decisions_are_in_each_images_history(curator_client: Client, curator: AbstractBaseUser) -> None:
    first, second = ImageFactory.create_batch(2)
    curator_client.post(CHANGELIST, {"action": "approve", "_selected_action": [first.pk, second.pk], "index": 0})
    for image in (first, second):
        [entry] = LogEntry.objects.filter(object_id=str(image.pk))
        assert (entry.user, entry.action_flag) == (curator, CHANGE)
        assert entry.get_change_message() == "Approved (was Pending review)."
    page = curator_client.get(reverse("admin:curation_image_history", args=[first.pk])).content.decode()
    assert "Approved (was Pending review)." in page and "curator" in page


def test_undo_puts_images_back_and_the_gallery_follows(curator_client: Client) -> None:
    images = ImageFactory.create_batch(2, emotion="CALM")
    response = curator_client.post(CHANGELIST, {
        "action": "approve", "_selected_action": [image.pk for image in images], "index": 0})
    assert garden_ids("CALM") == {image.pk for image in images}
    link = undo_link(curator_client, response.url)
    page = curator_client.get(link)
    assert page.status_code == 200 and len(page.context["undoable"]) == 2
    assert "Approved → Pending review" in page.content.decode()
    response = curator_client.post(link, {"next": page.context["next_url"]})
    assert response.status_code == 302 and response.url == CHANGELIST
    assert set(Image.objects.values_list("status", flat=True)) == {Image.Status.PENDING}
    assert garden_ids("CALM") == set()
    assert history(images[0]) == ["Approved (was Pending review).", "Undone: Pending review again (was Approved)."]
    # An undo is spent once used.
    assert curator_client.get(link).status_code == 404


def test_undo_of_a_review_decision_and_a_retirement(curator_client: Client) -> None:
    pending, live = ImageFactory(emotion="SAD"), ApprovedImageFactory(emotion="SAD")
    response = curator_client.post(REVIEW, {"image": pending.pk, "decision": "reject"})
    curator_client.post(undo_link(curator_client, response.url))
    pending.refresh_from_db()
    assert (pending.status, pending.reviewed_by) == (Image.Status.PENDING, None)
    response = curator_client.post(CHANGELIST + "?status=all", {
        "action": "retire", "_selected_action": [live.pk], "index": 0})
    assert garden_ids("SAD") == set()
    curator_client.post(undo_link(curator_client, response.url))
    live.refresh_from_db()
    assert live.status == Image.Status.APPROVED and garden_ids("SAD") == {live.pk}


def test_undo_leaves_alone_an_image_decided_again_since(curator_client: Client) -> None:
    image = ImageFactory()
    response = curator_client.post(REVIEW, {"image": image.pk, "decision": "approve"})
    link = undo_link(curator_client, response.url)
    curator_client.post(CHANGELIST + "?status=all", {"action": "retire", "_selected_action": [image.pk], "index": 0})
    page = curator_client.get(link)
    assert page.context["undoable"] == [] and page.context["changed_since"] == 1
    curator_client.post(link)
    image.refresh_from_db()
    assert image.status == Image.Status.RETIRED


def test_undo_needs_the_review_permission_and_the_deciders_session(
    curator_client: Client, staff: AbstractBaseUser
) -> None:
    image = ImageFactory()
    response = curator_client.post(REVIEW, {"image": image.pk, "decision": "approve"})
    link = undo_link(curator_client, response.url)
    staff_client = Client()
    staff_client.force_login(staff)
    assert staff_client.post(link).status_code == 403
    assert curator_client.get(reverse("admin:curation_image_undo", args=["not-a-batch"])).status_code == 404


def test_a_live_image_corrected_in_its_form_reaches_the_recommender(curator_client: Client) -> None:
    image = ImageFactory(emotion="HAPPY", theme="spring")
    curator_client.post(REVIEW, {"image": image.pk, "decision": "approve"})
    assert ItemContent.objects.get(item_id=image.pk).emotion == "HAPPY"
    response = curator_client.post(reverse("admin:curation_image_change", args=[image.pk]),
                                   {"emotion": "SAD", "theme": "autumn,rainy"})
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.emotion, image.theme, image.status) == ("SAD", "autumn,rainy", Image.Status.APPROVED)
    content = ItemContent.objects.get(item_id=image.pk)
    assert (content.emotion, content.theme) == ("SAD", "autumn,rainy")
    assert garden_ids("SAD") == {image.pk}
    assert "Changed Emotion and Theme." in history(image)


def test_bulk_correction_changes_what_it_is_asked_and_reports_clashes(curator_client: Client) -> None:
    live = ApprovedImageFactory(emotion="HAPPY", theme="spring", name="a.jpeg")
    rejected = ImageFactory(emotion="HAPPY", theme="", name="b.jpeg", status=Image.Status.REJECTED)
    ImageFactory(emotion="FEAR", theme="", name="b.jpeg")  # b.jpeg cannot become FEAR with no theme
    selected = {"action": "correct", "_selected_action": [live.pk, rejected.pk]}
    page = curator_client.post(CHANGELIST + "?status=all", {**selected, "index": 0})
    assert page.status_code == 200 and "Correct" in page.content.decode()
    response = curator_client.post(CHANGELIST + "?status=all", {**selected, "emotion": "", "apply": "1"})
    assert "Choose an emotion or a theme" in response.content.decode()
    curator_client.post(CHANGELIST + "?status=all", {**selected, "emotion": "FEAR", "clear_theme": "on", "apply": 1})
    live.refresh_from_db()
    rejected.refresh_from_db()
    assert (live.emotion, live.theme) == ("FEAR", "")
    assert rejected.emotion == "HAPPY"
    assert history(live) == ["emotion: HAPPY → FEAR; theme: spring → —."]
    assert ItemContent.objects.get(item_id=live.pk).emotion == "FEAR"
    messages = [str(message) for message in curator_client.get(CHANGELIST).context["messages"]]
    assert "1 image(s) corrected." in messages
    assert any(f"#{rejected.pk}:" in message and "already exists" in message for message in messages)


def test_plain_staff_cannot_correct_a_reviewed_image(staff_client: Client) -> None:
    live = ApprovedImageFactory(emotion="HAPPY")
    form = staff_client.get(reverse("admin:curation_image_change", args=[live.pk])).context["adminform"].form
    assert not form.fields
    staff_client.post(CHANGELIST + "?status=all", {"action": "correct", "_selected_action": [live.pk],
                                                   "emotion": "SAD", "apply": 1})
    live.refresh_from_db()
    assert live.emotion == "HAPPY"


def test_a_correction_reaches_a_recommender_that_had_read_the_catalogue_before(curator_client: Client) -> None:
    """The catalogue a process caches is read again when its version changes; a correction did not change it, so
    the image stayed under its old emotion in every garden until some other approval."""
    corrected, kept = ImageFactory(emotion="ANGRY", theme=""), ImageFactory(emotion="ANGRY", theme="")
    for image in (corrected, kept):
        curator_client.post(REVIEW, {"image": image.pk, "decision": "approve"})
    assert strict_garden_ids("ANGRY") == {corrected.pk, kept.pk}  # the engine has read and cached the catalogue
    curator_client.post(reverse("admin:curation_image_change", args=[corrected.pk]), {"emotion": "CALM", "theme": ""})
    assert strict_garden_ids("ANGRY") == {kept.pk}
    assert strict_garden_ids("CALM") == {corrected.pk}


def strict_garden_ids(emotion: str) -> set[int]:
    """Only images of the emotion (all of them when it has none, as the original system fell back)."""
    answer = APIClient().post("/api/v1/garden", {"emotion": emotion, "mode": "emotion", "n": 50}, format="json")
    return {item["id"] for item in answer.json()["items"]}


@pytest.mark.parametrize("theme", ["../x", "spring,cloudy,day/../..", "<b>x</b>"])
def test_a_theme_word_that_would_break_the_original_keys_is_refused(curator_client: Client, theme: str) -> None:
    image = ImageFactory(emotion="HAPPY", theme="spring")
    curator_client.post(REVIEW, {"image": image.pk, "decision": "approve"})
    page = curator_client.post(reverse("admin:curation_image_change", args=[image.pk]),
                               {"emotion": "HAPPY", "theme": theme})
    assert page.status_code == 200 and "letters, digits and hyphens" in page.content.decode()
    image.refresh_from_db()
    assert image.theme == "spring"


@pytest.mark.parametrize("name", ["a/b.jpeg", "../../x.jpeg", "x?y.jpeg", "50%.jpeg", ".hidden.jpeg", "a\\b.jpeg",
                                  "a+b.jpeg", "x&y.jpeg"])
def test_a_name_that_would_break_the_original_keys_is_refused(curator_client: Client, name: str) -> None:
    """"a/b.jpeg" made an image the original pages could neither show (403) nor remove (the outside probe)."""
    image = ImageFactory(emotion="HAPPY", name="kept.jpeg")
    page = curator_client.post(reverse("admin:curation_image_change", args=[image.pk]),
                               {"emotion": "HAPPY", "theme": "", "name": name, "prompt": "x"})
    assert page.status_code == 200 and "A name is a file name" in page.content.decode()
    image.refresh_from_db()
    assert image.name == "kept.jpeg"


def test_a_theme_is_filed_in_its_written_form(curator_client: Client) -> None:
    image = ImageFactory(emotion="HAPPY", theme="spring")
    curator_client.post(REVIEW, {"image": image.pk, "decision": "approve"})
    curator_client.post(reverse("admin:curation_image_change", args=[image.pk]),
                        {"emotion": "HAPPY", "theme": "Day, SPRING / 흐림"})
    image.refresh_from_db()
    assert image.theme == "spring,cloudy,day"


def test_images_removed_while_a_bulk_decision_was_made_are_skipped_and_the_rest_logged(
    curator_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/removePool deleting some of the selected images meanwhile made the action a 500, with the images approved
    before it live but never logged (no history, no Undo)."""
    kept, removed, also_kept = ImageFactory.create_batch(3)
    real_decide = services.decide_images

    def removed_meanwhile(**kwargs: object) -> object:
        remove_images(keys=[pool_key(removed)])
        return real_decide(**kwargs)

    monkeypatch.setattr(services, "decide_images", removed_meanwhile)
    response = curator_client.post(CHANGELIST, {"action": "approve", "index": 0,
                                                "_selected_action": [kept.pk, removed.pk, also_kept.pk]}, follow=True)

    assert response.status_code == 200
    assert not Image.objects.filter(pk=removed.pk).exists()
    for image in (kept, also_kept):
        image.refresh_from_db()
        assert image.status == Image.Status.APPROVED
        assert history(image) == ["Approved (was Pending review)."]
    messages = [str(message) for message in response.context["messages"]]
    assert "1 image was removed meanwhile and not decided." in messages


def test_a_decision_reads_each_image_again_before_deciding() -> None:
    """A list read before another curator retired one of its images: the retired image is not approved again."""
    pending, retired_since = ImageFactory(), ApprovedImageFactory()
    stale = [Image.objects.get(pk=pending.pk), Image.objects.get(pk=retired_since.pk)]
    services.retire_image(image=Image.objects.get(pk=retired_since.pk))

    decisions, gone = services.decide_images(images=stale, status=Image.Status.RETIRED)

    assert gone == 0
    assert [(image.pk, before) for image, before in decisions] == [(pending.pk, Image.Status.PENDING)]
