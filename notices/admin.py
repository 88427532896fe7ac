from django.contrib import admin

from covenant.admin import EstateAdminMixin
from notices.models import Announcement, Attachment, Delivery, Digest, Notification


class AttachmentInline(EstateAdminMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["kind", "file", "original_name", "size"]


@admin.register(Announcement)
class AnnouncementAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "audience",
        "publish_at",
        "expires_at",
        "pinned",
        "urgent",
        "notified_at",
    ]
    list_filter = ["audience", "pinned", "urgent"]
    search_fields = ["title", "body"]
    raw_id_fields = ["author"]
    readonly_fields = ["notified_at"]
    inlines = [AttachmentInline]


@admin.register(Notification)
class NotificationAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["recipient", "kind", "email", "created_at", "read_at"]
    list_filter = ["kind", "email"]
    raw_id_fields = ["recipient", "actor", "digest"]
    list_select_related = ["recipient"]


@admin.register(Delivery)
class DeliveryAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["notification", "channel", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "channel"]
    raw_id_fields = ["notification"]


@admin.register(Digest)
class DigestAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["user", "frequency", "period", "state", "attempts", "sent_at"]
    list_filter = ["frequency", "state", "period"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
