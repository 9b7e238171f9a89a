"""The recommender's records in the admin, and the curators' dashboard: the catalogue, likes per day, the images
visitors like most and least, and the recommender's health (read through recommender.dashboard)."""

from datetime import date

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.formats import date_format

from curation import charts
from curation.models import Image
from emotion_garden.vocabulary import Emotion
from recommender import dashboard
from recommender.models import Interaction, OutboxMessage, SegmentStat


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
        top, bottom = dashboard.images_by_like_rate(n=10)
        return TemplateResponse(request, "admin/recommender/dashboard.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Curation dashboard",
            "catalogue_chart": _catalogue_chart(dashboard.images_by_emotion_and_status()),
            "likes_chart": _likes_chart(dashboard.likes_per_day(days=30)),
            "top": top,
            "bottom": bottom,
            "health": dashboard.recommender_health(),
        })


@admin.register(SegmentStat)
class SegmentStatAdmin(admin.ModelAdmin):
    list_display = ["segment", "image", "impressions", "likes"]
    search_fields = ["segment"]
    raw_id_fields = ["image"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "capability", "operation", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status", "capability", "operation"]
    readonly_fields = ["created_at", "delivered_at"]


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
