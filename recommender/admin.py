"""The recommender's records in the admin, and the curators' dashboard: the catalogue, likes and visitors' emotions
per day over a date range, the images visitors like most and least, and the recommender's health (read through
recommender.dashboard). The dashboard's words are translated: a Korean admin reads it in Korean."""

import math
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from curation import charts
from curation.admin.common import CheckedSelectionMixin
from curation.models import Image
from emotion_garden.vocabulary import Emotion
from recommender import dashboard
from recommender.models import Interaction, OutboxMessage, SegmentStat
from recommender.selectors import Mode

DEFAULT_DAYS = 30
MAX_DAYS = 366
# About this many labelled days under a chart, whatever the range.
DAY_LABELS = 8
# The online like-rate's rows by the mode garden answers were served in (recommender.selectors.Mode), lower case
# as the table's other headers.
MODE_LABELS = {
    Mode.EMOTION: gettext_lazy("emotion picks"),
    Mode.PERSONAL: gettext_lazy("personal picks"),
    Mode.AUTO: gettext_lazy("automatic picks"),
    Mode.TRENDING: gettext_lazy("trending picks"),
}


DAYS_WITH_VISITORS = [MinValueValidator(date(2000, 1, 1)), MaxValueValidator(date(2999, 12, 31))]


class DateRangeForm(forms.Form):
    """The dashboard's range: by default the 30 days up to today; at most a year, so a chart stays readable."""

    # Days a garden can have had visitors: 0001-01-01 made the default range start before the first day there is.
    first = forms.DateField(label=gettext_lazy("From"), required=False, validators=DAYS_WITH_VISITORS,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last = forms.DateField(label=gettext_lazy("To"), required=False, validators=DAYS_WITH_VISITORS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    min_impressions = forms.IntegerField(
        label=gettext_lazy("Rank images shown at least"), min_value=1, max_value=1_000_000, required=False,
        help_text=gettext_lazy("times"), widget=forms.NumberInput(attrs={"placeholder": dashboard.MIN_IMPRESSIONS}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        last = cleaned.get("last") or timezone.localdate()
        first = cleaned.get("first") or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise forms.ValidationError(gettext_lazy("The range must start on or before the day it ends."))
        if (last - first).days >= MAX_DAYS:
            raise forms.ValidationError(gettext_lazy("Choose a range of at most %(days)d days.") % {"days": MAX_DAYS})
        cleaned.update(first=first, last=last,
                       min_impressions=cleaned.get("min_impressions") or dashboard.MIN_IMPRESSIONS)
        return cleaned


@admin.register(Interaction)
class InteractionAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    list_display = ["id", "event", "image", "face_user", "emotion", "gender", "age_band", "created_at"]
    list_filter = ["event", "emotion", "gender", "age_band"]
    raw_id_fields = ["image", "face_user", "impressions"]
    readonly_fields = ["created_at"]

    def get_urls(self) -> list[URLPattern]:
        return [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="recommender_dashboard"),
            *super().get_urls(),
        ]

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        # The dashboard is the curators' page: whoever may see the catalogue may see it.
        if not request.user.has_perm("curation.view_image"):
            raise PermissionDenied
        form = DateRangeForm(request.GET)
        valid = form.is_valid()
        # A range that cannot be read is answered with 400, its reason and the default range's numbers.
        chosen = form.cleaned_data if valid else _default_range()
        first, last = chosen["first"], chosen["last"]
        top, bottom = dashboard.images_by_like_rate(n=10, min_impressions=chosen["min_impressions"])
        if valid:  # the form shows the range in use, the default one included
            form = DateRangeForm(initial=chosen)
        return TemplateResponse(request, "admin/recommender/dashboard.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Curation dashboard"),
            "form": form,
            "first": first,
            "last": last,
            "min_impressions": chosen["min_impressions"],
            "catalogue_chart": _catalogue_chart(dashboard.images_by_emotion_and_status()),
            "likes_chart": _likes_chart(dashboard.likes_per_day(first=first, last=last)),
            "emotions_chart": _emotions_chart(dashboard.emotions_per_day(first=first, last=last)),
            "top": top,
            "bottom": bottom,
            "health": dashboard.recommender_health(),
            "online": _with_mode_labels(dashboard.online_like_rates(days=7)),
        }, status=200 if valid else 400)


@admin.register(SegmentStat)
class SegmentStatAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    list_display = ["segment", "image", "impressions", "likes", "taste_lift"]
    search_fields = ["segment"]
    raw_id_fields = ["image"]

    def has_delete_permission(self, request: HttpRequest, obj: SegmentStat | None = None) -> bool:
        # Django also asks this for each related row when an image is deleted, and refuses the image if one is
        # refused. Every image a garden showed has counters, which go with it: whoever may delete images may delete
        # them that way. This admin's own pages ask has_direct_delete_permission instead.
        return self.has_direct_delete_permission(request, obj) or request.user.has_perm("curation.delete_image")

    def has_direct_delete_permission(self, request: HttpRequest, obj: SegmentStat | None = None) -> bool:
        """Deleting counters by themselves, which changes what the recommender knows: the counters' own permission."""
        return super().has_delete_permission(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        if not self.has_direct_delete_permission(request):
            raise PermissionDenied
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not self.has_direct_delete_permission(request):
            actions.pop("delete_selected", None)
        return actions

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        # What the index offers; render_change_form does the same for the change form's "Delete" link.
        return {**super().get_model_perms(request), "delete": self.has_direct_delete_permission(request)}

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], add: bool = False,
                           change: bool = False, form_url: str = "", obj: SegmentStat | None = None) -> HttpResponse:
        response = super().render_change_form(request, context, add, change, form_url, obj)
        response.context_data["has_delete_permission"] = self.has_direct_delete_permission(request, obj)
        return response


@admin.register(OutboxMessage)
class OutboxMessageAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    list_display = ["id", "capability", "operation", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status", "capability", "operation"]
    readonly_fields = ["created_at", "delivered_at"]


def _catalogue_chart(counts: dict[str, dict[str, int]]) -> charts.BarChart:
    return charts.bar_chart(
        key="catalogue",
        title=_("Images per emotion and status"),
        description=_("A stacked bar per emotion: how many of its images wait in the pool, are live, were rejected "
                      "or retired."),
        categories=[str(Emotion(emotion).label) for emotion in counts],
        series=[
            charts.Series(key=status, label=str(status.label),
                          values=[by_status[status] for by_status in counts.values()])
            for status in Image.Status
        ],
    )


def _with_mode_labels(rates: dashboard.OnlineRates) -> dashboard.OnlineRates:
    """The rates with their modes named in the reader's language (a mode this admin does not know, as recorded)."""
    by_mode = [replace(rate, label=str(MODE_LABELS.get(rate.label, rate.label))) for rate in rates.by_mode]
    return replace(rates, by_mode=by_mode)


def _default_range() -> dict[str, Any]:
    form = DateRangeForm({})
    form.full_clean()
    return form.cleaned_data


def _label_every(days: int) -> int:
    return max(1, math.ceil(days / DAY_LABELS))


def _likes_chart(days: list[tuple[date, int]]) -> charts.BarChart:
    return charts.bar_chart(
        key="likes",
        title=_("Likes per day"),
        description=_("Likes given each day from %(first)s to %(last)s.") % {
            "first": date_format(days[0][0]), "last": date_format(days[-1][0])},
        categories=[date_format(day, "M j") for day, _likes in days],
        series=[charts.Series(key="likes", label=_("Likes"), values=[likes for _day, likes in days])],
        label_every=_label_every(len(days)),
    )


def _emotions_chart(days: list[tuple[date, dict[str, int]]]) -> charts.BarChart:
    return charts.bar_chart(
        key="emotions",
        title=_("Visitors' emotions per day"),
        description=_("A stacked bar per day: the garden answers served, by the emotion read on the visitor's face "
                      "or chosen."),
        categories=[date_format(day, "M j") for day, _counts in days],
        series=[
            charts.Series(key=emotion.lower(), label=str(label), values=[counts[emotion] for _day, counts in days])
            for emotion, label in Emotion.choices
        ],
        label_every=_label_every(len(days)),
    )
