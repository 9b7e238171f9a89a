from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from gallery.models import FaceUser


@admin.register(FaceUser)
class FaceUserAdmin(admin.ModelAdmin):
    list_display = ["id", "gender", "age_low", "age_high", "face_count", "consented_at", "last_seen_at"]
    list_filter = ["gender"]
    readonly_fields = ["id", "consented_at", "created_at", "last_seen_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FaceUser]:
        return super().get_queryset(request).annotate(face_count=Count("embeddings"))

    @admin.display(description="stored faces", ordering="face_count")
    def face_count(self, face_user: FaceUser) -> int:
        return face_user.face_count  # type: ignore[attr-defined]
