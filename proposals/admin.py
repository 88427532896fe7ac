from django.contrib import admin

from covenant.admin_scoping import EstateScopedAdmin, EstateScopedTabularInline, SiteWideAdmin
from proposals.models import (
    Campaign,
    Category,
    Deliberation,
    IdeaBoxSettings,
    OwnersVote,
    Priority,
    ReplyTemplate,
    Representative,
)


@admin.register(Category)
class CategoryAdmin(SiteWideAdmin):
    """Every estate files ideas under the same categories: the superuser edits them."""

    estate_admins_may_view = True
    list_display = ["name", "name_en", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Campaign)
class CampaignAdmin(EstateScopedAdmin):
    estate_path = "community"
    list_display = ["title", "community", "starts_on", "ends_on"]
    list_select_related = ["community"]
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(SiteWideAdmin):
    """The staff of every estate reply from the same templates: the superuser edits them."""

    estate_admins_may_view = True
    list_display = ["title", "is_active"]


@admin.register(IdeaBoxSettings)
class IdeaBoxSettingsAdmin(EstateScopedAdmin):
    estate_path = "community"
    list_display = ["community", "premoderation"]


class RepresentativeInline(EstateScopedTabularInline):
    """Read-only: seats are named on the deliberation's page, where the service checks
    that each person holds their party's role in the estate and sits for one party only."""

    model = Representative
    estate_path = "deliberation__community"
    fields = ["user", "party", "named_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deliberation)
class DeliberationAdmin(EstateScopedAdmin):
    """For correcting a topic; seats, statuses, posts and sign-offs change only through
    the portal, so their rules hold and their history stays whole."""

    estate_path = "community"
    list_display = ["topic", "status", "open_to_residents", "created_at"]
    list_filter = ["status"]
    fields = ["topic", "background", "open_to_residents", "status", "closing_reason"]
    readonly_fields = ["status", "closing_reason"]
    inlines = [RepresentativeInline]

    def has_add_permission(self, request):
        return False


@admin.register(OwnersVote)
class OwnersVoteAdmin(EstateScopedAdmin):
    """A read-only list: votes are drafted, opened and closed at /votes/, where opening
    fixes the roll and tells the owners, and closing publishes the result."""

    estate_path = "community"
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


@admin.register(Priority)
class PriorityAdmin(EstateScopedAdmin):
    """Read-mostly: priority work is promoted and edited on its own pages. Its estate, its
    theme and who promoted it never change."""

    estate_path = "community"
    list_display = ["title", "status", "owner", "created_at"]
    list_filter = ["status"]
    list_select_related = ["owner"]
    readonly_fields = ["community", "theme", "created_by"]
    raw_id_fields = ["owner"]
    filter_horizontal = ["activities"]

    def has_add_permission(self, request, *args):
        return False  # promoted from a theme, on the theme's page
