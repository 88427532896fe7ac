"""The permission predicates of the whole portal: the role table of docs/roles.md.

Every predicate takes ``(user, obj)``. A user's roles are loaded once per user object
(two small queries) and kept on it, so a predicate costs no query after the first and
a list page that asks the same question for every row does not grow its query count.

Located objects: predicates about a building's captain accept a Household, anything
with a ``household`` (a Membership), or anything with ``building_id`` and ``floor``
(an idea, later), via ``location_of``.

Roles are per estate: a grant is held in one community. Asked with an object whose estate
``estate_of`` can tell without a query, the role predicates (``is_captain``,
``is_property_staff``, ``is_party_branch_member``, ``is_community_admin``) require the
role in that estate; asked without one (list-level permissions), a role in any estate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

import rules
from django.contrib.auth.models import AnonymousUser

from covenant.models import Building, Community, Household, Membership, Party, Role, RoleGrant

_CACHE_ATTRIBUTE = "_covenant_roles"


class EstateRef(NamedTuple):
    """An estate the user belongs to, as the navigation names it."""

    id: int
    name: str
    district_id: int | None


@dataclass(frozen=True)
class UserRoles:
    estate_roles: frozenset[str] = frozenset()
    captain_grants: tuple[RoleGrant, ...] = ()
    has_verified_membership: bool = False
    building_ids: frozenset[int] = field(default=frozenset())
    # The estates the user belongs to, by a verified household or a role grant: what
    # lists of estate content are limited to.
    community_ids: frozenset[int] = field(default=frozenset())
    # The roles held in each estate; a captain grant counts as Role.CAPTAIN in its estate.
    roles_by_estate: Mapping[int, frozenset[str]] = field(default=MappingProxyType({}))
    verified_community_ids: frozenset[int] = field(default=frozenset())
    is_superuser: bool = False
    # The estates of community_ids by name (then id): the estate switcher's choices.
    estates: tuple[EstateRef, ...] = ()
    # For someone who belongs to several estates, the one they work in: their choice while
    # they still belong to it, else the first by name where they hold a role, else the first
    # by name. None for one estate or none.
    working_estate_id: int | None = None

    @property
    def fingerprint(self) -> str:
        """Everything the roles decide, as text: what a cached fragment that shows links
        by permission varies on (base.html's chrome)."""
        return repr(
            (
                sorted(self.estate_roles),
                sorted(
                    repr((grant.community_id, grant.building_id, grant.floor_from, grant.floor_to))
                    for grant in self.captain_grants
                ),
                self.has_verified_membership,
                sorted((estate, sorted(held)) for estate, held in self.roles_by_estate.items()),
                sorted(self.verified_community_ids),
                self.is_superuser,
                self.estates,
                self.working_estate_id,
            )
        )

    @property
    def listed_community_ids(self) -> frozenset[int]:
        """What lists show: the working estate, or the only one (or none)."""
        if self.working_estate_id is not None:
            return frozenset({self.working_estate_id})
        return self.community_ids

    @property
    def switches_estates(self) -> bool:
        return len(self.estates) > 1

    @property
    def working_estate(self) -> EstateRef | None:
        return next((e for e in self.estates if e.id == self.working_estate_id), None)

    @property
    def is_admin(self) -> bool:
        """Admin of some estate: for list-level questions only."""
        return Role.COMMUNITY_ADMIN in self.estate_roles

    def roles_in(self, community_id: int) -> frozenset[str]:
        roles = self.roles_by_estate.get(community_id, frozenset())
        if self.is_superuser:
            roles = roles | {Role.COMMUNITY_ADMIN}
        return roles

    def is_admin_of(self, community_id: int) -> bool:
        return Role.COMMUNITY_ADMIN in self.roles_in(community_id)

    def holds(self, role: str, community_id: int | None = None) -> bool:
        """The role in that estate; with no estate, in any estate."""
        if community_id is None:
            if role == Role.CAPTAIN:
                return bool(self.captain_grants)
            return role in self.estate_roles
        return role in self.roles_in(community_id)

    def estates_where(self, *roles: str) -> frozenset[int]:
        """The estates where the user holds one of these roles (not a superuser's all)."""
        return frozenset(
            community_id for community_id, held in self.roles_by_estate.items() if held & set(roles)
        )

    def captains(self, building_id: int, floor: int | None = None) -> bool:
        if floor is None:
            return building_id in self.building_ids
        return any(grant.covers(building_id, floor) for grant in self.captain_grants)


NO_ROLES = UserRoles()


def roles_of(user) -> UserRoles:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return NO_ROLES
    if not user.is_active:
        return NO_ROLES
    # getattr/setattr, not __dict__: request.user is a lazy proxy of the real user, and
    # both must share one cache.
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    # The estates' names and communities come in the same two queries (joins), so the
    # estate switcher and the district overview ask nothing more.
    grants = list(RoleGrant.objects.filter(user=user).select_related("community"))
    estate_roles = {grant.role for grant in grants if grant.role != Role.CAPTAIN}
    if user.is_superuser:
        estate_roles.add(Role.COMMUNITY_ADMIN)
    captain_grants = tuple(grant for grant in grants if grant.role == Role.CAPTAIN)
    homes = set(
        Membership.objects.filter(user=user, status=Membership.Status.VERIFIED)
        .order_by()
        .values_list(
            "household__building__community_id",
            "household__building__community__name",
            "household__building__community__district_id",
        )
    )
    verified_in = frozenset(estate_id for estate_id, _name, _district in homes)
    roles_by_estate: dict[int, set[str]] = {}
    for grant in grants:
        roles_by_estate.setdefault(grant.community_id, set()).add(grant.role)
    estates = tuple(
        sorted(
            {EstateRef(*home) for home in homes}
            | {
                EstateRef(grant.community_id, grant.community.name, grant.community.district_id)
                for grant in grants
            },
            key=lambda estate: (estate.name, estate.id),
        )
    )
    roles = UserRoles(
        estate_roles=frozenset(estate_roles),
        captain_grants=captain_grants,
        has_verified_membership=bool(verified_in),
        building_ids=frozenset(grant.building_id for grant in captain_grants),
        community_ids=frozenset(estate.id for estate in estates),
        roles_by_estate=MappingProxyType(
            {community_id: frozenset(held) for community_id, held in roles_by_estate.items()}
        ),
        verified_community_ids=verified_in,
        is_superuser=user.is_superuser,
        estates=estates,
        working_estate_id=_working_estate_id(
            user, estates, frozenset(grant.community_id for grant in grants)
        ),
    )
    setattr(user, _CACHE_ATTRIBUTE, roles)
    return roles


def _working_estate_id(
    user, estates: tuple[EstateRef, ...], role_estate_ids: frozenset[int]
) -> int | None:
    """The estate someone who belongs to several works in: the one they chose, while they
    still belong to it; else the first by name where they hold a role (an admin of one
    estate who rents a flat in another works where they administer), else the first."""
    if len(estates) < 2:
        return None
    chosen = getattr(user, "working_estate_id", None)
    if any(estate.id == chosen for estate in estates):
        return chosen
    with_roles = [estate for estate in estates if estate.id in role_estate_ids]
    return (with_roles or estates)[0].id


def listed_estates(user) -> frozenset[int]:
    """The estates whose content the user's lists, queues, counts and form choices show:
    the estate they belong to (a verified home or a role), or, for someone who belongs to
    several, the one they work in (the estate switcher: ``User.working_estate``, else the
    first by name where they hold a role). Object permissions do not depend on it: a page of another of their
    estates opens from a link. Empty for a visitor, a newcomer and a superuser without a
    grant (callers decide what a superuser lists)."""
    return roles_of(user).listed_community_ids


def listed_estates_where(user, *roles: str) -> frozenset[int]:
    """Of the listed estates, those where the user holds one of these roles."""
    return roles_of(user).estates_where(*roles) & listed_estates(user)


# Who sees the estates of one community (社区) side by side: those who speak for the
# Party branch or administer in several of them.
DISTRICT_OVERSIGHT_ROLES = (Role.PARTY_BRANCH, Role.COMMUNITY_ADMIN)


def districts_overseen(user) -> dict[int, frozenset[int]]:
    """District id → the estates of it where the user holds a district oversight role,
    for each district where that is two estates or more. No query (superusers: see
    ``is_district_overseer``)."""
    roles = roles_of(user)
    overseen = roles.estates_where(*DISTRICT_OVERSIGHT_ROLES)
    by_district: dict[int, set[int]] = {}
    for estate in roles.estates:
        if estate.id in overseen and estate.district_id is not None:
            by_district.setdefault(estate.district_id, set()).add(estate.id)
    return {
        district_id: frozenset(estate_ids)
        for district_id, estate_ids in by_district.items()
        if len(estate_ids) >= 2
    }


def forget_roles(user) -> None:
    """Drop the cached roles, after a grant or membership of this user changed."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def location_of(obj) -> tuple[int, int] | None:
    """The (building id, floor) an object belongs to, or None."""
    if obj is None:
        return None
    if isinstance(obj, Household):
        return obj.building_id, obj.floor
    if isinstance(obj, Membership):
        return location_of(obj.household)
    building_id = getattr(obj, "building_id", None)
    floor = getattr(obj, "floor", None)
    if building_id is None or floor is None:
        return None
    return building_id, floor


# The relations through which a row belongs to an estate, nearest first: estate_of
# follows them when already loaded (never fetched), and the admin's scoping
# (covenant/admin_scoping.py) follows them to find a model's lookup to its estate.
ESTATE_RELATIONS = (
    "community",
    "building",
    "household",
    "membership",
    "deliberation",
    "resolution",
    "idea",
    "comment",
    "vote",
    "theme",
    "announcement",
    "priority",
)


def estate_of(obj) -> int | None:
    """The id of the estate an object belongs to, when known without a query; else None."""
    if obj is None or isinstance(obj, (str, int)):
        return None
    if isinstance(obj, Community):
        return obj.pk
    community_id = getattr(obj, "community_id", None)
    if community_id is not None:
        return community_id
    state = getattr(obj, "_state", None)
    fields_cache = getattr(state, "fields_cache", None) or {}
    for name in ESTATE_RELATIONS:
        related = fields_cache.get(name)
        if related is not None:
            return estate_of(related)
    return None


def _holds(user, role: str, obj) -> bool:
    return roles_of(user).holds(role, estate_of(obj))


# --- Who the user is (in the object's estate, when there is one) --------------------


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_verified_resident(user, obj=None) -> bool:
    roles = roles_of(user)
    community_id = estate_of(obj)
    if community_id is None:
        return roles.has_verified_membership
    return community_id in roles.verified_community_ids


@rules.predicate
def is_captain(user, obj=None) -> bool:
    return _holds(user, Role.CAPTAIN, obj)


@rules.predicate
def is_property_staff(user, obj=None) -> bool:
    return _holds(user, Role.PROPERTY_STAFF, obj)


@rules.predicate
def is_party_branch_member(user, obj=None) -> bool:
    return _holds(user, Role.PARTY_BRANCH, obj)


@rules.predicate
def is_community_admin(user, obj=None) -> bool:
    return _holds(user, Role.COMMUNITY_ADMIN, obj)


# Verified residents and every role holder take part in the estate's affairs.
is_estate_participant = (
    is_verified_resident
    | is_captain
    | is_property_staff
    | is_party_branch_member
    | is_community_admin
)


# --- The user and an object ----------------------------------------------------------


@rules.predicate
def is_captain_of(user, obj) -> bool:
    """A captain whose grant covers the object's building (and floor, if ranged)."""
    location = location_of(obj)
    if location is None:
        return False
    return roles_of(user).captains(*location)


@rules.predicate
def is_captain_of_building(user, building) -> bool:
    """A captain with a grant in this building (any floor range)."""
    if building is None:
        return False
    building_id = building.pk if isinstance(building, Building) else building
    return roles_of(user).captains(building_id)


@rules.predicate
def is_membership_owner(user, membership) -> bool:
    return membership is not None and membership.user_id == user.pk


@rules.predicate
def belongs_to_estate(user, estate) -> bool:
    """A verified home or a role in the estate: one the user may work in."""
    estate_id = estate.pk if isinstance(estate, Community) else estate
    return estate_id in roles_of(user).community_ids


@rules.predicate
def is_district_overseer(user, district=None) -> bool:
    """The Party branch's or an admin's role in two or more estates of the district (of
    some district, without one). A superuser oversees every district."""
    if not is_signed_in(user):
        return False
    if roles_of(user).is_superuser:
        return True
    overseen = districts_overseen(user)
    if district is None:
        return bool(overseen)
    return getattr(district, "pk", district) in overseen


# The roles that may open a deliberation (covenant.open_deliberation).
OPENING_ROLES = (Role.CAPTAIN, Role.PROPERTY_STAFF, Role.PARTY_BRANCH, Role.COMMUNITY_ADMIN)

PARTY_OF_ROLE = {
    Role.PARTY_BRANCH: Party.PARTY_BRANCH,
    Role.PROPERTY_STAFF: Party.PROPERTY,
}


def parties_represented_by(user, community_id: int | None = None) -> set[str]:
    """The parties a user may speak and sign for (in that estate, if given): captains
    represent the residents."""
    roles = roles_of(user)
    if community_id is None:
        held = roles.estate_roles | ({Role.CAPTAIN} if roles.captain_grants else set())
    else:
        held = roles.roles_by_estate.get(community_id, frozenset())
    parties = {PARTY_OF_ROLE[role] for role in held if role in PARTY_OF_ROLE}
    if Role.CAPTAIN in held:
        parties.add(Party.RESIDENTS)
    return parties


@rules.predicate
def is_representative_of(user, party) -> bool:
    return party in parties_represented_by(user)


@rules.predicate
def has_voice_for(user, party) -> bool:
    # An admin convenes deliberations and may post on any party's behalf (e.g. minutes),
    # but signs for none: a resolution must be backed by the parties themselves.
    if roles_of(user).is_admin:
        return party in Party.values
    return party in parties_represented_by(user)


# --- The role table as permissions ---------------------------------------------------

rules.add_perm("covenant.read_public_announcements", rules.always_allow)
rules.add_perm("covenant.read_estate_content", is_estate_participant)
rules.add_perm("covenant.request_membership", is_signed_in)
rules.add_perm("covenant.see_membership_queue", is_community_admin | is_captain)
# Nobody decides their own request: a captain could otherwise make himself owner of
# any unit in his building, and owners' votes are weighed by floor area.
rules.add_perm(
    "covenant.decide_membership",
    (is_community_admin | is_captain_of) & ~is_membership_owner,
)
# Not "view_membership": that name belongs to Django's model permission for the admin.
rules.add_perm("covenant.see_membership", is_membership_owner | is_community_admin | is_captain_of)
rules.add_perm("covenant.contribute", is_estate_participant)
rules.add_perm(
    "covenant.see_hidden_author",
    is_property_staff | is_party_branch_member | is_community_admin | is_captain_of,
)
rules.add_perm("covenant.moderate", is_community_admin | is_captain_of)
rules.add_perm("covenant.triage", is_property_staff | is_community_admin)
rules.add_perm(
    "covenant.open_deliberation",
    is_captain | is_property_staff | is_party_branch_member | is_community_admin,
)
rules.add_perm("covenant.post_for_party", has_voice_for)
rules.add_perm("covenant.sign_for_party", is_representative_of)
rules.add_perm(
    "covenant.publish_announcement",
    is_captain | is_property_staff | is_party_branch_member | is_community_admin,
)
rules.add_perm(
    "covenant.publish_to_building",
    is_property_staff | is_party_branch_member | is_community_admin | is_captain_of_building,
)
rules.add_perm(
    "covenant.organise_activities",
    is_captain | is_property_staff | is_party_branch_member | is_community_admin,
)
rules.add_perm("covenant.manage_estate", is_community_admin)
rules.add_perm("covenant.work_in_estate", belongs_to_estate)
rules.add_perm("covenant.see_district_overview", is_district_overseer)
