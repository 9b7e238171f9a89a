"""The pool and the gallery in the admin: the image list with its filters, bulk decisions and bulk corrections (the
review, grid and upload pages are in curation.admin.pool, the decisions' log and undo in curation.admin.history).

Approving, rejecting and retiring need the curation.review_image permission, which the Curators group has and plain
staff does not. Views stay thin: they check permissions, validate a form and call curation.services.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from curation import services
from curation.admin.common import CSS, CheckedSelectionMixin, job_label, posted_id, thumbnail_html
from curation.admin.forms import CorrectionForm, ImageChangeForm
from curation.admin.history import DecisionHistoryMixin, decide_images
from curation.admin.pool import PoolViewsMixin
from curation.models import GenerationJob, Image
from curation.review import image_themes

# --- Images: the pool and the gallery ----------------------------------------------------------------------------


class ReviewStatusFilter(admin.SimpleListFilter):
    """The status filter, showing the pending pool unless asked otherwise: reviewing is what the list is for.

    A plain status filter cannot default to "pending" without breaking its "All" link (which removes the parameter),
    so "All" gets an explicit value of its own.
    """

    title = gettext_lazy("status")
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
            "display": _("All"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class ThemeFilter(admin.SimpleListFilter):
    title = gettext_lazy("theme")
    parameter_name = "theme"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(theme, theme) for theme in image_themes()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Image]) -> QuerySet[Image]:
        return queryset.filter(theme=self.value()) if self.value() else queryset


class GenerationJobFilter(admin.RelatedOnlyFieldListFilter):
    """The jobs that made images in the list, named by emotion, theme and date rather than by a bare id."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[int, str]]:
        made = model_admin.get_queryset(request).exclude(generation_job=None).values("generation_job")
        return [(job.pk, job_label(job)) for job in GenerationJob.objects.filter(pk__in=made).order_by("-created_at")]


@admin.register(Image)
class ImageAdmin(CheckedSelectionMixin, DecisionHistoryMixin, PoolViewsMixin, admin.ModelAdmin):
    form = ImageChangeForm
    list_display = ["thumbnail_preview", "id", "emotion", "theme", "orientation", "source", "status",
                    "generation_job_name", "reviewed_by", "created_at"]
    list_display_links = ["thumbnail_preview", "id"]
    list_filter = [ReviewStatusFilter, "emotion", ThemeFilter, "orientation", "source",
                   ("generation_job", GenerationJobFilter)]
    list_select_related = ["generation_job", "reviewed_by"]
    list_per_page = 48
    search_fields = ["prompt", "theme", "name"]
    actions = ["approve", "reject", "retire", "correct"]
    fields = ["large_preview", "emotion", "theme", "name", "prompt", "status", "source", "width", "height",
              "orientation", "generation_job", "duplicate_link", "created_at", "reviewed_by", "reviewed_at",
              "approved_at"]
    # Status and review fields change only through the actions and the review views, which keep the recommender in
    # step.
    always_read_only = ["large_preview", "status", "source", "width", "height", "orientation", "generation_job",
                        "duplicate_link", "created_at", "reviewed_by", "reviewed_at", "approved_at"]
    change_list_template = "admin/curation/image/change_list.html"

    class Media:
        css = CSS

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # The list filter allows ?generation_job=<id>; a number past any id failed the query itself (a 500). It is
        # answered as the admin answers any lookup it cannot read.
        job = request.GET.get("generation_job")
        if job is not None and posted_id(job) is None:
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request: HttpRequest, obj: Image | None = None) -> list[str]:
        # A reviewed image was published under its name and prompt; its emotion and theme may still be corrected,
        # by whoever may review (refiling a live image changes what the gallery shows, as approving does).
        if obj is not None and obj.status != Image.Status.PENDING:
            if not self.has_review_permission(request):
                return self.fields
            return [*self.always_read_only, "name", "prompt"]
        return self.always_read_only

    def save_model(self, request: HttpRequest, obj: Image, form: Any, change: bool) -> None:
        if not change or obj.status == Image.Status.PENDING:
            super().save_model(request, obj, form, change)
            return
        # The form has already put the new values on `obj`: the service compares them with the stored image.
        services.correct_image(image=Image.objects.get(pk=obj.pk), emotion=obj.emotion, theme=obj.theme)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.review_image")

    @admin.display(description=gettext_lazy("image"))
    def thumbnail_preview(self, image: Image) -> str:
        return thumbnail_html(image)

    @admin.display(description=gettext_lazy("image"))
    def large_preview(self, image: Image) -> str:
        if not image.file:
            return ""
        return format_html('<a href="{0}"><img src="{0}" alt="{1}" class="eg-large"></a>', image.file.url, image)

    @admin.display(description=gettext_lazy("generation job"), ordering="generation_job__created_at")
    def generation_job_name(self, image: Image) -> str:
        return job_label(image.generation_job) if image.generation_job else "—"

    @admin.display(description=gettext_lazy("repeats"))
    def duplicate_link(self, image: Image) -> str:
        if image.duplicate_of_id is None:
            return "—"
        url = reverse("admin:curation_image_change", args=[image.duplicate_of_id])
        return format_html(_('<a href="{}">image #{}</a>, found when it was made'), url, image.duplicate_of_id)

    @admin.action(description=gettext_lazy("Approve: publish to the gallery"), permissions=["review"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        decide_images(self, request, list(queryset), Image.Status.APPROVED)

    @admin.action(description=gettext_lazy("Reject"), permissions=["review"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        decide_images(self, request, list(queryset), Image.Status.REJECTED)

    @admin.action(description=gettext_lazy("Retire: take out of the gallery"), permissions=["review"])
    def retire(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        decide_images(self, request, list(queryset), Image.Status.RETIRED)

    @admin.action(description=gettext_lazy("Correct the emotion or theme"), permissions=["review"])
    def correct(self, request: HttpRequest, queryset: QuerySet[Image]) -> HttpResponse | None:
        """An intermediate page asks for the new emotion or theme; live images reach the recommender corrected."""
        form = CorrectionForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            return TemplateResponse(request, "admin/curation/image/correct.html", self._context(
                request, _("Correct images"), form=form, images=queryset,
                action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            ))
        corrected, refused = 0, []
        for image in queryset:
            before = {"emotion": image.emotion, "theme": image.theme}
            try:
                changed = services.correct_image(
                    image=image, emotion=form.cleaned_data["emotion"] or image.emotion,
                    theme="" if form.cleaned_data["clear_theme"] else form.cleaned_data["theme"] or image.theme,
                )
            except ValidationError as error:
                refused.append(f"#{image.pk}: {' '.join(error.messages)}")
                continue
            if changed:
                corrected += 1
                self.log_change(request, image, "; ".join(
                    f"{field}: {before[field] or '—'} → {getattr(image, field) or '—'}" for field in changed) + ".")
        self.message_user(request, _("%(count)d image(s) corrected.") % {"count": corrected}, messages.SUCCESS)
        if refused:
            self.message_user(request, _("Not corrected: %(refusals)s") % {"refusals": "; ".join(refused)},
                              messages.ERROR)
        return None

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
            path("grid/", wrap(self.grid_view), name="curation_image_grid"),
            path("upload/", wrap(self.upload_view), name="curation_image_upload"),
            path("undo/<str:batch>/", wrap(self.undo_view), name="curation_image_undo"),
            *super().get_urls(),
        ]
