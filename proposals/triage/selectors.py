"""Reads of the triage side: staff notes, triage history, who may be assigned."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
)

from covenant.models import RoleGrant, User
from covenant.rules import roles_of
from proposals.ideas.selectors import STAFF_SIDE_ROLES
from proposals.models import (
    Idea,
    StaffNote,
    TriageChange,
)


def staff_notes(idea: Idea) -> list[StaffNote]:
    return list(idea.staff_notes.select_related("author"))


def triage_history(idea: Idea) -> list[TriageChange]:
    return list(idea.triage_changes.select_related("actor"))


def assignable_staff(*, community_ids) -> QuerySet[User]:
    """Who may be assigned an idea: the property staff and admins of its estate (of these
    estates, for a choice over several ideas)."""
    grants = RoleGrant.objects.filter(
        role__in=STAFF_SIDE_ROLES, community_id__in=community_ids
    ).values("user_id")
    return User.objects.filter(is_active=True, pk__in=grants).order_by("name", "pk")


def may_be_assigned(user: User, community_id: int) -> bool:
    """Whether `user` may be assigned an idea of this estate (`assignable_staff`)."""
    return bool(roles_of(user).roles_in(community_id) & set(STAFF_SIDE_ROLES))
