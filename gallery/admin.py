from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Registers the look-alike's reference people.
import gallery.admin_references  # noqa: F401
from curation.admin.common import CheckedSelectionMixin
from gallery.api_keys import forget_cached_key, issue_key, revoke_api_key
from gallery.models import ApiKey, ApiScope, FaceUser
from gallery.services import forget_face_user


@admin.register(FaceUser)
class FaceUserAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    list_display = ["id", "gender", "age_low", "age_high", "face_count", "consented_at", "last_seen_at"]
    list_filter = ["gender"]
    readonly_fields = ["id", "consented_at", "created_at", "last_seen_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FaceUser]:
        return super().get_queryset(request).annotate(face_count=Count("embeddings"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A face user exists only with a visitor's consent, given with their face (POST /api/v1/emotion): the form
        # had no consent to record, and every add was a 500.
        return False

    @admin.display(description=gettext_lazy("stored faces"), ordering="face_count")
    def face_count(self, face_user: FaceUser) -> int:
        return face_user.face_count  # type: ignore[attr-defined]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        # Django's history page looks the object up before it asks for permission, so it answered staff without the
        # right "no such face user" (a redirect) for unknown ids and 403 for enrolled ones: a bare id told who is
        # enrolled. Refuse first, as the change and delete pages do.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    # Deleting in the admin forgets the person as "forget me" does, so their face data leaves every backend.
    def delete_model(self, request: HttpRequest, obj: FaceUser) -> None:
        forget_face_user(face_user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[FaceUser]) -> None:
        for face_user in queryset:
            forget_face_user(face_user=face_user)


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "rate"]


@admin.register(ApiKey)
class ApiKeyAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    """Create keys (the raw key is shown once, in a message) and revoke them; keys are never deleted, so the list
    keeps who had access and until when."""

    form = ApiKeyForm
    list_display = ["name", "key", "scope_list", "rate", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    readonly_fields = ["key", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description=gettext_lazy("key"))
    def key(self, api_key: ApiKey) -> str:
        return f"eg_{api_key.prefix}…" if api_key.prefix else ""

    @admin.display(description=gettext_lazy("scopes"))
    def scope_list(self, api_key: ApiKey) -> str:
        return ", ".join(api_key.scopes)

    def save_model(self, request: HttpRequest, api_key: ApiKey, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, api_key, form, change)
            forget_cached_key(api_key)  # new scopes or rate apply now, not after the cache expires
            return
        raw_key = issue_key(api_key)
        messages.warning(request, _("The new key is %(key)s — copy it now: it is not stored and cannot be shown "
                                    "again.") % {"key": raw_key})

    def has_delete_permission(self, request: HttpRequest, api_key: ApiKey | None = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            revoke_api_key(api_key=api_key)
        self.message_user(request, _("Revoked %(count)d key(s).") % {"count": len(queryset)}, messages.SUCCESS)
