"""The estates of one community (社区, a District) side by side, for those who oversee
several of them: the Party branch's members and admins holding their role in two or more
estates of the district, and superusers.

Every figure is of one calendar month (the window), except the totals and what is open
now. The queries are the same whatever the number of estates: each figure is one grouped
query over all the district's estates (definitions as in ``proposals/insight/analytics.py``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone

from covenant.models import Community, District, User
from covenant.rules import districts_overseen, roles_of
from notices import selectors as notices_selectors
from proposals.ideas.selectors import OPEN_STATUSES
from proposals.insight.analytics import Window, counted_ideas_in, in_window, median
from proposals.models import OwnersVote, TimelineEntry
from volunteers import selectors as volunteers_selectors


@dataclass(frozen=True)
class OverseenDistrict:
    district: District
    estates: tuple[Community, ...]  # by name


def districts_overseen_by(user: User) -> list[OverseenDistrict]:
    """The districts whose estates the user sees side by side, by name, each with the
    estates of it they oversee (a superuser: all of them). One query."""
    if roles_of(user).is_superuser:
        estates = Community.objects.filter(district__isnull=False)
    else:
        overseen = districts_overseen(user)
        estates = Community.objects.filter(
            pk__in=[estate_id for ids in overseen.values() for estate_id in ids]
        )
    by_district: dict[int, list[Community]] = {}
    districts: dict[int, District] = {}
    for estate in estates.select_related("district").order_by("name", "pk"):
        districts[estate.district_id] = estate.district
        by_district.setdefault(estate.district_id, []).append(estate)
    return sorted(
        (
            OverseenDistrict(districts[district_id], tuple(estates))
            for district_id, estates in by_district.items()
        ),
        key=lambda overseen: (overseen.district.name, overseen.district.pk),
    )


@dataclass(frozen=True)
class EstateColumn:
    """One estate's figures in the overview."""

    estate: Community
    ideas: int  # counted ideas, all time
    open_ideas: int  # now
    new_ideas: int  # in the window
    replies: int  # first public replies in the window
    median_reply_hours: float | None
    announcements: int  # published in the window, not withdrawn
    households: int  # the announcements' audiences, summed (household-announcement pairs)
    reached: int
    open_votes: int  # now
    volunteer_hours: Decimal  # in the window
    volunteers: int  # who served in the window

    @property
    def reached_percent(self) -> int | None:
        return round(100 * self.reached / self.households) if self.households else None


def estate_columns(user: User, estates: Sequence[Community], window: Window) -> list[EstateColumn]:
    """The figures of each estate, in the estates' order. Eight queries at most (five
    without announcements in the window), whatever the number of estates."""
    estate_ids = [estate.pk for estate in estates]
    ideas = _idea_counts(estates, window)
    replies = _reply_hours(estates, window)
    coverage = _announcement_coverage(user, estates, window)
    votes = _open_votes(estates)
    hours = volunteers_selectors.hours_by_estate(
        estate_ids=estate_ids, since=window.first_month, before=window.end_month
    )
    columns = []
    for estate in estates:
        total, open_now, new = ideas.get(estate.pk, (0, 0, 0))
        reply_hours = replies.get(estate.pk, [])
        announcements, households, reached = coverage.get(estate.pk, (0, 0, 0))
        served = hours[estate.pk]
        columns.append(
            EstateColumn(
                estate=estate,
                ideas=total,
                open_ideas=open_now,
                new_ideas=new,
                replies=len(reply_hours),
                median_reply_hours=median(reply_hours),
                announcements=announcements,
                households=households,
                reached=reached,
                open_votes=votes.get(estate.pk, 0),
                volunteer_hours=served.hours,
                volunteers=served.volunteers,
            )
        )
    return columns


def _idea_counts(estates, window: Window) -> dict[int, tuple[int, int, int]]:
    """(counted, open now, new in the window) by estate. One query."""
    return {
        row["community_id"]: (row["total"], row["open"], row["new"])
        for row in counted_ideas_in(estates)
        .values("community_id")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            new=Count("pk", filter=in_window(window, "created_at")),
        )
        .order_by()
    }


def _reply_hours(estates, window: Window) -> dict[int, list[float]]:
    """Hours from submission to the first public reply, of the first replies given in the
    window, by estate. One query."""
    firsts = (
        TimelineEntry.objects.filter(idea__in=counted_ideas_in(estates))
        .values("idea_id", "idea__community_id", "idea__created_at")
        .annotate(first_reply=Min("created_at", filter=~Q(public_reply="")))
        .filter(in_window(window, "first_reply"))
        .order_by()
    )
    hours: dict[int, list[float]] = {}
    for row in firsts:
        delta = row["first_reply"] - row["idea__created_at"]
        hours.setdefault(row["idea__community_id"], []).append(delta.total_seconds() / 3600)
    return hours


def _announcement_coverage(user, estates, window: Window) -> dict[int, tuple[int, int, int]]:
    """(announcements, audience households, reached) by estate, of the announcements
    published in the window and not withdrawn. Four queries (one without any)."""
    announcements = list(
        notices_selectors.announcements_visible_to(user, include_expired=True)
        .filter(community__in=estates)
        .filter(in_window(window, "publish_at"))
        .order_by()
    )
    if not announcements:
        return {}
    reach = notices_selectors.reach_counts(announcements)
    coverage: dict[int, tuple[int, int, int]] = {}
    for announcement in announcements:
        reached, total = reach[announcement.pk]
        count, households, reached_so_far = coverage.get(announcement.community_id, (0, 0, 0))
        coverage[announcement.community_id] = (
            count + 1,
            households + total,
            reached_so_far + reached,
        )
    return coverage


def _open_votes(estates) -> dict[int, int]:
    """Owners' votes open now by estate (one past its closing time is closed). One query."""
    return dict(
        OwnersVote.objects.filter(
            community__in=estates, status=OwnersVote.Status.OPEN, closes_at__gt=timezone.now()
        )
        .values("community_id")
        .annotate(count=Count("pk"))
        .values_list("community_id", "count")
        .order_by()
    )


def month_asked(value: str, today: datetime.date | None = None) -> datetime.date:
    """The first of the month asked for as YYYY-MM, if not in the future; else this one."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    try:
        month = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return this_month
    return month if datetime.date(2000, 1, 1) <= month <= this_month else this_month
