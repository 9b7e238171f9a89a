from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from curation.models import GenerationItem, GenerationJob, Image, PromptTemplate
from curation.selectors import JobProgress, job_progress
from curation.services import create_generation_job, run_generation_job
from tests.curation.curation_helpers import GARBAGE, RAW_BYTES, SCRIPTED, ScriptedGenerator, garden_ids

pytestmark = pytest.mark.django_db

ADD = reverse("admin:curation_generationjob_add")
IMAGES = reverse("admin:curation_image_changelist")


def job_url(job: GenerationJob, view: str = "change") -> str:
    return reverse(f"admin:curation_generationjob_{view}", args=[job.pk])


def ask_for(**fields: Any) -> dict[str, Any]:
    return {"emotion": "CALM", "theme": "", "prompt_template": "", "prompt": "", "count": 3, "size": "512x512",
            "orientation": "landscape", "backend": "image_generation", **fields}


def test_the_form_offers_the_configured_generators(
    curator_client: Client, scripted_backends: type[ScriptedGenerator]
) -> None:
    form = curator_client.get(ADD).context["adminform"].form
    assert {name for name, _ in form.fields["backend"].choices} == {"image_generation", SCRIPTED, GARBAGE, RAW_BYTES}
    assert form.fields["backend"].initial == "image_generation"
    assert set(form.fields) >= {"emotion", "theme", "prompt_template", "prompt", "count", "size", "orientation"}


def test_a_job_is_queued_runs_and_lands_its_images_in_the_pool(
    curator_client: Client, curator: AbstractBaseUser,
    django_capture_on_commit_callbacks,  # noqa: ANN001 (pytest-django fixture)
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(ADD, ask_for(theme="spring", size="768x512", orientation="portrait"))
    job = GenerationJob.objects.get()
    assert response.status_code == 302 and response.url == job_url(job)
    assert (job.status, job.created_by, job.width, job.height) == (GenerationJob.Status.DONE, curator, 512, 768)
    assert job.prompt_template == PromptTemplate.objects.get(name="calm garden")
    assert "a still spring zen garden" in job.prompt and "{" not in job.prompt
    assert set(job.images.values_list("status", "orientation", "prompt")) == {
        (Image.Status.PENDING, Image.Orientation.PORTRAIT, job.prompt)}
    assert job.images.count() == 3
    assert garden_ids("CALM") == set()  # the pool, never straight into the gallery


@pytest.mark.parametrize("theme", ["Fall , NIGHT", "\uac00\uc744,\ubc24"])  # and the Korean labels
def test_a_theme_written_any_way_picks_its_template_and_prompt(curator_client: Client, theme: str) -> None:
    """The raw text went into the template choice and the prompt ("a quiet 가을,밤 garden"), while the job stored the
    normalised theme."""
    curator_client.post(reverse("admin:curation_prompttemplate_add"), {
        "name": "sad night", "emotion": "SAD", "theme": "night, autumn", "text": "NIGHT TEMPLATE {theme}"})
    template = PromptTemplate.objects.get(name="sad night")
    assert template.theme == "autumn,the-middle-of-the-night"  # filed as images are
    curator_client.post(ADD, ask_for(emotion="SAD", theme=theme))
    job = GenerationJob.objects.get()
    assert (job.theme, job.prompt_template) == ("autumn,the-middle-of-the-night", template)
    assert job.prompt == "NIGHT TEMPLATE autumn, the middle of the night"


def test_a_written_prompt_overrides_the_template(curator_client: Client) -> None:
    curator_client.post(ADD, ask_for(prompt="misty {theme} hills, {emotion}", theme="morning"))
    job = GenerationJob.objects.get()
    # The theme as filed ("morning" is the early dawn), in words.
    assert (job.prompt, job.prompt_template) == ("misty the early dawn hills, calm", None)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"prompt": "a {mood} garden"}, "prompt", "Unknown placeholder {mood}"),
    ({"count": 501}, "count", "less than or equal to 500"),
    ({"count": 0}, "count", "greater than or equal to 1"),
    ({"backend": "image_generation.gpu"}, "backend", "Select a valid choice"),
    ({"size": "4096x4096"}, "size", "Select a valid choice"),
])
def test_bad_requests_are_form_errors_and_queue_nothing(
    curator_client: Client, fields: dict[str, Any], field: str, message: str
) -> None:
    response = curator_client.post(ADD, ask_for(**fields))
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not GenerationJob.objects.exists()


def test_a_template_of_another_emotion_or_with_unknown_placeholders_is_refused(curator_client: Client) -> None:
    happy = PromptTemplate.objects.get(name="happy garden")
    response = curator_client.post(ADD, ask_for(prompt_template=happy.pk))
    assert "is a template for Happy, not Calm" in response.context["adminform"].form.errors["prompt_template"][0]
    # Saved behind the admin's back: the job form checks it again.
    broken = PromptTemplate.objects.create(name="broken", emotion="CALM", text="a {mood} garden")
    response = curator_client.post(ADD, ask_for(prompt_template=broken.pk))
    assert "Unknown placeholder {mood}" in response.context["adminform"].form.errors["prompt_template"][0]
    assert not GenerationJob.objects.exists()


def test_a_failed_image_is_shown_retried_and_counted(
    curator_client: Client, scripted_backends: type[ScriptedGenerator],
    django_capture_on_commit_callbacks,  # noqa: ANN001 (pytest-django fixture)
) -> None:
    scripted_backends.broken = {1}
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(ADD, ask_for(emotion="HAPPY", count=4, backend=SCRIPTED))
    job = GenerationJob.objects.get()
    assert job.status == GenerationJob.Status.DONE
    assert job_progress(job=job) == JobProgress(total=4, done=3, failed=1, cancelled=0)
    page = curator_client.get(job_url(job)).content.decode()
    assert "endpoint timed out" in page and "Retry the 1 failed image" in page
    assert curator_client.get(job_url(job, "progress")).json() == {
        "status": "done", "status_display": "Done", "active": False, "total": 4, "done": 3, "failed": 1,
        "cancelled": 0, "remaining": 0, "percent": 100,
    }

    scripted_backends.broken = set()
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(job_url(job, "retry"))
    assert response.status_code == 302 and response.url == job_url(job)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE
    assert job_progress(job=job) == JobProgress(total=4, done=4, failed=0, cancelled=0)
    assert job.images.count() == 4 and job.items.get(index=1).error == ""


def test_garbage_from_the_backend_is_a_clear_error_and_stores_nothing(
    curator_client: Client, scripted_backends: type[ScriptedGenerator],
    django_capture_on_commit_callbacks,  # noqa: ANN001 (pytest-django fixture)
) -> None:
    files = {path for path in Path(default_storage.location).rglob("*") if path.is_file()}
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(ADD, ask_for(count=2, backend=GARBAGE))
    job = GenerationJob.objects.get()
    assert job.status == GenerationJob.Status.FAILED
    assert "answered with something that is not JSON" in curator_client.get(job_url(job)).content.decode()
    assert not Image.objects.exists()
    assert {path for path in Path(default_storage.location).rglob("*") if path.is_file()} == files


def test_a_backend_answering_with_something_other_than_an_image_fails_that_image(
    curator_client: Client, scripted_backends: type[ScriptedGenerator],
    django_capture_on_commit_callbacks,  # noqa: ANN001 (pytest-django fixture)
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(ADD, ask_for(count=1, backend=RAW_BYTES))
    job = GenerationJob.objects.get()
    assert job.status == GenerationJob.Status.FAILED
    assert "not an image" in job.items.get().error
    assert not Image.objects.exists()


def test_a_queued_job_can_be_cancelled(curator_client: Client) -> None:
    job = create_generation_job(emotion="FEAR", count=3, width=64, height=64)
    progress = curator_client.get(job_url(job, "progress")).json()
    assert (progress["active"], progress["remaining"], progress["percent"]) == (True, 3, 0)
    page = curator_client.get(job_url(job)).content.decode()
    assert "Cancel the job" in page and "curation/job_progress.js" in page and 'data-active="true"' in page

    response = curator_client.post(job_url(job, "cancel"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.CANCELLED
    assert set(job.items.values_list("status", flat=True)) == {GenerationItem.Status.CANCELLED}
    assert curator_client.get(job_url(job, "progress")).json()["active"] is False
    response = curator_client.post(job_url(job, "cancel"), follow=True)
    assert "already cancelled" in response.content.decode()


def test_the_job_list_shows_progress_and_jobs_are_never_edited(curator_client: Client) -> None:
    job = create_generation_job(emotion="FEAR", count=2, width=64, height=64)
    page = curator_client.get(reverse("admin:curation_generationjob_changelist")).content.decode()
    assert 'class="eg-progress"' in page and "0 done · 0 failed · 2 remaining" in page
    response = curator_client.post(job_url(job), {"emotion": "HAPPY", "count": 9})
    assert response.status_code == 403
    job.refresh_from_db()
    assert (job.emotion, job.count) == ("FEAR", 2)


def test_staff_without_the_job_permissions_can_watch_but_not_control(staff_client: Client) -> None:
    job = create_generation_job(emotion="FEAR", count=2, width=64, height=64)
    assert staff_client.get(job_url(job, "progress")).status_code == 200
    assert "Cancel the job" not in staff_client.get(job_url(job)).content.decode()
    assert staff_client.get(ADD).status_code == 403
    assert staff_client.post(job_url(job, "cancel")).status_code == 403
    assert staff_client.post(job_url(job, "retry")).status_code == 403
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.QUEUED


def test_control_views_only_take_posts(curator_client: Client) -> None:
    job = create_generation_job(emotion="FEAR", count=1, width=64, height=64)
    assert curator_client.get(job_url(job, "cancel")).status_code == 405


def test_from_ten_calm_landscapes_to_a_live_calm_gallery_without_leaving_the_admin(
    curator_client: Client, curator: AbstractBaseUser,
    django_capture_on_commit_callbacks,  # noqa: ANN001 (pytest-django fixture)
) -> None:
    assert not curator.is_superuser
    # 1. Generate 10 calm landscapes.
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(ADD, ask_for(theme="landscape", count=10, size="1024x600"))
    # The worker picked the job up once the request committed; its page now shows it done.
    page = curator_client.get(response.url)
    assert "queued: 10 x CALM landscape" in page.content.decode()
    assert '<span data-field="done">10</span> done' in page.content.decode()
    job = page.context["original"]
    # 2. Find them in the pool, through the link on the job's page.
    listing = curator_client.get(f"{IMAGES}?generation_job__id__exact={job.pk}")
    pending = [image.pk for image in listing.context["cl"].result_list]
    assert len(pending) == 10
    # 3. Look at the first one in the review view, then approve them all from the list.
    assert curator_client.get(f"{reverse('admin:curation_image_review')}?generation_job={job.pk}").status_code == 200
    curator_client.post(f"{IMAGES}?generation_job__id__exact={job.pk}",
                        {"action": "approve", "_selected_action": pending})
    # 4. The calm gallery is live.
    assert garden_ids("CALM") == set(pending)
    assert set(Image.objects.values_list("status", "reviewed_by")) == {(Image.Status.APPROVED, curator.pk)}


def test_a_running_job_is_not_retried_twice_over(curator_client: Client) -> None:
    job = create_generation_job(emotion="FEAR", count=2, width=64, height=64)
    job.items.filter(index=0).update(status=GenerationItem.Status.FAILED)
    response = curator_client.post(job_url(job, "retry"), follow=True)
    assert "still running" in response.content.decode()
    assert job.items.filter(status=GenerationItem.Status.FAILED).count() == 1


def test_the_job_page_shows_the_words_the_generator_could_not_draw(curator_client: Client) -> None:
    job = create_generation_job(emotion="CALM", count=1, width=128, height=96, theme="winter,snowy,sunset",
                                prompt="a black cat on a purple elephant, cinematic")
    assert "Known once the job runs." in curator_client.get(job_url(job)).content.decode()

    run_generation_job(job=job)

    job.refresh_from_db()
    assert job.undrawn_words == ["purple", "elephant", "cinematic"]
    assert "purple, elephant, cinematic" in curator_client.get(job_url(job)).content.decode()


def test_a_generator_that_reads_every_word_reports_none(
    curator_client: Client, scripted_backends: type[ScriptedGenerator]
) -> None:
    job = create_generation_job(emotion="CALM", count=1, width=128, height=96, prompt="a purple elephant",
                                backend=SCRIPTED)
    run_generation_job(job=job)

    job.refresh_from_db()
    assert job.undrawn_words == []
    assert "None: the generator could draw every word." in curator_client.get(job_url(job)).content.decode()
