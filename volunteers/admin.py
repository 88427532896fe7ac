from django.contrib import admin

from covenant.admin_scoping import EstateScopedAdmin
from volunteers.models import Activity, ServiceEntry, Volunteer


class VolunteerRecordsAdmin(EstateScopedAdmin):
    """Read-only lists for community admins: the team's records change in the portal.

    The team's rows say no estate; they belong to the estates of their person (a volunteer,
    an organiser), so an admin sees the team members and activities of their estates."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Volunteer)
class VolunteerAdmin(VolunteerRecordsAdmin):
    person_path = "user"
    list_display = ["user", "roster_name", "status", "applied_at"]
    list_filter = ["status"]
    list_select_related = ["user"]


@admin.register(Activity)
class ActivityAdmin(VolunteerRecordsAdmin):
    person_path = "organiser"
    list_display = ["title", "category", "starts_at", "capacity", "organiser", "status"]
    list_filter = ["status", "category"]
    list_select_related = ["organiser"]


@admin.register(ServiceEntry)
class ServiceEntryAdmin(VolunteerRecordsAdmin):
    person_path = "user"
    list_display = ["user", "served_on", "hours", "activity"]
    list_select_related = ["user", "activity"]
