"""The image admin's own pages: the one-image review view, the thumbnail grid, and uploads of images or zip archives.

Both review pages decide through curation.admin.history, so every decision is logged and can be undone.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from curation.admin.common import job_label, posted_id
from curation.admin.forms import DecisionForm, GridFilterForm, PoolFilterForm, UploadForm
from curation.admin.history import decide_images
from curation.models import GenerationJob, Image
from curation.review import next_to_review, review_position, review_queue
from curation.uploads import import_uploads
from emotion_garden.vocabulary import Emotion

GRID_PAGE = 48
# The status each decision button gives.
DECISIONS = {"approve": Image.Status.APPROVED, "reject": Image.Status.REJECTED}


def _filter_query(chosen: dict[str, Any]) -> str:
    return urlencode({name: value.pk if isinstance(value, GenerationJob) else value
                      for name, value in chosen.items() if value})


def _queue(chosen: dict[str, Any], status: str = Image.Status.PENDING) -> QuerySet[Image]:
    job = chosen.get("generation_job")
    return review_queue(emotion=chosen.get("emotion", ""), theme=chosen.get("theme", ""),
                        generation_job_id=job.pk if job else None, status=status)


def _url(view: str, *parts: str) -> str:
    query = "&".join(part for part in parts if part)
    return f"{reverse(view)}{'?' if query else ''}{query}"


def _repeat_link(image: Image | None) -> str:
    if image is None:
        return ""
    return format_html(' <a href="{}">{}</a>', reverse("admin:curation_image_change", args=[image.pk]),
                       _("See image #%(id)s") % {"id": image.pk})


def _review_url(filter_query: str, image: Image | None = None) -> str:
    return _url("admin:curation_image_review", filter_query, f"image={image.pk}" if image else "")


class PoolViewsMixin:
    """For ImageAdmin (which provides has_review_permission and the admin's own methods)."""

    def _context(self, request: HttpRequest, title: str, **context: Any) -> dict[str, Any]:
        model_admin: Any = self
        return {**model_admin.admin_site.each_context(request), "opts": model_admin.opts, "title": title, **context}

    def review_view(self, request: HttpRequest) -> HttpResponse:
        """One pending image at a time, large, with keyboard shortcuts: A approve, R reject, N/→ next, P/← previous."""
        model_admin: Any = self
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        filters = PoolFilterForm(request.GET)
        chosen = filters.cleaned_data if filters.is_valid() else {}
        queue, filter_query = _queue(chosen), _filter_query(chosen)
        if request.method == "POST":
            return self._decide_in_review(request, queue, filter_query)
        wanted = posted_id(request.GET.get("image", ""))
        image = get_object_or_404(Image, pk=wanted) if wanted is not None else None
        position = review_position(queue=queue, image=image)
        job = position.image.generation_job if position.image else None
        return TemplateResponse(request, "admin/curation/image/review.html", self._context(
            request, _("Review the pool"),
            filters=filters,
            position=position,
            job_name=job_label(job) if job else "",
            filter_query=filter_query,
            grid_url=_url("admin:curation_image_grid", filter_query),
            previous_url=_review_url(filter_query, position.previous) if position.previous else "",
            next_url=_review_url(filter_query, position.next) if position.next else "",
            can_review=model_admin.has_review_permission(request),
        ))

    def _decide_in_review(self, request: HttpRequest, queue: QuerySet[Image], filter_query: str) -> HttpResponse:
        model_admin: Any = self
        if not model_admin.has_review_permission(request):
            raise PermissionDenied
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Choose an image and a decision."))
        image: Image = form.cleaned_data["image"]
        decide_images(model_admin, request, [image], DECISIONS[form.cleaned_data["decision"]])
        return HttpResponseRedirect(_review_url(filter_query, next_to_review(queue=queue, after=image)))

    def grid_view(self, request: HttpRequest) -> HttpResponse:
        """The pool as a grid of thumbnails: approve or reject one (A, R on a focused card) or a selection."""
        model_admin: Any = self
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        filters = GridFilterForm(request.GET)
        chosen = filters.cleaned_data if filters.is_valid() else {}
        queue, filter_query = _queue(chosen, chosen.get("status") or Image.Status.PENDING), _filter_query(chosen)
        page = Paginator(queue, GRID_PAGE).get_page(request.GET.get("page"))
        page_query = f"page={page.number}" if page.number > 1 else ""
        if request.method == "POST":
            return self._decide_in_grid(request, queue, _url("admin:curation_image_grid", filter_query, page_query))
        return TemplateResponse(request, "admin/curation/image/grid.html", self._context(
            request, _("Review the pool as a grid"),
            filters=filters,
            page=page,
            filter_query=filter_query,
            review_url=_url("admin:curation_image_review", filter_query),
            can_review=model_admin.has_review_permission(request),
        ))

    def _decide_in_grid(self, request: HttpRequest, queue: QuerySet[Image], grid_url: str) -> HttpResponse:
        model_admin: Any = self
        if not model_admin.has_review_permission(request):
            raise PermissionDenied
        # A card's own button names its image; the buttons above the grid decide the selected ones.
        one = next(((name, request.POST[name]) for name in DECISIONS
                    if posted_id(request.POST.get(name, "")) is not None), None)
        decision, ids = (one[0], [one[1]]) if one else (request.POST.get("decision", ""), [
            value for value in request.POST.getlist("selected") if posted_id(value) is not None])
        if decision not in DECISIONS or not ids:
            return HttpResponseBadRequest(_("Choose one or more images and a decision."))
        images = list(Image.objects.filter(pk__in=ids).order_by("created_at", "id"))
        decide_images(model_admin, request, images, DECISIONS[decision])
        # Focus lands on the card that takes the decided one's place.
        following = next_to_review(queue=queue, after=images[-1]) if images else None
        return HttpResponseRedirect(f"{grid_url}#image-{following.pk}" if following else grid_url)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        model_admin: Any = self
        if not model_admin.has_add_permission(request):
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
                keep_near_copies=form.cleaned_data["keep_near_copies"],
            )
            if report.refused:
                model_admin.message_user(request, format_html(
                    '{}<ul class="eg-refused">{}</ul>',
                    _("%(count)d file(s) refused:") % {"count": len(report.refused)},
                    format_html_join("", "<li>{}: {}{}</li>", (
                        (name, reason, _repeat_link(report.repeats.get(name))) for name, reason in report.refused)),
                ), messages.ERROR)
            if report.accepted:
                model_admin.message_user(request, _("%(count)d image(s) added to the pool for review.") % {
                    "count": len(report.accepted)}, messages.SUCCESS)
                changelist = reverse("admin:curation_image_changelist")
                return HttpResponseRedirect(f"{changelist}?{urlencode({'emotion__exact': emotion})}")
        return TemplateResponse(request, "admin/curation/image/upload.html", self._context(
            request, _("Upload images"),
            adminform=helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}, model_admin=model_admin),
            form=form,
        ))
