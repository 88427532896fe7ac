"""Who may do what with golden ideas, on top of the estate's roles (covenant.rules).

Each predicate takes `(user, idea)` or `(user, comment)` and costs no query once the user's
roles are loaded, so a list page may ask it for every row.
"""

from __future__ import annotations

from datetime import timedelta

import rules
from django.utils import timezone

from covenant.models import Membership, Party
from covenant.rules import (
    is_captain,
    is_captain_of,
    is_community_admin,
    is_estate_participant,
    is_party_branch_member,
    is_property_staff,
    is_verified_resident,
    parties_represented_by,
    roles_of,
)
from proposals.ideas.withdrawal import undo_deadline
from proposals.models import ActionItem, Comment, Deliberation, Idea, Moderation, OwnersVote

COMMENT_EDIT_WINDOW = timedelta(minutes=15)


@rules.predicate
def is_author(user, item) -> bool:
    return item is not None and user.is_authenticated and item.author_id == user.pk


@rules.predicate
def is_public(user, item) -> bool:
    return item is not None and item.moderation == Moderation.VISIBLE


@rules.predicate
def idea_is_open_for_discussion(user, item) -> bool:
    idea = item.idea if isinstance(item, Comment) else item
    return (
        idea is not None and idea.status != Idea.Status.WITHDRAWN and idea.duplicate_of_id is None
    )


@rules.predicate
def can_still_be_withdrawn(user, idea) -> bool:
    return idea is not None and idea.status in {Idea.Status.SUBMITTED, Idea.Status.ACCEPTED}


@rules.predicate
def is_within_undo_window(user, idea) -> bool:
    """A withdrawal its author made less than ten minutes ago (proposals/ideas/withdrawal.py)."""
    return undo_deadline(idea) is not None


@rules.predicate
def is_within_edit_window(user, comment) -> bool:
    return comment is not None and timezone.now() - comment.created_at <= COMMENT_EDIT_WINDOW


is_moderator_of = is_community_admin | is_captain_of
is_staff_side = is_property_staff | is_community_admin

rules.add_perm("proposals.browse_ideas", is_estate_participant)
rules.add_perm(
    "proposals.read_idea",
    is_estate_participant & (is_public | is_author | is_moderator_of | is_staff_side),
)
rules.add_perm("proposals.submit_idea", is_estate_participant)
rules.add_perm("proposals.record_idea_for_resident", is_captain)
rules.add_perm("proposals.withdraw_idea", is_author & can_still_be_withdrawn)
rules.add_perm("proposals.restore_idea", is_author & is_within_undo_window)
rules.add_perm(
    "proposals.support_idea", is_estate_participant & is_public & idea_is_open_for_discussion
)
rules.add_perm(
    "proposals.comment_on_idea", is_estate_participant & is_public & idea_is_open_for_discussion
)
rules.add_perm("proposals.edit_comment", is_author & is_within_edit_window & is_public)
rules.add_perm("proposals.report_item", is_estate_participant & ~is_author & is_public)
# Nobody moderates their own words, whatever their role.
rules.add_perm("proposals.moderate_item", is_moderator_of & ~is_author)
rules.add_perm("proposals.see_moderation_queue", is_community_admin | is_captain)
rules.add_perm("proposals.see_audit_log", is_staff_side)
rules.add_perm("proposals.triage_idea", is_staff_side)
rules.add_perm("proposals.export_ideas", is_staff_side)
rules.add_perm(
    "proposals.see_author_identity",
    is_author | is_property_staff | is_party_branch_member | is_community_admin | is_captain_of,
)
rules.add_perm("proposals.manage_campaigns", is_community_admin)


# --- Deliberations -------------------------------------------------------------------
# A deliberation's representatives are read through `deliberation.representatives.all()`,
# which the detail page prefetches: asking for every post or button costs no query.


def seats_of(user, deliberation: Deliberation) -> set[str]:
    """The parties `user` is named for in this deliberation."""
    if deliberation is None or not user.is_authenticated:
        return set()
    return {seat.party for seat in deliberation.representatives.all() if seat.user_id == user.pk}


def parties_user_may_post_for(user, deliberation: Deliberation) -> list[str]:
    """Named seats whose role the user still holds in the deliberation's estate; the
    estate's admin may post for any party."""
    if deliberation is None:
        return []
    if roles_of(user).is_admin_of(deliberation.community_id):
        return list(Party.values)
    return parties_user_may_sign_for(user, deliberation)


def parties_user_may_sign_for(user, deliberation: Deliberation) -> list[str]:
    """Named seats whose role the user still holds in the deliberation's estate; never an
    admin's for the role alone."""
    seats = seats_of(user, deliberation)
    if not seats:
        return []
    held = parties_represented_by(user, deliberation.community_id)
    return [party for party in Party.values if party in seats and party in held]


@rules.predicate
def is_of_estate(user, item) -> bool:
    """The item (anything with a `community_id`: a deliberation, a vote) is of one of the
    user's estates. A superuser without a grant administers every estate of the site."""
    if item is None:
        return False
    community_ids = roles_of(user).community_ids
    if user.is_superuser and not community_ids:
        return True
    return item.community_id in community_ids


@rules.predicate
def accepts_posts(user, deliberation) -> bool:
    return deliberation is not None and deliberation.accepts_posts


@rules.predicate
def is_open_to_residents(user, deliberation) -> bool:
    return deliberation is not None and deliberation.open_to_residents


@rules.predicate
def is_opener(user, deliberation) -> bool:
    return deliberation is not None and deliberation.opened_by_id == user.pk


@rules.predicate
def is_named_representative(user, deliberation) -> bool:
    return bool(seats_of(user, deliberation))


@rules.predicate
def has_a_voice_in(user, deliberation) -> bool:
    return bool(parties_user_may_post_for(user, deliberation))


@rules.predicate
def has_a_signature_in(user, deliberation) -> bool:
    return bool(parties_user_may_sign_for(user, deliberation))


@rules.predicate
def may_still_open(user, deliberation=None) -> bool:
    """Holds a role that may open a deliberation (in the deliberation's estate, if given)."""
    return user.has_perm("covenant.open_deliberation", deliberation)


@rules.predicate
def is_action_item_owner(user, item) -> bool:
    return item is not None and item.owner_id == user.pk


@rules.predicate
def takes_part_in_action_item(user, item: ActionItem) -> bool:
    deliberation = item.resolution.deliberation if item is not None else None
    return deliberation is not None and (
        is_named_representative(user, deliberation)
        or (is_community_admin(user, deliberation) and is_of_estate(user, deliberation))
    )


# The opener convenes while they still hold a role that may open one; admins always.
is_convener = is_of_estate & (is_community_admin | (is_opener & may_still_open))
is_participant_of_deliberation = is_convener | (is_of_estate & is_named_representative)

rules.add_perm("proposals.browse_deliberations", is_estate_participant)
rules.add_perm("proposals.read_deliberation", is_estate_participant & is_of_estate)
rules.add_perm("proposals.start_deliberation", may_still_open)
rules.add_perm("proposals.convene_deliberation", is_convener)
rules.add_perm("proposals.post_as_representative", is_of_estate & accepts_posts & has_a_voice_in)
rules.add_perm(
    "proposals.post_as_resident",
    is_of_estate & accepts_posts & is_open_to_residents & is_verified_resident,
)
rules.add_perm("proposals.bring_building_point", is_of_estate & accepts_posts & is_captain)
rules.add_perm("proposals.run_meetings", is_participant_of_deliberation)
rules.add_perm("proposals.manage_action_items", is_participant_of_deliberation)
rules.add_perm("proposals.draft_resolution", accepts_posts & is_participant_of_deliberation)
rules.add_perm("proposals.sign_resolution", is_of_estate & accepts_posts & has_a_signature_in)
rules.add_perm("proposals.update_action_item", is_action_item_owner | takes_part_in_action_item)
# Dashboards, the monthly report and open data: the parties that answer for the estate.
is_estate_overseer = is_property_staff | is_party_branch_member | is_community_admin
rules.add_perm("proposals.see_dashboards", is_estate_overseer)
rules.add_perm("proposals.download_open_data", is_estate_overseer)
rules.add_perm("proposals.share_open_data", is_community_admin)


# --- Owners' votes (业主表决) -----------------------------------------------------------


@rules.predicate
def is_published_vote(user, vote) -> bool:
    return vote is not None and vote.status != OwnersVote.Status.DRAFT


@rules.predicate
def is_verified_owner_of(user, household) -> bool:
    """One query: owners' votes are weighed by unit, so every ballot asks afresh."""
    if household is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user,
        household=household,
        relation=Membership.Relation.OWNER,
        status=Membership.Status.VERIFIED,
    ).exists()


rules.add_perm("proposals.browse_votes", is_estate_participant)
rules.add_perm(
    "proposals.read_vote",
    is_estate_participant & is_of_estate & (is_published_vote | is_community_admin),
)
# Only a verified owner of the household, whatever else they are: tenants and family
# members live there but do not own the unit's share of the common parts.
rules.add_perm("proposals.cast_ballot", is_verified_owner_of)
# Creating, opening and closing votes and entering paper ballots: the estate's admins,
# who convene the owners' assembly. Who voted how is theirs alone to see.
rules.add_perm("proposals.manage_votes", is_community_admin)
rules.add_perm("proposals.see_vote_breakdown", is_community_admin)

# Themes: the staff side corrects the grouping; the Party branch reads it to choose the
# priority work with them. Residents and captains see the priorities, not the sorting.
rules.add_perm(
    "proposals.see_themes", is_property_staff | is_party_branch_member | is_community_admin
)
rules.add_perm("proposals.edit_themes", is_staff_side)
rules.add_perm("proposals.browse_priorities", is_estate_participant)
rules.add_perm(
    "proposals.manage_priorities", is_property_staff | is_party_branch_member | is_community_admin
)
