"""The forms of the image pages: uploads, the pool filters of the review and grid views, decisions and corrections."""

import copy
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from curation.admin.common import THEME_HELP, job_label, posted_id
from curation.models import GenerationJob, Image
from curation.uploads import MAX_UPLOAD_BYTES
from emotion_garden.themes import checked_theme, validate_theme
from emotion_garden.vocabulary import Emotion

ACCEPTED_UPLOADS = "image/jpeg,image/png,image/webp,image/gif,.zip"
# The latest jobs a filter offers by name; an older one is still reached from its own page.
RECENT_JOBS = 100


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field taking several files at once (Django's documented recipe)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_UPLOADS}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if not uploads:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class UploadForm(forms.Form):
    # No default emotion: a batch filed under the wrong one would go unnoticed until review.
    emotion = forms.ChoiceField(choices=[("", "---------"), *Emotion.choices], label=_("Emotion"))
    theme = forms.CharField(max_length=100, required=False, label=_("Theme"), help_text=THEME_HELP,
                            validators=[validate_theme])
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("JPEG, PNG, WebP or GIF images, or zip archives of them. Everything is re-encoded as JPEG. "
                    "An image that repeats one already in the catalogue is refused, naming that image."),
    )
    keep_near_copies = forms.BooleanField(
        required=False, label=_("Keep near copies"),
        help_text=_("Add images that only look like one in the catalogue (a crop, an edit, a similar scene), "
                    "flagged with the image they resemble. Exact copies are always refused."),
    )

    def clean_files(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data["files"]
        # Refused before a byte is read: nothing this large can be an acceptable image or archive.
        too_large = [upload.name for upload in uploads if upload.size > MAX_UPLOAD_BYTES]
        if too_large:
            raise forms.ValidationError(_("Larger than %(megabytes)d MB: %(files)s.") % {
                "megabytes": MAX_UPLOAD_BYTES // (1024 * 1024), "files": ", ".join(sorted(too_large))})
        return uploads


class JobChoiceField(forms.ModelChoiceField):
    """A generation job named by what it made and when, never by its bare id."""

    def label_from_instance(self, job: GenerationJob) -> str:
        return job_label(job)


class PoolFilterForm(forms.Form):
    """Which images the review and grid views show: by emotion, theme and generation job (and status, in the grid).

    The job is chosen from a list that names jobs; a job id in the URL (the job page's link) still selects it.
    """

    emotion = forms.ChoiceField(choices=[("", _("every emotion")), *Emotion.choices], required=False,
                                label=_("Emotion"))
    theme = forms.CharField(max_length=100, required=False, label=_("Theme"))
    generation_job = JobChoiceField(queryset=GenerationJob.objects.all(), required=False, label=_("Generation job"),
                                    empty_label=_("every job"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The list offers the latest jobs; validation accepts any job, so a link to an older one still works.
        jobs = list(GenerationJob.objects.order_by("-created_at")[:RECENT_JOBS])
        chosen = posted_id(self.data.get("generation_job", ""))
        if chosen is not None and all(job.pk != chosen for job in jobs):
            jobs += list(GenerationJob.objects.filter(pk=chosen))
        self.fields["generation_job"].widget.choices = [("", _("every job")), *(
            (job.pk, job_label(job)) for job in jobs)]


class GridFilterForm(PoolFilterForm):
    status = forms.ChoiceField(choices=Image.Status.choices, required=False, label=_("Status"),
                               initial=Image.Status.PENDING)


class DecisionForm(forms.Form):
    image = forms.ModelChoiceField(queryset=Image.objects.all())
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])


class ImageChangeForm(forms.ModelForm):
    """The image's own change form."""

    def validate_unique(self) -> None:
        super().validate_unique()
        if "name" in self.fields or self.instance.pk is None:
            return
        # A reviewed image's name is read-only, so Django left the (emotion, theme, name) constraint out of the
        # form's checks, and curation.services.correct_image refused the correction only at the save (a 500). It is
        # checked here as the service checks it: with the name the image keeps and the theme as it files it.
        corrected = copy.copy(self.instance)
        try:
            corrected.theme = checked_theme(corrected.theme)
        except ValidationError:
            return  # the theme field's own validator says why
        try:
            corrected.validate_constraints()
        except ValidationError as error:
            self.add_error(None, error)


class CorrectionForm(forms.Form):
    """A bulk correction: the emotion or theme every selected image gets (empty: leave as it is)."""

    emotion = forms.ChoiceField(choices=[("", _("keep each image's emotion")), *Emotion.choices], required=False,
                                label=_("Emotion"))
    theme = forms.CharField(max_length=100, required=False, label=_("Theme"), help_text=THEME_HELP,
                            validators=[validate_theme])
    clear_theme = forms.BooleanField(required=False, label=_("Remove the theme"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("theme") and cleaned.get("clear_theme"):
            raise forms.ValidationError(_("Give a theme or remove it, not both."))
        if not (cleaned.get("emotion") or cleaned.get("theme") or cleaned.get("clear_theme")):
            raise forms.ValidationError(_("Choose an emotion or a theme to give the images."))
        return cleaned
