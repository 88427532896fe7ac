"""``manage.py seed_demo``: the demo estate's shape, its people, running it again, and
signing in as one of them.

Seeding takes over a second, so the module seeds once: the estate is committed before
the first test, outside the tests' own transactions (each test still rolls back what it
changes), and removed after the last one so no other test module meets it.
"""

import io
import re
from collections.abc import Iterator
from decimal import Decimal
from importlib import import_module

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import override_settings

from covenant.demo import (
    ADMIN_EMAIL,
    CAPTAIN_EMAILS,
    COMMUNITY_NAME,
    DEMO_PASSWORD,
    DISTRICT_NAME,
    DISTRICT_PARTY_EMAIL,
    DISTRICT_STEWARD_EMAIL,
    EMAIL_DOMAIN,
    PARTY_EMAILS,
    SECOND_ADMIN_EMAIL,
    SECOND_CAPTAIN_EMAIL,
    SECOND_ESTATE_NAME,
    SECOND_RESIDENT_EMAIL,
    SECOND_STEWARD_EMAIL,
    STEWARD_EMAILS,
    VOLUNTEER_EMAILS,
    captain_email,
    plan_people,
    plan_second_people,
    plan_second_units,
    plan_units,
)
from covenant.demo.registry import demo_hooks
from covenant.models import (
    Building,
    Community,
    District,
    Household,
    Membership,
    MembershipEvent,
    Role,
    RoleGrant,
    User,
)

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MODELS = (Community, Building, Household, User, EmailAddress, RoleGrant, Membership)


def seed(*args: str, verbosity: int = 1) -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", *args, stdout=out, verbosity=verbosity)
    return out.getvalue()


def remove_demo_estate() -> None:
    # Feature apps remove their demo content first (their AppConfig's `demo_unseed`): it
    # may protect the demo users from deletion (an activity's organiser, hours in a ledger).
    for unseed in demo_hooks("demo_unseed", reverse=True):
        unseed()
    # The second estate's ideas and votes too (`unseed` takes the first by default).
    import_module("proposals.demo").unseed(SECOND_ESTATE_NAME)
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()
    estates = (COMMUNITY_NAME, SECOND_ESTATE_NAME)
    Household.objects.filter(building__community__name__in=estates).delete()
    Building.objects.filter(community__name__in=estates).delete()
    Community.objects.filter(name__in=estates).delete()
    District.objects.filter(name=DISTRICT_NAME).delete()


def counts() -> dict[str, int]:
    counted = {model.__name__: model.objects.count() for model in MODELS}
    counted["MembershipEvent"] = MembershipEvent.objects.count()
    return counted


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The output of the module's one seeding run, hashing as fast as conftest's tests do."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        output = seed()
    yield output
    with django_db_blocker.unblock():
        remove_demo_estate()


def verified_buildings(user: User) -> set[int]:
    return set(
        user.memberships.filter(status=Membership.Status.VERIFIED).values_list(
            "household__building__number", flat=True
        )
    )


def test_it_builds_26_buildings_numbered_1_to_26_of_varied_height(seeded):
    estate = Community.objects.get(name=COMMUNITY_NAME)
    floors = dict(estate.buildings.values_list("number", "floor_count"))
    assert sorted(floors) == list(range(1, 27))
    assert len(set(floors.values())) > 3
    assert floors[3] >= 12
    assert estate.address.count("台山市") == 1


def test_it_builds_about_900_households_and_prints_their_exact_number(seeded):
    printed = int(re.search(r"households: (\d+)", seeded).group(1))
    households = Household.objects.filter(building__community__name=COMMUNITY_NAME)
    assert 880 <= households.count() == printed <= 950


def test_it_names_units_by_floor_and_door_with_a_realistic_floor_area(seeded):
    first = Household.objects.filter(building__community__name=COMMUNITY_NAME)
    unit_1201 = first.get(building__number=3, unit="1201")
    assert unit_1201.floor == 12
    assert first.get(building__number=5, unit="0802").floor == 8
    for floor, unit, area in Household.objects.values_list("floor", "unit", "floor_area"):
        assert unit[:2] == f"{floor:02d}" and unit[2:] in {"01", "02"}
        assert Decimal("70.00") <= area <= Decimal("140.00")


def test_it_gives_each_building_a_captain_who_is_a_verified_owner_there(seeded):
    grants = RoleGrant.objects.filter(
        role=Role.CAPTAIN, community__name=COMMUNITY_NAME
    ).select_related("user", "building")
    assert len(grants) == 26
    assert {grant.building.number for grant in grants} == set(range(1, 27))
    for grant in grants:
        home = grant.user.memberships.get(status=Membership.Status.VERIFIED)
        assert home.household.building == grant.building
        assert home.relation == Membership.Relation.OWNER


def test_it_makes_a_volunteer_team_of_more_than_50_verified_residents(seeded):
    team = set(CAPTAIN_EMAILS) | set(VOLUNTEER_EMAILS)
    assert len(team) >= 50
    members = User.objects.filter(email__in=team)
    assert members.count() == len(team)
    for member in members:
        assert verified_buildings(member)


def test_it_grants_the_estate_roles_and_makes_the_admin_a_superuser(seeded):
    def holders(role: str) -> set[str]:
        grants = RoleGrant.objects.filter(role=role, community__name=COMMUNITY_NAME)
        return set(grants.values_list("user__email", flat=True))

    # The community's steward and Party branch member hold their role here too.
    assert holders(Role.PROPERTY_STAFF) == {*STEWARD_EMAILS, DISTRICT_STEWARD_EMAIL}
    assert holders(Role.PARTY_BRANCH) == {*PARTY_EMAILS, DISTRICT_PARTY_EMAIL}
    assert holders(Role.COMMUNITY_ADMIN) == {ADMIN_EMAIL}
    admin = User.objects.get(email=ADMIN_EMAIL)
    assert admin.is_staff and admin.is_superuser


def test_it_gives_every_user_a_verified_primary_email_address(seeded):
    users = User.objects.all()
    addresses = EmailAddress.objects.filter(verified=True, primary=True)
    assert set(addresses.values_list("user_id", "email")) == set(users.values_list("pk", "email"))
    assert all(
        email.endswith("@demo.covenant.invalid")
        for email in addresses.values_list("email", flat=True)
    )


def test_it_verifies_residents_in_about_60_percent_of_households(seeded):
    occupied = Household.objects.filter(memberships__status=Membership.Status.VERIFIED)
    share = occupied.distinct().count() / Household.objects.count()
    assert 0.55 <= share <= 0.65
    relations = Membership.objects.filter(status=Membership.Status.VERIFIED).values_list(
        "relation", flat=True
    )
    assert list(relations).count(Membership.Relation.OWNER) > len(relations) / 2
    assert set(relations) == set(Membership.Relation.values)


def test_it_records_who_decided_each_membership_and_its_audit_trail(seeded):
    captains = {
        grant.building_id: grant.user_id for grant in RoleGrant.objects.filter(role=Role.CAPTAIN)
    }
    admin = User.objects.get(email=ADMIN_EMAIL)
    in_first_estate = Membership.objects.filter(household__building__community__name=COMMUNITY_NAME)
    for membership in in_first_estate.select_related("household", "user"):
        events = list(membership.events.values_list("from_status", "to_status", "actor"))
        assert events[0] == ("", Membership.Status.REQUESTED, membership.user_id)
        if membership.status == Membership.Status.REQUESTED:
            assert len(events) == 1
            continue
        captain = captains[membership.household.building_id]
        decider = admin.pk if membership.user_id == captain else captain
        assert membership.decided_by_id == decider
        assert membership.decided_at >= membership.requested_at
        assert events[1:] == [(Membership.Status.REQUESTED, membership.status, decider)]


def test_it_leaves_pending_requests_in_building_3_and_other_buildings(seeded):
    pending = Membership.objects.filter(status=Membership.Status.REQUESTED)
    buildings = set(pending.values_list("household__building__number", flat=True))
    assert pending.count() >= 10
    assert 3 in buildings and 5 in buildings and len(buildings) >= 5


def test_it_creates_nothing_when_run_again(seeded):
    before = counts()
    output = seed()
    assert counts() == before
    assert "(new: 0)" in output and "new: 1" not in output


def test_it_with_once_leaves_a_seeded_estate_alone_in_one_query(seeded, django_assert_num_queries):
    before = counts()
    with django_assert_num_queries(1):
        output = seed("--once")
    assert output.strip() == "demo estate already seeded; run without --once to top it up"
    assert counts() == before


def test_it_with_once_seeds_an_estate_that_is_not_there_yet(seeded):
    full = counts()
    remove_demo_estate()  # in this test's transaction: rolled back after it
    assert Community.objects.count() == 0
    output = seed("--once")
    assert counts() == full
    assert "households: " in output


def test_it_tops_up_what_was_deleted(seeded):
    full = counts()
    User.objects.filter(email=captain_email(7)).delete()
    output = seed()
    assert counts() == full
    assert re.search(r"users: \d+ \(new: 1\)", output)
    assert re.search(r"role grants: \d+ \(new: 1\)", output)


def test_it_says_nothing_at_verbosity_0(seeded):
    assert seed(verbosity=0) == ""
    assert seed("--once", verbosity=0) == ""


def test_it_prints_the_demo_logins_and_the_address_to_open(seeded):
    for login in (ADMIN_EMAIL, captain_email(3), captain_email(5), STEWARD_EMAILS[0]):
        assert login in seeded
    assert PARTY_EMAILS[0] in seeded and DEMO_PASSWORD in seeded
    resident_line = next(line for line in seeded.splitlines() if "unit 1201" in line)
    resident = User.objects.get(email=resident_line.split()[-2])
    assert resident.memberships.get().household.unit == "1201"
    assert seeded.rstrip().splitlines()[-1].endswith("http://127.0.0.1:8000/")


def test_it_lets_the_captain_of_building_3_sign_in_and_see_building_3s_requests(seeded, client):
    response = client.post(
        "/accounts/login/", {"login": captain_email(3), "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    response = client.get("/memberships/queue/")
    assert response.status_code == 200
    page = response.content.decode()
    pending = Membership.objects.filter(status=Membership.Status.REQUESTED)
    in_building_3 = pending.filter(household__building__number=3)
    assert in_building_3.exists()
    for membership in in_building_3:
        assert f'href="{membership.get_absolute_url()}"' in page
    for membership in pending.exclude(household__building__number=3):
        assert f'href="{membership.get_absolute_url()}"' not in page


def test_it_plans_the_same_estate_on_every_run():
    assert plan_people(plan_units()) == plan_people(plan_units())


@pytest.mark.django_db
def test_it_refuses_to_seed_a_production_site():
    users_before = User.objects.count()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())
    assert User.objects.count() == users_before


# --- The second estate and the community -------------------------------------------------


def test_it_builds_a_second_smaller_estate_in_the_same_community(seeded):
    first = Community.objects.get(name=COMMUNITY_NAME)
    second = Community.objects.get(name=SECOND_ESTATE_NAME)
    assert first.district == second.district
    assert second.district.name == DISTRICT_NAME
    floors = dict(second.buildings.values_list("number", "floor_count"))
    assert sorted(floors) == [1, 2, 3, 4, 5, 6]
    assert all(5 <= count <= 8 for count in floors.values())
    assert Household.objects.filter(building__community=second).count() == len(plan_second_units())


def test_the_second_estate_has_its_own_officials_and_resident(seeded):
    second = Community.objects.get(name=SECOND_ESTATE_NAME)

    def role_in_second(email: str) -> set[str]:
        return set(
            RoleGrant.objects.filter(user__email=email, community=second).values_list(
                "role", flat=True
            )
        )

    assert role_in_second(SECOND_ADMIN_EMAIL) == {Role.COMMUNITY_ADMIN}
    assert role_in_second(SECOND_STEWARD_EMAIL) == {Role.PROPERTY_STAFF}
    assert role_in_second(SECOND_CAPTAIN_EMAIL) == {Role.CAPTAIN}
    resident = User.objects.get(email=SECOND_RESIDENT_EMAIL)
    home = resident.memberships.get(status=Membership.Status.VERIFIED).household
    assert (home.building.community, home.building.number, home.unit) == (second, 2, "0301")
    assert not RoleGrant.objects.filter(
        user__email__in=[SECOND_ADMIN_EMAIL, SECOND_STEWARD_EMAIL, SECOND_CAPTAIN_EMAIL],
        community__name=COMMUNITY_NAME,
    ).exists()


def test_the_communitys_two_hold_their_role_in_both_estates(seeded):
    for email, role in (
        (DISTRICT_PARTY_EMAIL, Role.PARTY_BRANCH),
        (DISTRICT_STEWARD_EMAIL, Role.PROPERTY_STAFF),
    ):
        estates = RoleGrant.objects.filter(user__email=email, role=role).values_list(
            "community__name", flat=True
        )
        assert set(estates) == {COMMUNITY_NAME, SECOND_ESTATE_NAME}


def test_the_second_estates_memberships_are_decided_by_its_captain_or_admin(seeded):
    second = Community.objects.get(name=SECOND_ESTATE_NAME)
    captain = User.objects.get(email=SECOND_CAPTAIN_EMAIL)
    admin = User.objects.get(email=SECOND_ADMIN_EMAIL)
    memberships = Membership.objects.filter(household__building__community=second)
    assert memberships.filter(status=Membership.Status.REQUESTED).count() == 2
    for membership in memberships.exclude(status=Membership.Status.REQUESTED).select_related(
        "household__building"
    ):
        captains_building = membership.household.building.number == 1 and membership.user != captain
        assert membership.decided_by == (captain if captains_building else admin)
        assert membership.events.count() == 2
    assert plan_second_people(plan_second_units()) == plan_second_people(plan_second_units())


def test_the_communitys_party_branch_member_switches_estates_and_sees_them_side_by_side(
    seeded, client
):
    client.post("/accounts/login/", {"login": DISTRICT_PARTY_EMAIL, "password": DEMO_PASSWORD})

    home = client.get("/").content.decode()
    overview = client.get("/ideas/dashboards/estates/")

    assert 'action="/estate/"' in home
    assert overview.status_code == 200
    columns = overview.context["columns"]
    assert [column.estate.name for column in columns] == [COMMUNITY_NAME, SECOND_ESTATE_NAME]
    assert columns[0].ideas > 300 and 0 < columns[1].ideas < 10
    assert columns[1].announcements == 1 and columns[1].reached > 0


def test_residents_of_one_estate_see_no_switcher(seeded, client):
    for email in (SECOND_RESIDENT_EMAIL, captain_email(3)):
        client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
        assert 'action="/estate/"' not in client.get("/").content.decode()


def test_it_prints_the_second_estates_logins(seeded):
    for email in (
        SECOND_ADMIN_EMAIL,
        SECOND_CAPTAIN_EMAIL,
        SECOND_STEWARD_EMAIL,
        SECOND_RESIDENT_EMAIL,
        DISTRICT_PARTY_EMAIL,
        DISTRICT_STEWARD_EMAIL,
    ):
        assert email in seeded
