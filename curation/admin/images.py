"""The pool and the gallery in the admin: the image list with its filters and bulk decisions, the one-image review
view with keyboard shortcuts, and uploads of images or zip archives.

Approving, rejecting and retiring need the curation.review_image permission, which the Curators group has and plain
staff does not. Views stay thin: they check permissions, validate a form and call curation.services.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from curation import services
from curation.admin.common import CSS, THEME_HELP, thumbnail_html
from curation.models import Image
from curation.review import image_themes, next_to_review, review_position, review_queue
from curation.uploads import MAX_UPLOAD_BYTES, import_uploads
from emotion_garden.vocabulary import Emotion

ACCEPTED_UPLOADS = "image/jpeg,image/png,image/webp,image/gif,.zip"


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
    theme = forms.CharField(max_length=100, required=False, help_text=THEME_HELP)
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
        return thumbnail_html(image)

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


def _review_url(filter_query: str, image: Image | None = None) -> str:
    query = "&".join(part for part in (filter_query, f"image={image.pk}" if image else "") if part)
    return f"{reverse('admin:curation_image_review')}{'?' if query else ''}{query}"
