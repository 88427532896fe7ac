"""Reads of the volunteers area, with visibility applied."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils import timezone

from covenant.models import Building, Household, Membership, Role, RoleGrant, User
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


# --- The team ------------------------------------------------------------------------


def volunteer_of(*, user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).first()


def pending_applications() -> QuerySet[Volunteer]:
    return (
        Volunteer.objects.filter(status=Volunteer.Status.APPLIED)
        .select_related("user")
        .order_by("applied_at", "pk")
    )


def roster() -> QuerySet[User]:
    """The team: approved volunteers and every active captain, by name.

    Each user carries ``roster_volunteer`` (their Volunteer row or None, from the
    select_related) and ``captain_buildings`` (prefetched grants)."""
    captain_grants = RoleGrant.objects.filter(role=Role.CAPTAIN).select_related("building")
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(volunteer__status=Volunteer.Status.APPROVED)
            | Q(Exists(RoleGrant.objects.filter(user=OuterRef("pk"), role=Role.CAPTAIN)))
        )
        .select_related("volunteer")
        .prefetch_related(Prefetch("role_grants", captain_grants, to_attr="captain_grants"))
        .annotate(
            total_hours=Sum("service_entries__hours"),
            shown_name=Coalesce(NullIf("volunteer__roster_name", Value("")), "name"),
        )
        .order_by("shown_name", "pk")
    )


def captains_for(*, user: User) -> list[tuple[Household, list[User]]]:
    """The captains of each household the user is a verified member of."""
    households = [
        membership.household
        for membership in Membership.objects.filter(
            user=user, status=Membership.Status.VERIFIED
        ).select_related("household__building")
    ]
    captains = captains_of(households=households) if households else {}
    return [(household, captains[household.pk]) for household in households]


def messages_for_captain(*, captain: User) -> QuerySet[CaptainMessage]:
    return CaptainMessage.objects.filter(captain=captain).select_related(
        "sender", "household__building"
    )


def unread_message_count(*, captain: User) -> int:
    return CaptainMessage.objects.filter(captain=captain, read_at__isnull=True).count()


# --- Activities ----------------------------------------------------------------------


def activities(*, upcoming: bool = True, now: datetime.datetime | None = None):
    """Activities with their number of taken places and waitlist, in one query: the
    coming ones, or the past and cancelled ones."""
    now = now or timezone.now()
    queryset = Activity.objects.select_related("organiser").annotate(
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


def signups_of_user(*, user: User, since: datetime.datetime) -> QuerySet[SignUp]:
    return (
        SignUp.objects.filter(user=user, activity__ends_at__gte=since)
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


# --- The ledger ----------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    month: datetime.date  # the first of the month
    hours: Decimal


def monthly_hours(*, user: User | None = None, months: int = 12, today=None) -> list[Month]:
    """Hours per month for the last ``months`` months, oldest first, empty months as 0."""
    today = today or timezone.localdate()
    first = _add_months(today.replace(day=1), -(months - 1))
    entries = ServiceEntry.objects.filter(served_on__gte=first)
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


def hours_by_volunteer() -> QuerySet[User]:
    """Everyone with hours in the ledger, the most hours first."""
    return (
        User.objects.filter(service_entries__isnull=False)
        .select_related("volunteer")
        .annotate(total_hours=Sum("service_entries__hours"), entries=Count("service_entries"))
        .order_by("-total_hours", "name", "pk")
    )


def team_totals() -> dict:
    return ServiceEntry.objects.aggregate(
        hours=Sum("hours"), entries=Count("pk"), volunteers=Count("user", distinct=True)
    )


def total_hours_of(*, user: User) -> Decimal:
    return ServiceEntry.objects.filter(user=user).aggregate(hours=Sum("hours"))["hours"] or Decimal(
        0
    )


def entries_of(*, user: User) -> QuerySet[ServiceEntry]:
    return ServiceEntry.objects.filter(user=user).select_related("activity")


# --- The captain's building ----------------------------------------------------------


def buildings_seen_by(*, user) -> QuerySet[Building]:
    from covenant.rules import roles_of

    roles = roles_of(user)
    if roles.is_admin:
        return Building.objects.order_by("number")
    return Building.objects.filter(pk__in=roles.building_ids).order_by("number")


def floors_seen_by(*, user) -> Q:
    """The households the user looks after, as a filter: all for an admin, else the
    captain's buildings within their grants' floor ranges, and none for anyone else."""
    from covenant.rules import roles_of

    if roles_of(user).is_admin:
        return Q()
    return captained_places(user)


def households_of_building(*, building: Building, user) -> QuerySet[Household]:
    """The building's households on the floors the user looks after, with their verified
    members and open requests counted, the verified members prefetched (one query a page)."""
    verified = Membership.objects.filter(status=Membership.Status.VERIFIED).select_related("user")
    return (
        Household.objects.filter(building=building)
        .filter(floors_seen_by(user=user))
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
        .filter(floors_seen_by(user=user))
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


def activities_for_linking() -> QuerySet[Activity]:
    """Activities other apps may link to (priority work): every scheduled one, newest first."""
    return Activity.objects.filter(status=Activity.Status.SCHEDULED).order_by("-starts_at", "-pk")


# --- Hours by estate (the dashboards and the district overview) --------------------------


@dataclass(frozen=True)
class EstateHours:
    hours: Decimal
    volunteers: int
    months: dict[datetime.date, Decimal]  # the first of each month with hours


def hours_by_estate(
    *,
    estate_ids: Iterable[int],
    since: datetime.date | None = None,
    before: datetime.date | None = None,
) -> dict[int, EstateHours]:
    """Hours served in [since, before) by the volunteers of each estate: those with a
    verified home in it (the ledger names no estate; someone at home in two estates
    counts in both). Two queries, whatever the number of estates."""
    estate_ids = list(estate_ids)
    entries = ServiceEntry.objects.all()
    if since is not None:
        entries = entries.filter(served_on__gte=since)
    if before is not None:
        entries = entries.filter(served_on__lt=before)
    homes = Membership.objects.filter(
        status=Membership.Status.VERIFIED, household__building__community_id__in=estate_ids
    )
    estates_of: dict[int, set[int]] = {}
    for user_id, estate_id in (
        homes.filter(user__in=entries.values("user_id"))
        .order_by()
        .values_list("user_id", "household__building__community_id")
        .distinct()
    ):
        estates_of.setdefault(user_id, set()).add(estate_id)
    hours: dict[int, dict[datetime.date, Decimal]] = {estate_id: {} for estate_id in estate_ids}
    people: dict[int, set[int]] = {estate_id: set() for estate_id in estate_ids}
    for user_id, month, served in (
        entries.filter(user__in=homes.values("user_id"))
        .annotate(month=TruncMonth("served_on"))
        .values_list("user_id", "month")
        .annotate(served=Sum("hours"))
        .order_by()
    ):
        for estate_id in estates_of.get(user_id, ()):
            months = hours[estate_id]
            months[month] = months.get(month, Decimal(0)) + served
            people[estate_id].add(user_id)
    return {
        estate_id: EstateHours(sum(months.values(), Decimal(0)), len(people[estate_id]), months)
        for estate_id, months in hours.items()
    }
