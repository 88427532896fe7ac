"""Who may do what in the volunteers area; built on the predicates of covenant.rules.

The team is the approved volunteers and every building captain (their grant makes
them members, without an application). Like covenant's roles, a user's volunteer status
is loaded once per user object, so lists asking for every row stay flat.
"""

from __future__ import annotations

import rules

from covenant.rules import (
    is_captain,
    is_captain_of_building,
    is_community_admin,
    is_estate_participant,
    is_party_branch_member,
    is_property_staff,
    is_verified_resident,
)
from volunteers.models import Volunteer

_CACHE_ATTRIBUTE = "_volunteer_status"
_NONE = ""


def volunteer_status_of(user) -> str:
    """The user's Volunteer status, or "" without an application. Cached on the user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _NONE
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    status = Volunteer.objects.filter(user=user).values_list("status", flat=True).first() or _NONE
    setattr(user, _CACHE_ATTRIBUTE, status)
    return status


def forget_volunteer_status(user) -> None:
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


@rules.predicate
def is_approved_volunteer(user) -> bool:
    return volunteer_status_of(user) == Volunteer.Status.APPROVED


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
rules.add_perm("volunteers.see_statement", is_self | is_community_admin | is_party_branch_member)
rules.add_perm("volunteers.see_building", is_captain_of_building | is_community_admin)
rules.add_perm("volunteers.message_captain", is_verified_resident)
rules.add_perm("volunteers.read_captain_messages", is_captain)
