"""The recommender's records in the admin, and the curators' dashboard: the catalogue, likes and visitors' emotions
per day over a date range, the images visitors like most and least, and the recommender's health (read through
recommender.dashboard). The dashboard's words are translated: a Korean admin reads it in Korean."""

import math
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
from curation.models import Image
from emotion_garden.vocabulary import Emotion
from recommender import dashboard
from recommender.models import Interaction, OutboxMessage, SegmentStat

DEFAULT_DAYS = 30
MAX_DAYS = 366
# About this many labelled days under a chart, whatever the range.
DAY_LABELS = 8
# The catalogue chart's legend in the reader's language (the model's labels are the log's, in English).
STATUS_LABELS = {
    Image.Status.PENDING: gettext_lazy("Pending review"),
    Image.Status.APPROVED: gettext_lazy("Approved"),
    Image.Status.REJECTED: gettext_lazy("Rejected"),
    Image.Status.RETIRED: gettext_lazy("Retired"),
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
class InteractionAdmin(admin.ModelAdmin):
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
            "online": dashboard.online_like_rates(days=7),
        }, status=200 if valid else 400)


@admin.register(SegmentStat)
class SegmentStatAdmin(admin.ModelAdmin):
    list_display = ["segment", "image", "impressions", "likes", "taste_lift"]
    search_fields = ["segment"]
    raw_id_fields = ["image"]

    def has_delete_permission(self, request: HttpRequest, obj: SegmentStat | None = None) -> bool:
        # An image's counters go with it: whoever may delete images may delete them (every image a garden showed has
        # some, and the admin refuses to delete an image whose related rows the user may not delete).
        return request.user.has_perm("curation.delete_image") or super().has_delete_permission(request, obj)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
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
            charts.Series(key=status, label=str(STATUS_LABELS[status]),
                          values=[by_status[status] for by_status in counts.values()])
            for status in Image.Status
        ],
    )


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
