"""Who may do what with golden ideas, on top of the estate's roles (covenant.rules).

Each predicate takes `(user, idea)` or `(user, comment)` and costs no query once the user's
roles are loaded, so a list page may ask it for every row.
"""

from __future__ import annotations

from datetime import timedelta

import rules
from django.utils import timezone

from covenant.rules import (
    is_captain,
    is_captain_of,
    is_community_admin,
    is_estate_participant,
    is_party_branch_member,
    is_property_staff,
)
from proposals.models import Comment, Idea, Moderation

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
