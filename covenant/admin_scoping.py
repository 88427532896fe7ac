"""The Django admin, per estate (docs/roles.md, "The Django admin").

A community admin holds the role in some estates; the admin shows them only the rows of
those estates, offers only those estates' rows as choices, and refuses a row of another
estate as if it did not exist. The site's superuser sees everything.

Every ModelAdmin says how its rows belong to estates, in one of three ways:

- ``estate_path``: a lookup from the row to its estate's id, e.g. ``"building__community"``
  (``"pk"`` on the estate itself). Use ``EstateScopedAdmin``.
- ``person_path``: a lookup from the row to a person (``"user"``; ``"pk"`` on the user
  itself); the row belongs to the estates that person belongs to (a requested or verified
  household there, or a role there). For the few models that do not record an estate.
- site-wide (``SiteWideAdmin``): rows shared by every estate, changed by the superuser only.

``tests/covenant/test_admin_estates.py`` walks ``admin.site._registry`` and fails for a
registered model that says none of these.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from covenant.models import Community, Membership, Role, RoleGrant, User
from covenant.rules import ESTATE_RELATIONS, roles_of

# The memberships that tie a person to an estate for the admin: asked for or verified.
TYING_MEMBERSHIP_STATUSES = (Membership.Status.REQUESTED, Membership.Status.VERIFIED)

# --- Who administers what ----------------------------------------------------------------


def is_superuser(user) -> bool:
    return bool(user.is_active and user.is_superuser)


def administered_estates(user) -> frozenset[int] | None:
    """The ids of the estates the user administers; None for a superuser (every estate)."""
    if is_superuser(user):
        return None
    return roles_of(user).estates_where(Role.COMMUNITY_ADMIN)


def is_estate_admin(user) -> bool:
    """Admin of some estate, or the superuser: may open the estate pages of the admin."""
    return administered_estates(user) != frozenset()


def administers_all(user, estate_ids: Iterable[int]) -> bool:
    """Whether the user administers every one of these estates, and there is one (the
    superuser: always)."""
    estates = administered_estates(user)
    if estates is None:
        return True
    estate_ids = set(estate_ids)
    return bool(estate_ids) and estate_ids <= estates


# --- People and their estates --------------------------------------------------------------


def users_of_estates(estate_ids: Iterable[int]) -> QuerySet[User]:
    """The people who belong to these estates: a requested or verified household there, or
    a role there."""
    estate_ids = list(estate_ids)
    in_households = Membership.objects.filter(
        status__in=TYING_MEMBERSHIP_STATUSES,
        household__building__community__in=estate_ids,
    ).values("user")
    with_roles = RoleGrant.objects.filter(community__in=estate_ids).values("user")
    return User.objects.filter(Q(pk__in=in_households) | Q(pk__in=with_roles))


def estates_of_person(user: User | None) -> frozenset[int]:
    """The estates a person belongs to (see ``users_of_estates``)."""
    if user is None or user.pk is None:
        return frozenset()
    households = Membership.objects.filter(
        user=user, status__in=TYING_MEMBERSHIP_STATUSES
    ).values_list("household__building__community", flat=True)
    roles = RoleGrant.objects.filter(user=user).values_list("community", flat=True)
    return frozenset(households) | frozenset(roles)


# --- How rows belong to estates --------------------------------------------------------------


def _step(obj: Model | None, name: str) -> Model | None:
    """The related object of a forward relation, None when unset (an unsaved row's)."""
    if obj is None or getattr(obj, obj._meta.get_field(name).attname) is None:
        return None
    return getattr(obj, name)


def follow(obj: Model | None, path: str):
    """The value at the end of a lookup path on an instance (the last step as an id)."""
    *steps, last = path.split("__")
    for name in steps:
        obj = _step(obj, name)
    if obj is None:
        return None
    if last == "pk":
        return obj.pk
    return getattr(obj, obj._meta.get_field(last).attname)


def _related_object(obj: Model | None, path: str) -> Model | None:
    """The object a lookup path leads to (a person, for a person path)."""
    if path == "pk":
        return obj
    for name in path.split("__"):
        obj = _step(obj, name)
    return obj


def derived_estate_path(model: type[Model], depth: int = 0) -> str | None:
    """The lookup from a model to its estate's id, found by following its relations; None
    when it has none (then it is a person, site-wide, or unknown)."""
    if model is Community:
        return "pk"
    if depth > 4:
        return None
    # covenant.rules.ESTATE_RELATIONS, in order, finds the estate of a model no admin
    # describes (a related model offered as a choice, e.g. a priority's theme).
    for name in ESTATE_RELATIONS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not (field.many_to_one or field.one_to_one) or field.auto_created:
            continue
        rest = derived_estate_path(field.related_model, depth + 1)
        if rest is not None:
            return name if rest == "pk" else f"{name}__{rest}"
    return None


class Scope:
    """How the rows of one model belong to estates."""

    def __init__(self, *, estate_path: str | None = None, person_path: str | None = None):
        assert (estate_path is None) != (person_path is None)
        self.estate_path = estate_path
        self.person_path = person_path

    def filter(self, queryset: QuerySet, estate_ids: frozenset[int]) -> QuerySet:
        if self.estate_path is not None:
            return queryset.filter(**{f"{self.estate_path}__in": estate_ids})
        return queryset.filter(**{f"{self.person_path}__in": users_of_estates(estate_ids)})

    def estates_of(self, obj: Model) -> frozenset[int]:
        """The estates a row belongs to (one, for an estate path)."""
        if self.estate_path is not None:
            estate_id = follow(obj, self.estate_path)
            return frozenset() if estate_id is None else frozenset([estate_id])
        return estates_of_person(_related_object(obj, self.person_path))


SITE_WIDE = "site-wide"


def scope_of_model(model: type[Model], admin_site: admin.AdminSite) -> Scope | str | None:
    """How a related model's rows belong to estates: its admin's declaration, else what
    its relations say. SITE_WIDE for rows shared by every estate; None when unknown."""
    try:
        model_admin = admin_site.get_model_admin(model)
    except NotRegistered:
        model_admin = None
    if model_admin is not None:
        declared = getattr(model_admin, "estate_scope", None)
        if declared is not None:
            return declared()
        if isinstance(model_admin, SiteWideAdmin):
            return SITE_WIDE
    if issubclass(model, User):
        return Scope(person_path="pk")
    path = derived_estate_path(model)
    if path is not None:
        return Scope(estate_path=path)
    return None


def choices_for(request, model: type[Model], queryset: QuerySet, admin_site) -> QuerySet:
    """The rows of a related model the user may choose: those of the estates they
    administer; every row for the superuser and for a site-wide model; none when it is
    not known how the model belongs to estates (a new model fails closed)."""
    estates = administered_estates(request.user)
    if estates is None:
        return queryset
    scope = scope_of_model(model, admin_site)
    if scope == SITE_WIDE:
        return queryset
    if scope is None:
        return queryset.none()
    return scope.filter(queryset, estates)


# --- Form choices, list filters, raw id labels ----------------------------------------------


class ScopedForeignKeyRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """Shows the label of the chosen row only when it is one of the choices: otherwise a
    typed or crafted id would print another estate's row (a person's name) beside it."""

    def __init__(self, rel, admin_site, queryset, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            allowed = self.queryset.filter(**{key: value}).exists()
        except (ValueError, TypeError, forms.ValidationError):
            allowed = False
        if not allowed:
            return "", ""
        return super().label_and_url_for_value(value)


class EstateChoicesMixin:
    """For ModelAdmins and inlines: every ForeignKey and ManyToMany choice (selects,
    autocompletes, raw ids) offers only rows of the user's estates, and list filters on a
    relation list only the values present in the rows shown."""

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        model = db_field.remote_field.model
        if queryset is None:
            queryset = model._default_manager.using(db).all()
        return choices_for(request, model, queryset, self.admin_site)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, widgets.ForeignKeyRawIdWidget):
            widget = formfield.widget
            formfield.widget = ScopedForeignKeyRawIdWidget(
                widget.rel,
                widget.admin_site,
                formfield.queryset,
                attrs=widget.attrs,
                using=widget.db,
            )
        return formfield

    def get_list_filter(self, request):
        return [self._estate_safe_filter(entry) for entry in super().get_list_filter(request)]

    def _estate_safe_filter(self, entry):
        # Django's default filter on a relation lists every row of the related model: every
        # estate's name. This one lists the values of the rows the user is shown.
        if not isinstance(entry, str):
            return entry
        try:
            field = get_fields_from_path(self.model, entry)[-1]
        except (FieldDoesNotExist, NotRelationField):
            return entry
        if field.is_relation:
            return (entry, admin.RelatedOnlyFieldListFilter)
        return entry


# --- The estate-owned rows ---------------------------------------------------------------------


class EstateScopedAdmin(EstateChoicesMixin, admin.ModelAdmin):
    """A ModelAdmin of an estate-owned model. Declare ``estate_path`` (or ``person_path``).

    The list shows the rows of the estates the user administers; a row of another estate
    is not found (its change, delete and history pages redirect to the index saying it
    does not exist); viewing, changing and deleting a row ask for admin in its estate;
    adding is refused in the form, with a message, when the new row's estate is not one
    the user administers, and again when saving."""

    estate_path: str | None = None
    person_path: str | None = None

    @classmethod
    def estate_scope(cls) -> Scope | None:
        if cls.estate_path is None and cls.person_path is None:
            return None
        return Scope(estate_path=cls.estate_path, person_path=cls.person_path)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        estates = administered_estates(request.user)
        if estates is None:
            return queryset
        scope = self.estate_scope()
        if scope is None:
            return queryset.none()  # undeclared: closed (and the registry test fails)
        return scope.filter(queryset, estates)

    def estates_of(self, obj) -> frozenset[int]:
        scope = self.estate_scope()
        return frozenset() if scope is None else scope.estates_of(obj)

    def administers(self, request, obj) -> bool:
        """Admin in the row's estate (in each of a person's estates, for a person path)."""
        return administers_all(request.user, self.estates_of(obj))

    def may_see(self, request, obj) -> bool:
        """Admin in the row's estate (in one of a person's estates, for a person path)."""
        estates = administered_estates(request.user)
        return estates is None or bool(self.estates_of(obj) & estates)

    def has_module_permission(self, request):
        return is_estate_admin(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return is_estate_admin(request.user)
        return self.may_see(request, obj)

    def has_add_permission(self, request, *args):
        return is_estate_admin(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return is_estate_admin(request.user)
        return self.administers(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return is_estate_admin(request.user)
        return self.administers(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return estate_checked_form(form, model_admin=self, request=request)

    def save_model(self, request, obj, form, change):
        # The form said so already; this refuses a save that did not go through it.
        if not self.administers(request, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


def _estates_in_form(form, path: str) -> frozenset[int]:
    """The estate of the row being edited, from the form's cleaned value of the path's
    first step (e.g. the chosen building), else from the row itself."""
    if path == "pk":
        return frozenset([form.instance.pk]) if form.instance.pk else frozenset()
    first, _sep, rest = path.partition("__")
    if first in form.cleaned_data:
        value = form.cleaned_data[first]
        if value is None:
            return frozenset()
        estate_id = value.pk if not rest else follow(value, rest)
    else:
        estate_id = follow(form.instance, path)
    return frozenset() if estate_id is None else frozenset([estate_id])


def _estates_of_choices(value, scope: Scope) -> set[int]:
    values = value if isinstance(value, (QuerySet, list, tuple)) else [value]
    found: set[int] = set()
    for related in values:
        if related is not None:
            found |= scope.estates_of(related)
    return found


def estate_checked_form(form_class, *, model_admin: EstateScopedAdmin, request):
    """The admin's form, refusing a row outside the user's estates and, for an estate
    path, a choice (a building, a deliberation…) of another estate than the row's."""

    class EstateCheckedForm(form_class):
        def clean(self):
            cleaned_data = super().clean()
            scope = model_admin.estate_scope()
            if scope is None or scope.estate_path is None:
                return cleaned_data
            row_estates = _estates_in_form(self, scope.estate_path)
            if not row_estates and self.errors:
                return cleaned_data  # the estate's field has its own error already
            if not administers_all(request.user, row_estates):
                raise forms.ValidationError(
                    _("You administer no such estate: choose one of your own estates."),
                    code="not_your_estate",
                )
            self._check_choices_of_the_same_estate(row_estates)
            return cleaned_data

        def _check_choices_of_the_same_estate(self, row_estates):
            for name, value in list(self.cleaned_data.items()):
                field = self.fields.get(name)
                if not isinstance(field, forms.ModelChoiceField) or not value:
                    continue
                scope = scope_of_model(field.queryset.model, model_admin.admin_site)
                if not isinstance(scope, Scope) or scope.estate_path is None:
                    continue  # people, site-wide rows: the choices are scoped already
                if not _estates_of_choices(value, scope) <= row_estates:
                    self.add_error(name, _("Choose from the estate this record belongs to."))

    EstateCheckedForm.__name__ = form_class.__name__
    return EstateCheckedForm


class EstateScopedInline(EstateChoicesMixin, admin.options.InlineModelAdmin):
    """An inline of an estate-scoped ModelAdmin: its rows are the parent's (``estate_path``
    from the inline's model), and what may be done with them asks the parent admin about
    the parent row."""

    estate_path: str | None = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        estates = administered_estates(request.user)
        if estates is None:
            return queryset
        return queryset.filter(**{f"{self.estate_path}__in": estates})

    def _parent_admin(self) -> EstateScopedAdmin:
        return self.admin_site.get_model_admin(self.parent_model)

    def has_view_permission(self, request, obj=None):
        return self._parent_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)


class EstateScopedTabularInline(EstateScopedInline):
    template = "admin/edit_inline/tabular.html"


# --- Rows shared by every estate ---------------------------------------------------------------


class SiteWideAdmin(admin.ModelAdmin):
    """A ModelAdmin of rows no estate owns (shared by all, or a person's across estates):
    only the superuser changes them, since an estate's admin would change every estate's.
    ``estate_admins_may_view`` lets estate admins read them (for harmless shared lists)."""

    estate_admins_may_view = False

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        if is_superuser(request.user):
            return True
        return self.estate_admins_may_view and is_estate_admin(request.user)

    def has_add_permission(self, request, *args):
        return is_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        return is_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_superuser(request.user)


def site_wide(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """A third-party ModelAdmin (allauth's, Django's groups) made superuser-only."""
    return type(admin_class.__name__, (SiteWideAdmin, admin_class), {})
