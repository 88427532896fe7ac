"""Every permission of the role table (docs/roles.md), for every persona.

Each row lists the personas that are allowed; every other persona must be refused.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from covenant import rules as covenant_rules
from covenant.models import Party, Role
from tests.conftest import PERSONAS, fresh
from tests.factories import HouseholdFactory, MembershipFactory, RoleGrantFactory, UserFactory

EVERYONE = set(PERSONAS)
PARTICIPANTS = {
    "resident",
    "neighbour",
    "captain_3",
    "captain_5",
    "steward",
    "party_member",
    "admin_user",
}
ROLE_HOLDERS = {"captain_3", "captain_5", "steward", "party_member", "admin_user"}

GLOBAL_PERMISSIONS = {
    "covenant.read_public_announcements": EVERYONE,
    "covenant.read_estate_content": PARTICIPANTS,
    "covenant.request_membership": EVERYONE - {"visitor"},
    "covenant.contribute": PARTICIPANTS,
    "covenant.see_membership_queue": {"captain_3", "captain_5", "admin_user"},
    "covenant.triage": {"steward", "admin_user"},
    "covenant.open_deliberation": ROLE_HOLDERS,
    "covenant.publish_announcement": ROLE_HOLDERS,
    "covenant.organise_activities": ROLE_HOLDERS,
    "covenant.manage_estate": {"admin_user"},
}

# Object permissions, asked about something in building 3 (floor 12).
BUILDING_3_PERMISSIONS = {
    "covenant.decide_membership": {"captain_3", "admin_user"},
    "covenant.moderate": {"captain_3", "admin_user"},
    "covenant.see_hidden_author": {"captain_3", "steward", "party_member", "admin_user"},
}


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("permission", sorted(GLOBAL_PERMISSIONS))
def test_global_permission_follows_the_role_table(persona, permission, name):
    user = fresh(persona(name))
    assert user.has_perm(permission) is (name in GLOBAL_PERMISSIONS[permission])


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("permission", sorted(BUILDING_3_PERMISSIONS))
def test_object_permission_is_limited_to_the_own_building(persona, permission, name, unit_3_1201):
    user = fresh(persona(name))
    item = MembershipFactory(household=unit_3_1201)
    assert user.has_perm(permission, item) is (name in BUILDING_3_PERMISSIONS[permission])


@pytest.mark.parametrize("name", PERSONAS)
def test_publishing_to_a_building_is_for_its_captain_and_the_estate_roles(
    persona, name, building_3
):
    allowed = {"captain_3", "steward", "party_member", "admin_user"}
    user = fresh(persona(name))
    assert user.has_perm("covenant.publish_to_building", building_3) is (name in allowed)


SIGNERS = {
    "captain_3": Party.RESIDENTS,
    "captain_5": Party.RESIDENTS,
    "steward": Party.PROPERTY,
    "party_member": Party.PARTY_BRANCH,
}


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("party", Party.values)
def test_each_party_signs_only_through_its_own_representatives(persona, name, party):
    user = fresh(persona(name))
    assert user.has_perm("covenant.sign_for_party", party) is (SIGNERS.get(name) == party)


@pytest.mark.parametrize("party", Party.values)
def test_an_admin_may_post_for_any_party_but_sign_for_none(admin_user, party):
    user = fresh(admin_user)
    assert user.has_perm("covenant.post_for_party", party)
    assert not user.has_perm("covenant.sign_for_party", party)


@pytest.mark.parametrize("name", ["visitor", "newcomer", "resident"])
@pytest.mark.parametrize("party", Party.values)
def test_residents_without_a_role_post_for_no_party(persona, name, party):
    assert not fresh(persona(name)).has_perm("covenant.post_for_party", party)


def test_a_captain_with_a_floor_range_covers_only_those_floors(captain_3_lower_floors, building_3):
    captain = fresh(captain_3_lower_floors)
    low = MembershipFactory(household=HouseholdFactory(building=building_3, floor=5, unit="0501"))
    high = MembershipFactory(household=HouseholdFactory(building=building_3, floor=12, unit="1202"))
    assert captain.has_perm("covenant.decide_membership", low)
    assert not captain.has_perm("covenant.decide_membership", high)
    # The building as a whole is still theirs to publish to.
    assert captain.has_perm("covenant.publish_to_building", building_3)


def test_the_membership_owner_may_view_it_but_not_decide_it(join_request, newcomer):
    user = fresh(newcomer)
    assert user.has_perm("covenant.see_membership", join_request)
    assert not user.has_perm("covenant.decide_membership", join_request)


def test_another_resident_may_not_view_a_membership(join_request, neighbour):
    assert not fresh(neighbour).has_perm("covenant.see_membership", join_request)


def test_a_pending_request_does_not_make_a_verified_resident(join_request, newcomer):
    assert not fresh(newcomer).has_perm("covenant.read_estate_content")


def test_a_rejected_membership_grants_nothing(newcomer, unit_3_1201, captain_3):
    MembershipFactory(
        user=newcomer,
        household=unit_3_1201,
        rejected=True,
        rejection_reason="不认识",
    )
    assert not fresh(newcomer).has_perm("covenant.contribute")


def test_a_deactivated_account_loses_every_role(admin_user):
    admin_user.is_active = False
    admin_user.save()
    user = fresh(admin_user)
    assert not user.has_perm("covenant.manage_estate")
    assert not user.has_perm("covenant.read_estate_content")


def test_a_superuser_counts_as_a_community_admin(db):
    root = UserFactory(is_superuser=True, is_staff=True)
    assert fresh(root).has_perm("covenant.manage_estate")


def test_roles_are_loaded_once_per_user_object(captain_3, unit_3_1201):
    user = fresh(captain_3)
    items = [MembershipFactory(household=unit_3_1201) for _ in range(5)]
    with CaptureQueriesContext(connection) as queries:
        for item in items:
            user.has_perm("covenant.decide_membership", item)
            user.has_perm("covenant.moderate", item)
    # 1. the user's role grants  2. whether they have a verified membership
    assert len(queries) == 2, "\n".join(query["sql"] for query in queries)


def test_forget_roles_picks_up_a_new_grant(newcomer, community):
    user = fresh(newcomer)
    assert not user.has_perm("covenant.triage")
    RoleGrantFactory(user=user, community=community, role=Role.PROPERTY_STAFF)
    covenant_rules.forget_roles(user)
    assert user.has_perm("covenant.triage")


def test_location_of_an_object_without_a_place_is_none():
    assert covenant_rules.location_of(object()) is None
    assert covenant_rules.location_of(None) is None


def test_a_superuser_is_held_to_the_rules_of_an_admin(db, unit_3_1201):
    root = fresh(UserFactory(is_superuser=True, is_staff=True))
    own = MembershipFactory(user=root, household=unit_3_1201)
    assert root.has_perm("covenant.decide_membership", MembershipFactory(household=unit_3_1201))
    assert not root.has_perm("covenant.decide_membership", own)
    for party in Party.values:
        assert not root.has_perm("covenant.sign_for_party", party)
    # Django's own model permissions still work for the admin site.
    assert root.has_perm("covenant.change_building")


@pytest.mark.parametrize("name", PERSONAS)
def test_only_the_requester_and_its_deciders_may_see_a_request(persona, name, join_request):
    allowed = {"newcomer", "captain_3", "admin_user"}
    assert fresh(persona(name)).has_perm("covenant.see_membership", join_request) is (
        name in allowed
    )


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("party", Party.values)
def test_each_party_speaks_through_its_own_representatives(persona, name, party):
    voices = {**SIGNERS, "admin_user": party}
    assert fresh(persona(name)).has_perm("covenant.post_for_party", party) is (
        voices.get(name) == party
    )
