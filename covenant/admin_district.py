"""The communities (社区) in the admin: which estates are seen side by side.

Kept apart from covenant/admin.py until the admin's estate scoping settles. A community
spans estates, so only superusers (who run the site) make them and put estates in them:
an estate's admin manages their own estate only.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from covenant.models import Community, District


class EstateInline(admin.TabularInline):
    model = Community
    fields = ["name", "address"]
    readonly_fields = ["name", "address"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("estate")
    verbose_name_plural = _("estates")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "estate_count", "created_at"]
    search_fields = ["name"]
    inlines = [EstateInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(estate_total=Count("estates"))

    @admin.display(description=_("estates"), ordering="estate_total")
    def estate_count(self, district):
        return district.estate_total

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
