"""Reads of the volunteers area, with visibility applied."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils import timezone

from covenant.models import Building, Community, Household, Membership, Role, RoleGrant, User
from covenant.rules import listed_estates, listed_estates_where, roles_of
from covenant.selectors import captained_places, captains_of
from volunteers.models import (
    Activity,
    CalendarFeed,
    CaptainMessage,
    ServiceEntry,
    SignUp,
    Volunteer,
)

SStatus = SignUp.Status
TAKEN = [SStatus.CONFIRMED, SStatus.ATTENDED]
APPROVING_ROLES = (Role.COMMUNITY_ADMIN, Role.PARTY_BRANCH)


def listed_estates_of(user: User, *roles: str) -> frozenset[int] | None:
    """The estates whose rows the user's lists show (`covenant.rules.listed_estates`), or
    of those the ones where the user holds one of `roles`. None means every estate: a
    superuser without a grant of their own administers them all."""
    listed = listed_estates(user)
    if user.is_superuser and (not roles or Role.COMMUNITY_ADMIN in roles):
        return listed or None
    return listed_estates_where(user, *roles) if roles else listed


def within(path: str, estates: frozenset[int] | None) -> Q:
    """Rows whose estate id (the field at `path`) is one of `estates` (None: any)."""
    return Q() if estates is None else Q(**{f"{path}__in": estates})


def entries_within(estates: frozenset[int] | None, path: str = "") -> Q:
    """Ledger entries of these estates: an entry is its activity's estate's, or its
    volunteer's team's when it has no activity (an entry made by hand)."""
    if estates is None:
        return Q()
    return within(f"{path}activity__community_id", estates) | (
        Q(**{f"{path}activity__isnull": True})
        & within(f"{path}user__volunteer__community_id", estates)
    )


# --- The team ------------------------------------------------------------------------


def volunteer_of(*, user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).first()


def pending_applications(*, user: User) -> QuerySet[Volunteer]:
    """Applications waiting for this approver: to the teams of the listed estates where
    they are an admin or in the Party branch."""
    estates = listed_estates_of(user, *APPROVING_ROLES)
    return (
        Volunteer.objects.filter(within("community_id", estates), status=Volunteer.Status.APPLIED)
        .select_related("user")
        .order_by("applied_at", "pk")
    )


def roster(*, user: User) -> QuerySet[User]:
    """The teams of the listed estates: approved volunteers and every active captain, by
    name, with the hours they served there.

    Each user carries ``roster_volunteer`` (their Volunteer row or None, from the
    select_related) and ``captain_buildings`` (prefetched grants)."""
    estates = listed_estates_of(user)
    captain_grants = RoleGrant.objects.filter(
        within("community_id", estates), role=Role.CAPTAIN
    ).select_related("building")
    captains = RoleGrant.objects.filter(
        within("community_id", estates), user=OuterRef("pk"), role=Role.CAPTAIN
    )
    approved = Q(volunteer__status=Volunteer.Status.APPROVED) & within(
        "volunteer__community_id", estates
    )
    return (
        User.objects.filter(is_active=True)
        .filter(approved | Q(Exists(captains)))
        .select_related("volunteer")
        .prefetch_related(Prefetch("role_grants", captain_grants, to_attr="captain_grants"))
        .annotate(
            total_hours=Sum(
                "service_entries__hours", filter=entries_within(estates, "service_entries__")
            ),
            shown_name=Coalesce(NullIf("volunteer__roster_name", Value("")), "name"),
        )
        .order_by("shown_name", "pk")
    )


def captains_for(*, user: User) -> list[tuple[Household, list[User]]]:
    """The captains of each household of the listed estates the user is a verified member of."""
    households = [
        membership.household
        for membership in Membership.objects.filter(
            within("household__building__community_id", listed_estates_of(user)),
            user=user,
            status=Membership.Status.VERIFIED,
        ).select_related("household__building")
    ]
    captains = captains_of(households=households) if households else {}
    return [(household, captains[household.pk]) for household in households]


def _messages_in_care_of(captain: User) -> QuerySet[CaptainMessage]:
    """Messages to this captain from households they still look after, in the listed
    estates: a former captain of a building no longer reads what its residents write."""
    return CaptainMessage.objects.filter(
        captained_places(captain, path="household__"),
        within("household__building__community_id", listed_estates_of(captain)),
        captain=captain,
    )


def messages_for_captain(*, captain: User) -> QuerySet[CaptainMessage]:
    return _messages_in_care_of(captain).select_related("sender", "household__building")


def unread_message_count(*, captain: User) -> int:
    return _messages_in_care_of(captain).filter(read_at__isnull=True).count()


# --- Activities ----------------------------------------------------------------------


def activities(*, user: User, upcoming: bool = True, now: datetime.datetime | None = None):
    """The listed estates' activities with their number of taken places and waitlist, in
    one query: the coming ones, or the past and cancelled ones."""
    now = now or timezone.now()
    listed = Activity.objects.filter(within("community_id", listed_estates_of(user)))
    queryset = listed.select_related("organiser").annotate(
        taken=Count("signups", filter=Q(signups__status__in=TAKEN)),
        waiting=Count("signups", filter=Q(signups__status=SStatus.WAITLISTED)),
    )
    scheduled = Q(status=Activity.Status.SCHEDULED)
    if upcoming:
        return queryset.filter(scheduled, ends_at__gte=now).order_by("starts_at", "pk")
    # A cancelled activity leaves the coming ones at once, and is shown with the past.
    return queryset.filter(Q(ends_at__lt=now) | ~scheduled).order_by("-starts_at", "-pk")


def activity_with_counts(*, activity_id: int) -> Activity | None:
    return (
        Activity.objects.select_related("organiser")
        .annotate(
            taken=Count("signups", filter=Q(signups__status__in=TAKEN)),
            waiting=Count("signups", filter=Q(signups__status=SStatus.WAITLISTED)),
        )
        .filter(pk=activity_id)
        .first()
    )


def signups_of_activity(*, activity: Activity) -> QuerySet[SignUp]:
    """Everyone still signed up, the confirmed first, the waitlist in its order."""
    return (
        activity.signups.exclude(status=SStatus.CANCELLED)
        .select_related("user__volunteer")
        .order_by("queued_at", "pk")
    )


def signup_of(*, activity: Activity, user: User) -> SignUp | None:
    if not user.is_authenticated:
        return None
    return activity.signups.filter(user=user).exclude(status=SStatus.CANCELLED).first()


def signup_with_details(*, signup_id: int) -> SignUp | None:
    return SignUp.objects.select_related("activity", "user").filter(pk=signup_id).first()


def signups_of_user(
    *, user: User, since: datetime.datetime, estates: frozenset[int] | None = None
) -> QuerySet[SignUp]:
    """The user's places at activities ending after `since`, of these estates (the
    listed ones by default)."""
    if estates is None:
        estates = listed_estates_of(user)
    return (
        SignUp.objects.filter(
            within("activity__community_id", estates), user=user, activity__ends_at__gte=since
        )
        .exclude(status=SStatus.CANCELLED)
        .select_related("activity")
        .order_by("activity__starts_at", "pk")
    )


def places_given_up_on_leaving(*, user: User) -> QuerySet[SignUp]:
    """The places leaving the team gives up: confirmed or waiting, at activities not yet
    begun (what ``services.leave_team`` cancels)."""
    return (
        SignUp.objects.filter(
            user=user,
            status__in=[SStatus.CONFIRMED, SStatus.WAITLISTED],
            activity__starts_at__gt=timezone.now(),
            activity__status=Activity.Status.SCHEDULED,
        )
        .select_related("activity")
        .order_by("activity__starts_at", "pk")
    )


def waitlist_position(*, signup: SignUp) -> int:
    return (
        SignUp.objects.filter(activity_id=signup.activity_id, status=SStatus.WAITLISTED)
        .filter(Q(queued_at__lt=signup.queued_at) | Q(queued_at=signup.queued_at, pk__lt=signup.pk))
        .count()
        + 1
    )


def signups_due_reminder(*, now: datetime.datetime) -> QuerySet[SignUp]:
    """Confirmed sign-ups whose activity (not cancelled) starts within the next 24 hours
    and whose reminder has not gone out."""
    return SignUp.objects.filter(
        status=SStatus.CONFIRMED,
        activity__status=Activity.Status.SCHEDULED,
        reminded_at__isnull=True,
        activity__starts_at__gt=now,
        activity__starts_at__lte=now + datetime.timedelta(hours=24),
    ).order_by("activity__starts_at", "pk")


def people_to_tell_about(*, activity_id: int) -> QuerySet[User]:
    """Who hears of a change to an activity: everyone confirmed or waiting."""
    return User.objects.filter(
        activity_signups__activity_id=activity_id,
        activity_signups__status__in=[SStatus.CONFIRMED, SStatus.WAITLISTED],
        is_active=True,
    ).distinct()


def feed_owner(*, token: str) -> User | None:
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def feed_estates(user: User) -> frozenset[int]:
    """The estates a personal calendar feed shows: those whose team the user is still on
    (approved there, or a captain there). Empty once the role that gave the feed ended."""
    from volunteers.rules import team_estates_of

    return team_estates_of(user) & roles_of(user).community_ids


# --- The ledger ----------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    month: datetime.date  # the first of the month
    hours: Decimal


def monthly_hours(
    *,
    user: User | None = None,
    months: int = 12,
    today=None,
    estates: frozenset[int] | None = None,
) -> list[Month]:
    """Hours per month for the last ``months`` months, oldest first, empty months as 0;
    of one volunteer if given, of these estates' ledgers (None: every estate)."""
    today = today or timezone.localdate()
    first = _add_months(today.replace(day=1), -(months - 1))
    entries = ServiceEntry.objects.filter(entries_within(estates), served_on__gte=first)
    if user is not None:
        entries = entries.filter(user=user)
    totals = {
        row["month"]: row["hours"]
        for row in entries.annotate(month=TruncMonth("served_on"))
        .values("month")
        .annotate(hours=Sum("hours"))
        .order_by()
    }
    # TruncMonth of a DateField is a date on every backend.
    return [
        Month(month, totals.get(month) or Decimal(0))
        for month in (_add_months(first, n) for n in range(months))
    ]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def hours_by_volunteer(*, estates: frozenset[int] | None) -> QuerySet[User]:
    """Everyone with hours in these estates' ledgers (None: every estate), the most first."""
    counted = entries_within(estates, "service_entries__")
    return (
        User.objects.filter(
            Exists(ServiceEntry.objects.filter(entries_within(estates), user=OuterRef("pk")))
        )
        .select_related("volunteer")
        .annotate(
            total_hours=Sum("service_entries__hours", filter=counted),
            entries=Count("service_entries", filter=counted),
        )
        .order_by("-total_hours", "name", "pk")
    )


def team_totals(*, estates: frozenset[int] | None = None) -> dict:
    """Hours, entries and volunteers of these estates' ledgers (None: every estate)."""
    return ServiceEntry.objects.filter(entries_within(estates)).aggregate(
        hours=Sum("hours"), entries=Count("pk"), volunteers=Count("user", distinct=True)
    )


def total_hours_of(*, user: User, estates: frozenset[int] | None = None) -> Decimal:
    entries = ServiceEntry.objects.filter(entries_within(estates), user=user)
    return entries.aggregate(hours=Sum("hours"))["hours"] or Decimal(0)


def entries_of(*, user: User, estates: frozenset[int] | None = None) -> QuerySet[ServiceEntry]:
    return ServiceEntry.objects.filter(entries_within(estates), user=user).select_related(
        "activity"
    )


def statement_estates(*, viewer: User, person: User) -> frozenset[int] | None:
    """Whose ledgers a statement shows: all of one's own; to those who approve a team,
    the listed estates where they do (None: every estate)."""
    if viewer.pk == person.pk:
        return None
    return listed_estates_of(viewer, *APPROVING_ROLES)


# --- The captain's building ----------------------------------------------------------


def buildings_seen_by(*, user) -> QuerySet[Building]:
    """The buildings of the listed estates the user looks after: those they captain, and
    every building of an estate they administer."""
    held = roles_of(user)
    administered = listed_estates_of(user, Role.COMMUNITY_ADMIN)
    scope = Q(pk__in=held.building_ids)
    if administered is None:  # every estate's (Q() would vanish in an OR)
        scope = Q()
    elif administered:
        scope |= Q(community_id__in=administered)
    return (
        Building.objects.filter(scope, within("community_id", listed_estates_of(user)))
        .select_related("community")
        .order_by("community_id", "number")
    )


def floors_seen_by(*, user, building: Building) -> Q:
    """The building's households the user looks after, as a filter: all for an admin of
    its estate, else the captain's grants' floors, and none for anyone else."""
    if roles_of(user).is_admin_of(building.community_id):
        return Q()
    return captained_places(user)


def households_of_building(*, building: Building, user) -> QuerySet[Household]:
    """The building's households on the floors the user looks after, with their verified
    members and open requests counted, the verified members prefetched (one query a page)."""
    verified = Membership.objects.filter(status=Membership.Status.VERIFIED).select_related("user")
    return (
        Household.objects.filter(building=building)
        .filter(floors_seen_by(user=user, building=building))
        .annotate(
            verified_count=Count(
                "memberships", filter=Q(memberships__status=Membership.Status.VERIFIED)
            ),
            requested_count=Count(
                "memberships", filter=Q(memberships__status=Membership.Status.REQUESTED)
            ),
        )
        .prefetch_related(Prefetch("memberships", verified, to_attr="verified_members"))
        .order_by("floor", "unit")
    )


def households_to_visit(*, building: Building, user) -> QuerySet[Household]:
    """Households without a verified member on the floors the user looks after: the
    door-knock list."""
    return (
        Household.objects.filter(building=building)
        .filter(floors_seen_by(user=user, building=building))
        .exclude(
            Exists(
                Membership.objects.filter(
                    household=OuterRef("pk"), status=Membership.Status.VERIFIED
                )
            )
        )
        .annotate(
            requested_count=Count(
                "memberships", filter=Q(memberships__status=Membership.Status.REQUESTED)
            )
        )
        .order_by("floor", "unit")
    )


ORGANISING_ROLES = (Role.CAPTAIN, Role.PROPERTY_STAFF, Role.PARTY_BRANCH, Role.COMMUNITY_ADMIN)


def organising_estates(*, user: User) -> QuerySet[Community]:
    """The listed estates where the user may open an activity, oldest first."""
    estates = listed_estates_of(user, *ORGANISING_ROLES)
    return Community.objects.filter(within("pk", estates)).order_by("pk")


def scheduled_activities() -> QuerySet[Activity]:
    """Activities not cancelled, newest first: what another app shows of those it links."""
    return Activity.objects.filter(status=Activity.Status.SCHEDULED).order_by("-starts_at", "-pk")


def activities_for_linking(*, community_id: int) -> QuerySet[Activity]:
    """Activities other apps may link to (priority work): the estate's scheduled ones."""
    return scheduled_activities().filter(community_id=community_id)


# --- Hours by estate, several estates at once (the estates side by side) -----------------


@dataclass(frozen=True)
class EstateHours:
    hours: Decimal
    volunteers: int


def hours_by_estate(
    *, estate_ids: Iterable[int], since: datetime.date, before: datetime.date
) -> dict[int, EstateHours]:
    """Hours served in [since, before) in each estate's ledger, and by how many people; an
    entry is its activity's estate's, or its volunteer's team's when made by hand (as
    `entries_within`). One query, whatever the number of estates."""
    estate_ids = list(estate_ids)
    served: dict[int, Decimal] = dict.fromkeys(estate_ids, Decimal(0))
    people: dict[int, set[int]] = {estate_id: set() for estate_id in estate_ids}
    rows = (
        ServiceEntry.objects.filter(served_on__gte=since, served_on__lt=before)
        .annotate(estate_id=Coalesce("activity__community_id", "user__volunteer__community_id"))
        .filter(estate_id__in=estate_ids)
        .values_list("estate_id", "user_id")
        .annotate(hours=Sum("hours"))
        .order_by()
    )
    for estate_id, user_id, hours in rows:
        served[estate_id] += hours
        people[estate_id].add(user_id)
    return {
        estate_id: EstateHours(served[estate_id], len(people[estate_id]))
        for estate_id in estate_ids
    }
