"""The curation workflow in the Django admin: review the pool, upload, generate, edit prompt templates, dashboard.

Every view here is thin: it checks permissions, validates a form and calls curation.services (writes) or a selector
module (reads). Approving, rejecting and retiring need the curation.review_image permission, which the Curators group
has and plain staff does not.
"""

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from curation import charts, dashboard, services
from curation.generators import available_generators
from curation.models import GenerationItem, GenerationJob, Image, PromptTemplate
from curation.prompts import PromptError, check_placeholders, default_template, render_prompt
from curation.review import image_themes, next_to_review, review_position, review_queue
from curation.selectors import JobProgress, job_progress
from curation.services import MAX_JOB_IMAGES
from curation.uploads import MAX_UPLOAD_BYTES, import_uploads
from emotion_garden.vocabulary import Emotion

CSS = {"all": ["curation/admin.css"]}
ACCEPTED_UPLOADS = "image/jpeg,image/png,image/webp,image/gif,.zip"
ACTIVE_JOB_STATUSES = (GenerationJob.Status.QUEUED, GenerationJob.Status.RUNNING)


def _thumbnail(image: Image, *, css_class: str = "eg-thumbnail") -> str:
    source = image.thumbnail or image.file
    if not source:
        return ""
    return format_html('<img src="{}" alt="{}" class="{}" loading="lazy">', source.url, image, css_class)


# --- Images: the pool and the gallery ----------------------------------------------------------------------------


class ReviewStatusFilter(admin.SimpleListFilter):
    """The status filter, showing the pending pool unless asked otherwise: reviewing is what the list is for.

    A plain status filter cannot default to "pending" without breaking its "All" link (which removes the parameter),
    so "All" gets an explicit value of its own.
    """

    title = "status"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return Image.Status.choices

    def value(self) -> str:
        return super().value() or Image.Status.PENDING

    def queryset(self, request: HttpRequest, queryset: QuerySet[Image]) -> QuerySet[Image]:
        return queryset if self.value() == self.ALL else queryset.filter(status=self.value())

    def choices(self, changelist: Any) -> Any:
        yield {
            "selected": self.value() == self.ALL,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": "All",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class ThemeFilter(admin.SimpleListFilter):
    title = "theme"
    parameter_name = "theme"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(theme, theme) for theme in image_themes()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Image]) -> QuerySet[Image]:
        return queryset.filter(theme=self.value()) if self.value() else queryset


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
    emotion = forms.ChoiceField(choices=[("", "---------"), *Emotion.choices])
    theme = forms.CharField(max_length=100, required=False, help_text='Optional, e.g. "spring,rainy,day".')
    files = MultipleFileField(
        help_text="JPEG, PNG, WebP or GIF images, or zip archives of them. Everything is re-encoded as JPEG."
    )

    def clean_files(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data["files"]
        # Refused before a byte is read: nothing this large can be an acceptable image or archive.
        too_large = [upload.name for upload in uploads if upload.size > MAX_UPLOAD_BYTES]
        if too_large:
            raise forms.ValidationError(
                f"Larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB: {', '.join(sorted(too_large))}."
            )
        return uploads


class ReviewFilterForm(forms.Form):
    emotion = forms.ChoiceField(choices=[("", "every emotion"), *Emotion.choices], required=False)
    generation_job = forms.IntegerField(min_value=1, required=False, label="Generation job")


class DecisionForm(forms.Form):
    image = forms.ModelChoiceField(queryset=Image.objects.all())
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail_preview", "id", "emotion", "theme", "orientation", "source", "status",
                    "generation_job", "reviewed_by", "created_at"]
    list_display_links = ["thumbnail_preview", "id"]
    list_filter = [ReviewStatusFilter, "emotion", ThemeFilter, "orientation", "source",
                   ("generation_job", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["generation_job", "reviewed_by"]
    list_per_page = 48
    search_fields = ["prompt", "theme", "name"]
    actions = ["approve", "reject", "retire"]
    fields = ["large_preview", "emotion", "theme", "name", "prompt", "status", "source", "width", "height",
              "orientation", "generation_job", "created_at", "reviewed_by", "reviewed_at", "approved_at"]
    # Status and review fields change only through the actions and the review view, which keep the recommender in step.
    always_read_only = ["large_preview", "status", "source", "width", "height", "orientation", "generation_job",
                     "created_at", "reviewed_by", "reviewed_at", "approved_at"]
    change_list_template = "admin/curation/image/change_list.html"

    class Media:
        css = CSS

    def get_readonly_fields(self, request: HttpRequest, obj: Image | None = None) -> list[str]:
        # A reviewed image was published as it is: its description only changes while it waits in the pool.
        if obj is not None and obj.status != Image.Status.PENDING:
            return self.fields
        return self.always_read_only

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.review_image")

    @admin.display(description="image")
    def thumbnail_preview(self, image: Image) -> str:
        return _thumbnail(image)

    @admin.display(description="image")
    def large_preview(self, image: Image) -> str:
        if not image.file:
            return ""
        return format_html('<a href="{0}"><img src="{0}" alt="{1}" class="eg-large"></a>', image.file.url, image)

    @admin.action(description="Approve: publish to the gallery", permissions=["review"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        self._decide(request, queryset.exclude(status=Image.Status.APPROVED), services.approve_image, "approved")

    @admin.action(description="Reject", permissions=["review"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        self._decide(request, queryset.exclude(status=Image.Status.REJECTED), services.reject_image, "rejected")

    @admin.action(description="Retire: take out of the gallery", permissions=["review"])
    def retire(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        self._decide(request, queryset.exclude(status=Image.Status.RETIRED), services.retire_image, "retired")

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[Image], decide: Callable[..., Image], verb: str
    ) -> None:
        images = list(queryset)
        for image in images:
            decide(image=image, reviewer=request.user)
        self.message_user(request, f"{len(images)} image(s) {verb}.", messages.SUCCESS)

    def delete_model(self, request: HttpRequest, obj: Image) -> None:
        services.delete_image(image=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        for image in queryset:
            services.delete_image(image=image)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        # Images come in through the upload view, which validates and re-encodes them; a bare model form would not.
        return HttpResponseRedirect(reverse("admin:curation_image_upload"))

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("review/", wrap(self.review_view), name="curation_image_review"),
            path("upload/", wrap(self.upload_view), name="curation_image_upload"),
            path("dashboard/", wrap(self.dashboard_view), name="curation_image_dashboard"),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, title: str, **context: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **context}

    def review_view(self, request: HttpRequest) -> HttpResponse:
        """One pending image at a time, large, with keyboard shortcuts: A approve, R reject, N/→ next, P/← previous."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        filters = ReviewFilterForm(request.GET)
        chosen = filters.cleaned_data if filters.is_valid() else {}
        queue = review_queue(emotion=chosen.get("emotion", ""), generation_job_id=chosen.get("generation_job"))
        filter_query = urlencode({name: value for name, value in chosen.items() if value})
        if request.method == "POST":
            return self._decide_in_review(request, queue, filter_query)
        image = get_object_or_404(Image, pk=request.GET["image"]) if request.GET.get("image", "").isdigit() else None
        position = review_position(queue=queue, image=image)
        return TemplateResponse(request, "admin/curation/image/review.html", self._context(
            request, "Review the pool",
            filters=filters,
            position=position,
            filter_query=filter_query,
            previous_url=_review_url(filter_query, position.previous) if position.previous else "",
            next_url=_review_url(filter_query, position.next) if position.next else "",
            can_review=self.has_review_permission(request),
        ))

    def _decide_in_review(self, request: HttpRequest, queue: QuerySet[Image], filter_query: str) -> HttpResponse:
        if not self.has_review_permission(request):
            raise PermissionDenied
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest("Choose an image and a decision.")
        image: Image = form.cleaned_data["image"]
        if form.cleaned_data["decision"] == "approve":
            services.approve_image(image=image, reviewer=request.user)
        else:
            services.reject_image(image=image, reviewer=request.user)
        self.message_user(request, f"Image #{image.pk} {image.get_status_display().lower()}.", messages.SUCCESS)
        return HttpResponseRedirect(_review_url(filter_query, next_to_review(queue=queue, after=image)))

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            emotion = form.cleaned_data["emotion"]
            report = import_uploads(
                # A generator: each file is read only when its turn comes, not all of them into memory at once.
                files=((upload.name, upload.read()) for upload in form.cleaned_data["files"]),
                emotion=Emotion(emotion),
                theme=form.cleaned_data["theme"],
                uploaded_by=request.user,
            )
            if report.refused:
                self.message_user(request, format_html(
                    "{} file(s) refused:<ul>{}</ul>",
                    len(report.refused),
                    format_html_join("", "<li>{}: {}</li>", report.refused),
                ), messages.ERROR)
            if report.accepted:
                self.message_user(
                    request, f"{len(report.accepted)} image(s) added to the pool for review.", messages.SUCCESS
                )
                changelist = reverse("admin:curation_image_changelist")
                return HttpResponseRedirect(f"{changelist}?{urlencode({'emotion__exact': emotion})}")
        return TemplateResponse(request, "admin/curation/image/upload.html", self._context(
            request, "Upload images",
            adminform=helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}, model_admin=self),
            form=form,
        ))

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        top, bottom = dashboard.images_by_like_rate(n=10)
        return TemplateResponse(request, "admin/curation/dashboard.html", self._context(
            request, "Curation dashboard",
            catalogue_chart=_catalogue_chart(dashboard.images_by_emotion_and_status()),
            likes_chart=_likes_chart(dashboard.likes_per_day(days=30)),
            top=top,
            bottom=bottom,
            health=dashboard.recommender_health(),
        ))


def _review_url(filter_query: str, image: Image | None = None) -> str:
    query = "&".join(part for part in (filter_query, f"image={image.pk}" if image else "") if part)
    return f"{reverse('admin:curation_image_review')}{'?' if query else ''}{query}"


def _catalogue_chart(counts: dict[str, dict[str, int]]) -> charts.BarChart:
    return charts.bar_chart(
        key="catalogue",
        title="Images per emotion and status",
        description="A stacked bar per emotion: how many of its images wait in the pool, are live, were rejected "
                    "or retired.",
        categories=[Emotion(emotion).label for emotion in counts],
        series=[
            charts.Series(key=status, label=label, values=[by_status[status] for by_status in counts.values()])
            for status, label in Image.Status.choices
        ],
    )


def _likes_chart(days: list[tuple[date, int]]) -> charts.BarChart:
    return charts.bar_chart(
        key="likes",
        title="Likes per day",
        description=f"Likes given each day over the last {len(days)} days.",
        categories=[date_format(day, "M j") for day, _ in days],
        series=[charts.Series(key="likes", label="Likes", values=[likes for _, likes in days])],
        label_every=5,
    )


# --- Generation jobs ---------------------------------------------------------------------------------------------

SIZES = {"512x512": (512, 512), "768x512": (768, 512), "1024x600": (1024, 600), "1280x800": (1280, 800)}


class GenerationJobForm(forms.ModelForm):
    """What a curator asks for; the prompt is rendered from the template unless written out."""

    count = forms.IntegerField(min_value=1, max_value=MAX_JOB_IMAGES, initial=10)
    size = forms.ChoiceField(choices=[(size, size.replace("x", " × ")) for size in SIZES], initial="1024x600")
    orientation = forms.ChoiceField(
        choices=Image.Orientation.choices, initial=Image.Orientation.LANDSCAPE,
        help_text="Portrait swaps the width and the height.",
    )
    backend = forms.ChoiceField(help_text="The image generator that makes the images.")

    class Meta:
        model = GenerationJob
        fields = ["emotion", "theme", "prompt_template", "prompt", "count", "backend"]
        help_texts = {
            "prompt_template": "Leave empty for the emotion's own template (the theme's, if it has one).",
            "prompt": "Leave empty to use the template; may use {emotion} and {theme}.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        generators = available_generators()
        self.fields["backend"].choices = [(name, name) for name in generators]
        self.fields["backend"].initial = generators[0] if generators else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        emotion, theme = cleaned.get("emotion"), cleaned.get("theme", "")
        template: PromptTemplate | None = cleaned.get("prompt_template")
        if emotion is None:
            return cleaned
        if template is not None and template.emotion != emotion:
            self.add_error("prompt_template", f"“{template}” is a template for {template.get_emotion_display()}, "
                                              f"not {Emotion(emotion).label}.")
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

    @admin.display(description="image")
    def image_link(self, item: GenerationItem) -> str:
        if item.image is None:
            return "—"
        url = reverse("admin:curation_image_change", args=[item.image.pk])
        return format_html('<a href="{}">{}</a>', url, _thumbnail(item.image, css_class="eg-thumbnail-small"))


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ["id", "progress_bar", "status", "emotion", "theme", "count", "backend", "created_by",
                    "created_at"]
    list_filter = ["status", "emotion", "backend"]
    list_select_related = ["created_by"]
    fields = ["emotion", "theme", "prompt_template", "prompt", "count", "width", "height", "backend", "status",
              "created_by", "created_at", "started_at", "finished_at", "review_link"]
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

    @admin.display(description="progress")
    def progress_bar(self, job: GenerationJob) -> str:
        progress = JobProgress(total=job.total, done=job.done, failed=job.failed, cancelled=job.cancelled)
        return _progress_html(progress)

    @admin.display(description="images")
    def review_link(self, job: GenerationJob) -> str:
        url = f"{reverse('admin:curation_image_review')}?{urlencode({'generation_job': job.pk})}"
        listing = f"{reverse('admin:curation_image_changelist')}?{urlencode({'generation_job__id__exact': job.pk})}"
        return format_html('<a href="{}">Review its pending images</a> · <a href="{}">list them</a>', url, listing)

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
                self.message_user(request, f"Generation job {job.pk} queued: {job}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:curation_generationjob_change", args=[job.pk]))
        fieldsets = [
            ("What to make", {"fields": ["emotion", "theme", "count", "size", "orientation"]}),
            ("How", {"fields": ["prompt_template", "prompt", "backend"]}),
        ]
        return TemplateResponse(request, "admin/curation/generationjob/add_form.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Generate images",
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
            self.message_user(request, "The job is still running; retry once it has finished.", messages.WARNING)
        else:
            retried = services.retry_failed_items(job=job)
            self.message_user(request, f"{retried} failed image(s) queued again.",
                              messages.SUCCESS if retried else messages.WARNING)
        return HttpResponseRedirect(reverse("admin:curation_generationjob_change", args=[job.pk]))

    def cancel_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        if not self.has_control_permission(request):
            raise PermissionDenied
        job = get_object_or_404(GenerationJob, pk=job_id)
        if job.status in ACTIVE_JOB_STATUSES:
            services.cancel_generation_job(job=job)
            self.message_user(request, "Cancelled: the images made so far stay in the pool.", messages.SUCCESS)
        else:
            self.message_user(request, f"The job is already {job.get_status_display().lower()}.", messages.WARNING)
        return HttpResponseRedirect(reverse("admin:curation_generationjob_change", args=[job.pk]))


def _progress_html(progress: JobProgress) -> str:
    """A bar in two colours (made, failed) with its numbers spelled out for those who cannot see the colours."""
    total = progress.total or 1
    return format_html(
        '<div class="eg-progress" role="img" aria-label="{0} done, {1} failed, {2} remaining">'
        '<span class="eg-progress-done" style="width:{3}%"></span>'
        '<span class="eg-progress-failed" style="width:{4}%"></span></div>'
        '<span class="eg-progress-text">{0} done · {1} failed · {2} remaining</span>',
        progress.done, progress.failed, progress.remaining,
        f"{100 * progress.done / total:.1f}", f"{100 * progress.failed / total:.1f}",
    )


# --- Prompt templates --------------------------------------------------------------------------------------------


class PromptTemplateForm(forms.ModelForm):
    class Meta:
        model = PromptTemplate
        fields = ["name", "emotion", "theme", "text", "negative_text"]

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        try:
            check_placeholders(text=text)
        except PromptError as error:
            raise forms.ValidationError(str(error)) from None
        return text


@admin.register(PromptTemplate)
class PromptTemplateAdmin(admin.ModelAdmin):
    form = PromptTemplateForm
    list_display = ["name", "emotion", "theme", "preview", "updated_at"]
    list_filter = ["emotion", "theme"]
    search_fields = ["name", "theme", "text"]
    readonly_fields = ["preview", "created_at", "updated_at"]
    fields = ["name", "emotion", "theme", "text", "negative_text", "preview", "created_at", "updated_at"]

    @admin.display(description="rendered")
    def preview(self, template: PromptTemplate) -> str:
        """The prompt this template sends for its own emotion and theme (for a general template: with no theme)."""
        if not template.pk:
            return "—"
        try:
            return render_prompt(text=template.text, emotion=template.emotion, theme=template.theme)
        except PromptError as error:
            return f"Cannot be rendered: {error}"
