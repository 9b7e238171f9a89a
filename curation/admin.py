from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from curation import services
from curation.models import GenerationJob, Image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["preview", "id", "emotion", "theme", "orientation", "source", "status", "created_at"]
    list_filter = ["status", "emotion", "orientation", "source"]
    search_fields = ["prompt", "theme"]
    readonly_fields = ["preview", "width", "height", "reviewed_at", "reviewed_by", "approved_at", "created_at"]
    actions = ["approve", "reject", "retire"]

    @admin.display(description="image")
    def preview(self, image: Image) -> str:
        source = image.thumbnail or image.file
        if not source:
            return ""
        return format_html('<img src="{}" alt="" style="max-height:8rem;max-width:12rem">', source.url)

    @admin.action(description="Approve: publish to the gallery")
    def approve(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        for image in queryset:
            services.approve_image(image=image, reviewer=request.user)
        self.message_user(request, f"{queryset.count()} image(s) approved.", messages.SUCCESS)

    @admin.action(description="Reject")
    def reject(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        for image in queryset:
            services.reject_image(image=image, reviewer=request.user)
        self.message_user(request, f"{queryset.count()} image(s) rejected.", messages.SUCCESS)

    @admin.action(description="Retire: remove from the gallery")
    def retire(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        for image in queryset:
            services.retire_image(image=image, reviewer=request.user)
        self.message_user(request, f"{queryset.count()} image(s) retired.", messages.SUCCESS)


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ["id", "emotion", "theme", "count", "status", "created_at"]
    list_filter = ["status", "emotion"]
    readonly_fields = ["backend", "status", "created_by", "created_at",
                       "started_at", "finished_at"]
