from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from covenant.admin_scoping import EstateScopedAdmin, EstateScopedTabularInline, SiteWideAdmin
from notices.models import (
    Announcement,
    AnnouncementRevision,
    Attachment,
    Delivery,
    Digest,
    Notification,
)


class AttachmentInline(EstateScopedTabularInline):
    model = Attachment
    estate_path = "announcement__community"
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

    def has_add_permission(self, request, obj=None):
        return False  # uploaded on the announcement's page, which re-encodes photos


class RevisionInline(EstateScopedTabularInline):
    model = AnnouncementRevision
    estate_path = "announcement__community"
    extra = 0
    can_delete = False
    fields = ["edited_at", "edited_by", "title", "body"]
    readonly_fields = ["edited_at", "edited_by", "title", "body"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Announcement)
class AnnouncementAdmin(EstateScopedAdmin):
    estate_path = "community"
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


# A person's inbox and mail, across every estate they belong to: not an estate's record, so
# the superuser's (who runs the mail), not an estate admin's.


@admin.register(Notification)
class NotificationAdmin(SiteWideAdmin):
    list_display = ["recipient", "kind", "email", "created_at", "read_at"]
    list_filter = ["kind", "email"]
    raw_id_fields = ["recipient", "actor", "digest"]
    list_select_related = ["recipient"]


@admin.register(Delivery)
class DeliveryAdmin(SiteWideAdmin):
    list_display = ["notification", "channel", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "channel"]
    raw_id_fields = ["notification"]


@admin.register(Digest)
class DigestAdmin(SiteWideAdmin):
    list_display = ["user", "frequency", "period", "state", "attempts", "sent_at"]
    list_filter = ["frequency", "state", "period"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
