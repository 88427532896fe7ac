"""Figures for the dashboards, the monthly report and open data: reads that return plain data.

Every function runs a fixed number of queries whatever the estate's size (aggregates in the
database; medians in Python over one list of values, so they are exact on every backend).

Which ideas count: the estate's ideas that residents can see (moderation "visible") and
that were not merged into another as a duplicate. Hidden, pending and merged ideas are
left out everywhere, so the dashboards, the report and the open data agree.

Definitions (also in docs/dashboards.md and in the pages' help texts):

- **First public reply**: the earliest entry on the idea's public timeline that carries a
  reply text (a status change without a text is not a reply). Only the property staff and
  admins write replies. Time to first reply runs from the idea's submission to it.
- **Time to done**: from submission to the first timeline entry that moved it to "done".
- Response times in a period are those of the replies (and completions) that happened in
  the period, whenever the idea was submitted.
- **Participating household**: a household under which a counted idea was filed in the
  period (by a member, or recorded for it by its captain), or one with a verified member
  who supported a counted idea in the period. The share is of all the building's
  households on record, on the portal or not.
- **Open items by age**: counted ideas now submitted, accepted, in progress or referred,
  by the time since submission; each bucket includes its lower bound (exactly 7 days old
  is in "7–30 days").
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from covenant.models import Community, Household, Membership, Role, User
from covenant.rules import listed_estates, listed_estates_where, roles_of
from notices import selectors as notices_selectors
from proposals.ideas.selectors import OPEN_STATUSES
from proposals.models import (
    ActionItem,
    Category,
    Idea,
    Moderation,
    Support,
    Theme,
    TimelineEntry,
)
from proposals.themes.selectors import counted_in_themes
from volunteers import selectors as volunteers_selectors

DASHBOARD_ROLES = [Role.PROPERTY_STAFF, Role.PARTY_BRANCH, Role.COMMUNITY_ADMIN]
PERIOD_MONTHS = (3, 6, 12, 24)
DEFAULT_PERIOD_MONTHS = 12
AGE_BUCKETS = (
    (0, 7, pgettext_lazy("age of open ideas", "under 7 days")),
    (7, 30, pgettext_lazy("age of open ideas", "7–30 days")),
    (30, 90, pgettext_lazy("age of open ideas", "30–90 days")),
    (90, None, pgettext_lazy("age of open ideas", "90 days or more")),
)
ANNOUNCEMENTS_LISTED = 15
REPORT_THEMES = 8


# --- Scope and time ------------------------------------------------------------------


def dashboard_estates(user: User) -> QuerySet[Community]:
    """The estates whose figures the user's dashboards offer: of the estates they work in
    (covenant.rules.listed_estates), those where they are property staff, Party branch or
    admin. A superuser is admin of every estate they work in; without a grant, of all."""
    roles = roles_of(user)
    if user.is_superuser and not roles.community_ids:
        return Community.objects.order_by("name", "pk")
    estate_ids = listed_estates_where(user, *DASHBOARD_ROLES)
    if user.is_superuser:
        estate_ids |= listed_estates(user)
    return Community.objects.filter(pk__in=estate_ids).order_by("name", "pk")


@dataclass(frozen=True)
class Window:
    """[start, end) in local time, and the first day of each month in it."""

    start: datetime.datetime
    end: datetime.datetime
    months: tuple[datetime.date, ...]

    @property
    def first_month(self) -> datetime.date:
        return self.months[0]

    @property
    def end_month(self) -> datetime.date:
        """The first day after the window."""
        return add_months(self.months[-1], 1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def months_window(first: datetime.date, count: int) -> Window:
    months = tuple(add_months(first, n) for n in range(count))
    return Window(
        start=_local_midnight(months[0]),
        end=_local_midnight(add_months(months[-1], 1)),
        months=months,
    )


def recent_window(months: int, today: datetime.date | None = None) -> Window:
    """The last `months` calendar months, this one included."""
    today = today or timezone.localdate()
    return months_window(add_months(today.replace(day=1), -(months - 1)), months)


def last_complete_month(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return add_months(today.replace(day=1), -1)


def _month_of(moment) -> datetime.date:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        return moment.date().replace(day=1)
    return moment.replace(day=1)


def counted_ideas(estate: Community) -> QuerySet[Idea]:
    return Idea.objects.filter(
        community=estate, moderation=Moderation.VISIBLE, duplicate_of__isnull=True
    )


def counted_ideas_in(estates) -> QuerySet[Idea]:
    """The counted ideas of several estates (the district overview groups them)."""
    return Idea.objects.filter(
        community__in=estates, moderation=Moderation.VISIBLE, duplicate_of__isnull=True
    )


def in_window(window: Window, field: str) -> Q:
    return Q(**{f"{field}__gte": window.start, f"{field}__lt": window.end})


# --- Ideas over time -----------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    counts: tuple[int, ...]  # one per month of the window

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class MonthlyBreakdown:
    months: tuple[datetime.date, ...]
    series: tuple[Series, ...]

    @property
    def month_totals(self) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*(s.counts for s in self.series), strict=True))

    @property
    def total(self) -> int:
        return sum(s.total for s in self.series)

    def rows(self) -> list[tuple[datetime.date, list[int], int]]:
        """The table: each month, its count per series, and its total."""
        totals = self.month_totals or (0,) * len(self.months)
        return [
            (month, [s.counts[index] for s in self.series], totals[index])
            for index, month in enumerate(self.months)
        ]


def _counts_by_month(ideas: QuerySet[Idea], window: Window, field: str) -> dict:
    month = TruncMonth("created_at", tzinfo=timezone.get_current_timezone())
    counts: dict[tuple[str, datetime.date], int] = {}
    for key, moment, count in (
        ideas.filter(in_window(window, "created_at"))
        .annotate(month=month)
        .values_list(field, "month")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counts[str(key), _month_of(moment)] = counts.get((str(key), _month_of(moment)), 0) + count
    return counts


def ideas_by_category(estate: Community, window: Window) -> MonthlyBreakdown:
    """New ideas per month and category; categories without ideas in the window are left
    out unless still offered. Two queries."""
    counts = _counts_by_month(counted_ideas(estate), window, "category_id")
    series = []
    for category in Category.objects.order_by("position", "pk"):
        row = tuple(counts.get((str(category.pk), month), 0) for month in window.months)
        if any(row) or category.is_active:
            series.append(Series(category.slug, category.label, row))
    return MonthlyBreakdown(window.months, tuple(series))


def ideas_by_status(estate: Community, window: Window) -> MonthlyBreakdown:
    """New ideas per month by the status they have now. One query."""
    counts = _counts_by_month(counted_ideas(estate), window, "status")
    series = tuple(
        Series(value, label, tuple(counts.get((value, month), 0) for month in window.months))
        for value, label in Idea.Status.choices
    )
    return MonthlyBreakdown(window.months, series)


# --- Response times ------------------------------------------------------------------


def median(values: list[float]) -> float | None:
    """The exact median; the mean of the middle two for an even count; None if empty."""
    return statistics.median(values) if values else None


@dataclass(frozen=True)
class ResponseRow:
    label: str
    replies: int
    median_reply_hours: float | None
    done: int
    median_done_days: float | None


@dataclass(frozen=True)
class ResponseTimes:
    rows: tuple[ResponseRow, ...]  # per category, then None for categories without events
    overall: ResponseRow
    waiting_for_reply: int  # open counted ideas with no public reply yet (now)


def _hours(delta: datetime.timedelta) -> float:
    return delta.total_seconds() / 3600


def response_times(estate: Community, window: Window) -> ResponseTimes:
    """Median time to first public reply and to done, per category, of the replies and
    completions that happened in the window. Three queries."""
    replies = ~Q(public_reply="")
    done = Q(to_status=Idea.Status.DONE)
    events = (
        TimelineEntry.objects.filter(idea__in=counted_ideas(estate))
        .values("idea_id", "idea__category_id", "idea__created_at")
        .annotate(
            first_reply=Min("created_at", filter=replies), done_at=Min("created_at", filter=done)
        )
        .filter(in_window(window, "first_reply") | in_window(window, "done_at"))
        .order_by()
    )
    reply_hours: dict[int, list[float]] = {}
    done_days: dict[int, list[float]] = {}
    for row in events:
        category_id, created = row["idea__category_id"], row["idea__created_at"]
        if row["first_reply"] and window.start <= row["first_reply"] < window.end:
            reply_hours.setdefault(category_id, []).append(_hours(row["first_reply"] - created))
        if row["done_at"] and window.start <= row["done_at"] < window.end:
            done_days.setdefault(category_id, []).append(_hours(row["done_at"] - created) / 24)

    def row_for(label, hours: list[float], days: list[float]) -> ResponseRow:
        return ResponseRow(label, len(hours), median(hours), len(days), median(days))

    rows = tuple(
        row_for(category.label, reply_hours.get(category.pk, []), done_days.get(category.pk, []))
        for category in Category.objects.order_by("position", "pk")
        if category.pk in reply_hours or category.pk in done_days
    )
    every_reply = [hours for values in reply_hours.values() for hours in values]
    every_done = [days for values in done_days.values() for days in values]
    waiting = (
        counted_ideas(estate)
        .filter(status__in=OPEN_STATUSES)
        .exclude(Exists(TimelineEntry.objects.filter(replies, idea=OuterRef("pk"))))
        .count()
    )
    return ResponseTimes(rows, row_for(_("All categories"), every_reply, every_done), waiting)


# --- Participation -------------------------------------------------------------------


@dataclass(frozen=True)
class BuildingParticipation:
    number: int
    households: int
    on_portal: int  # with at least one verified member
    participating: int

    @property
    def percent(self) -> float:
        return round(100 * self.participating / self.households, 1) if self.households else 0.0


@dataclass(frozen=True)
class Participation:
    buildings: tuple[BuildingParticipation, ...]
    total: BuildingParticipation  # number 0: the whole estate


def participation(estate: Community, window: Window) -> Participation:
    """Participating households per building (see the module's definition). One query."""
    ideas = counted_ideas(estate)
    filed = ideas.filter(in_window(window, "created_at"), household=OuterRef("pk"))
    supported = Support.objects.filter(
        in_window(window, "created_at"),
        idea__in=ideas,
        user__memberships__household=OuterRef("pk"),
        user__memberships__status=Membership.Status.VERIFIED,
    )
    verified = Membership.objects.filter(
        household=OuterRef("pk"), status=Membership.Status.VERIFIED
    )
    rows = (
        Household.objects.filter(building__community=estate)
        .annotate(filed=Exists(filed), supported=Exists(supported), verified=Exists(verified))
        .values("building__number")
        .annotate(
            households=Count("pk"),
            on_portal=Count("pk", filter=Q(verified=True)),
            participating=Count("pk", filter=Q(filed=True) | Q(supported=True)),
        )
        .order_by("building__number")
    )
    buildings = tuple(
        BuildingParticipation(
            row["building__number"], row["households"], row["on_portal"], row["participating"]
        )
        for row in rows
    )
    total = BuildingParticipation(
        0,
        sum(b.households for b in buildings),
        sum(b.on_portal for b in buildings),
        sum(b.participating for b in buildings),
    )
    return Participation(buildings, total)


# --- Open items ----------------------------------------------------------------------


@dataclass(frozen=True)
class AgeBucket:
    label: str
    count: int


def open_items_by_age(estate: Community, now: datetime.datetime | None = None) -> list[AgeBucket]:
    """Open ideas by time since submission; each bucket includes its lower bound. One query."""
    now = now or timezone.now()
    counts = {}
    for index, (low, high, _label) in enumerate(AGE_BUCKETS):
        condition = Q(created_at__lte=now - datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(created_at__gt=now - datetime.timedelta(days=high))
        counts[f"bucket{index}"] = Count("pk", filter=condition)
    totals = counted_ideas(estate).filter(status__in=OPEN_STATUSES).aggregate(**counts)
    return [
        AgeBucket(str(label), totals[f"bucket{index}"] or 0)
        for index, (_low, _high, label) in enumerate(AGE_BUCKETS)
    ]


# --- Announcements and volunteers ----------------------------------------------------


@dataclass(frozen=True)
class AnnouncementReach:
    title: str
    published_at: datetime.datetime
    households: int
    read: int
    reached: int  # read, or told by a captain in person or on paper

    @property
    def read_percent(self) -> int:
        return round(100 * self.read / self.households) if self.households else 0

    @property
    def reached_percent(self) -> int:
        return round(100 * self.reached / self.households) if self.households else 0


@dataclass(frozen=True)
class AnnouncementCoverage:
    announcements: tuple[AnnouncementReach, ...]  # the most recent first
    count: int
    households: int  # summed over the announcements: household-announcement pairs
    read: int
    reached: int

    @property
    def read_percent(self) -> int:
        return round(100 * self.read / self.households) if self.households else 0

    @property
    def reached_percent(self) -> int:
        return round(100 * self.reached / self.households) if self.households else 0


def announcement_coverage(user: User, estate: Community, window: Window) -> AnnouncementCoverage:
    """Of the announcements published in the window (not withdrawn), the share of their
    audience's households that read them, and that were reached at all. Five queries."""
    announcements = list(
        notices_selectors.announcements_visible_to(user, include_expired=True)
        .filter(community=estate)
        .filter(in_window(window, "publish_at"))
        .order_by("-publish_at", "-pk")
    )
    reach = notices_selectors.reach_counts(announcements)
    read = notices_selectors.read_counts(announcements)
    rows = tuple(
        AnnouncementReach(a.title, a.publish_at, reach[a.pk][1], read.get(a.pk, 0), reach[a.pk][0])
        for a in announcements
    )
    return AnnouncementCoverage(
        rows,
        len(rows),
        sum(row.households for row in rows),
        sum(row.read for row in rows),
        sum(row.reached for row in rows),
    )


@dataclass(frozen=True)
class VolunteerHours:
    months: tuple[tuple[datetime.date, Decimal], ...]
    total: Decimal
    team: dict  # the estate's ledger since it began: hours, entries, volunteers


def volunteer_hours(estate: Community, window: Window) -> VolunteerHours:
    """The hours in the estate's ledger per month of the window (an entry is its activity's
    estate's, or its volunteer's team's), and since the team began. Two queries."""
    estates = frozenset({estate.pk})
    last_day = add_months(window.months[-1], 1) - datetime.timedelta(days=1)
    months = tuple(
        (month.month, month.hours)
        for month in volunteers_selectors.monthly_hours(
            months=len(window.months), today=last_day, estates=estates
        )
    )
    return VolunteerHours(
        months,
        sum((hours for _m, hours in months), Decimal(0)),
        volunteers_selectors.team_totals(estates=estates),
    )


# --- The monthly report --------------------------------------------------------------


def new_ideas(estate: Community, window: Window) -> tuple[int, list[tuple[str, int]]]:
    """How many counted ideas came in, and how many per category (largest first). Two queries."""
    per_category = dict(
        counted_ideas(estate)
        .filter(in_window(window, "created_at"))
        .values("category_id")
        .annotate(count=Count("pk"))
        .values_list("category_id", "count")
        .order_by()
    )
    categories = [
        (category.label, per_category[category.pk])
        for category in Category.objects.order_by("position", "pk")
        if category.pk in per_category
    ]
    categories.sort(key=lambda pair: -pair[1])
    return sum(per_category.values()), categories


def ideas_done(estate: Community, window: Window) -> list[Idea]:
    """Counted ideas marked done in the window, each with `last_reply`: the text of its
    latest public reply up to the window's end. Two queries."""
    done_in_window = TimelineEntry.objects.filter(
        in_window(window, "created_at"), idea=OuterRef("pk"), to_status=Idea.Status.DONE
    )
    done = counted_ideas(estate).filter(Exists(done_in_window))
    ideas = list(
        done.select_related("category", "building")
        .annotate(
            done_at=Min(
                "timeline__created_at",
                filter=Q(timeline__to_status=Idea.Status.DONE)
                & in_window(window, "timeline__created_at"),
            )
        )
        .order_by("done_at", "pk")
    )
    latest: dict[int, str] = {}
    for idea_id, text in (
        TimelineEntry.objects.filter(idea__in=done.values("pk"), created_at__lt=window.end)
        .exclude(public_reply="")
        .order_by("created_at", "pk")
        .values_list("idea_id", "public_reply")
    ):
        latest[idea_id] = text
    for idea in ideas:
        idea.last_reply = latest.get(idea.pk, "")
    return ideas


def themes_of_the_month(estate: Community, window: Window) -> list[Theme]:
    """The themes the window's new ideas fell into, most new ideas first (the top
    `REPORT_THEMES`), each with `this_month` (its new ideas), `size` and `supports` (of all
    its ideas) and its priority work, if it is one. One query.

    Ideas count as in the themes pages: visible, not merged, not withdrawn. Ideas that came
    after the last regrouping are in no theme yet."""
    counted = counted_in_themes("memberships__idea__")
    return list(
        Theme.objects.filter(community=estate)
        .annotate(
            this_month=Count(
                "memberships", filter=counted & in_window(window, "memberships__idea__created_at")
            ),
            size=Count("memberships", filter=counted),
            supports=Coalesce(Sum("memberships__idea__support_count", filter=counted), 0),
        )
        .filter(this_month__gt=0)
        .select_related("category", "priority")
        .order_by("-this_month", "-size", "pk")[:REPORT_THEMES]
    )


def priority_items_done(estate: Community, window: Window) -> list[ActionItem]:
    """The action items of priority work (the adopted resolutions of the deliberations
    linked to it) done in the window, each with `priority_title`; an item of two priorities
    is listed under each. One query.

    An item has no date of completion of its own: a done item counts in the month of its
    last update, which is its completion unless its note was edited afterwards."""
    return list(
        ActionItem.objects.filter(
            in_window(window, "updated_at"),
            status=ActionItem.Status.DONE,
            resolution__adopted_at__isnull=False,
            resolution__deliberation__priorities__community=estate,
        )
        .annotate(priority_title=F("resolution__deliberation__priorities__title"))
        .select_related("resolution__deliberation", "owner")
        .order_by("priority_title", "updated_at", "pk")
    )
