from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from covenant.models import (
    Building,
    Community,
    Household,
    Membership,
    MembershipEvent,
    RoleGrant,
    User,
)


class EstateAdminMixin:
    """The estate's records are managed by community admins (covenant.manage_estate),
    whatever Django model permissions a staff account happens to hold."""

    def has_module_permission(self, request):
        return request.user.has_perm("covenant.manage_estate")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("covenant.manage_estate")

    def has_add_permission(self, request, *args):
        return request.user.has_perm("covenant.manage_estate")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("covenant.manage_estate")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("covenant.manage_estate")


@admin.register(User)
class UserAdmin(EstateAdminMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "preferred_language", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "preferred_language"]
    search_fields = ["email", "name", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Personal info"),
            {"fields": ["name", "preferred_language", "phone", "privacy_consent_at"]},
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]
    readonly_fields = ["privacy_consent_at", "last_login", "date_joined"]


@admin.register(Community)
class CommunityAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["name", "address", "created_at"]
    search_fields = ["name", "address"]


@admin.register(Building)
class BuildingAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "community", "number", "floor_count"]
    list_filter = ["community"]
    search_fields = ["number"]


@admin.register(Household)
class HouseholdAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "building", "floor", "unit", "floor_area"]
    list_filter = ["building__community", "building"]
    list_select_related = ["building"]
    search_fields = ["unit", "building__number"]
    autocomplete_fields = ["building"]


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "from_status", "to_status", "reason", "created_at"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("covenant.manage_estate")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["user", "household", "relation", "status", "requested_at", "decided_by"]
    list_filter = ["status", "relation", "household__building"]
    list_select_related = ["user", "household__building", "decided_by"]
    search_fields = ["user__email", "user__name", "household__unit"]
    autocomplete_fields = ["user", "household"]
    # Decisions go through the captain's queue, which keeps the audit trail; who and
    # which unit a membership is about never changes once it exists.
    readonly_fields = ["status", "decided_by", "decided_at", "rejection_reason", "requested_at"]
    inlines = [MembershipEventInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "user", "household", "relation"]


@admin.register(RoleGrant)
class RoleGrantAdmin(EstateAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "building", "floor_from", "floor_to", "created_at"]
    list_filter = ["role", "community", "building"]
    list_select_related = ["user", "building"]
    search_fields = ["user__email", "user__name"]
    autocomplete_fields = ["user", "building"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
