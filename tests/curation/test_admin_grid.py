"""The grid review view: thumbnails of the pool, decided one by one or as a selection; filters name jobs."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from curation.admin.common import job_label
from curation.models import Image
from curation.services import create_generation_job
from tests.curation.curation_helpers import garden_ids
from tests.factories import ApprovedImageFactory, ImageFactory

pytestmark = pytest.mark.django_db

GRID = reverse("admin:curation_image_grid")
REVIEW = reverse("admin:curation_image_review")


def test_the_grid_shows_the_pending_pool_as_focusable_cards(curator_client: Client) -> None:
    first, second = ImageFactory(theme="spring"), ImageFactory()
    ApprovedImageFactory()
    response = curator_client.get(GRID)
    assert list(response.context["page"].object_list) == [first, second]
    page = response.content.decode()
    assert page.count("data-grid-card") == 2 and 'tabindex="0"' in page and "curation/grid.js" in page
    assert f'name="approve" value="{first.pk}"' in page and 'data-shortcut="a"' in page
    assert "Approve selected" in page


def test_a_cards_button_decides_it_and_focus_moves_to_the_next(curator_client: Client) -> None:
    first, second = ImageFactory(emotion="CALM"), ImageFactory(emotion="CALM")
    response = curator_client.post(f"{GRID}?emotion=CALM", {"approve": first.pk})
    assert response.status_code == 302 and response.url == f"{GRID}?emotion=CALM#image-{second.pk}"
    first.refresh_from_db()
    assert first.status == Image.Status.APPROVED and garden_ids("CALM") == {first.pk}
    assert LogEntry.objects.get(object_id=str(first.pk)).get_change_message() == "Approved (was Pending review)."


def test_a_selection_is_decided_at_once(curator_client: Client) -> None:
    chosen, left = ImageFactory.create_batch(2), ImageFactory()
    curator_client.post(GRID, {"decision": "reject", "selected": [image.pk for image in chosen]})
    assert set(Image.objects.filter(status=Image.Status.REJECTED)) == set(chosen)
    left.refresh_from_db()
    assert left.status == Image.Status.PENDING
    assert curator_client.post(GRID, {"decision": "reject"}).status_code == 400
    assert curator_client.post(GRID, {"decision": "delete", "selected": [left.pk]}).status_code == 400


def test_plain_staff_sees_the_grid_but_cannot_decide(staff_client: Client) -> None:
    image = ImageFactory()
    page = staff_client.get(GRID).content.decode()
    assert "data-grid-card" in page and 'name="approve"' not in page
    assert staff_client.post(GRID, {"approve": image.pk}).status_code == 403


def test_filters_name_jobs_and_need_no_raw_id(curator_client: Client) -> None:
    job = create_generation_job(emotion="SAD", theme="autumn,rainy", count=2, width=64, height=64)
    from_job, other = ImageFactory(emotion="SAD", generation_job=job), ImageFactory(emotion="SAD", theme="lake")
    label = job_label(job)
    assert label.startswith("Sad · autumn,rainy · ") and label.endswith(" · 2 images")
    for url in (GRID, REVIEW):
        page = curator_client.get(url).content.decode()
        assert f'<option value="{job.pk}">{label}</option>' in page
    assert list(curator_client.get(f"{GRID}?generation_job={job.pk}").context["page"].object_list) == [from_job]
    assert list(curator_client.get(f"{GRID}?theme=lake").context["page"].object_list) == [other]
    assert curator_client.get(f"{REVIEW}?theme=lake").context["position"].image == other
    changelist = curator_client.get(reverse("admin:curation_image_changelist")).content.decode()
    assert label in changelist


def test_the_grid_shows_other_statuses_and_flags_repeats(curator_client: Client) -> None:
    live = ApprovedImageFactory()
    repeat = ImageFactory(duplicate_of=live)
    page = curator_client.get(GRID).content.decode()
    assert "eg-card-duplicate" in page and f"#{live.pk}</a>" in page
    response = curator_client.get(f"{GRID}?status=approved")
    assert list(response.context["page"].object_list) == [live]
    assert f'name="approve" value="{live.pk}"' not in response.content.decode()
    review = curator_client.get(f"{REVIEW}?image={repeat.pk}").content.decode()
    assert "Repeats" in review and f"image #{live.pk}" in review


@pytest.mark.parametrize("value", ["²", "①", "99999999999999999999", "-1", "1e3"])
def test_ids_that_are_no_row_ids_are_refused_not_a_500(curator_client: Client, value: str) -> None:
    """str.isdigit() takes "²" and "①", which int() refused with a 500; a number past any id failed the query."""
    image = ImageFactory()
    assert curator_client.get(REVIEW, {"image": value}).status_code == 200  # the review starts at the first instead
    assert curator_client.post(GRID, {"approve": value}).status_code == 400
    assert curator_client.post(GRID, {"decision": "approve", "selected": [value]}).status_code == 400
    assert curator_client.get(GRID, {"generation_job": value}).status_code == 200
    listed = curator_client.get(reverse("admin:curation_image_changelist"), {"generation_job": value})
    assert (listed.status_code, listed["Location"]) == (302, "/admin/curation/image/?e=1")  # the admin's "bad lookup"
    image.refresh_from_db()
    assert image.status == Image.Status.PENDING
