"""Review decisions leave a trace and can be taken back.

Every approve, reject, retire, correction and undo is written to Django's admin log (LogEntry), so an image's
/history/ page tells who did what and when. Django's own log was chosen over django-simple-history: the admin
already writes and shows it, it needs no model or table of ours, and a decision is a change of one field whose
before and after fit in the entry's message.

Undo: a decision's message offers a link to a page that puts the images back as they were, through the same services
(so the gallery and the recommender follow). What it would undo is kept in the curator's session, not in the link,
so a bulk decision over thousands of images still gives a short link, and no one can forge what it restores.
"""

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from curation import services
from curation.models import Image

SESSION_KEY = "curation_image_undo"
# Decisions that can still be undone, per curator: the latest batches only.
KEPT_BATCHES = 20
# What a decision's message says, by the status it gave.
DECIDED = {
    Image.Status.APPROVED: ngettext_lazy("%(count)d image approved.", "%(count)d images approved.", "count"),
    Image.Status.REJECTED: ngettext_lazy("%(count)d image rejected.", "%(count)d images rejected.", "count"),
    Image.Status.RETIRED: ngettext_lazy("%(count)d image retired.", "%(count)d images retired.", "count"),
}


@dataclass(frozen=True)
class Decision:
    image_id: int
    before: str
    after: str


def status_label(status: str) -> str:
    return str(Image.Status(status).label)


def logged_status(status: str) -> str:
    """A status as the admin log writes it: in one language whoever decides, as Django logs its own changes."""
    with translation.override(None):
        return status_label(status)


class DecisionHistoryMixin:
    """For ImageAdmin: writes decisions to the admin log and offers to undo them."""

    def record_decisions(self, request: HttpRequest, decisions: list[tuple[Image, str]], *, status: str) -> None:
        """Log each (image, status before) and tell the curator, with an Undo link. The images hold their new
        `status` already."""
        model_admin: Any = self
        for image, before in decisions:
            model_admin.log_change(request, image, f"{logged_status(image.status)} (was {logged_status(before)}).")
        if not decisions:
            model_admin.message_user(request, _("No image changed."), messages.WARNING)
            return
        batch = uuid.uuid4().hex
        kept = request.session.get(SESSION_KEY, {})
        kept[batch] = [[image.pk, before, image.status] for image, before in decisions]
        request.session[SESSION_KEY] = dict(list(kept.items())[-KEPT_BATCHES:])
        undo = reverse("admin:curation_image_undo", args=[batch])
        model_admin.message_user(request, format_html(
            '{} <a href="{}?{}" class="eg-undo">{}</a>',
            DECIDED[Image.Status(status)] % {"count": len(decisions)},
            undo, urlencode({"next": request.get_full_path()}), _("Undo"),
        ), messages.SUCCESS)

    def undo_view(self, request: HttpRequest, batch: str) -> HttpResponse:
        """GET: what the undo would do. POST: put back the images that still hold the decided status."""
        model_admin: Any = self
        if not model_admin.has_review_permission(request):
            raise PermissionDenied
        stored = request.session.get(SESSION_KEY, {}).get(batch)
        if stored is None:
            raise Http404(_("This decision can no longer be undone here."))
        decisions = [Decision(*row) for row in stored]
        images = Image.objects.in_bulk([decision.image_id for decision in decisions])
        undoable = [(images[d.image_id], d) for d in decisions if d.image_id in images
                    and images[d.image_id].status == d.after]
        next_url = request.POST.get("next") or request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = ""
        if request.method == "POST":
            for image, decision in undoable:
                services.set_image_status(image=image, status=decision.before, reviewer=request.user)
                model_admin.log_change(request, image, f"Undone: {logged_status(decision.before)} again "
                                                       f"(was {logged_status(decision.after)}).")
            kept = request.session[SESSION_KEY]
            del kept[batch]
            request.session[SESSION_KEY] = kept
            model_admin.message_user(request, ngettext(
                "%(count)d image put back as it was.", "%(count)d images put back as they were.", len(undoable),
            ) % {"count": len(undoable)}, messages.SUCCESS)
            return HttpResponseRedirect(next_url or reverse("admin:curation_image_changelist"))
        return TemplateResponse(request, "admin/curation/image/undo.html", {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": _("Undo a decision"),
            "undoable": [(image, status_label(d.after), status_label(d.before)) for image, d in undoable],
            "changed_since": len(decisions) - len(undoable),
            "next_url": next_url,
        })


def decide_images(model_admin: admin.ModelAdmin, request: HttpRequest, images: list[Image], status: str) -> None:
    """Give every image `status` (those that have it already are left alone), logged with an undo, in one
    transaction; images removed meanwhile are skipped and counted."""
    with transaction.atomic():
        decisions, gone = services.decide_images(images=images, status=status, reviewer=request.user)
        model_admin.record_decisions(request, decisions, status=status)  # type: ignore[attr-defined]
    if gone:
        model_admin.message_user(request, ngettext(
            "%(count)d image was removed meanwhile and not decided.",
            "%(count)d images were removed meanwhile and not decided.", gone,
        ) % {"count": gone}, messages.WARNING)
