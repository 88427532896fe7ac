from django.contrib import admin

from covenant.admin import EstateAdminMixin
from proposals.models import Campaign, Category, IdeaBoxSettings, OwnersVote, ReplyTemplate


@admin.register(Category)
class CategoryAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Campaign)
class CampaignAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["title", "starts_on", "ends_on"]
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["title", "is_active"]


@admin.register(IdeaBoxSettings)
class IdeaBoxSettingsAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["community", "premoderation"]


@admin.register(OwnersVote)
class OwnersVoteAdmin(EstateAdminMixin, admin.ModelAdmin):
    """A read-only list: votes are drafted, opened and closed at /votes/, where opening
    fixes the roll and tells the owners, and closing publishes the result."""

    list_display = ["title", "matter", "status", "opens_at", "closes_at", "electorate_households"]
    list_filter = ["status", "matter"]
    readonly_fields = [field.name for field in OwnersVote._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Only an unopened draft: a vote with a roll and ballots is the estate's record.
        is_draft = obj is not None and obj.status == OwnersVote.Status.DRAFT
        return is_draft and super().has_delete_permission(request, obj)
