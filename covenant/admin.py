"""The estate's records in the Django admin, per estate (docs/roles.md, "The Django admin").

A community admin opens /admin/ with a staff account (``is_staff``, ticked by the
superuser) and sees the rows of the estates where they hold the admin role; the scoping
itself is in covenant/admin_scoping.py.
"""

import allauth.account.admin  # noqa: F401  (registers EmailAddress before it is replaced)
import django.contrib.auth.admin  # noqa: F401  (registers Group before it is replaced)
from allauth.account.models import EmailAddress, EmailConfirmation
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from covenant.admin_scoping import (
    EstateScopedAdmin,
    EstateScopedTabularInline,
    is_estate_admin,
    is_superuser,
    site_wide,
)
from covenant.models import (
    Building,
    Community,
    Household,
    Membership,
    MembershipEvent,
    Role,
    RoleGrant,
    User,
)

# Accounts, groups and Django permissions are the superuser's: an estate admin holds no
# Django model permissions, and a group or an address could reach every estate.
for _model in (Group, EmailAddress, EmailConfirmation):
    if admin.site.is_registered(_model):
        _third_party_admin = type(admin.site.get_model_admin(_model))
        admin.site.unregister(_model)
        admin.site.register(_model, site_wide(_third_party_admin))


# --- People ------------------------------------------------------------------------------------

# What an estate admin may change on an account. The rest is the person's own (email and
# phone on their profile, where allauth verifies a new address; the password through the
# reset mail), or the superuser's (staff status, superuser, groups, permissions): an admin
# who could set someone's email or password could sign in as them.
USER_FIELDS_FOR_ESTATE_ADMINS = ("name", "preferred_language", "is_active")
# Never shown to an estate admin, never filtered or searched on by one.
USER_FIELDS_FOR_SUPERUSERS = ("password", "is_staff", "is_superuser", "groups", "user_permissions")


def is_admin_account(user: User) -> bool:
    """An account that runs estates: only the superuser changes it."""
    return (
        user.is_superuser
        or user.is_staff
        or user.role_grants.filter(role=Role.COMMUNITY_ADMIN).exists()
    )


@admin.register(User)
class UserAdmin(EstateScopedAdmin, DjangoUserAdmin):
    """An estate admin sees the people of their estates (a household asked for or
    verified there, or a role there) and changes the name, language and active flag of
    those who belong to no other estate and run none."""

    person_path = "pk"
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
    estate_admin_fieldsets = [
        (None, {"fields": ["email", "is_active"]}),
        (
            _("Personal info"),
            {"fields": ["name", "preferred_language", "phone", "privacy_consent_at"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]
    readonly_fields = ["privacy_consent_at", "last_login", "date_joined"]

    def has_add_permission(self, request, *args):
        # People sign up themselves and accept the privacy notice; an account made by an
        # estate admin would also belong to no estate, so they could not see it again.
        return is_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        if is_superuser(request.user):
            return True
        if obj is None:
            return is_estate_admin(request.user)
        return not is_admin_account(obj) and self.administers(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deleted by their owners (profile → delete), which keeps their
        # contributions as a former resident's.
        return is_superuser(request.user)

    def get_fieldsets(self, request, obj=None):
        if is_superuser(request.user):
            return super().get_fieldsets(request, obj)
        return self.estate_admin_fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if is_superuser(request.user):
            return readonly
        return [*readonly, "email", "phone"]

    def get_form(self, request, obj=None, **kwargs):
        if not is_superuser(request.user):
            kwargs["form"] = forms.ModelForm  # not the password-linking UserChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if is_superuser(request.user):
            return shown
        return [name for name in shown if name not in USER_FIELDS_FOR_SUPERUSERS]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if is_superuser(request.user):
            return filters
        return [entry for entry in filters if entry not in USER_FIELDS_FOR_SUPERUSERS]

    def lookup_allowed(self, lookup, value, request):
        # A crafted ?is_superuser=1 would tell who the superusers are.
        if not is_superuser(request.user) and lookup.startswith(USER_FIELDS_FOR_SUPERUSERS):
            return False
        return super().lookup_allowed(lookup, value, request)

    def user_change_password(self, request, id, form_url=""):
        if not is_superuser(request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if not is_superuser(request.user):
            # The form has none of these fields; this refuses a save that did not go
            # through it (or a form someone widens later).
            stored = User.objects.get(pk=obj.pk)
            if not self.has_change_permission(request, stored) or any(
                getattr(obj, field.attname) != getattr(stored, field.attname)
                for field in User._meta.concrete_fields
                if field.name in (*USER_FIELDS_FOR_SUPERUSERS, "email", "phone")
            ):
                raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not is_superuser(request.user) and {"groups", "user_permissions"} & set(form.fields):
            raise PermissionDenied
        super().save_related(request, form, formsets, change)


# --- The estate and its buildings ----------------------------------------------------------------


@admin.register(Community)
class CommunityAdmin(EstateScopedAdmin):
    """Estates are created and deleted by the superuser; an estate's admins correct its
    name and address."""

    estate_path = "pk"
    list_display = ["name", "address", "created_at"]
    search_fields = ["name", "address"]
    fields = ["name", "address"]

    def has_add_permission(self, request, *args):
        return is_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_superuser(request.user)


@admin.register(Building)
class BuildingAdmin(EstateScopedAdmin):
    estate_path = "community"
    list_display = ["__str__", "community", "number", "floor_count"]
    list_filter = ["community"]
    list_select_related = ["community"]
    search_fields = ["number"]


@admin.register(Household)
class HouseholdAdmin(EstateScopedAdmin):
    estate_path = "building__community"
    list_display = ["__str__", "building", "floor", "unit", "floor_area"]
    list_filter = ["building__community", "building"]
    list_select_related = ["building"]
    search_fields = ["unit", "building__number"]
    autocomplete_fields = ["building"]


class MembershipEventInline(EstateScopedTabularInline):
    model = MembershipEvent
    estate_path = "membership__household__building__community"
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "from_status", "to_status", "reason", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(EstateScopedAdmin):
    estate_path = "household__building__community"
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


# --- Roles ---------------------------------------------------------------------------------------

# The roles an estate admin grants and revokes in their estates. Making (or unmaking) an
# admin is the superuser's: otherwise one admin could make a friend an admin, or remove the
# other admins of the estate.
ROLES_ESTATE_ADMINS_GRANT = (Role.CAPTAIN, Role.PROPERTY_STAFF, Role.PARTY_BRANCH)


def may_grant(user, role: str) -> bool:
    return is_superuser(user) or role in ROLES_ESTATE_ADMINS_GRANT


@admin.register(RoleGrant)
class RoleGrantAdmin(EstateScopedAdmin):
    estate_path = "community"
    list_display = ["user", "role", "community", "building", "floor_from", "floor_to", "created_at"]
    list_filter = ["role", "community", "building"]
    list_select_related = ["user", "community", "building"]
    search_fields = ["user__email", "user__name"]
    autocomplete_fields = ["user", "building"]

    def get_readonly_fields(self, request, obj=None):
        # Who holds a grant and where never change: revoke it and grant anew.
        if obj is None:
            return ["granted_by"]
        return ["user", "community", "granted_by"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_grant(request.user, obj.role))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_grant(request.user, obj.role))

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not is_superuser(request.user):
            kwargs["choices"] = [
                (value, label)
                for value, label in db_field.get_choices(include_blank=True)
                if value == "" or value in ROLES_ESTATE_ADMINS_GRANT
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not may_grant(request.user, obj.role):
            raise PermissionDenied
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
        if obj.role == Role.COMMUNITY_ADMIN and not obj.user.is_staff:
            self.message_user(
                request,
                _("%(user)s opens the admin only once “staff status” is ticked on their account.")
                % {"user": obj.user},
                messages.WARNING,
            )
