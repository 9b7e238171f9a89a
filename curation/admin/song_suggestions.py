"""Song-suggestion runs in the admin: ask a suggester for songs of an emotion, then read what became of each song.

A run is a django-q2 task; its page reloads itself until the run has finished. Its songs land as pending tracks,
reviewed in the track list (linked from the run).
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from curation.admin.common import CSS, CheckedSelectionMixin
from curation.models import SongSuggestionItem, SongSuggestionRun
from curation.songs.suggesters import available_suggesters
from curation.songs.suggestions import MAX_RUN_SONGS, create_suggestion_run, queue_suggestion_run
from emotion_garden.vocabulary import Emotion

ACTIVE_RUN_STATUSES = (SongSuggestionRun.Status.QUEUED, SongSuggestionRun.Status.RUNNING)
Outcome = SongSuggestionItem.Outcome


class SuggestionRunForm(forms.Form):
    emotion = forms.ChoiceField(choices=[("", "---------"), *Emotion.choices], label=gettext_lazy("Emotion"))
    count = forms.IntegerField(min_value=1, max_value=MAX_RUN_SONGS, initial=10, label=gettext_lazy("Count"),
                               help_text=gettext_lazy("Songs to ask for."))
    backend = forms.ChoiceField(
        label=gettext_lazy("Backend"),
        help_text=gettext_lazy("The suggester: the offline catalogue, or a language model if configured."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        suggesters = available_suggesters()
        self.fields["backend"].choices = [(name, name) for name in suggesters]
        self.fields["backend"].initial = suggesters[-1] if suggesters else None


class SongSuggestionItemInline(admin.TabularInline):
    model = SongSuggestionItem
    fields = ["index", "title", "artist", "outcome", "message", "track_link"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: SongSuggestionRun | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[SongSuggestionItem]:
        return super().get_queryset(request).select_related("track")

    @admin.display(description=gettext_lazy("track"))
    def track_link(self, item: SongSuggestionItem) -> str:
        if item.track is None:
            return "—"
        url = reverse("admin:curation_track_change", args=[item.track.pk])
        return format_html('<a href="{}"><img src="{}" alt="{}" class="eg-thumbnail-small"></a>', url,
                           item.track.cover.url if item.track.cover else "", item.track)


@admin.register(SongSuggestionRun)
class SongSuggestionRunAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    list_display = ["id", "emotion", "backend", "status", "count", "added", "refused", "created_by", "created_at"]
    list_filter = ["status", "emotion", "backend"]
    list_select_related = ["created_by"]
    fields = ["emotion", "count", "backend", "status", "error", "tracks_link", "created_by", "created_at",
              "started_at", "finished_at", "answer_text"]
    readonly_fields = fields
    inlines = [SongSuggestionItemInline]
    change_form_template = "admin/curation/songsuggestionrun/change_form.html"

    class Media:
        css = CSS

    def get_queryset(self, request: HttpRequest) -> QuerySet[SongSuggestionRun]:
        return super().get_queryset(request).annotate(
            added_count=Count("items", filter=Q(items__outcome=Outcome.ADDED)),
            refused_count=Count("items", filter=~Q(items__outcome=Outcome.ADDED)),
        )

    def has_change_permission(self, request: HttpRequest, obj: SongSuggestionRun | None = None) -> bool:
        # A run is a record of what a suggester answered: never edited.
        return False

    @admin.display(description=gettext_lazy("added"), ordering="added_count")
    def added(self, run: SongSuggestionRun) -> int:
        return run.added_count

    @admin.display(description=gettext_lazy("not added"), ordering="refused_count")
    def refused(self, run: SongSuggestionRun) -> int:
        return run.refused_count

    @admin.display(description=gettext_lazy("tracks"))
    def tracks_link(self, run: SongSuggestionRun) -> str:
        url = reverse("admin:curation_track_changelist")
        query = urlencode({"suggestion_run__id__exact": run.pk, "status": "all"})
        return format_html('<a href="{}?{}">{}</a>', url, query, _("Review the tracks it added"))

    @admin.display(description=gettext_lazy("answer as received"))
    def answer_text(self, run: SongSuggestionRun) -> str:
        return format_html('<pre class="eg-answer">{}</pre>', run.answer) if run.answer else "—"

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SuggestionRunForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                run = create_suggestion_run(emotion=Emotion(data["emotion"]), count=data["count"],
                                            backend=data["backend"], created_by=request.user)
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                queue_suggestion_run(run=run)
                self.log_addition(request, run, [{"added": {}}])
                queued = _("Song suggestion run %(id)d queued: %(run)s.") % {"id": run.pk, "run": run}
                self.message_user(request, queued, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:curation_songsuggestionrun_change", args=[run.pk]))
        return TemplateResponse(request, "admin/curation/songsuggestionrun/add_form.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Suggest songs"),
            "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}, model_admin=self),
            "errors": helpers.AdminErrorList(form, []),
        })

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        run = self.get_object(request, object_id)
        context = {**(extra_context or {}), "active": run is not None and run.status in ACTIVE_RUN_STATUSES}
        return super().change_view(request, object_id, form_url, context)
