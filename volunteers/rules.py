"""Who may do what in the volunteers area; built on the predicates of covenant.rules.

The team is the approved volunteers and every building captain (their grant makes
them members, without an application). Like covenant's roles, a user's volunteer status
is loaded once per user object, so lists asking for every row stay flat.
"""

from __future__ import annotations

import rules

from covenant.models import Role, User
from covenant.rules import (
    estate_of,
    is_captain,
    is_captain_of_building,
    is_community_admin,
    is_estate_participant,
    is_party_branch_member,
    is_property_staff,
    is_verified_resident,
    roles_of,
)
from volunteers.models import Volunteer

_CACHE_ATTRIBUTE = "_volunteer_status"
_NONE = ("", None)


def _volunteer_row_of(user) -> tuple[str, int | None]:
    """(status, estate id) of the user's Volunteer row, or ("", None) without one. Loaded
    once and cached on the user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _NONE
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    row = Volunteer.objects.filter(user=user).values_list("status", "community_id").first()
    row = tuple(row) if row else _NONE
    setattr(user, _CACHE_ATTRIBUTE, row)
    return row


def volunteer_status_of(user) -> str:
    """The user's Volunteer status, or "" without an application. Cached on the user."""
    return _volunteer_row_of(user)[0]


def forget_volunteer_status(user) -> None:
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


@rules.predicate
def is_approved_volunteer(user, obj=None) -> bool:
    """On an estate's team by approval: that of the object (an activity), if given."""
    status, community_id = _volunteer_row_of(user)
    if status != Volunteer.Status.APPROVED:
        return False
    estate = estate_of(obj)
    return estate is None or estate == community_id


def team_estates_of(user) -> frozenset[int]:
    """The estates whose team the user is on: by approval, and by each captain grant."""
    status, community_id = _volunteer_row_of(user)
    estates = set(roles_of(user).estates_where(Role.CAPTAIN))
    if status == Volunteer.Status.APPROVED:
        estates.add(community_id)
    return frozenset(estates)


# Captains are on the team by their grant.
is_team_member = is_approved_volunteer | is_captain

# The same predicates as covenant.organise_activities.
is_organiser = is_captain | is_property_staff | is_party_branch_member | is_community_admin


@rules.predicate
def is_activity_organiser(user, activity) -> bool:
    return activity is not None and activity.organiser_id == user.pk


@rules.predicate
def is_self(user, other) -> bool:
    return other is not None and getattr(other, "pk", other) == user.pk


@rules.predicate
def approves_team_of(user, person) -> bool:
    """An admin or Party branch member of an estate whose team `person` is on (or was:
    a statement stays readable after leaving): those who approve that team."""
    if not isinstance(person, User):
        return False
    try:
        volunteer = person.volunteer
    except Volunteer.DoesNotExist:
        volunteer = None
    estates = set(roles_of(person).estates_where(Role.CAPTAIN))
    if volunteer is not None:
        estates.add(volunteer.community_id)
    held = roles_of(user)
    return any(
        held.roles_in(community_id) & {Role.COMMUNITY_ADMIN, Role.PARTY_BRANCH}
        for community_id in estates
    )


rules.add_perm("volunteers.apply", is_verified_resident & ~is_team_member)
rules.add_perm("volunteers.decide_application", is_community_admin | is_party_branch_member)
rules.add_perm("volunteers.see_roster", is_estate_participant)
rules.add_perm("volunteers.see_activities", is_estate_participant)
rules.add_perm("volunteers.sign_up", is_team_member)
# A captain is on the team by their grant, not by choice here: they leave by giving it up.
rules.add_perm("volunteers.leave_team", is_approved_volunteer & ~is_captain)
rules.add_perm("volunteers.organise", is_organiser)
# The organiser runs their activity (edits it, checks people in, cancels it) while they
# still organise; an admin steps in when they cannot.
rules.add_perm(
    "volunteers.run_activity", (is_activity_organiser & is_organiser) | is_community_admin
)
rules.add_perm("volunteers.see_ledger", is_team_member | is_organiser)
# A statement of hours is the volunteer's own; those who approve the team see all.
rules.add_perm("volunteers.see_statement", is_self | approves_team_of)
rules.add_perm("volunteers.see_building", is_captain_of_building | is_community_admin)
rules.add_perm("volunteers.message_captain", is_verified_resident)
rules.add_perm("volunteers.read_captain_messages", is_captain)


@rules.predicate
def is_captain_of_message(user, message) -> bool:
    """The message was written to this user, about a household they still look after
    (a former captain of the building no longer answers for it). No query: the grants are
    loaded with the user's roles; the message comes with its household."""
    if message is None or message.captain_id != user.pk:
        return False
    household = message.household
    return any(
        grant.covers(household.building_id, household.floor)
        for grant in roles_of(user).captain_grants
    )


rules.add_perm("volunteers.reply_to_captain_message", is_captain_of_message)
