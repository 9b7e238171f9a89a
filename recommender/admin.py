from django.contrib import admin

from recommender.models import Interaction, OutboxMessage, SegmentStat


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "image", "face_user", "emotion", "gender", "age_band", "created_at"]
    list_filter = ["event", "emotion", "gender", "age_band"]
    raw_id_fields = ["image", "face_user", "impressions"]
    readonly_fields = ["created_at"]


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
