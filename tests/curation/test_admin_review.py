import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from curation.models import Image
from curation.services import create_generation_job
from tests.curation.curation_helpers import garden_ids
from tests.factories import ApprovedImageFactory, ImageFactory

pytestmark = pytest.mark.django_db

REVIEW = reverse("admin:curation_image_review")


def test_shows_the_oldest_pending_image_large_with_its_shortcuts(curator_client: Client) -> None:
    first, second = ImageFactory(theme="spring", prompt="a quiet pond"), ImageFactory()
    ApprovedImageFactory()
    response = curator_client.get(REVIEW)
    position = response.context["position"]
    assert (position.image, position.previous, position.next) == (first, None, second)
    assert (position.position, position.pending) == (1, 2)
    page = response.content.decode()
    assert f'src="{first.file.url}"' in page and "a quiet pond" in page and "Image 1 of 2 pending" in page
    assert "curation/review.js" in page
    for key in ('data-shortcut="a"', 'data-shortcut="r"', 'data-shortcut="n ArrowRight"'):
        assert key in page
    assert finders.find("curation/review.js") is not None


def test_next_and_previous_walk_the_queue_without_deciding(curator_client: Client) -> None:
    first, second, third = ImageFactory.create_batch(3)
    response = curator_client.get(response_url := curator_client.get(REVIEW).context["next_url"])
    assert response_url == f"{REVIEW}?image={second.pk}"
    position = response.context["position"]
    assert (position.previous, position.image, position.next, position.position) == (first, second, third, 2)
    assert 'data-shortcut="p ArrowLeft"' in response.content.decode()
    assert set(Image.objects.values_list("status", flat=True)) == {Image.Status.PENDING}


def test_approving_shows_the_next_image_and_publishes(curator_client: Client, curator: AbstractBaseUser) -> None:
    first, second = ImageFactory(emotion="CALM"), ImageFactory(emotion="CALM")
    response = curator_client.post(REVIEW, {"image": first.pk, "decision": "approve"})
    assert response.status_code == 302 and response.url == f"{REVIEW}?image={second.pk}"
    first.refresh_from_db()
    assert (first.status, first.reviewed_by) == (Image.Status.APPROVED, curator)
    assert first.reviewed_at is not None and first.approved_at is not None
    assert garden_ids("CALM") == {first.pk}
    follow = curator_client.get(response.url)
    assert follow.context["position"].image == second and follow.context["position"].pending == 1


def test_rejecting_moves_on_and_comes_back_to_skipped_images(curator_client: Client) -> None:
    skipped, current = ImageFactory(), ImageFactory()
    response = curator_client.post(REVIEW, {"image": current.pk, "decision": "reject"})
    assert response.url == f"{REVIEW}?image={skipped.pk}"
    current.refresh_from_db()
    assert current.status == Image.Status.REJECTED and current.reviewed_at is not None
    response = curator_client.post(REVIEW, {"image": skipped.pk, "decision": "reject"})
    assert response.url == REVIEW
    assert "Nothing is waiting for review" in curator_client.get(REVIEW).content.decode()


def test_the_queue_can_be_narrowed_to_an_emotion_or_a_job(curator_client: Client) -> None:
    job = create_generation_job(emotion="SAD", count=1, width=64, height=64)
    ImageFactory(emotion="HAPPY")
    sad = ImageFactory(emotion="SAD")
    from_job = ImageFactory(emotion="SAD", generation_job=job)
    position = curator_client.get(f"{REVIEW}?emotion=SAD").context["position"]
    assert (position.image, position.next, position.pending) == (sad, from_job, 2)
    response = curator_client.get(f"{REVIEW}?generation_job={job.pk}")
    assert (response.context["position"].image, response.context["position"].pending) == (from_job, 1)
    # A decision keeps the filter, so the curator stays in the job's images.
    response = curator_client.post(f"{REVIEW}?generation_job={job.pk}", {"image": from_job.pk, "decision": "approve"})
    assert response.url == f"{REVIEW}?generation_job={job.pk}"
    assert "Nothing is waiting for review here" in curator_client.get(response.url).content.decode()
    response = curator_client.post(f"{REVIEW}?emotion=SAD", {"image": sad.pk, "decision": "approve"})
    assert response.url == f"{REVIEW}?emotion=SAD"


def test_staff_without_the_review_permission_may_look_but_not_decide(staff_client: Client) -> None:
    image = ImageFactory()
    response = staff_client.get(REVIEW)
    assert response.context["position"].image == image
    assert 'name="decision"' not in response.content.decode()
    assert staff_client.post(REVIEW, {"image": image.pk, "decision": "approve"}).status_code == 403
    image.refresh_from_db()
    assert image.status == Image.Status.PENDING and image.reviewed_at is None


def test_staff_who_cannot_see_images_cannot_open_the_review(client: Client) -> None:
    client.force_login(get_user_model().objects.create_user("nobody", is_staff=True))
    assert client.get(REVIEW).status_code == 403


def test_a_malformed_decision_is_refused(curator_client: Client) -> None:
    image = ImageFactory()
    assert curator_client.post(REVIEW, {"image": image.pk, "decision": "publish"}).status_code == 400
    assert curator_client.post(REVIEW, {"image": 999_999, "decision": "approve"}).status_code == 400
    image.refresh_from_db()
    assert image.status == Image.Status.PENDING
