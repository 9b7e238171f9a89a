"""Tracks in the admin: the list with covers, filters, search and bulk decisions, and adding or correcting a song.

A curator's main task with suggested songs is checking that they exist: every row links to a YouTube search for the
song. Approving, rejecting and retiring need curation.review_track (the Curators group has it). Tracks are created
and edited through curation.songs.services, which draw the cover and keep the emotions and uniqueness in step.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from curation.admin.common import CSS, CheckedSelectionMixin
from curation.admin.images import ReviewStatusFilter
from curation.models import Track, TrackEmotion
from curation.songs import services
from curation.songs.names import ARTIST_MAX, TITLE_MAX, InvalidName, clean_name
from emotion_garden.vocabulary import Emotion


class TrackStatusFilter(ReviewStatusFilter):
    """Pending tracks unless asked otherwise, as for images."""

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return Track.Status.choices


class TrackEmotionFilter(admin.SimpleListFilter):
    title = gettext_lazy("emotion")
    parameter_name = "emotion"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return Emotion.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Track]) -> QuerySet[Track]:
        if not self.value():
            return queryset
        return queryset.filter(pk__in=TrackEmotion.objects.filter(emotion=self.value()).values("track"))


class TrackForm(forms.ModelForm):
    """Title, artist and emotions, checked as the services check them, so a refusal shows on the form."""

    emotions = forms.MultipleChoiceField(
        choices=Emotion.choices, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Emotions"),
        help_text=gettext_lazy("The moods the song suits; the cover takes the colours of the first."),
    )

    class Meta:
        model = Track
        fields = ["title", "artist"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["emotions"].initial = self.instance.emotions

    def clean_title(self) -> str:
        return self._clean_name("title", TITLE_MAX)

    def clean_artist(self) -> str:
        return self._clean_name("artist", ARTIST_MAX)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "title" in cleaned and "artist" in cleaned:
            # The admin validates and saves in one transaction: held from here, the check still holds at the save.
            services.hold_song(title=cleaned["title"], artist=cleaned["artist"])
            existing = services.find_track(title=cleaned["title"], artist=cleaned["artist"])
            if existing is not None and existing.pk != self.instance.pk:
                raise forms.ValidationError(str(services.DuplicateTrack(existing)))
        return cleaned

    def _clean_name(self, field: str, limit: int) -> str:
        try:
            return clean_name(self.cleaned_data[field], field=field, limit=limit)
        except InvalidName as error:
            raise forms.ValidationError(str(error)) from None


@admin.register(Track)
class TrackAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    form = TrackForm
    list_display = ["cover_preview", "title", "artist", "emotion_labels", "search_link", "source", "status",
                    "suggestion_run", "reviewed_by", "created_at"]
    list_display_links = ["cover_preview", "title"]
    list_filter = [TrackStatusFilter, TrackEmotionFilter, "source",
                   ("suggestion_run", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["suggestion_run", "reviewed_by"]
    list_per_page = 50
    search_fields = ["title", "artist"]
    actions = ["approve", "reject", "retire"]
    readonly_fields = ["large_cover", "emotion_labels", "search_link", "status", "source", "suggestion_run",
                       "created_at", "reviewed_by", "reviewed_at", "approved_at"]
    change_list_template = "admin/curation/track/change_list.html"

    class Media:
        css = CSS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Track]:
        return super().get_queryset(request).prefetch_related("emotion_tags")

    def get_fields(self, request: HttpRequest, obj: Track | None = None) -> list[str]:
        if obj is None:
            return ["title", "artist", "emotions"]
        editable = ["title", "artist", "emotions"] if obj.status == Track.Status.PENDING else [
            "title", "artist", "emotion_labels"]
        return ["large_cover", *editable, "search_link", "status", "source", "suggestion_run", "created_at",
                "reviewed_by", "reviewed_at", "approved_at"]

    def has_change_permission(self, request: HttpRequest, obj: Track | None = None) -> bool:
        # A reviewed track was published as it is: it can be read, and only changes while it waits for review.
        if obj is not None and obj.status != Track.Status.PENDING:
            return False
        return super().has_change_permission(request, obj)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.review_track")

    # The services write the track (its cover, emotions and uniqueness): the form only validates.
    def save_form(self, request: HttpRequest, form: forms.ModelForm, change: bool) -> Track:
        data = form.cleaned_data
        if change:
            return services.update_track(track=form.instance, title=data["title"], artist=data["artist"],
                                         emotions=data["emotions"])
        return services.add_track(title=data["title"], artist=data["artist"], emotions=data["emotions"],
                                  source=Track.Source.CURATOR)

    def save_model(self, request: HttpRequest, obj: Track, form: forms.ModelForm, change: bool) -> None:
        """Saved by save_form."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        """The emotions were saved with the track."""

    def delete_model(self, request: HttpRequest, obj: Track) -> None:
        services.delete_track(track=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Track]) -> None:
        for track in queryset:
            services.delete_track(track=track)

    @admin.display(description=gettext_lazy("cover"))
    def cover_preview(self, track: Track) -> str:
        if not track.cover:
            return ""
        return format_html('<img src="{}" alt="" class="eg-thumbnail-small" loading="lazy">', track.cover.url)

    @admin.display(description=gettext_lazy("cover"))
    def large_cover(self, track: Track) -> str:
        if not track.cover:
            return ""
        return format_html('<img src="{}" alt="{}" class="eg-cover">', track.cover.url,
                           _("Cover of %(track)s") % {"track": track})

    @admin.display(description=gettext_lazy("emotions"))
    def emotion_labels(self, track: Track) -> str:
        return ", ".join(str(Emotion(emotion).label) for emotion in track.emotions)

    @admin.display(description=gettext_lazy("check"))
    def search_link(self, track: Track) -> str:
        return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{} ↗</a>', track.link,
                           _("Search on YouTube"))

    @admin.action(description=gettext_lazy("Approve: make recommendable"), permissions=["review"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Track]) -> None:
        self._decide(request, queryset.exclude(status=Track.Status.APPROVED), services.approve_track,
                     gettext_lazy("%(count)d track(s) approved."))

    @admin.action(description=gettext_lazy("Reject"), permissions=["review"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Track]) -> None:
        self._decide(request, queryset.exclude(status=Track.Status.REJECTED), services.reject_track,
                     gettext_lazy("%(count)d track(s) rejected."))

    @admin.action(description=gettext_lazy("Retire: stop recommending"), permissions=["review"])
    def retire(self, request: HttpRequest, queryset: QuerySet[Track]) -> None:
        self._decide(request, queryset.exclude(status=Track.Status.RETIRED), services.retire_track,
                     gettext_lazy("%(count)d track(s) retired."))

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[Track], decide: Callable[..., Track], done: str
    ) -> None:
        tracks = list(queryset)
        for track in tracks:
            decide(track=track, reviewer=request.user)
        self.message_user(request, done % {"count": len(tracks)}, messages.SUCCESS)
