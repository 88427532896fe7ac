"""Model validation the admin forms show, beyond the database constraints."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from covenant.models import Household, Membership, Role, RoleGrant
from tests.factories import BuildingFactory, CommunityFactory, MembershipFactory


def test_a_household_cannot_sit_above_the_top_floor(building_3):
    household = Household(
        building=building_3, floor=building_3.floor_count + 1, unit="9901", floor_area=80
    )
    with pytest.raises(ValidationError) as error:
        household.full_clean()
    assert "floor" in error.value.message_dict


def test_a_captain_grant_needs_a_building(community, newcomer):
    grant = RoleGrant(user=newcomer, community=community, role=Role.CAPTAIN)
    with pytest.raises(ValidationError):
        grant.full_clean()


def test_a_captain_grant_stays_in_its_own_estate(building_3, newcomer):
    other_estate = CommunityFactory(name="另一个小区")
    grant = RoleGrant(user=newcomer, community=other_estate, role=Role.CAPTAIN, building=building_3)
    with pytest.raises(ValidationError):
        grant.full_clean()


@pytest.mark.parametrize("floors", [(0, 3), (5, 2), (1, 99), (3, None)])
def test_a_floor_range_must_fit_the_building(building_3, newcomer, floors):
    grant = RoleGrant(
        user=newcomer,
        community=building_3.community,
        role=Role.CAPTAIN,
        building=building_3,
        floor_from=floors[0],
        floor_to=floors[1],
    )
    with pytest.raises(ValidationError):
        grant.full_clean()


def test_the_database_refuses_a_second_open_request_for_the_same_household(join_request):
    with pytest.raises(IntegrityError):
        MembershipFactory(user=join_request.user, household=join_request.household)


def test_the_database_refuses_a_rejection_without_a_reason(unit_3_1201):
    with pytest.raises(IntegrityError):
        MembershipFactory(
            household=unit_3_1201,
            status=Membership.Status.REJECTED,
            decided_at="2026-11-01T10:00:00+08:00",
        )


def test_the_database_refuses_a_building_for_a_steward(community, newcomer):
    building = BuildingFactory(community=community, number=9)
    with pytest.raises(IntegrityError):
        RoleGrant.objects.create(
            user=newcomer, community=community, role=Role.PROPERTY_STAFF, building=building
        )
