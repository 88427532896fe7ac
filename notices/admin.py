from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from covenant.admin import EstateAdminMixin
from notices.models import (
    Announcement,
    AnnouncementRevision,
    Attachment,
    Delivery,
    Digest,
    Notification,
)


class AttachmentInline(EstateAdminMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["kind", "state", "link", "original_name", "size"]
    readonly_fields = ["kind", "state", "link", "original_name", "size"]

    @admin.display(description=_("file"))
    def link(self, attachment):
        # The file is private: linked through the view that checks who may read it.
        if attachment.pk is None or attachment.state != Attachment.State.READY:
            return "–"
        url = reverse("notices:attachment", args=[attachment.announcement_id, attachment.pk])
        return format_html('<a href="{}">{}</a>', url, attachment.original_name)


class RevisionInline(EstateAdminMixin, admin.TabularInline):
    model = AnnouncementRevision
    extra = 0
    can_delete = False
    fields = ["edited_at", "edited_by", "title", "body"]
    readonly_fields = ["edited_at", "edited_by", "title", "body"]

    def has_add_permission(self, request, obj=None):
        return False


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
    readonly_fields = [
        "notified_at",
        "edited_at",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawal_reason",
    ]
    inlines = [AttachmentInline, RevisionInline]


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
