"""转发到楼栋群: a captain (or the author) relays an announcement to a building's WeChat
group with a short text and a poster, each carrying a short link of that building.

Whoever opens a building's link is sent on to the announcement, where a verified member
is counted as reached exactly as by any other way in (services.record_reading); a member
of that building is also written down as reached through its group (RelayVisit), which
the coverage page shows per building.
"""

from __future__ import annotations

import re
import secrets

import rules
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from covenant.markup import markdown_to_text
from covenant.models import Building, Household
from notices import selectors
from notices.models import Announcement, Audience, RelayLink, RelayVisit
from notices.rules import is_author, is_captain_in_audience, is_live

SUMMARY_LENGTH = 120

rules.add_perm("notices.relay_announcement", is_live & (is_captain_in_audience | is_author))


# --- Reads ------------------------------------------------------------------------------


def relay_buildings(*, user, announcement: Announcement) -> list[Building]:
    """The buildings of the announcement's audience the user relays to: all of them for
    its author, those they captain for a captain."""
    buildings = Building.objects.filter(community_id=announcement.community_id)
    if announcement.audience == Audience.BUILDINGS:
        buildings = buildings.filter(pk__in=selectors.building_ids_of(announcement))
    if announcement.author_id != user.pk:
        buildings = buildings.filter(
            pk__in=selectors.captained_building_ids(user, announcement.community_id)
        )
    return list(buildings.order_by("number"))


def summary_of(announcement: Announcement) -> str:
    """The first paragraph of the body in plain words, cut at a sentence end when long."""
    paragraphs = [part for part in re.split(r"\n\s*\n", announcement.body) if part.strip()]
    text = markdown_to_text(paragraphs[0]) if paragraphs else ""
    if len(text) <= SUMMARY_LENGTH:
        return text
    cut = text[:SUMMARY_LENGTH]
    end = max(cut.rfind(mark) for mark in "。！？.!?；;")
    return (cut[: end + 1] if end >= SUMMARY_LENGTH // 2 else cut) + "…"


def relay_text(*, announcement: Announcement, building: Building, url: str) -> str:
    """What the captain pastes into the building's group, in the estate's voice; the
    link on a line of its own, so the chat makes it a link whatever precedes it."""
    date = formats.date_format(timezone.localtime(announcement.publish_at), "SHORT_DATE_FORMAT")
    return _(
        "[%(estate)s · %(building)s] %(title)s\n"
        "%(summary)s\n"
        "Published on %(date)s. Read it in full here:\n"
        "%(url)s"
    ) % {
        "estate": announcement.community.name,
        "building": building,
        "title": announcement.title,
        "summary": summary_of(announcement),
        "date": date,
        "url": url,
    }


def visits_by_building(announcement: Announcement) -> dict[int, int]:
    """Households reached through each building's group link, by building id: one query."""
    return dict(
        RelayVisit.objects.filter(link__announcement=announcement)
        .values("link__building_id")
        .annotate(count=Count("household_id", distinct=True))
        .values_list("link__building_id", "count")
    )


# --- Writes -----------------------------------------------------------------------------


def links_for(*, announcement: Announcement, buildings: list[Building]) -> dict[int, RelayLink]:
    """Each building's link, made the first time it is asked for; by building id."""
    links = {
        link.building_id: link
        for link in RelayLink.objects.filter(announcement=announcement, building__in=buildings)
    }
    for building in buildings:
        if building.pk not in links:
            links[building.pk] = _make_link(announcement=announcement, building=building)
    return links


def _make_link(*, announcement: Announcement, building: Building) -> RelayLink:
    try:
        with transaction.atomic():
            return RelayLink.objects.create(
                announcement=announcement, building=building, token=secrets.token_urlsafe(6)
            )
    except IntegrityError:
        # Two captains of the building opened the page at once: the first link stands.
        return RelayLink.objects.get(announcement=announcement, building=building)


def record_visit(*, link: RelayLink, user) -> None:
    """The user opened the building's link: each of their verified households of that
    building in the announcement's audience is counted for its group, once."""
    if not user.is_authenticated:
        return
    household_ids = selectors.households_in_reach_of(link.announcement, user)
    if not household_ids:
        return
    mine = Household.objects.filter(pk__in=household_ids, building_id=link.building_id)
    RelayVisit.objects.bulk_create(
        [RelayVisit(link=link, household=household) for household in mine],
        ignore_conflicts=True,
    )
