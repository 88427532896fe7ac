from django.contrib import admin

from covenant.admin import EstateAdminMixin
from proposals.models import Campaign, Category, IdeaBoxSettings, Priority, ReplyTemplate


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


@admin.register(Priority)
class PriorityAdmin(EstateAdminMixin, admin.ModelAdmin):
    """Read-mostly: priority work is promoted and edited on its own pages."""

    list_display = ["title", "status", "owner", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["theme", "owner", "created_by"]
    filter_horizontal = ["activities"]

    def has_add_permission(self, request, *args):
        return False  # promoted from a theme, on the theme's page
