"""Reads of the community core, with the visibility of covenant.rules applied."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from covenant.models import Building, Community, Household, Membership, Role, RoleGrant
from covenant.rules import listed_estates, roles_of


def buildings_for_joining() -> QuerySet[Building]:
    """Every estate's buildings: a newcomer may live in any of them (the join form names
    the estate when there are several)."""
    return Building.objects.select_related("community").order_by("community__name", "number")


def several_estates() -> bool:
    return Community.objects.count() > 1


def floors_of_building(*, building: Building) -> list[int]:
    return list(
        Household.objects.filter(building=building)
        .order_by("floor")
        .values_list("floor", flat=True)
        .distinct()
    )


def households_on_floor(*, building: Building, floor: int) -> QuerySet[Household]:
    return Household.objects.filter(building=building, floor=floor).order_by("unit")


def memberships_of(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("household__building", "decided_by")
        .order_by("-requested_at")
    )


def unseen_outcomes_of(*, user) -> QuerySet[Membership]:
    return memberships_of(user=user).filter(
        status__in=[Membership.Status.VERIFIED, Membership.Status.REJECTED],
        outcome_seen_at__isnull=True,
    )


def captained_places(user, *, path: str = "") -> Q:
    """The places a captain looks after, as a filter on anything with a building and a
    floor at `path` ("household__" for a membership, "" for a household or an idea): each
    grant's building, within its floor range if it has one. Matches nothing without a
    captain grant."""
    scope = Q(pk__in=[])
    for grant in roles_of(user).captain_grants:
        place = Q(**{f"{path}building_id": grant.building_id})
        if grant.floor_from is not None:
            place &= Q(
                **{f"{path}floor__gte": grant.floor_from, f"{path}floor__lte": grant.floor_to}
            )
        scope |= place
    return scope


def _decider_scope(user) -> Q | None:
    """The households whose requests this user decides, as a filter; None for none."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if roles.is_admin:
        # Roles are per estate: an admin decides their own estates' requests.
        administered = roles.estates_where(Role.COMMUNITY_ADMIN)
        return Q(household__building__community_id__in=administered) | captained_places(
            user, path="household__"
        )
    if not roles.captain_grants:
        return None
    return captained_places(user, path="household__")


def memberships_decidable_by(*, user) -> QuerySet[Membership]:
    """Every membership in the user's buildings (captains) or the estate (admins).

    Agrees with the predicate ``covenant.decide_membership``; tests hold them together.
    """
    scope = _decider_scope(user)
    if scope is None:
        return Membership.objects.none()
    return Membership.objects.filter(scope).exclude(user=user)


def pending_requests_for(*, user) -> QuerySet[Membership]:
    """The captain's queue: requests waiting in the user's scope, oldest first, in the
    estate they work in (a superuser without a grant: every estate)."""
    queue = memberships_decidable_by(user=user).filter(status=Membership.Status.REQUESTED)
    listed = listed_estates(user)
    if listed:
        queue = queue.filter(household__building__community_id__in=listed)
    return queue.select_related("user", "household__building").order_by("requested_at", "pk")


def membership_with_details(*, membership_id: int) -> Membership | None:
    """One membership with what its pages show; the caller checks permission."""
    return (
        Membership.objects.select_related("user", "household__building", "decided_by")
        .filter(pk=membership_id)
        .first()
    )


def captains_of(*, households: list[Household]) -> dict[int, list]:
    """The captains looking after each household, by household id, in one query."""
    grants = RoleGrant.objects.filter(
        role=Role.CAPTAIN,
        building_id__in={household.building_id for household in households},
        user__is_active=True,
    ).select_related("user")
    grants = list(grants)
    return {
        household.pk: [
            grant.user for grant in grants if grant.covers(household.building_id, household.floor)
        ]
        for household in households
    }


@dataclass(frozen=True)
class NewcomerState:
    """Where a signed-in user without a home in any estate stands: their newest waiting
    request (None if they never asked) and the captains who will confirm it."""

    request: Membership | None
    captains: list


def newcomer_state_of(*, user) -> NewcomerState | None:
    """None for anyone with a verified home or a role (their refusals are about roles);
    otherwise the newcomer's state. Two queries at most, one without a request."""
    roles = roles_of(user)
    if (
        roles.has_verified_membership
        or roles.estate_roles
        or roles.captain_grants
        or roles.is_superuser
    ):
        return None
    waiting = (
        Membership.objects.filter(user=user, status=Membership.Status.REQUESTED)
        .select_related("household__building")
        .order_by("-requested_at", "-pk")
        .first()
    )
    if waiting is None:
        return NewcomerState(request=None, captains=[])
    captains = captains_of(households=[waiting.household])[waiting.household.pk]
    return NewcomerState(request=waiting, captains=captains)


def household_members(*, household: Household, excluding: Membership | None = None) -> list:
    """Who lives in the household now (verified), owners first, for the deciders' page."""
    members = Membership.objects.filter(
        household=household, status=Membership.Status.VERIFIED
    ).select_related("user")
    if excluding is not None:
        members = members.exclude(pk=excluding.pk)
    order = {Membership.Relation.OWNER: 0, Membership.Relation.TENANT: 1}
    return sorted(members, key=lambda member: (order.get(member.relation, 2), member.pk))


OWNER_ALREADY = "owner_already"
DECIDERS_OWN_UNIT = "deciders_own_unit"


def verification_warnings(
    *, membership: Membership, decider, members: list | None = None
) -> list[str]:
    """What a decider must confirm before verifying: an owner claimed for a unit that has a
    verified owner already (owners' votes weigh by area), or a claim on the decider's own
    unit. `members` (household_members) saves a query when the page has them."""
    if members is None:
        members = household_members(household=membership.household, excluding=membership)
    warnings = []
    if membership.relation == Membership.Relation.OWNER and any(
        member.relation == Membership.Relation.OWNER for member in members
    ):
        warnings.append(OWNER_ALREADY)
    if any(member.user_id == decider.pk for member in members):
        warnings.append(DECIDERS_OWN_UNIT)
    return warnings
