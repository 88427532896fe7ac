import pytest

from covenant import selectors
from covenant.models import Membership
from tests.conftest import PERSONAS, fresh
from tests.factories import HouseholdFactory, MembershipFactory


@pytest.fixture
def requests_across_the_estate(building_3, building_5):
    households = [
        HouseholdFactory(building=building_3, floor=2, unit="0201"),
        HouseholdFactory(building=building_3, floor=12, unit="1202"),
        HouseholdFactory(building=building_5, floor=3, unit="0301"),
        HouseholdFactory(building=building_5, floor=9, unit="0902"),
    ]
    return [MembershipFactory(household=household) for household in households]


@pytest.mark.parametrize("name", [*PERSONAS, "captain_3_lower_floors"])
def test_decidable_memberships_agree_with_the_permission(persona, name, requests_across_the_estate):
    user = fresh(persona(name))
    everything = Membership.objects.select_related("household")
    allowed = {m.pk for m in everything if user.has_perm("covenant.decide_membership", m)}
    listed = set(selectors.memberships_decidable_by(user=user).values_list("pk", flat=True))
    assert listed == allowed


def test_the_queue_holds_only_pending_requests_oldest_first(captain_3, unit_3_1201, building_3):
    first = MembershipFactory(household=unit_3_1201)
    second = MembershipFactory(household=HouseholdFactory(building=building_3, unit="1203"))
    MembershipFactory(household=unit_3_1201, verified=True)
    queue = list(selectors.pending_requests_for(user=fresh(captain_3)))
    assert queue == [first, second]


def test_floors_of_a_building_are_listed_once_each_in_order(building_3):
    for unit, floor in [("0302", 3), ("0301", 3), ("0101", 1)]:
        HouseholdFactory(building=building_3, floor=floor, unit=unit)
    assert selectors.floors_of_building(building=building_3) == [1, 3]
