"""Generation jobs in the admin: ask for images, watch their progress live, retry failed images or cancel."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from curation import services
from curation.admin.common import CSS, THEME_HELP, CheckedSelectionMixin, thumbnail_html
from curation.generators import available_generators
from curation.models import GenerationItem, GenerationJob, Image, PromptTemplate
from curation.placeholders import PromptError
from curation.prompts import default_template, render_prompt
from curation.selectors import JobProgress, job_progress
from curation.services import MAX_JOB_IMAGES
from emotion_garden.themes import checked_theme
from emotion_garden.vocabulary import Emotion

ACTIVE_JOB_STATUSES = (GenerationJob.Status.QUEUED, GenerationJob.Status.RUNNING)
SIZES = {"512x512": (512, 512), "768x512": (768, 512), "1024x600": (1024, 600), "1280x800": (1280, 800)}


class GenerationJobForm(forms.ModelForm):
    """What a curator asks for; the prompt is rendered from the template unless written out."""

    count = forms.IntegerField(min_value=1, max_value=MAX_JOB_IMAGES, initial=10, label=gettext_lazy("Count"))
    size = forms.ChoiceField(choices=[(size, size.replace("x", " × ")) for size in SIZES], initial="1024x600",
                             label=gettext_lazy("Size"))
    orientation = forms.ChoiceField(
        choices=Image.Orientation.choices, initial=Image.Orientation.LANDSCAPE, label=gettext_lazy("Orientation"),
        help_text=gettext_lazy("Portrait swaps the width and the height."),
    )
    backend = forms.ChoiceField(label=gettext_lazy("Backend"),
                                help_text=gettext_lazy("The image generator that makes the images."))

    class Meta:
        model = GenerationJob
        fields = ["emotion", "theme", "prompt_template", "prompt", "count", "backend"]
        help_texts = {
            "theme": THEME_HELP,
            "prompt_template": gettext_lazy("Leave empty for the emotion's own template (the theme's, if it has one)."),
            "prompt": gettext_lazy("Leave empty to use the template; may use {emotion} and {theme}."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        generators = available_generators()
        self.fields["backend"].choices = [(name, name) for name in generators]
        self.fields["backend"].initial = generators[0] if generators else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        emotion, theme = cleaned.get("emotion"), cleaned.get("theme", "")
        try:  # the theme as the job files it, for the template it picks and the prompt it writes ("가을,밤" was sent)
            theme = cleaned["theme"] = checked_theme(theme)
        except ValidationError:
            return cleaned  # the field's own validator says why
        template: PromptTemplate | None = cleaned.get("prompt_template")
        if emotion is None:
            return cleaned
        if template is not None and template.emotion != emotion:
            self.add_error("prompt_template", _("“%(template)s” is a template for %(its_emotion)s, not %(emotion)s.")
                           % {"template": template, "its_emotion": template.get_emotion_display(),
                              "emotion": Emotion(emotion).label})
            return cleaned
        written = cleaned.get("prompt", "")
        if template is None and not written:
            template = default_template(emotion=emotion, theme=theme)
        cleaned["prompt_template"] = template
        text, field = (written, "prompt") if written else (template.text if template else "", "prompt_template")
        try:
            cleaned["prompt"] = render_prompt(text=text, emotion=emotion, theme=theme) if text else ""
        except PromptError as error:
            self.add_error(field, str(error))
        if "size" in cleaned and "orientation" in cleaned:
            width, height = SIZES[cleaned["size"]]
            if cleaned["orientation"] == Image.Orientation.PORTRAIT:
                width, height = height, width
            cleaned["width"], cleaned["height"] = width, height
        return cleaned


class GenerationItemInline(admin.TabularInline):
    model = GenerationItem
    fields = ["index", "status", "attempts", "error", "image_link"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: GenerationJob | None = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("image"))
    def image_link(self, item: GenerationItem) -> str:
        if item.image is None:
            return "—"
        url = reverse("admin:curation_image_change", args=[item.image.pk])
        return format_html('<a href="{}">{}</a>', url, thumbnail_html(item.image, css_class="eg-thumbnail-small"))


@admin.register(GenerationJob)
class GenerationJobAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    list_display = ["id", "progress_bar", "status", "emotion", "theme", "count", "backend", "created_by",
                    "created_at"]
    list_filter = ["status", "emotion", "backend"]
    list_select_related = ["created_by"]
    fields = ["emotion", "theme", "prompt_template", "prompt", "negative_prompt", "words_not_drawn", "count", "width",
              "height", "backend", "status", "created_by", "created_at", "started_at", "finished_at", "review_link"]
    readonly_fields = fields
    inlines = [GenerationItemInline]
    change_form_template = "admin/curation/generationjob/change_form.html"

    class Media:
        css = CSS

    def get_queryset(self, request: HttpRequest) -> QuerySet[GenerationJob]:
        # The progress column's counts, in the list's own query rather than one query per row.
        return super().get_queryset(request).annotate(
            total=Count("items"),
            done=Count("items", filter=Q(items__status=GenerationItem.Status.DONE)),
            failed=Count("items", filter=Q(items__status=GenerationItem.Status.FAILED)),
            cancelled=Count("items", filter=Q(items__status=GenerationItem.Status.CANCELLED)),
        )

    def has_change_permission(self, request: HttpRequest, obj: GenerationJob | None = None) -> bool:
        # A job is a record of what was asked for: it is never edited, only retried or cancelled.
        return False

    def has_control_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.{get_permission_codename('change', self.opts)}")

    @admin.display(description=gettext_lazy("progress"))
    def progress_bar(self, job: GenerationJob) -> str:
        progress = JobProgress(total=job.total, done=job.done, failed=job.failed, cancelled=job.cancelled)
        return _progress_html(progress)

    @admin.display(description=gettext_lazy("words it could not draw"))
    def words_not_drawn(self, job: GenerationJob) -> str:
        if job.started_at is None:
            return _("Known once the job runs.")
        return ", ".join(job.undrawn_words) or _("None: the generator could draw every word.")

    @admin.display(description=gettext_lazy("images"))
    def review_link(self, job: GenerationJob) -> str:
        url = f"{reverse('admin:curation_image_review')}?{urlencode({'generation_job': job.pk})}"
        listing = f"{reverse('admin:curation_image_changelist')}?{urlencode({'generation_job__id__exact': job.pk})}"
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>', url, _("Review its pending images"), listing,
                           _("list them"))

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:job_id>/progress/", wrap(self.progress_view), name="curation_generationjob_progress"),
            path("<int:job_id>/retry/", wrap(require_POST(self.retry_view)), name="curation_generationjob_retry"),
            path("<int:job_id>/cancel/", wrap(require_POST(self.cancel_view)), name="curation_generationjob_cancel"),
            *super().get_urls(),
        ]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GenerationJobForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                job = services.create_generation_job(
                    prompt_template=data["prompt_template"], emotion=Emotion(data["emotion"]), theme=data["theme"],
                    prompt=data["prompt"], count=data["count"], width=data["width"], height=data["height"],
                    backend=data["backend"], created_by=request.user,
                )
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                services.queue_generation_job(job=job)
                self.log_addition(request, job, [{"added": {}}])
                self.message_user(request, _("Generation job %(id)d queued: %(job)s.") % {"id": job.pk, "job": job},
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:curation_generationjob_change", args=[job.pk]))
        fieldsets = [
            (_("What to make"), {"fields": ["emotion", "theme", "count", "size", "orientation"]}),
            (_("How"), {"fields": ["prompt_template", "prompt", "backend"]}),
        ]
        return TemplateResponse(request, "admin/curation/generationjob/add_form.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Generate images"),
            "adminform": helpers.AdminForm(form, fieldsets, {}, model_admin=self),
            "errors": helpers.AdminErrorList(form, []),
        })

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        job = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if job is not None:
            context.update(
                progress=job_progress(job=job),
                active=job.status in ACTIVE_JOB_STATUSES,
                can_control=self.has_control_permission(request),
            )
        return super().change_view(request, object_id, form_url, context)

    def progress_view(self, request: HttpRequest, job_id: int) -> JsonResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(GenerationJob, pk=job_id)
        progress = job_progress(job=job)
        return JsonResponse({
            "status": job.status,
            "status_display": job.get_status_display(),
            "active": job.status in ACTIVE_JOB_STATUSES,
            "total": progress.total,
            "done": progress.done,
            "failed": progress.failed,
            "cancelled": progress.cancelled,
            "remaining": progress.remaining,
            "percent": progress.percent,
        })

    def retry_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        if not self.has_control_permission(request):
            raise PermissionDenied
        job = get_object_or_404(GenerationJob, pk=job_id)
        if job.status in ACTIVE_JOB_STATUSES:
            # A second worker on a running job could make the same image twice.
            self.message_user(request, _("The job is still running; retry once it has finished."), messages.WARNING)
        else:
            retried = services.retry_failed_items(job=job)
            self.message_user(request, _("%(count)d failed image(s) queued again.") % {"count": retried},
                              messages.SUCCESS if retried else messages.WARNING)
        return HttpResponseRedirect(reverse("admin:curation_generationjob_change", args=[job.pk]))

    def cancel_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        if not self.has_control_permission(request):
            raise PermissionDenied
        job = get_object_or_404(GenerationJob, pk=job_id)
        if job.status in ACTIVE_JOB_STATUSES:
            services.cancel_generation_job(job=job)
            self.message_user(request, _("Cancelled: the images made so far stay in the pool."), messages.SUCCESS)
        else:
            self.message_user(request, _("The job is already %(status)s.") % {
                "status": job.get_status_display().lower()}, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:curation_generationjob_change", args=[job.pk]))


def _progress_html(progress: JobProgress) -> str:
    """A bar in two colours (made, failed) with its numbers spelled out for those who cannot see the colours.

    An SVG whose parts are sized by attributes: the Content-Security-Policy allows no inline style."""
    total = progress.total or 1
    counts = {"done": progress.done, "failed": progress.failed, "remaining": progress.remaining}
    done, failed = f"{100 * progress.done / total:.1f}", f"{100 * progress.failed / total:.1f}"
    return format_html(
        '<svg class="eg-progress" viewBox="0 0 100 1" preserveAspectRatio="none" role="img" '
        'aria-label="{0}">'
        '<rect class="eg-progress-done" width="{2}" height="1"></rect>'
        '<rect class="eg-progress-failed" x="{2}" width="{3}" height="1"></rect></svg>'
        '<span class="eg-progress-text">{1}</span>',
        _("%(done)d done, %(failed)d failed, %(remaining)d remaining") % counts,
        _("%(done)d done · %(failed)d failed · %(remaining)d remaining") % counts, done, failed,
    )
