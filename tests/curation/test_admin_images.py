from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from curation.models import Image
from curation.services import create_generation_job
from tests.curation.curation_helpers import garden_ids
from tests.factories import ApprovedImageFactory, ImageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:curation_image_changelist")


def listed(client: Client, query: str = "") -> set[int]:
    response = client.get(f"{CHANGELIST}{query}")
    assert response.status_code == 200
    return {image.pk for image in response.context["cl"].result_list}


def run_action(client: Client, action: str, images: list[Image]) -> None:
    # Posted to the list the images were picked from, as the browser does: actions apply to what that list shows.
    response = client.post(f"{CHANGELIST}?status=all", {
        "action": action, "_selected_action": [image.pk for image in images]
    })
    assert response.status_code == 302


def test_the_list_shows_the_pending_pool_unless_asked_otherwise(curator_client: Client) -> None:
    pending, approved, rejected = ImageFactory(), ApprovedImageFactory(), ImageFactory(status=Image.Status.REJECTED)
    assert listed(curator_client) == {pending.pk}
    assert listed(curator_client, "?status=all") == {pending.pk, approved.pk, rejected.pk}
    assert listed(curator_client, "?status=approved") == {approved.pk}
    page = curator_client.get(CHANGELIST).content.decode()
    assert "?status=all" in page  # the filter's "All" link does not fall back to the pending default


def test_filters_and_search(curator_client: Client) -> None:
    job = create_generation_job(emotion="CALM", count=1, width=64, height=64)
    calm = ImageFactory(emotion="CALM", theme="spring", prompt="a quiet pond", generation_job=job)
    portrait = ImageFactory(emotion="SAD", orientation=Image.Orientation.PORTRAIT, source=Image.Source.UPLOADED,
                            name="rainy_1v.jpeg")
    assert listed(curator_client, "?emotion__exact=CALM") == {calm.pk}
    assert listed(curator_client, "?theme=spring") == {calm.pk}
    assert listed(curator_client, "?orientation__exact=portrait") == {portrait.pk}
    assert listed(curator_client, "?source__exact=uploaded") == {portrait.pk}
    assert listed(curator_client, f"?generation_job__id__exact={job.pk}") == {calm.pk}
    assert listed(curator_client, "?q=pond") == {calm.pk}
    assert listed(curator_client, "?q=rainy") == {portrait.pk}
    page = curator_client.get(CHANGELIST).content.decode()
    assert "?theme=spring" in page  # the theme filter offers the themes images have


def test_the_list_shows_large_thumbnails_and_the_curation_tools(curator_client: Client) -> None:
    image = ImageFactory()
    page = curator_client.get(CHANGELIST).content.decode()
    assert f'src="{image.file.url}"' in page and 'class="eg-thumbnail"' in page
    for name in ("admin:curation_image_review", "admin:curation_image_upload", "admin:recommender_dashboard"):
        assert reverse(name) in page


def test_approving_records_who_and_when_and_publishes_to_the_garden(
    curator_client: Client, curator: AbstractBaseUser
) -> None:
    images = ImageFactory.create_batch(2, emotion="FEAR")
    assert garden_ids("FEAR") == set()
    run_action(curator_client, "approve", images)
    for image in images:
        image.refresh_from_db()
        assert image.status == Image.Status.APPROVED
        assert image.reviewed_by == curator and image.reviewed_at is not None and image.approved_at is not None
    assert garden_ids("FEAR") == {image.pk for image in images}


def test_retiring_takes_images_out_of_the_garden(curator_client: Client, curator: AbstractBaseUser) -> None:
    live, other = ApprovedImageFactory(emotion="SAD"), ApprovedImageFactory(emotion="SAD")
    run_action(curator_client, "retire", [live])
    live.refresh_from_db()
    assert (live.status, live.reviewed_by) == (Image.Status.RETIRED, curator)
    assert garden_ids("SAD") == {other.pk}


def test_rejecting_keeps_images_out_of_the_garden(curator_client: Client, curator: AbstractBaseUser) -> None:
    pending, live = ImageFactory(emotion="ANGRY"), ApprovedImageFactory(emotion="ANGRY")
    run_action(curator_client, "reject", [pending, live])
    assert set(Image.objects.values_list("status", flat=True)) == {Image.Status.REJECTED}
    assert Image.objects.filter(reviewed_by=curator).count() == 2
    assert garden_ids("ANGRY") == set()


def test_plain_staff_cannot_approve_not_even_with_a_forged_request(
    staff_client: Client, staff: AbstractBaseUser
) -> None:
    image = ImageFactory()
    staff.user_permissions.add(Permission.objects.get(codename="delete_image"))
    response = staff_client.get(CHANGELIST)
    assert {name for name, _ in response.context["action_form"].fields["action"].choices} == {"", "delete_selected"}
    response = staff_client.post(CHANGELIST, {"action": "approve", "_selected_action": [image.pk]})
    image.refresh_from_db()
    assert (image.status, image.reviewed_by, image.reviewed_at) == (Image.Status.PENDING, None, None)


def test_deleting_from_the_admin_removes_the_image_from_the_garden_and_its_files(
    curator_client: Client, django_capture_on_commit_callbacks  # noqa: ANN001 (pytest-django fixture)
) -> None:
    image = ApprovedImageFactory(emotion="HAPPY")
    assert garden_ids("HAPPY") == {image.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(reverse("admin:curation_image_delete", args=[image.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.filter(pk=image.pk).exists()
    assert not default_storage.exists(image.file.name)
    assert garden_ids("HAPPY") == set()


def test_bulk_delete_goes_through_the_service(
    curator_client: Client, django_capture_on_commit_callbacks  # noqa: ANN001 (pytest-django fixture)
) -> None:
    images = ApprovedImageFactory.create_batch(2, emotion="CALM")
    files = [Path(default_storage.path(image.file.name)) for image in images]
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(CHANGELIST + "?status=all", {
            "action": "delete_selected", "_selected_action": [image.pk for image in images], "post": "yes"
        })
    assert not Image.objects.exists()
    assert not any(file.exists() for file in files)
    assert garden_ids("CALM") == set()


def test_a_pending_image_can_be_described_and_a_reviewed_one_corrected(curator_client: Client) -> None:
    pending, approved = ImageFactory(), ApprovedImageFactory()
    form = curator_client.get(reverse("admin:curation_image_change", args=[pending.pk])).context["adminform"].form
    assert {"emotion", "theme", "name", "prompt"} <= set(form.fields)
    assert "status" not in form.fields and "reviewed_by" not in form.fields
    form = curator_client.get(reverse("admin:curation_image_change", args=[approved.pk])).context["adminform"].form
    assert set(form.fields) == {"emotion", "theme"}


def test_adding_an_image_goes_to_the_upload_view(curator_client: Client) -> None:
    response = curator_client.get(reverse("admin:curation_image_add"))
    assert response.status_code == 302 and response.url == reverse("admin:curation_image_upload")
