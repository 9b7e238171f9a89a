import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.test import Client
from django.urls import reverse

from curation.models import Image
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db

CURATION_PAGES = [
    "admin:curation_image_changelist",
    "admin:curation_image_review",
    "admin:curation_image_upload",
    "admin:recommender_dashboard",
    "admin:curation_generationjob_changelist",
    "admin:curation_generationjob_add",
    "admin:curation_prompttemplate_changelist",
    "admin:curation_prompttemplate_add",
]
OTHER_ADMIN_PAGES = [
    "admin:auth_user_changelist",
    "admin:auth_group_changelist",
    "admin:gallery_faceuser_changelist",
    "admin:gallery_apikey_changelist",
    "admin:recommender_interaction_changelist",
    "admin:recommender_segmentstat_changelist",
    "admin:recommender_outboxmessage_changelist",
]


@pytest.mark.parametrize("page", CURATION_PAGES)
def test_curators_reach_every_curation_page(curator_client: Client, page: str) -> None:
    assert curator_client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", OTHER_ADMIN_PAGES)
def test_curators_cannot_see_users_groups_face_users_or_interactions(curator_client: Client, page: str) -> None:
    assert curator_client.get(reverse(page)).status_code == 403


def test_the_admin_index_shows_curators_only_curation_and_the_reference_people(curator_client: Client) -> None:
    app_list = curator_client.get(reverse("admin:index")).context["app_list"]
    assert {app["app_label"] for app in app_list} == {"curation", "gallery"}
    gallery = next(app for app in app_list if app["app_label"] == "gallery")
    assert [model["object_name"] for model in gallery["models"]] == ["ReferencePerson"]


def test_curators_may_review_and_plain_staff_may_not(curator: AbstractBaseUser, staff: AbstractBaseUser) -> None:
    assert curator.has_perm("curation.review_image") and curator.has_perm("curation.add_generationjob")
    assert curator.has_perm("curation.add_image")
    assert not staff.has_perm("curation.review_image")


def test_curators_approve_and_plain_staff_cannot(curator_client: Client, staff: AbstractBaseUser) -> None:
    image = ImageFactory()
    review = reverse("admin:curation_image_review")
    staff_client = Client()
    staff_client.force_login(staff)
    assert staff_client.post(review, {"image": image.pk, "decision": "approve"}).status_code == 403
    assert curator_client.post(review, {"image": image.pk, "decision": "approve"}).status_code == 302
    image.refresh_from_db()
    assert image.status == Image.Status.APPROVED


def test_the_group_alone_is_not_enough_without_staff_status(client: Client) -> None:
    user = get_user_model().objects.create_user("outsider")
    user.groups.add(Group.objects.get(name="Curators"))
    client.force_login(user)
    response = client.get(reverse("admin:curation_image_review"))
    assert response.status_code == 302 and reverse("admin:login") in response.url


def test_curators_cannot_delete_generation_jobs(curator_client: Client) -> None:
    # A job is the record of what was generated and by whom.
    assert curator_client.get(reverse("admin:curation_generationjob_changelist")).context["action_form"] is None
