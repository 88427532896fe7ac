from django.contrib import admin

from volunteers.models import Activity, ServiceEntry, Volunteer


class EstateAdminOnly(admin.ModelAdmin):
    """Like the core's admin pages: community admins only, whatever model perms say."""

    def has_module_permission(self, request):
        return request.user.has_perm("covenant.manage_estate")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("covenant.manage_estate")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Volunteer)
class VolunteerAdmin(EstateAdminOnly):
    list_display = ["user", "roster_name", "status", "applied_at"]
    list_filter = ["status"]
    list_select_related = ["user"]


@admin.register(Activity)
class ActivityAdmin(EstateAdminOnly):
    list_display = ["title", "category", "starts_at", "capacity", "organiser", "status"]
    list_filter = ["status", "category"]
    list_select_related = ["organiser"]


@admin.register(ServiceEntry)
class ServiceEntryAdmin(EstateAdminOnly):
    list_display = ["user", "served_on", "hours", "activity"]
    list_select_related = ["user", "activity"]
