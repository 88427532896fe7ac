"""The volunteers' permissions for every persona (docs/roles.md, "Volunteers")."""

import pytest

from tests.conftest import fresh
from tests.volunteers.factories import ActivityFactory

PERSONAS = [
    "visitor",
    "newcomer",
    "resident",
    "neighbour",
    "applicant",
    "volunteer",
    "captain_3",
    "captain_5",
    "steward",
    "party_member",
    "admin_user",
]
PARTICIPANTS = {
    "resident",
    "neighbour",
    "applicant",
    "volunteer",
    "captain_3",
    "captain_5",
    "steward",
    "party_member",
    "admin_user",
}
TEAM = {"volunteer", "captain_3", "captain_5"}
ORGANISERS = {"captain_3", "captain_5", "steward", "party_member", "admin_user"}

GLOBAL = {
    "volunteers.apply": {"resident", "neighbour", "applicant"},
    "volunteers.decide_application": {"party_member", "admin_user"},
    "volunteers.see_roster": PARTICIPANTS,
    "volunteers.see_activities": PARTICIPANTS,
    "volunteers.sign_up": TEAM,
    # Captains are on the team by their grant; they leave by giving it up.
    "volunteers.leave_team": {"volunteer"},
    "volunteers.organise": ORGANISERS,
    "volunteers.see_ledger": TEAM | ORGANISERS,
    "volunteers.message_captain": {"resident", "neighbour", "applicant", "volunteer"},
    "volunteers.read_captain_messages": {"captain_3", "captain_5"},
}


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("permission", sorted(GLOBAL))
def test_global_permission_follows_the_table(persona, permission, name):
    user = fresh(persona(name))
    assert user.has_perm(permission) is (name in GLOBAL[permission])


@pytest.mark.parametrize("name", PERSONAS)
def test_only_the_organiser_and_admins_run_an_activity(persona, name, steward):
    activity = ActivityFactory(organiser=steward)
    user = fresh(persona(name))
    assert user.has_perm("volunteers.run_activity", activity) is (name in {"steward", "admin_user"})


@pytest.mark.parametrize("name", PERSONAS)
def test_the_building_view_is_for_its_captains_and_admins(persona, name, building_3):
    user = fresh(persona(name))
    assert user.has_perm("volunteers.see_building", building_3) is (
        name in {"captain_3", "admin_user"}
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_a_statement_is_seen_by_its_volunteer_and_those_who_approve_the_team(
    persona, name, volunteer
):
    user = fresh(persona(name))
    assert user.has_perm("volunteers.see_statement", volunteer) is (
        name in {"volunteer", "party_member", "admin_user"}
    )


def test_a_declined_volunteer_is_not_on_the_team_and_may_apply_again(volunteer):
    volunteer.volunteer.status = "declined"
    volunteer.volunteer.decline_reason = "先入住再报名"
    volunteer.volunteer.save()
    user = fresh(volunteer)
    assert not user.has_perm("volunteers.sign_up")
    assert user.has_perm("volunteers.apply")


def test_a_deactivated_volunteer_holds_no_place_on_the_team(volunteer):
    volunteer.is_active = False
    volunteer.save()
    assert not fresh(volunteer).has_perm("volunteers.sign_up")
