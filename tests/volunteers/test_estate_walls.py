"""The estate wall in the volunteers area: each estate's team, activities, ledger,
buildings and messages are its own, and a calendar feed ends with the role that gave it
(issue 12). Each test here failed before its fix."""

from __future__ import annotations

import datetime
from decimal import Decimal

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from covenant.models import Role, RoleGrant
from tests.conftest import working_in
from tests.factories import HouseholdFactory, RoleGrantFactory, UserFactory
from tests.proposals.test_estate_scoping import Estate
from tests.volunteers.factories import (
    ActivityFactory,
    ServiceEntryFactory,
    SignUpFactory,
    VolunteerFactory,
)
from volunteers import selectors, services
from volunteers.models import Activity, CaptainMessage, SignUp, Volunteer

pytestmark = pytest.mark.django_db


class TeamEstate(Estate):
    """An estate of one building with every role holder, an approved volunteer, an
    applicant and an activity organised by its property staff."""

    def __init__(self, name: str):
        super().__init__(name)
        self.volunteer = self.make_tenant(UserFactory(name=f"{name}志愿者"))
        VolunteerFactory(user=self.volunteer, roster_name=f"{name}黄姨")
        self.applicant = self.make_tenant(UserFactory(name=f"{name}报名者"))
        VolunteerFactory(user=self.applicant, status=Volunteer.Status.APPLIED)
        self.activity = ActivityFactory(organiser=self.staff, title=f"{name}楼道清理")


@pytest.fixture
def estate_a():
    return TeamEstate("甲小区")


@pytest.fixture
def estate_b():
    return TeamEstate("乙小区")


def url(name, *args):
    return reverse(f"volunteers:{name}", args=args)


def test_rows_say_their_estate(estate_a, estate_b):
    assert estate_a.activity.community == estate_a.community
    assert Volunteer.objects.get(user=estate_b.volunteer).community == estate_b.community


# --- 3. A captain's buildings are the ones they captain ------------------------------------


def test_a_captain_who_administers_another_estate_sees_only_their_building_here(
    client, estate_a, estate_b
):
    captain = estate_a.captain
    RoleGrantFactory(user=captain, community=estate_b.community, role=Role.COMMUNITY_ADMIN)
    other_building = type(estate_a.building).objects.create(
        community=estate_a.community, number=2, floor_count=6
    )

    captain = working_in(captain, estate_a.community)  # 乙小区 would come first by name
    shown = set(selectors.buildings_seen_by(user=captain))
    client.force_login(captain)
    page = client.get(url("buildings")).content.decode()

    assert shown == {estate_a.building}
    assert set(selectors.buildings_seen_by(user=working_in(captain, estate_b.community))) == {
        estate_b.building
    }
    assert other_building not in shown
    assert url("building", other_building.pk) not in page
    assert client.get(url("building", other_building.pk)).status_code == 403


def test_a_floor_captain_who_is_admin_elsewhere_sees_only_their_floors(client, estate_a, estate_b):
    captain = UserFactory()
    RoleGrantFactory(
        user=captain,
        community=estate_a.community,
        role=Role.CAPTAIN,
        building=estate_a.building,
        floor_from=1,
        floor_to=3,
    )
    RoleGrantFactory(user=captain, community=estate_b.community, role=Role.COMMUNITY_ADMIN)
    client.force_login(captain)

    page = client.get(url("building", estate_a.building.pk)).content.decode()

    assert "301" in page  # floor 3, theirs
    assert "401" not in page  # floor 4, another captain's


def test_a_captain_does_not_open_another_estates_building(client, estate_a, estate_b):
    client.force_login(estate_a.captain)

    assert client.get(url("building", estate_b.building.pk)).status_code == 403
    assert list(selectors.buildings_seen_by(user=estate_a.captain)) == [estate_a.building]


def test_the_admin_of_one_estate_who_lives_in_another_sees_only_their_estates_buildings(
    client, estate_a, estate_b
):
    admin = working_in(estate_b.make_tenant(estate_a.admin), estate_a.community)

    assert list(selectors.buildings_seen_by(user=admin)) == [estate_a.building]
    # Working where they live, they see no building at all: they captain none there.
    assert not selectors.buildings_seen_by(user=working_in(admin, estate_b.community)).exists()
    client.force_login(admin)
    assert client.get(url("building", estate_b.building.pk)).status_code == 403


# --- 5. A calendar feed ends with the role that gave it -------------------------------------


def feed_events(client, token):
    response = client.get(url("calendar_feed", token))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}


def test_a_former_captains_feed_ends(client, estate_a):
    captain = estate_a.captain
    SignUpFactory(activity=estate_a.activity, user=captain)
    token = services.calendar_feed_of(user=captain).token
    assert feed_events(client, token) == {"甲小区楼道清理"}

    RoleGrant.objects.filter(user=captain).delete()

    assert client.get(url("calendar_feed", token)).status_code == 410


def test_a_volunteer_who_left_has_no_feed_even_if_it_was_kept(client, estate_a):
    volunteer = estate_a.volunteer
    token = services.calendar_feed_of(user=volunteer).token
    Volunteer.objects.filter(user=volunteer).update(status=Volunteer.Status.LEFT)

    assert client.get(url("calendar_feed", token)).status_code == 410


def test_the_feed_shows_only_the_estates_whose_team_one_is_still_on(client, estate_a, estate_b):
    captain = estate_a.captain
    VolunteerFactory(user=estate_b.make_tenant(captain), community=estate_b.community)
    SignUpFactory(activity=estate_a.activity, user=captain)
    SignUpFactory(activity=estate_b.activity, user=captain)
    token = services.calendar_feed_of(user=captain).token
    assert feed_events(client, token) == {"甲小区楼道清理", "乙小区楼道清理"}

    RoleGrant.objects.filter(user=captain, role=Role.CAPTAIN).delete()

    assert feed_events(client, token) == {"乙小区楼道清理"}


# --- 8. Activities, the team, the ledger and messages of the object's estate --------------


def test_the_activity_list_shows_only_the_estates_activities(client, estate_a, estate_b):
    client.force_login(estate_a.resident)

    page = client.get(url("activity_list")).content.decode()

    assert "甲小区楼道清理" in page
    assert "乙小区楼道清理" not in page


def test_another_estates_activity_is_closed_to_a_resident(client, estate_a, estate_b):
    client.force_login(estate_a.resident)

    assert client.get(url("activity_detail", estate_b.activity.pk)).status_code == 403
    assert client.get(url("activity_ics", estate_b.activity.pk)).status_code == 403


def test_a_volunteer_signs_up_only_for_their_teams_activities(client, estate_a, estate_b):
    client.force_login(estate_a.volunteer)

    assert client.post(url("activity_sign_up", estate_b.activity.pk)).status_code == 403
    assert not SignUp.objects.filter(user=estate_a.volunteer).exists()
    client.post(url("activity_sign_up", estate_a.activity.pk))
    assert SignUp.objects.filter(user=estate_a.volunteer, activity=estate_a.activity).exists()


def test_the_admin_of_another_estate_does_not_run_an_activity(client, estate_a, estate_b):
    admin = estate_a.make_tenant(estate_b.admin)
    client.force_login(admin)

    assert client.get(url("activity_edit", estate_a.activity.pk)).status_code == 403
    assert client.get(url("activity_check_in", estate_a.activity.pk)).status_code == 403


def test_an_admin_of_another_estate_does_not_check_themselves_in(estate_a, estate_b):
    admin = estate_b.admin
    VolunteerFactory(user=estate_a.make_tenant(admin), community=estate_a.community)
    activity = ActivityFactory(
        organiser=estate_a.staff,
        starts_at=timezone.now() + datetime.timedelta(minutes=30),
    )
    signup = SignUpFactory(activity=activity, user=admin)

    with pytest.raises(ValidationError):
        services.check_in(signup_id=signup.pk, actor=admin)

    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CONFIRMED


def test_an_organiser_opens_activities_in_the_estate_they_work_in(client, estate_a, estate_b):
    client.force_login(estate_a.staff)
    assert "estate" not in client.get(url("activity_create")).context["form"].fields
    both = estate_a.staff
    RoleGrantFactory(
        user=both, community=estate_b.community, role=Role.CAPTAIN, building=estate_b.building
    )
    # Organising in both, they work in one at a time (the estate switcher).
    both = working_in(both, estate_a.community)
    assert list(selectors.organising_estates(user=both)) == [estate_a.community]
    both = working_in(both, estate_b.community)
    assert list(selectors.organising_estates(user=both)) == [estate_b.community]
    start = timezone.localtime() + datetime.timedelta(days=3)
    data = {
        "estate": estate_b.community.pk,
        "title": "乙的巡查",
        "category": Activity.Category.PARKING,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "车库",
        "capacity": 4,
        "description": "",
    }

    client.post(url("activity_create"), data)

    assert Activity.objects.get(title="乙的巡查").community == estate_b.community


def test_an_organiser_cannot_open_an_activity_in_another_estate(estate_a, estate_b):
    start = timezone.now() + datetime.timedelta(days=3)

    with pytest.raises(PermissionDenied):
        services.create_activity(
            organiser=estate_a.staff,
            community=estate_b.community,
            title="越界",
            category=Activity.Category.OTHER,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            place="乙",
            capacity=2,
        )

    assert not Activity.objects.filter(title="越界").exists()


def test_applications_are_decided_by_their_own_estates_party_branch(client, estate_a, estate_b):
    applicant = Volunteer.objects.get(user=estate_a.applicant)
    client.force_login(estate_b.party)

    page = client.get(url("applications")).content.decode()
    response = client.post(url("application_approve", applicant.pk))

    assert "甲小区报名者" not in page and "乙小区报名者" in page
    assert response.status_code == 403
    applicant.refresh_from_db()
    assert applicant.status == Volunteer.Status.APPLIED
    client.force_login(estate_a.party)
    client.post(url("application_approve", applicant.pk))
    applicant.refresh_from_db()
    assert applicant.status == Volunteer.Status.APPROVED


def test_an_application_joins_the_team_of_the_applicants_estate(estate_a, estate_b):
    newcomer = estate_b.make_tenant(UserFactory())

    volunteer = services.apply_to_team(user=newcomer, skills="急救", availability="周末")

    assert volunteer.community == estate_b.community
    assert volunteer.status == Volunteer.Status.APPLIED


def test_the_roster_shows_the_estates_own_team(client, estate_a, estate_b):
    client.force_login(estate_a.resident)

    page = client.get(url("roster")).content.decode()

    assert "甲小区黄姨" in page
    assert "乙小区黄姨" not in page


def test_the_ledger_counts_the_estates_own_hours(client, estate_a, estate_b):
    ServiceEntryFactory(user=estate_a.volunteer, activity=estate_a.activity, hours=Decimal(2))
    ServiceEntryFactory(user=estate_b.volunteer, activity=estate_b.activity, hours=Decimal(7))
    client.force_login(estate_a.volunteer)

    response = client.get(url("ledger"))
    names = [person.pk for person in response.context["page"]]

    assert names == [estate_a.volunteer.pk]
    assert response.context["totals"]["hours"] == Decimal(2)
    assert selectors.team_totals()["hours"] == Decimal(9)  # every estate, for the site


def test_a_statement_is_for_the_volunteers_own_estates_approvers(client, estate_a, estate_b):
    ServiceEntryFactory(user=estate_a.volunteer, activity=estate_a.activity)
    statement = url("statement", estate_a.volunteer.pk)
    client.force_login(estate_b.admin)
    assert client.get(statement).status_code == 403
    client.force_login(estate_b.party)
    assert client.get(statement).status_code == 403
    client.force_login(estate_a.party)
    assert client.get(statement).status_code == 200
    client.force_login(estate_a.volunteer)
    assert client.get(statement).status_code == 200


def test_a_statement_shows_an_approver_the_hours_of_their_estate(client, estate_a, estate_b):
    both = estate_a.volunteer
    ServiceEntryFactory(user=both, activity=estate_a.activity, hours=Decimal(2))
    ServiceEntryFactory(user=both, activity=estate_b.activity, hours=Decimal(5))
    client.force_login(estate_a.party)

    assert client.get(url("statement", both.pk)).context["total"] == Decimal(2)
    client.force_login(both)
    assert client.get(url("statement", both.pk)).context["total"] == Decimal(7)


def test_a_captain_reads_messages_of_the_households_they_still_look_after(
    client, estate_a, estate_b
):
    captain = estate_a.captain
    CaptainMessage.objects.create(
        sender=estate_a.resident, captain=captain, household=estate_a.household, body="灯坏了"
    )
    assert selectors.unread_message_count(captain=captain) == 1
    # The captain moves to another building of another estate.
    RoleGrant.objects.filter(user=captain).update(
        community=estate_b.community, building=estate_b.building
    )
    from covenant.rules import forget_roles

    forget_roles(captain)
    client.force_login(captain)

    page = client.get(url("captain_messages")).content.decode()

    assert "灯坏了" not in page
    assert selectors.unread_message_count(captain=captain) == 0


def test_a_resident_writes_to_the_captain_of_their_own_estates_building(client, estate_a, estate_b):
    household_b = HouseholdFactory(building=estate_b.building, floor=5, unit="501")
    client.force_login(estate_a.resident)

    response = client.post(
        url("message_captain"),
        {"captain": estate_b.captain.pk, "household": household_b.pk, "body": "你好"},
    )

    assert response.status_code == 403
    assert not CaptainMessage.objects.exists()


def test_only_the_estates_activities_are_linked_to_priority_work(estate_a, estate_b):
    linkable = set(selectors.activities_for_linking(community_id=estate_a.community.pk))

    assert linkable == {estate_a.activity}


def test_a_superuser_without_a_grant_sees_every_estates_buildings(estate_a, estate_b):
    superuser = UserFactory(is_superuser=True)

    assert set(selectors.buildings_seen_by(user=superuser)) == {
        estate_a.building,
        estate_b.building,
    }


def test_the_lists_follow_the_estates_the_user_lists(client, estate_a, estate_b, monkeypatch):
    """With the estate switcher, `covenant.rules.listed_estates` narrows what lists show."""
    from covenant import rules

    both = estate_b.make_tenant(estate_a.volunteer)
    real = rules.listed_estates

    def only_b(user):
        return real(user) & {estate_b.community.pk} if user.pk == both.pk else real(user)

    for module in ("covenant.rules", "volunteers.selectors"):
        monkeypatch.setattr(f"{module}.listed_estates", only_b)
    client.force_login(both)

    activities = client.get(url("activity_list")).content.decode()
    roster = client.get(url("roster")).content.decode()

    assert "乙小区楼道清理" in activities and "甲小区楼道清理" not in activities
    assert "乙小区黄姨" in roster and "甲小区黄姨" not in roster


def test_the_migration_gives_existing_rows_the_estate_of_their_people(estate_a, estate_b):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "volunteers.migrations.0003_estate_of_activities_and_volunteers"
    )
    steward_living_in_b = estate_b.make_tenant(estate_a.staff)
    estate_of = migration._estate_of_person

    # An organiser's activity goes where they hold their role; a volunteer's row where
    # they live.
    assert estate_of(apps, steward_living_in_b.pk, roles_first=True) == estate_a.community.pk
    assert estate_of(apps, steward_living_in_b.pk, roles_first=False) == estate_b.community.pk
    assert estate_of(apps, UserFactory().pk, roles_first=True) is None
