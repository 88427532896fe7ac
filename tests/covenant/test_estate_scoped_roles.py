"""Roles are per estate, for the estate's own records: membership requests."""

import pytest
from django.urls import reverse

from covenant.models import Membership, Role
from covenant.selectors import memberships_decidable_by
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _household(name):
    community = CommunityFactory(name=name)
    building = BuildingFactory(community=community, number=1)
    return community, HouseholdFactory(building=building, floor=3, unit="301")


@pytest.fixture
def admin_a_renting_in_b():
    estate_a, household_a = _household("甲小区")
    _estate_b, household_b = _household("乙小区")
    admin = UserFactory()
    RoleGrantFactory(user=admin, community=estate_a, role=Role.COMMUNITY_ADMIN)
    MembershipFactory(
        user=admin, household=household_b, relation=Membership.Relation.TENANT, verified=True
    )
    request_a = MembershipFactory(user=UserFactory(), household=household_a)
    request_b = MembershipFactory(user=UserFactory(), household=household_b)
    return admin, request_a, request_b


def test_an_admin_decides_only_their_own_estates_requests(admin_a_renting_in_b):
    admin, request_a, request_b = admin_a_renting_in_b
    assert admin.has_perm("covenant.decide_membership", request_a)
    assert not admin.has_perm("covenant.decide_membership", request_b)
    decidable = set(memberships_decidable_by(user=admin))
    assert request_a in decidable
    assert request_b not in decidable


def test_the_other_estates_request_is_closed_to_them(client, admin_a_renting_in_b):
    admin, request_a, request_b = admin_a_renting_in_b
    client.force_login(admin)
    url = reverse("membership_detail", args=[request_b.pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("membership_detail", args=[request_a.pk])).status_code == 200
