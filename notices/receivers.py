"""Receivers of the core's signals: who is told about a membership."""

from django.urls import reverse

from covenant.models import Membership, Role, RoleGrant, User
from notices.services import notify


def _household(membership: Membership) -> str:
    household = membership.household
    return f"{household.building.number}-{household.unit}"


def on_membership_requested(sender, *, membership: Membership, **kwargs) -> None:
    """The captains covering the household and the admins of its estate have work in
    their queue (the unit is named: other estates' admins are not told)."""
    household = membership.household
    grants = RoleGrant.objects.filter(
        building_id=household.building_id, role=Role.CAPTAIN
    ).select_related(None)
    captains = [
        grant.user_id for grant in grants if grant.covers(household.building_id, household.floor)
    ]
    admins = list(
        RoleGrant.objects.filter(
            role=Role.COMMUNITY_ADMIN, community_id=household.building.community_id
        ).values_list("user_id", flat=True)
    ) + list(User.objects.filter(is_superuser=True).values_list("pk", flat=True))
    notify(
        recipients=set(captains) | set(admins),
        kind="membership.requested",
        target=membership,
        actor=membership.user,
        context={"household": _household(membership)},
        url=reverse("membership_detail", args=[membership.pk]),
    )


def on_membership_decided(sender, *, membership: Membership, actor, **kwargs) -> None:
    verified = membership.status == Membership.Status.VERIFIED
    notify(
        recipients=[membership.user_id],
        kind="membership.verified" if verified else "membership.rejected",
        target=membership,
        actor=actor,
        context={"household": _household(membership), "reason": membership.rejection_reason},
        url=reverse("my_memberships"),
    )
