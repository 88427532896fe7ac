"""The Django admin is per estate (docs/roles.md, "The Django admin").

Two estates, A (甲小区) and B (乙小区), each with a building, a household, a resident, a
captain, a steward and an admin with a staff account. B's admin must never see, choose,
change or delete A's rows; the generic tests walk every ModelAdmin registered on
``admin.site`` so that a new one cannot be forgotten.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib import admin, messages
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, TextField
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from covenant.admin_scoping import (
    EstateScopedAdmin,
    EstateScopedInline,
    SiteWideAdmin,
)
from covenant.models import Community, Membership, Role, RoleGrant, User
from notices.models import Announcement
from proposals.models import (
    Campaign,
    Deliberation,
    IdeaBoxSettings,
    OwnersVote,
    Priority,
    Theme,
)
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)
from tests.proposals.factories import seeded_category
from tests.volunteers.factories import ActivityFactory, ServiceEntryFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

# Registered models no estate owns: shared by every estate, or a person's across estates.
# Only the superuser changes them (tested below). A model that is neither here nor scoped
# to estates fails test_every_admin_model_says_how_its_rows_belong_to_estates.
SITE_WIDE = {
    "auth.Group",
    "covenant.District",
    "account.EmailAddress",
    "account.EmailConfirmation",
    "proposals.Category",
    "proposals.ReplyTemplate",
    "notices.Notification",
    "notices.Delivery",
    "notices.Digest",
}


class Estate:
    """One estate: a building, a spare unit, a verified resident and the role holders."""

    def __init__(self, name: str, building_number: int):
        self.community = CommunityFactory(name=name, address=f"{name}路1号")
        self.building = BuildingFactory(community=self.community, number=building_number)
        self.household = HouseholdFactory(building=self.building, floor=3, unit="301")
        self.resident = UserFactory(email=f"resident-{building_number}@example.org")
        MembershipFactory(user=self.resident, household=self.household, verified=True)
        self.admin = self._holder(Role.COMMUNITY_ADMIN, is_staff=True)
        self.staff = self._holder(Role.PROPERTY_STAFF)
        self.captain = self._holder(Role.CAPTAIN, building=self.building)

    def _holder(self, role, is_staff=False, **grant):
        user = UserFactory(is_staff=is_staff)
        RoleGrantFactory(user=user, community=self.community, role=role, **grant)
        return user

    def new_resident(self, **fields) -> User:
        user = UserFactory(**fields)
        MembershipFactory(user=user, household=self.household, verified=True)
        return user


@pytest.fixture
def estate_a():
    return Estate("甲小区", building_number=11)


@pytest.fixture
def estate_b():
    return Estate("乙小区", building_number=22)


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


# --- One row of each estate-owned model, belonging to one estate only -------------------


def _theme(estate):
    return Theme.objects.create(
        community=estate.community, category=seeded_category("facilities"), name="楼道杂物"
    )


ROW_MAKERS = {
    "covenant.User": lambda e: e.new_resident(),
    "covenant.Community": lambda e: e.community,
    "covenant.Building": lambda e: BuildingFactory(
        community=e.community, number=e.building.number + 1
    ),
    "covenant.Household": lambda e: HouseholdFactory(building=e.building, floor=4, unit="401"),
    "covenant.Membership": lambda e: MembershipFactory(
        user=UserFactory(), household=e.household, relation=Membership.Relation.TENANT
    ),
    "covenant.RoleGrant": lambda e: RoleGrantFactory(
        user=UserFactory(), community=e.community, role=Role.PARTY_BRANCH
    ),
    "proposals.Campaign": lambda e: Campaign.objects.create(
        community=e.community,
        title=f"{e.community.name}金点子征集",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 3, 31),
        created_by=e.admin,
    ),
    "proposals.IdeaBoxSettings": lambda e: IdeaBoxSettings.objects.create(community=e.community),
    "proposals.Deliberation": lambda e: Deliberation.objects.create(
        community=e.community, topic=f"{e.community.name}停车", opened_by=e.staff
    ),
    "proposals.OwnersVote": lambda e: OwnersVote.objects.create(
        community=e.community,
        title=f"{e.community.name}更换物业",
        question="是否更换物业服务企业？",
        closes_at=timezone.now() + datetime.timedelta(days=14),
        created_by=e.admin,
    ),
    "proposals.Priority": lambda e: Priority.objects.create(
        community=e.community,
        theme=_theme(e),
        title=f"{e.community.name}清理楼道",
        owner=e.staff,
        goals="年底前清空楼道。",
        created_by=e.staff,
    ),
    "notices.Announcement": lambda e: Announcement.objects.create(
        community=e.community,
        author=e.staff,
        title=f"{e.community.name}停水通知",
        body="周三停水。",
    ),
    "volunteers.Volunteer": lambda e: VolunteerFactory(user=e.new_resident()),
    "volunteers.Activity": lambda e: ActivityFactory(organiser=e.captain),
    "volunteers.ServiceEntry": lambda e: ServiceEntryFactory(user=e.resident),
}

ESTATE_SCOPED = sorted(
    model._meta.label
    for model, model_admin in admin.site._registry.items()
    if model._meta.label not in SITE_WIDE
)


def _model(label: str):
    return next(model for model in admin.site._registry if model._meta.label == label)


def _admin_url(obj, view: str = "change") -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def _snapshot(obj) -> dict:
    return type(obj)._default_manager.filter(pk=obj.pk).values().get()


def _is_not_found(response) -> bool:
    """The admin's "not found" is a redirect to its index saying the row does not exist."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


def _text_changes(model) -> dict[str, str]:
    """A crafted POST that rewrites every text field of a row."""
    return {
        field.name: "B改了它"
        for field in model._meta.concrete_fields
        if isinstance(field, (CharField, TextField)) and not field.choices
    }


# --- The registry: every model says how its rows belong to estates ---------------------------


def test_every_admin_model_says_how_its_rows_belong_to_estates():
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if label in SITE_WIDE:
            assert isinstance(model_admin, SiteWideAdmin), (
                f"{label} is listed as site-wide: make its ModelAdmin a SiteWideAdmin"
            )
            continue
        assert isinstance(model_admin, EstateScopedAdmin), (
            f"{label}: make its ModelAdmin an EstateScopedAdmin with an estate_path "
            f"(or a person_path), or list it in SITE_WIDE if no estate owns its rows"
        )
        assert model_admin.estate_scope() is not None, f"{label}: declare estate_path"
        assert label in ROW_MAKERS, f"{label}: add a row maker to ROW_MAKERS"


def _final_model(model, path: str):
    if path == "pk":
        return model
    for name in path.split("__"):
        if name == "pk":
            return model
        model = model._meta.get_field(name).related_model
    return model


def test_every_declared_path_leads_to_an_estate_or_a_person():
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, EstateScopedAdmin):
            continue
        if model_admin.estate_path is not None:
            assert _final_model(model, model_admin.estate_path) is Community, model
        else:
            assert _final_model(model, model_admin.person_path) is User, model
        for inline in model_admin.inlines:
            assert issubclass(inline, EstateScopedInline), inline
            assert _final_model(inline.model, inline.estate_path) is Community, inline


@pytest.mark.parametrize(
    "label", sorted(m._meta.label for m in admin.site._registry if m._meta.label in SITE_WIDE)
)
def test_site_wide_models_are_changed_by_the_superuser_only(client, estate_b, superuser, label):
    model = _model(label)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    may_view = admin.site.get_model_admin(model).estate_admins_may_view
    client.force_login(estate_b.admin)
    assert client.get(changelist).status_code == (200 if may_view else 403)
    assert client.get(add).status_code == 403
    client.force_login(superuser)
    assert client.get(changelist).status_code == 200


# --- Every estate-owned model: B's admin never reaches A's rows -------------------------------


@pytest.mark.parametrize("label", ESTATE_SCOPED)
def test_an_estate_admin_lists_only_their_estates_rows(client, estate_a, estate_b, label):
    row_of_a = ROW_MAKERS[label](estate_a)
    row_of_b = ROW_MAKERS[label](estate_b)
    opts = row_of_a._meta
    client.force_login(estate_b.admin)

    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    assert response.status_code == 200
    shown = {row.pk for row in response.context["cl"].result_list}
    assert row_of_b.pk in shown
    assert row_of_a.pk not in shown
    assert _admin_url(row_of_a) not in response.content.decode()


@pytest.mark.parametrize("label", ESTATE_SCOPED)
def test_another_estates_row_is_not_found_and_nothing_changes(client, estate_a, estate_b, label):
    row_of_a = ROW_MAKERS[label](estate_a)
    row_of_b = ROW_MAKERS[label](estate_b)
    before = _snapshot(row_of_a)
    client.force_login(estate_b.admin)

    assert client.get(_admin_url(row_of_b)).status_code == 200  # the test has teeth
    for view in ("change", "delete", "history"):
        assert _is_not_found(client.get(_admin_url(row_of_a, view))), view
    changed = client.post(_admin_url(row_of_a), _text_changes(type(row_of_a)))
    deleted = client.post(_admin_url(row_of_a, "delete"), {"post": "yes"})

    assert _is_not_found(changed)
    assert _is_not_found(deleted)
    assert _snapshot(row_of_a) == before


@pytest.mark.parametrize("label", ESTATE_SCOPED)
def test_the_superuser_still_sees_every_estate(client, estate_a, estate_b, superuser, label):
    row_of_a = ROW_MAKERS[label](estate_a)
    row_of_b = ROW_MAKERS[label](estate_b)
    client.force_login(superuser)
    opts = row_of_a._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    shown = {row.pk for row in response.context["cl"].result_list}
    assert {row_of_a.pk, row_of_b.pk} <= shown
    assert client.get(_admin_url(row_of_a)).status_code == 200


# --- The way in ---------------------------------------------------------------------------------


def test_a_community_admin_opens_the_admin_with_a_staff_account(client, estate_b):
    client.force_login(estate_b.admin)
    assert client.get(reverse("admin:index")).status_code == 200
    estate_b.admin.is_staff = False
    estate_b.admin.save()
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_staff_account_without_the_admin_role_sees_no_estate_page(client, estate_b):
    estate_b.staff.is_staff = True
    estate_b.staff.save()
    client.force_login(estate_b.staff)
    assert client.get(reverse("admin:covenant_household_changelist")).status_code == 403
    assert client.get(reverse("admin:covenant_user_changelist")).status_code == 403


# --- People -----------------------------------------------------------------------------------


def _user_form(user: User, **changes) -> dict:
    return {
        "name": user.name,
        "preferred_language": user.preferred_language,
        "is_active": "on",
        **changes,
    }


def test_an_estate_admin_cannot_raise_anyone_to_staff_or_superuser(client, estate_b):
    resident = estate_b.resident
    group = Group.objects.create(name="全站管理")
    permission = Permission.objects.get(codename="change_user")
    client.force_login(estate_b.admin)

    response = client.post(
        _admin_url(resident),
        _user_form(
            resident,
            name="王阿姨（改名）",
            is_superuser="on",
            is_staff="on",
            groups=[group.pk],
            user_permissions=[permission.pk],
            email="attacker@example.org",
            phone="13800000000",
            password="md5$x$y",
        ),
    )

    assert response.status_code == 302  # saved: the name was theirs to correct
    resident.refresh_from_db()
    assert resident.name == "王阿姨（改名）"
    assert not resident.is_superuser
    assert not resident.is_staff
    assert not resident.groups.exists()
    assert not resident.user_permissions.exists()
    assert resident.email == "resident-22@example.org"
    assert resident.phone == ""
    assert resident.check_password("correct-horse-battery-staple")


def test_an_estate_admin_cannot_raise_themselves(client, estate_b):
    admin_b = estate_b.admin
    client.force_login(admin_b)
    response = client.post(_admin_url(admin_b), _user_form(admin_b, is_superuser="on"))
    assert response.status_code == 403
    admin_b.refresh_from_db()
    assert not admin_b.is_superuser


def test_the_user_form_of_an_estate_admin_has_no_permission_or_password_fields(client, estate_b):
    client.force_login(estate_b.admin)
    html = client.get(_admin_url(estate_b.resident)).content.decode()
    assert 'name="name"' in html
    for field in ("is_superuser", "is_staff", "groups", "user_permissions", "password", "email"):
        assert f'name="{field}"' not in html, field
    assert "/password/" not in html


def test_the_save_refuses_a_permission_change_that_bypassed_the_form(estate_b):
    user_admin = admin.site.get_model_admin(User)
    request = RequestFactory().post("/")
    request.user = estate_b.admin
    resident = User.objects.get(pk=estate_b.resident.pk)
    resident.is_superuser = True
    with pytest.raises(PermissionDenied):
        user_admin.save_model(request, resident, form=None, change=True)
    assert not User.objects.get(pk=resident.pk).is_superuser


def test_an_estate_admin_sets_no_password_adds_and_deletes_no_account(client, estate_b):
    resident = estate_b.resident
    client.force_login(estate_b.admin)
    password_url = reverse("admin:auth_user_password_change", args=[resident.pk])
    assert client.get(password_url).status_code == 403
    new_password = {"password1": "a-new-Passw0rd!", "password2": "a-new-Passw0rd!"}
    assert client.post(password_url, new_password).status_code == 403
    assert client.get(reverse("admin:covenant_user_add")).status_code == 403
    assert client.post(_admin_url(resident, "delete"), {"post": "yes"}).status_code == 403
    resident.refresh_from_db()
    assert resident.check_password("correct-horse-battery-staple")


@pytest.mark.parametrize("who", ["superuser", "admin_of_a", "holds_a_role_in_a", "lives_in_a"])
def test_an_estate_admin_only_reads_people_tied_to_another_estate_or_running_one(
    client, estate_a, estate_b, who
):
    person = estate_b.new_resident(name="原名")
    if who == "superuser":
        person.is_superuser = person.is_staff = True
        person.save()
    elif who == "admin_of_a":
        RoleGrantFactory(user=person, community=estate_a.community, role=Role.COMMUNITY_ADMIN)
    elif who == "holds_a_role_in_a":
        RoleGrantFactory(user=person, community=estate_a.community, role=Role.PARTY_BRANCH)
    else:
        MembershipFactory(user=person, household=estate_a.household, verified=True)
    client.force_login(estate_b.admin)

    page = client.get(_admin_url(person))
    response = client.post(_admin_url(person), _user_form(person, name="改名", is_active=""))

    assert page.status_code == 200  # one of B's people: shown, read-only
    assert 'name="name"' not in page.content.decode()
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.name == "原名"
    assert person.is_active


def test_the_user_list_shows_no_other_estates_emails_nor_staff_flags(client, estate_a, estate_b):
    client.force_login(estate_b.admin)
    html = client.get(reverse("admin:covenant_user_changelist")).content.decode()
    assert estate_b.resident.email in html
    assert estate_a.resident.email not in html
    assert estate_a.admin.email not in html
    assert "is_superuser" not in html
    assert "is_staff" not in html


def test_a_crafted_filter_does_not_tell_who_the_superusers_are(client, estate_b):
    estate_b.new_resident(email="root@example.org", is_superuser=True, is_staff=True)
    client.force_login(estate_b.admin)
    response = client.get(reverse("admin:covenant_user_changelist") + "?is_superuser__exact=1")
    assert response.status_code == 400  # Django's answer to a lookup it does not allow


def test_the_user_list_costs_seven_queries_however_many_people(
    client, estate_b, django_assert_num_queries
):
    client.force_login(estate_b.admin)
    url = reverse("admin:covenant_user_changelist")
    for people in (0, 15):
        for _ in range(people):
            estate_b.new_resident()
        # session, the admin, their grants, their households (roles), the count of the
        # rows filtered, the count of all their rows, the page of people
        with django_assert_num_queries(7):
            assert client.get(url).status_code == 200


# --- Role grants ----------------------------------------------------------------------------------


def _grant_form(user, community, role, building=None) -> dict:
    return {
        "user": user.pk,
        "community": community.pk,
        "role": role,
        "building": building.pk if building else "",
        "floor_from": "",
        "floor_to": "",
    }


def test_an_estate_admin_grants_a_captain_in_their_estate(client, estate_b):
    person = estate_b.new_resident()
    client.force_login(estate_b.admin)
    response = client.post(
        reverse("admin:covenant_rolegrant_add"),
        _grant_form(person, estate_b.community, Role.CAPTAIN, estate_b.building),
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=person)
    assert grant.community == estate_b.community
    assert grant.granted_by == estate_b.admin


def test_an_estate_admin_cannot_grant_a_role_in_another_estate(client, estate_a, estate_b):
    # A person of both estates, so the refusal is about the estate, not the person.
    person = estate_b.new_resident()
    MembershipFactory(user=person, household=estate_a.household, verified=True)
    client.force_login(estate_b.admin)

    response = client.post(
        reverse("admin:covenant_rolegrant_add"),
        _grant_form(person, estate_a.community, Role.PROPERTY_STAFF),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not RoleGrant.objects.filter(user=person).exists()


def test_an_estate_admin_cannot_grant_the_admin_role_anywhere(client, estate_b):
    person = estate_b.new_resident()
    client.force_login(estate_b.admin)

    page = client.get(reverse("admin:covenant_rolegrant_add"))
    response = client.post(
        reverse("admin:covenant_rolegrant_add"),
        _grant_form(person, estate_b.community, Role.COMMUNITY_ADMIN),
    )

    assert 'value="community_admin"' not in page.content.decode()
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not RoleGrant.objects.filter(user=person).exists()


def test_an_estate_admin_cannot_revoke_or_change_an_admin_grant(client, estate_b):
    co_admin = estate_b._holder(Role.COMMUNITY_ADMIN, is_staff=True)
    grant = RoleGrant.objects.get(user=co_admin)
    client.force_login(estate_b.admin)

    page = client.get(_admin_url(grant))
    changed = client.post(_admin_url(grant), {"role": Role.PARTY_BRANCH})
    deleted = client.post(_admin_url(grant, "delete"), {"post": "yes"})

    assert page.status_code == 200  # read-only
    assert changed.status_code == 403
    assert deleted.status_code == 403
    grant.refresh_from_db()
    assert grant.role == Role.COMMUNITY_ADMIN


def test_an_estate_admin_revokes_a_captain_of_their_estate(client, estate_b):
    grant = RoleGrant.objects.get(user=estate_b.captain)
    client.force_login(estate_b.admin)
    response = client.post(_admin_url(grant, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_the_superuser_grants_the_admin_role_and_is_reminded_of_staff_status(
    client, estate_b, superuser
):
    person = estate_b.new_resident()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:covenant_rolegrant_add"),
        _grant_form(person, estate_b.community, Role.COMMUNITY_ADMIN),
        follow=True,
    )
    assert RoleGrant.objects.filter(user=person, role=Role.COMMUNITY_ADMIN).exists()
    warnings = [m for m in response.context["messages"] if m.level == messages.WARNING]
    assert len(warnings) == 1  # tick "staff status", or the new admin cannot open /admin/


def test_role_grant_choices_and_filters_name_no_other_estate(client, estate_a, estate_b):
    client.force_login(estate_b.admin)
    add_page = client.get(reverse("admin:covenant_rolegrant_add"))
    form = add_page.context["adminform"].form
    changelist = client.get(reverse("admin:covenant_rolegrant_changelist"))
    buildings = client.get(reverse("admin:covenant_building_changelist"))

    assert list(form.fields["community"].queryset) == [estate_b.community]
    assert set(form.fields["building"].queryset) == {estate_b.building}
    assert estate_a.resident not in form.fields["user"].queryset
    for response in (add_page, changelist, buildings):
        assert estate_a.community.name not in response.content.decode()
    assert estate_b.community.name in changelist.content.decode()


# --- Estates ----------------------------------------------------------------------------------


def test_an_estate_admin_corrects_their_estates_name_but_makes_or_deletes_none(client, estate_b):
    client.force_login(estate_b.admin)
    community = estate_b.community

    renamed = client.post(_admin_url(community), {"name": "乙小区（北区）", "address": "新址"})
    add = client.get(reverse("admin:covenant_community_add"))
    delete = client.post(_admin_url(community, "delete"), {"post": "yes"})

    assert renamed.status_code == 302
    community.refresh_from_db()
    assert community.name == "乙小区（北区）"
    assert add.status_code == 403
    assert delete.status_code == 403
    assert Community.objects.filter(pk=community.pk).exists()


# --- Autocomplete and other choices ---------------------------------------------------------------


def _autocomplete(client, app_label, model_name, field_name, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return {int(result["id"]) for result in response.json()["results"]}


@pytest.mark.parametrize(
    "app_label, model_name, field_name",
    [
        ("covenant", "membership", "user"),
        ("covenant", "rolegrant", "user"),
        ("proposals", "idea", "author"),  # any source field: the remote admin decides
    ],
)
def test_the_user_autocomplete_offers_only_people_of_the_admins_estates(
    client, estate_a, estate_b, app_label, model_name, field_name
):
    client.force_login(estate_b.admin)
    found = _autocomplete(client, app_label, model_name, field_name)
    searched = _autocomplete(client, app_label, model_name, field_name, term="example.org")
    assert estate_b.resident.pk in found
    assert estate_a.resident.pk not in found | searched
    assert estate_a.admin.pk not in found | searched


def test_the_household_and_building_autocompletes_offer_only_the_admins_estates(
    client, estate_a, estate_b
):
    client.force_login(estate_b.admin)
    households = _autocomplete(client, "covenant", "membership", "household")
    buildings = _autocomplete(client, "covenant", "household", "building")
    assert households == {estate_b.household.pk}
    assert buildings == {estate_b.building.pk}


def test_a_chosen_household_of_another_estate_is_refused(client, estate_a, estate_b):
    person = estate_b.new_resident()
    client.force_login(estate_b.admin)
    response = client.post(
        reverse("admin:covenant_membership_add"),
        {"user": person.pk, "household": estate_a.household.pk, "relation": "tenant"},
    )
    assert response.status_code == 200
    assert "household" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=person, household=estate_a.household).exists()


def test_a_raw_id_of_another_estates_person_does_not_print_their_name(client, estate_a, estate_b):
    priority = ROW_MAKERS["proposals.Priority"](estate_b)
    stranger = estate_a.new_resident(name="甲小区的陌生人")
    client.force_login(estate_b.admin)
    response = client.post(
        _admin_url(priority),
        {"title": priority.title, "owner": stranger.pk, "goals": "x", "status": "planned"},
    )
    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors
    assert "甲小区的陌生人" not in response.content.decode()
    priority.refresh_from_db()
    assert priority.owner == estate_b.staff


def test_an_admin_of_two_estates_cannot_mix_their_rows(client, estate_a, estate_b):
    """Choices of both estates are offered to an admin of both, but one row takes only
    its own estate's buildings."""
    RoleGrantFactory(user=estate_b.admin, community=estate_a.community, role=Role.COMMUNITY_ADMIN)
    announcement = ROW_MAKERS["notices.Announcement"](estate_b)
    client.force_login(estate_b.admin)
    publish_at = timezone.localtime(announcement.publish_at)
    response = client.post(
        _admin_url(announcement),
        {
            "community": estate_b.community.pk,
            "author": estate_b.staff.pk,
            "title": announcement.title,
            "body": announcement.body,
            "audience": "buildings",
            "buildings": [estate_a.building.pk],
            "publish_at_0": publish_at.strftime("%Y-%m-%d"),
            "publish_at_1": publish_at.strftime("%H:%M:%S"),
            **_inline_management(("attachments", "revisions")),
        },
    )
    assert response.status_code == 200
    assert "buildings" in response.context["adminform"].form.errors
    assert not announcement.buildings.exists()


def _inline_management(prefixes) -> dict:
    data = {}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_the_announcement_form_offers_only_the_admins_buildings(client, estate_a, estate_b):
    client.force_login(estate_b.admin)
    form = client.get(reverse("admin:notices_announcement_add")).context["adminform"].form
    assert set(form.fields["buildings"].queryset) == {estate_b.building}
    assert list(form.fields["community"].queryset) == [estate_b.community]


def test_the_priority_form_offers_only_the_admins_deliberations_and_activities(
    client, estate_a, estate_b
):
    priority = ROW_MAKERS["proposals.Priority"](estate_b)
    ours = ROW_MAKERS["proposals.Deliberation"](estate_b)
    ROW_MAKERS["proposals.Deliberation"](estate_a)
    our_activity = ActivityFactory(organiser=estate_b.captain)
    ActivityFactory(organiser=estate_a.captain)
    client.force_login(estate_b.admin)
    form = client.get(_admin_url(priority)).context["adminform"].form
    assert list(form.fields["deliberations"].queryset) == [ours]
    assert list(form.fields["activities"].queryset) == [our_activity]


def test_the_membership_list_filter_names_only_the_admins_buildings(client, estate_a, estate_b):
    second_building = BuildingFactory(community=estate_b.community, number=23)
    MembershipFactory(household=HouseholdFactory(building=second_building))  # two to filter by
    client.force_login(estate_b.admin)
    html = client.get(reverse("admin:covenant_membership_changelist")).content.decode()
    filtered_by = set(re.findall(r"household__building__id__exact=(\d+)", html))
    assert filtered_by == {str(estate_b.building.pk), str(second_building.pk)}


def test_an_estate_admin_reads_the_shared_categories_but_changes_none(client, estate_b):
    category = seeded_category("facilities")
    client.force_login(estate_b.admin)
    changelist = client.get(reverse("admin:proposals_category_changelist")).content.decode()
    response = client.post(_admin_url(category), {"name": "改了", "name_en": "x", "slug": "x"})
    assert category.name in changelist
    assert 'name="form-0-position"' not in changelist  # no list editing
    assert response.status_code == 403
    category.refresh_from_db()
    assert category.name != "改了"


def test_the_bulk_delete_action_spares_an_admin_grant(client, estate_b):
    co_admin = estate_b._holder(Role.COMMUNITY_ADMIN, is_staff=True)
    grants = RoleGrant.objects.filter(user__in=[co_admin, estate_b.captain])
    client.force_login(estate_b.admin)
    response = client.post(
        reverse("admin:covenant_rolegrant_changelist"),
        {"action": "delete_selected", "_selected_action": [g.pk for g in grants], "post": "yes"},
    )
    assert response.status_code == 403
    assert grants.count() == 2
