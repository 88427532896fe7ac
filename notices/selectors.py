"""Reads of notices, with the audience rules applied. Lists, pages, search and digests
all start from `announcements_visible_to`, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from covenant.models import Community, Household, Membership, Role, RoleGrant, User
from covenant.rules import listed_estates, listed_estates_where, roles_of
from notices.models import Announcement, Audience, HouseholdReach, Notification

_HOMES_ATTRIBUTE = "_notices_homes"
# Roles that publish to any building read every announcement, to oversee what is said.
ESTATE_WIDE_READERS = {Role.COMMUNITY_ADMIN, Role.PROPERTY_STAFF, Role.PARTY_BRANCH}
# Those, and captains (to their own buildings), publish.
PUBLISHING_ROLES = {*ESTATE_WIDE_READERS, Role.CAPTAIN}

Through = Announcement.buildings.through


def homes_of(user) -> tuple[tuple[int, int, int, int], ...]:
    """(household id, building id, floor, estate id) of the user's verified households;
    one query, kept on the user object like their roles."""
    if not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, _HOMES_ATTRIBUTE, None)
    if cached is None:
        cached = tuple(
            Membership.objects.filter(user=user, status=Membership.Status.VERIFIED).values_list(
                "household_id",
                "household__building_id",
                "household__floor",
                "household__building__community_id",
            )
        )
        setattr(user, _HOMES_ATTRIBUTE, cached)
    return cached


def estates_read_whole(user) -> frozenset[int]:
    """The estates whose every announcement the user reads: where they hold a role
    that publishes to any building."""
    return roles_of(user).estates_where(*ESTATE_WIDE_READERS)


def captained_building_ids(user, community_id: int) -> frozenset[int]:
    """The buildings of this estate the user captains (any floor range)."""
    return frozenset(
        grant.building_id
        for grant in roles_of(user).captain_grants
        if grant.community_id == community_id
    )


def _for_building(building_id: int, floor: int | None = None) -> Q:
    condition = Q(
        audience=Audience.BUILDINGS,
        pk__in=Through.objects.filter(building_id=building_id).values("announcement_id"),
    )
    if floor is not None:
        condition &= Q(floor_from__isnull=True) | Q(floor_from__lte=floor, floor_to__gte=floor)
    return condition


def audience_condition(user) -> Q:
    """Which announcements the user is in the audience of (publishing time aside), estate
    by estate: the whole estate's are for those with a verified home or a role in it;
    the staff, the Party branch and admins read every one of the estates where they hold
    that role (a superuser: of every estate). Public ones are everyone's."""
    condition = Q(audience=Audience.PUBLIC)
    roles = roles_of(user)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return condition
    if roles.is_superuser:
        return Q()
    read_whole = estates_read_whole(user)
    condition |= Q(community_id__in=read_whole)
    if roles.community_ids:
        condition |= Q(audience=Audience.ESTATE, community_id__in=roles.community_ids)
    # Homes matter only in estates not read whole already (and cost a query only then).
    if roles.verified_community_ids - read_whole:
        for _household_id, building_id, floor, community_id in homes_of(user):
            if community_id not in read_whole:
                condition |= _for_building(building_id, floor)
    for building_id in roles.building_ids:
        condition |= _for_building(building_id)
    return condition | Q(author=user)


def scheduled_condition(user) -> Q:
    """Before it is published, an announcement is seen by its author and the admins of
    its estate only."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    return Q(author_id=getattr(user, "pk", None)) | Q(
        community_id__in=roles.estates_where(Role.COMMUNITY_ADMIN)
    )


def announcements_visible_to(
    user,
    *,
    include_expired: bool = False,
    include_scheduled: bool = False,
    include_withdrawn: bool = False,
) -> QuerySet[Announcement]:
    """What the user may read. A withdrawn announcement is left out unless asked for
    (only its page asks: it tells its audience that it was withdrawn, and why)."""
    now = timezone.now()
    announcements = Announcement.objects.filter(audience_condition(user))
    if not include_withdrawn:
        announcements = announcements.filter(withdrawn_at__isnull=True)
    if not include_scheduled:
        announcements = announcements.filter(publish_at__lte=now)
    else:
        announcements = announcements.filter(Q(publish_at__lte=now) | scheduled_condition(user))
    if not include_expired:
        announcements = announcements.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    return announcements


def in_listed_estates(announcements: QuerySet[Announcement], user) -> QuerySet[Announcement]:
    """Of what the user may read, what their lists show: the announcements of the
    estates they belong to. Someone who belongs to none (a visitor, a newcomer) sees the
    public ones of every estate, as anyone may read them."""
    estates = listed_estates(user)
    if not estates:
        return announcements.filter(audience=Audience.PUBLIC)
    return announcements.filter(community_id__in=estates)


def announcement_list(user, *, query: str = "", archive: bool = False) -> QuerySet[Announcement]:
    announcements = in_listed_estates(
        announcements_visible_to(user, include_expired=archive, include_scheduled=not archive),
        user,
    )
    if archive:
        announcements = announcements.filter(expires_at__lte=timezone.now())
    if query:
        for word in query.split()[:5]:
            announcements = announcements.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return (
        announcements.select_related("author", "community")
        .prefetch_related("buildings")
        .order_by("-pinned", "-publish_at", "-pk")
    )


def publishing_estates(user) -> list[Community]:
    """Every estate where the user may publish, by name: the choices of the publishing
    form, which opens on the estate they work in (`publishing_estate_first`). Not only the
    listed one: publishing the same announcement in several estates at once is meant to
    cross them."""
    return list(
        Community.objects.filter(pk__in=roles_of(user).estates_where(*PUBLISHING_ROLES)).order_by(
            "name", "pk"
        )
    )


def publishing_estate_first(user, estates: list[Community]) -> Community:
    """Of the publishing form's estates, the one it opens on: the estate the user works in
    if they publish there, else the first."""
    listed = listed_estates(user)
    return next((estate for estate in estates if estate.pk in listed), estates[0])


def coverage_list(user) -> QuerySet[Announcement]:
    """The current announcements whose coverage the admins' page lists: of the listed
    estates the user administers."""
    return announcement_list(user).filter(
        community_id__in=listed_estates_where(user, Role.COMMUNITY_ADMIN)
    )


def announcement_for(user, announcement_id: int) -> Announcement | None:
    """One announcement if the user is in its audience (expired and withdrawn ones
    too: the caller shows a withdrawn one as such), else None."""
    return (
        announcements_visible_to(
            user, include_expired=True, include_scheduled=True, include_withdrawn=True
        )
        .select_related("author", "community")
        .filter(pk=announcement_id)
        .first()
    )


def building_ids_of(announcement: Announcement) -> frozenset[int]:
    cached = getattr(announcement, "_building_ids", None)
    if cached is None:
        cached = frozenset(
            Through.objects.filter(announcement=announcement).values_list("building_id", flat=True)
        )
        announcement._building_ids = cached
    return cached


def audience_households(announcement: Announcement) -> QuerySet[Household]:
    households = Household.objects.filter(building__community_id=announcement.community_id)
    if announcement.audience != Audience.BUILDINGS:
        return households
    households = households.filter(
        building_id__in=Through.objects.filter(announcement=announcement).values("building_id")
    )
    if announcement.floor_from is not None:
        households = households.filter(
            floor__gte=announcement.floor_from, floor__lte=announcement.floor_to
        )
    return households


def audience_users(announcement: Announcement) -> QuerySet[User]:
    """Who is told of it: verified residents of the audience's households, the captains
    of its buildings, and for the whole estate everyone holding a role."""
    households = audience_households(announcement)
    residents = Membership.objects.filter(
        user=OuterRef("pk"), status=Membership.Status.VERIFIED, household__in=households
    )
    grants = RoleGrant.objects.filter(user=OuterRef("pk"), community_id=announcement.community_id)
    if announcement.audience == Audience.BUILDINGS:
        grants = grants.filter(
            role=Role.CAPTAIN,
            building_id__in=Through.objects.filter(announcement=announcement).values("building_id"),
        )
    return User.objects.filter(is_active=True).filter(Exists(residents) | Exists(grants))


def households_in_reach_of(announcement: Announcement, user) -> set[int]:
    """The user's verified households that are in the announcement's audience: of its
    estate, and of its buildings and floors when it has chosen some."""
    homes = [home for home in homes_of(user) if home[3] == announcement.community_id]
    if not homes:
        return set()
    if announcement.audience != Audience.BUILDINGS:
        return {household_id for household_id, _b, _f, _c in homes}
    building_ids = building_ids_of(announcement)
    return {
        household_id
        for household_id, building_id, floor, _community_id in homes
        if building_id in building_ids
        and (
            announcement.floor_from is None
            or announcement.floor_from <= floor <= announcement.floor_to
        )
    }


# --- Reach and coverage -----------------------------------------------------------------


def door_knock_list(
    *, announcement: Announcement, building_ids, only_unreached: bool = True
) -> QuerySet[Household]:
    """The audience's households in the given buildings, each with how it was reached."""
    reach = HouseholdReach.objects.filter(announcement=announcement, household=OuterRef("pk"))
    households = (
        audience_households(announcement)
        .filter(building_id__in=building_ids)
        .select_related("building")
        .annotate(
            reached_by=Subquery(reach.values("method")[:1]),
            verified_members=Count(
                "memberships", filter=Q(memberships__status=Membership.Status.VERIFIED)
            ),
        )
        .order_by("building__number", "floor", "unit")
    )
    if only_unreached:
        households = households.filter(reached_by__isnull=True)
    return households


def coverage(announcement: Announcement) -> dict:
    """Reach per building and for the estate: households in the audience, reached, and
    of those how many read it themselves. Two queries, whatever the estate's size."""
    reach = HouseholdReach.objects.filter(announcement=announcement, household=OuterRef("pk"))
    rows = list(
        audience_households(announcement)
        .annotate(reached=Exists(reach), read=Exists(reach.filter(method="read")))
        .values("building_id", "building__number")
        .annotate(
            total=Count("pk"),
            reached_count=Count("pk", filter=Q(reached=True)),
            read_count=Count("pk", filter=Q(read=True)),
        )
        .order_by("building__number")
    )
    buildings = [
        {
            "building_id": row["building_id"],
            "number": row["building__number"],
            "total": row["total"],
            "reached": row["reached_count"],
            "read": row["read_count"],
            "told": row["reached_count"] - row["read_count"],
            "percent": _percent(row["reached_count"], row["total"]),
        }
        for row in rows
    ]
    total = sum(row["total"] for row in buildings)
    reached = sum(row["reached"] for row in buildings)
    read = sum(row["read"] for row in buildings)
    return {
        "buildings": buildings,
        "total": total,
        "reached": reached,
        "read": read,
        "told": reached - read,
        "percent": _percent(reached, total),
    }


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _reach_in_own_estate():
    # A household of another estate never counts toward an announcement's reach, even
    # where an older version of the portal recorded one.
    return Q(household__building__community_id=F("announcement__community_id"))


def reach_counts(announcements) -> dict[int, tuple[int, int]]:
    """(reached, total households) for each announcement of a page, in four queries
    whatever the page's length or the estates' sizes; each counted in its own estate."""
    announcements = list(announcements)
    if not announcements:
        return {}
    ids = [announcement.pk for announcement in announcements]
    reached = dict(
        HouseholdReach.objects.filter(_reach_in_own_estate(), announcement_id__in=ids)
        .values("announcement_id")
        .annotate(count=Count("pk"))
        .values_list("announcement_id", "count")
    )
    per_floor: dict[tuple[int, int, int], int] = {}
    community_ids = {announcement.community_id for announcement in announcements}
    for community_id, building_id, floor, count in (
        Household.objects.filter(building__community_id__in=community_ids)
        .values("building__community_id", "building_id", "floor")
        .annotate(count=Count("pk"))
        .values_list("building__community_id", "building_id", "floor", "count")
    ):
        per_floor[community_id, building_id, floor] = count
    buildings_of: dict[int, set[int]] = {}
    for announcement_id, building_id in Through.objects.filter(announcement_id__in=ids).values_list(
        "announcement_id", "building_id"
    ):
        buildings_of.setdefault(announcement_id, set()).add(building_id)
    result = {}
    for announcement in announcements:
        chosen = buildings_of.get(announcement.pk, set())
        total = sum(
            count
            for (community_id, building_id, floor), count in per_floor.items()
            if community_id == announcement.community_id
            and (
                announcement.audience != Audience.BUILDINGS
                or (
                    building_id in chosen
                    and (
                        announcement.floor_from is None
                        or announcement.floor_from <= floor <= announcement.floor_to
                    )
                )
            )
        )
        result[announcement.pk] = (reached.get(announcement.pk, 0), total)
    return result


def read_counts(announcements) -> dict[int, int]:
    """How many households read each announcement themselves (not told by a captain);
    one query for a whole list."""
    return dict(
        HouseholdReach.objects.filter(
            _reach_in_own_estate(),
            announcement__in=[announcement.pk for announcement in announcements],
            method=HouseholdReach.Method.READ,
        )
        .values("announcement_id")
        .annotate(count=Count("pk"))
        .values_list("announcement_id", "count")
        .order_by()
    )


# --- Notifications --------------------------------------------------------------------


def inbox_of(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def announcement_type() -> ContentType:
    return ContentType.objects.get_for_model(Announcement)


@dataclass(frozen=True)
class BuildingReach:
    announcement: Announcement
    unreached: int
    total: int


def unreached_in_building(*, user, building, limit: int = 5) -> list[BuildingReach]:
    """The current announcements of the building's estate whose audience includes this
    building and that have not reached all of its households yet, newest first: the
    captain's next door-knocks.
    Three queries, whatever the number of households."""
    now = timezone.now()
    announcements = list(
        announcements_visible_to(user)
        .filter(
            Q(audience=Audience.ESTATE) | _for_building(building.pk),
            community_id=building.community_id,
            publish_at__lte=now,
        )
        .order_by("-publish_at", "-pk")[: limit * 4]
    )
    if not announcements:
        return []
    per_floor = dict(
        Household.objects.filter(building=building)
        .values("floor")
        .annotate(count=Count("pk"))
        .values_list("floor", "count")
    )
    reached = dict(
        HouseholdReach.objects.filter(announcement__in=announcements, household__building=building)
        .values("announcement_id")
        .annotate(count=Count("pk"))
        .values_list("announcement_id", "count")
    )
    rows = []
    for announcement in announcements:
        total = sum(
            count
            for floor, count in per_floor.items()
            if announcement.floor_from is None
            or announcement.floor_from <= floor <= announcement.floor_to
        )
        unreached = total - reached.get(announcement.pk, 0)
        if unreached > 0:
            rows.append(BuildingReach(announcement, unreached, total))
    return rows[:limit]


def audience_size(
    *,
    community_id: int,
    audience: str,
    building_ids: Sequence[int],
    floor_from: int | None,
    floor_to: int | None,
    author: User,
) -> int:
    """How many people an announcement not yet published would tell (as `audience_users`
    would once it is saved, less its author): for the urgent preview. One query."""
    households = Household.objects.filter(building__community_id=community_id)
    grants = RoleGrant.objects.filter(user=OuterRef("pk"), community_id=community_id)
    if audience == Audience.BUILDINGS:
        households = households.filter(building_id__in=building_ids)
        if floor_from is not None:
            households = households.filter(floor__gte=floor_from, floor__lte=floor_to)
        grants = grants.filter(role=Role.CAPTAIN, building_id__in=building_ids)
    residents = Membership.objects.filter(
        user=OuterRef("pk"), status=Membership.Status.VERIFIED, household__in=households
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Exists(residents) | Exists(grants))
        .exclude(pk=author.pk)
        .count()
    )
